/**
 * `niimask group`: connectivity matrices from time series already written (by `niimask extract`,
 * possibly over several `--shard`s): per-run kinds next to each time series, and the tangent kind
 * fitted on every given run with the group's geometric mean in `--out`.
 *
 * @module
 */
import type { Command } from "./main.ts";
import { type FlagSpec, formatFlagHelp, parseFlags } from "./flags.ts";
import { errorMessage, EXIT_FAILURES, EXIT_OK, UsageError } from "./errors.ts";
import { CONNECTIVITY_FLAGS, connectivityRequest } from "./connectivity_args.ts";
import { groupTangentStem, writeRunConnectivity } from "./connectivity_outputs.ts";
import { groupTangentStep, timeseriesStem } from "./connectivity_group.ts";
import { parseTimeseriesTsv } from "./timeseries_read.ts";
import { baseName } from "./naming.ts";
import { VERSION } from "./version.ts";
import { findSeries, selectSeries } from "./group_inputs.ts";
import { strategyLabel } from "./bids_naming.ts";

const OUTPUT = "Output";

/** The flags of `niimask group`. */
export const GROUP_FLAGS: readonly FlagSpec[] = [
  {
    name: "out",
    kind: "string",
    metavar: "DIR",
    group: OUTPUT,
    defaultText: "the output folder, when one is given",
    help: "Directory of the tangent group mean (created if missing). Per-run matrices are " +
      "written next to each time series.",
  },
  {
    name: "atlas-name",
    kind: "string",
    metavar: "NAME",
    group: OUTPUT,
    defaultText: "the folder's only atlas",
    help: "niimask bids outputs: the time series of this atlas- label in the folders given, " +
      "and the atlas- entity of the group mean.",
  },
  {
    name: "denoise-strategy",
    kind: "choice",
    choices: ["simple", "scrubbing", "compcor", "ica_aroma"],
    group: OUTPUT,
    defaultText: "the folder's only strategy",
    help: "niimask bids outputs: the time series of this strategy (desc-) in the folders " +
      "given, and the desc- entity of the group mean.",
  },
  {
    name: "atlas",
    kind: "string",
    metavar: "LABEL",
    group: OUTPUT,
    defaultText: "none",
    help: "atlas- entity of the group mean's name (letters and digits kept); give the maps " +
      "file name without extension to get the name 'niimask extract' writes.",
  },
  {
    name: "desc",
    kind: "string",
    metavar: "LABEL",
    group: OUTPUT,
    defaultText: "none",
    help: "desc- entity of the group mean's name (e.g. the denoising strategy).",
  },
  { name: "help", kind: "boolean", group: OUTPUT, help: "Show this help and exit." },
  ...CONNECTIVITY_FLAGS,
];

/** The help of `niimask group`. */
export function groupHelp(): string {
  return [
    "Usage: niimask group --connectivity KIND[,KIND...] --out DIR [flags] X_timeseries.tsv...",
    "       niimask group OUTPUT_DIR --connectivity KIND[,KIND...] [--atlas-name NAME]",
    "         [--denoise-strategy S]      (outputs of 'niimask bids', e.g. of its --shard tasks)",
    "",
    "Connectivity matrices of time series written by 'niimask extract' (e.g. by the tasks of a",
    "--shard array): per-run kinds are written next to each time series as",
    "X_meas-<Measure>_relmat.tsv (+ .json); tangent is fitted on every given run, each run's",
    "tangent matrix is written next to it and the group's geometric mean to",
    "DIR/[atlas-<LABEL>_][desc-<LABEL>_]meas-Tangent_stat-mean_relmat.tsv.",
    "",
    "A folder given instead of files (an OUTPUT_DIR of 'niimask bids') is searched for",
    "*_timeseries.tsv, narrowed to --atlas-name and --denoise-strategy (needed when the folder",
    "holds several); the group mean goes to OUTPUT_DIR/atlas-NAME_desc-STRATEGY_meas-Tangent_",
    "stat-mean_relmat.tsv, the name 'niimask bids --connectivity tangent' gives it.",
    "",
    formatFlagHelp(GROUP_FLAGS),
    "",
    "EXIT STATUS: 0 success; 1 some run or the group failed; 2 bad command line.",
    "",
  ].join("\n");
}

/**
 * Run `niimask group`.
 *
 * @param args arguments after `group`.
 * @param write stderr writer.
 * @param stdout stdout writer (help).
 * @returns the exit status.
 * @throws UsageError for a bad command line.
 * @example
 * ```ts ignore
 * await runGroup(["--connectivity", "tangent", "--out", "out", "out/a_timeseries.tsv", "out/b_timeseries.tsv"], console.error, console.log);
 * ```
 */
export async function runGroup(
  args: readonly string[],
  write: (s: string) => void,
  stdout: (s: string) => void,
): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    stdout(groupHelp());
    return EXIT_OK;
  }
  const { values, positionals } = parseFlags(args, GROUP_FLAGS);
  const request = connectivityRequest(values);
  if (request === null) throw new UsageError("--connectivity KIND[,KIND...] is required");
  if (positionals.length === 0) {
    throw new UsageError("no time series given: expected X_timeseries.tsv files or a folder");
  }
  const str = (name: string) => values.get(name) as string | undefined;
  for (const [a, b] of [["atlas", "atlas-name"], ["desc", "denoise-strategy"]] as const) {
    if (str(a) !== undefined && str(b) !== undefined) {
      throw new UsageError(`--${a} and --${b} both name the group mean's ${a}: give one`);
    }
  }
  // --atlas-name/--denoise-strategy choose the time series found in folders and name the mean;
  // --atlas/--desc only name it.
  const strategy = str("denoise-strategy");
  const wanted = {
    atlas: str("atlas-name"),
    desc: strategy !== undefined ? strategyLabel(strategy) : undefined,
  };
  let atlas = wanted.atlas ?? str("atlas");
  let desc = wanted.desc ?? str("desc");
  const files: string[] = [];
  const folders: string[] = [];
  for (const p of positionals) {
    if (await Deno.stat(p).then((i) => i.isDirectory, () => false)) folders.push(p);
    else if (!p.endsWith("_timeseries.tsv")) {
      throw new UsageError(
        `"${p}": expected a time series file named X_timeseries.tsv, or an output folder`,
      );
    } else files.push(p);
  }
  if (folders.length > 0) {
    let found: string[] = [];
    for (const f of folders) {
      try {
        found.push(...await findSeries(f));
      } catch (e) {
        throw new UsageError(errorMessage(e));
      }
    }
    const picked = selectSeries(found, wanted, folders);
    found = picked.files;
    atlas ??= picked.entities.atlas;
    desc ??= picked.entities.desc;
    for (const f of found) if (!files.includes(f)) files.push(f);
  }
  if (request.kinds.includes("tangent") && files.length < 2) {
    throw new UsageError(
      `--connectivity tangent needs at least two runs (a group measure); got ${files.length}` +
        (files.length === 1 ? ` (${files[0]})` : ""),
    );
  }
  const out = str("out") ?? (folders.length === 1 ? folders[0]! : undefined);
  if (out === undefined) {
    throw new UsageError("--out DIR is required (unless one output folder is given)");
  }
  let failures = 0;
  const perRun = request.kinds.filter((k) => k !== "tangent");
  if (perRun.length > 0) {
    for (const tsv of files) {
      try {
        const table = parseTimeseriesTsv(await Deno.readTextFile(tsv), tsv);
        await writeRunConnectivity(
          { stem: timeseriesStem(tsv), signals: table.signals, source: baseName(tsv) },
          table.names,
          { kinds: perRun, estimator: request.estimator },
          VERSION,
        );
      } catch (e) {
        failures++;
        write(`niimask group: ${tsv}: ${errorMessage(e)}\n`);
      }
    }
  }
  if (request.kinds.includes("tangent")) {
    try {
      await Deno.mkdir(out, { recursive: true });
      const stem = groupTangentStem(out, { atlas, desc });
      const res = await groupTangentStep(
        files.map((tsv) => ({ tsv })),
        request.estimator,
        stem,
        VERSION,
      );
      write(`niimask: tangent fitted on ${res.runs} runs; group mean ${res.meanTsv}\n`);
    } catch (e) {
      failures++;
      write(`niimask group: error: ${errorMessage(e)}\n`);
    }
  }
  return failures > 0 ? EXIT_FAILURES : EXIT_OK;
}

/** The `group` subcommand of `niimask` (see {@link runGroup}). */
export const groupCommand: Command = {
  name: "group",
  summary: "Connectivity matrices (incl. the tangent group) from written time series.",
  run(args, ctx) {
    return runGroup(args, ctx.stderr, ctx.stdout);
  },
};
