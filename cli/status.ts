/**
 * `niimask status --out DIR IMG...`: which subjects of a batch are done, missing or failed, so
 * only the missing ones need resubmitting.
 *
 * A subject `X` (image `X_bold.nii.gz`, `X_bold.nii`, `X.nii.gz` or `X.nii`, named as `extract` names
 * outputs) is
 * - `done` when both `DIR/X_timeseries.tsv` and `DIR/X_timeseries.json` exist (a stale failure
 *   record next to them is ignored),
 * - `failed` when it is not done and `DIR/X_timeseries.failed.json` exists (its error is shown),
 * - `missing` otherwise (never run, or interrupted).
 *
 * The core ({@link classifySubjects}, {@link formatStatus}) is pure; {@link collectStatus} and
 * {@link runStatus} are the thin Deno edge.
 *
 * @module
 */

import {
  FAILURE_RECORD_SUFFIX,
  type FailureRecord,
  failureRecordName,
  parseFailureRecord,
} from "./failure_record.ts";
import type { Command } from "./main.ts";
import { subjectName, subjectNames } from "./naming.ts";
import { bidsOutputStem, bidsOutputStems } from "./bids_naming.ts";
import { findPreprocRuns } from "./bids_discover.ts";

/** State of one subject. */
export type SubjectState = "done" | "missing" | "failed";

/** Status of one subject of the batch. */
export interface SubjectStatus {
  /** Image path as given. */
  image: string;
  /** Subject name `X`. */
  subject: string;
  /** Its state. */
  state: SubjectState;
  /** For `failed`: the recorded error (`Name: message`). */
  error?: string;
}

/** Counts per state. */
export interface StatusSummary {
  /** Subjects whose outputs exist. */
  done: number;
  /** Subjects neither done nor failed. */
  missing: number;
  /** Subjects with a failure record and no outputs. */
  failed: number;
  /** All subjects. */
  total: number;
}

/**
 * Classify each subject (pure).
 *
 * @param images image paths of the batch, as given.
 * @param outFiles names of the files present in the output directory.
 * @param failures failure records by subject name (an Error when the record is unreadable).
 * @param subjectOf subject name of an image (default: `subjectName` of `extract`).
 * @returns one status per image, in the order given.
 * @example
 * ```ts
 * import { classifySubjects } from "./status.ts";
 * classifySubjects(["a.nii"], new Set(["a_timeseries.tsv", "a_timeseries.json"]), new Map());
 * // [{ image: "a.nii", subject: "a", state: "done" }]
 * ```
 */
export function classifySubjects(
  images: readonly string[],
  outFiles: ReadonlySet<string>,
  failures: ReadonlyMap<string, FailureRecord | Error>,
  subjectOf: (image: string) => string = subjectName,
): SubjectStatus[] {
  return images.map((image) => {
    const subject = subjectOf(image);
    if (outFiles.has(`${subject}_timeseries.tsv`) && outFiles.has(`${subject}_timeseries.json`)) {
      return { image, subject, state: "done" as const };
    }
    const failure = failures.get(subject);
    if (failure !== undefined) {
      const error = failure instanceof Error
        ? `unreadable failure record: ${failure.message}`
        : `${failure.errorName}: ${failure.error}`;
      return { image, subject, state: "failed" as const, error };
    }
    return { image, subject, state: "missing" as const };
  });
}

/**
 * Count subjects per state (pure).
 *
 * @param statuses output of {@link classifySubjects}.
 * @returns the counts.
 * @example
 * ```ts
 * import { summarizeStatus } from "./status.ts";
 * summarizeStatus([]); // { done: 0, missing: 0, failed: 0, total: 0 }
 * ```
 */
export function summarizeStatus(statuses: readonly SubjectStatus[]): StatusSummary {
  const s: StatusSummary = { done: 0, missing: 0, failed: 0, total: statuses.length };
  for (const st of statuses) s[st.state]++;
  return s;
}

/** What {@link formatStatus} prints. */
export type StatusListing = "report" | "done" | "missing" | "failed" | "todo" | "json";

/**
 * Render the status (pure).
 *
 * - `report`: one line per subject that is not done (`failed`/`missing`, subject, image, error),
 *   then a summary line `N done, N missing, N failed (of N)`.
 * - `done` / `missing` / `failed`: the image paths in that state, one per line.
 * - `todo`: the image paths that are missing or failed, one per line (to resubmit).
 * - `json`: `{ summary, subjects }`.
 *
 * @param statuses output of {@link classifySubjects}.
 * @param listing what to print.
 * @returns the text (ends with a newline unless empty).
 * @example
 * ```ts
 * import { formatStatus } from "./status.ts";
 * formatStatus([{ image: "a.nii", subject: "a", state: "missing" }], "todo"); // "a.nii\n"
 * ```
 */
export function formatStatus(statuses: readonly SubjectStatus[], listing: StatusListing): string {
  const lines = (pred: (s: SubjectStatus) => boolean) =>
    statuses.filter(pred).map((s) => `${s.image}\n`).join("");
  switch (listing) {
    case "done":
    case "missing":
    case "failed":
      return lines((s) => s.state === listing);
    case "todo":
      return lines((s) => s.state !== "done");
    case "json":
      return JSON.stringify({ summary: summarizeStatus(statuses), subjects: statuses }, null, 2) +
        "\n";
    case "report": {
      const out: string[] = [];
      for (const s of statuses) {
        if (s.state === "failed") out.push(`failed\t${s.subject}\t${s.image}\t${s.error ?? ""}`);
      }
      for (const s of statuses) {
        if (s.state === "missing") out.push(`missing\t${s.subject}\t${s.image}`);
      }
      const m = summarizeStatus(statuses);
      out.push(`${m.done} done, ${m.missing} missing, ${m.failed} failed (of ${m.total})`);
      return out.join("\n") + "\n";
    }
  }
}

/**
 * Read the output directory and classify each subject (edge: reads `outDir`).
 *
 * A missing output directory means every subject is missing.
 *
 * @param outDir output directory of the batch.
 * @param images image paths of the batch.
 * @param subjectOf subject name of an image (default: `subjectName` of `extract`).
 * @returns one status per image, in the order given.
 * @example
 * ```ts ignore
 * const statuses = await collectStatus("out", ["sub-01_bold.nii.gz"]);
 * ```
 */
export async function collectStatus(
  outDir: string,
  images: readonly string[],
  subjectOf: (image: string) => string = subjectName,
): Promise<SubjectStatus[]> {
  const files = new Set<string>();
  // Subject names with folders (bids outputs: sub-L/[ses-S/]func/...) need those folders read.
  const depth = Math.max(0, ...images.map((img) => subjectOf(img).split("/").length - 1));
  const walk = async (dir: string, prefix: string, level: number): Promise<void> => {
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile) files.add(prefix + entry.name);
        else if (entry.isDirectory && level < depth) {
          await walk(`${dir}/${entry.name}`, `${prefix}${entry.name}/`, level + 1);
        }
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  };
  await walk(outDir.replace(/\/+$/, "") || "/", "", 0);
  const wanted = new Set(images.map(subjectOf));
  const failures = new Map<string, FailureRecord | Error>();
  for (const name of files) {
    if (!name.endsWith(FAILURE_RECORD_SUFFIX)) continue;
    const subject = name.slice(0, -FAILURE_RECORD_SUFFIX.length);
    if (!wanted.has(subject)) continue;
    const path = `${outDir.replace(/\/+$/, "")}/${failureRecordName(subject)}`;
    try {
      failures.set(subject, parseFailureRecord(await Deno.readTextFile(path), path));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue; // removed meanwhile (subject succeeded)
      failures.set(subject, e instanceof Error ? e : new Error(String(e)));
    }
  }
  return classifySubjects(images, files, failures, subjectOf);
}

/** Help text of `niimask status`. */
export const STATUS_HELP: string = `niimask status --out DIR [--list WHAT] IMG...
niimask status --out OUTPUT_DIR --atlas-name NAME [--denoise-strategy S] [--list WHAT] RUN...

List which subjects of a batch are done, missing or failed.

A subject X (image X_bold.nii.gz, X_bold.nii, X.nii.gz or X.nii) is done when DIR/X_timeseries.tsv and
DIR/X_timeseries.json exist, failed when DIR/X_timeseries.failed.json (written by
'niimask extract' when the subject fails) exists instead, and missing otherwise.

For 'niimask bids' outputs, give --atlas-name (and --denoise-strategy, default simple) as given
to 'niimask bids', and the fMRIPrep runs (or the fMRIPrep folder: all its runs): a run is done when
OUTPUT_DIR/sub-L/[ses-S/]func/<entities>_atlas-NAME_desc-STRATEGY_timeseries.tsv and .json exist.

Options:
  --out DIR      output directory of 'niimask extract' or 'niimask bids' (required)
  --atlas-name NAME, --denoise-strategy S
                 the outputs are those of 'niimask bids' with this atlas label and strategy
  --list WHAT    print only image paths, one per line: done, missing, failed, or todo
                 (missing + failed: the ones to resubmit); or json for a machine-readable
                 report. Default: a report of the subjects not done and a summary line.
  -h, --help     show this help

Exit status: 0 when every subject is done, 1 when some are missing or failed, 2 on usage errors.

Example (resubmit only what is left):
  niimask status --out derivatives/niimask --list todo data/sub-*_bold.nii.gz > todo.txt
`;

/** Parsed arguments of `niimask status`. */
export interface StatusArgs {
  /** Output directory. */
  out: string;
  /** What to print. */
  listing: StatusListing;
  /** Image paths. */
  images: string[];
  /** `--help` was given. */
  help: boolean;
  /** For `niimask bids` outputs: the atlas label and the denoising strategy. */
  bids?: { atlasName: string; strategy: string };
}

/**
 * Parse the arguments of `niimask status` (pure).
 *
 * @param args arguments after `status`.
 * @returns the parsed arguments.
 * @throws RangeError on unknown flags, missing values or a missing `--out`.
 * @example
 * ```ts
 * import { parseStatusArgs } from "./status.ts";
 * parseStatusArgs(["--out", "out", "a.nii"]).out; // "out"
 * ```
 */
export function parseStatusArgs(args: readonly string[]): StatusArgs {
  let out: string | undefined;
  let listing: StatusListing = "report";
  const images: string[] = [];
  let help = false;
  let onlyPositional = false;
  let atlasName: string | undefined;
  let strategy: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (onlyPositional || !a.startsWith("-") || a === "-") {
      images.push(a);
      continue;
    }
    if (a === "--") {
      onlyPositional = true;
      continue;
    }
    if (a === "-h" || a === "--help") {
      help = true;
      continue;
    }
    const eq = a.indexOf("=");
    const flag = eq >= 0 ? a.slice(0, eq) : a;
    const takeValue = (): string => {
      if (eq >= 0) return a.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) throw new RangeError(`status: ${flag} expects a value`);
      return v;
    };
    if (flag === "--out") {
      out = takeValue();
      if (out === "") throw new RangeError("status: --out expects a directory, got an empty value");
    } else if (flag === "--list") {
      const v = takeValue();
      if (!["done", "missing", "failed", "todo", "json"].includes(v)) {
        throw new RangeError(
          `status: --list expects done, missing, failed, todo or json, got "${v}"`,
        );
      }
      listing = v as StatusListing;
    } else if (flag === "--atlas-name") {
      atlasName = takeValue();
    } else if (flag === "--denoise-strategy") {
      strategy = takeValue();
      if (!["simple", "scrubbing", "compcor", "ica_aroma"].includes(strategy)) {
        throw new RangeError(
          `status: --denoise-strategy expects simple, scrubbing, compcor or ica_aroma, got "${strategy}"`,
        );
      }
    } else {
      throw new RangeError(`status: unknown option "${flag}" (see niimask status --help)`);
    }
  }
  if (!help && out === undefined) throw new RangeError("status: --out DIR is required");
  if (!help && images.length === 0) {
    throw new RangeError("status: expected the batch's image paths (IMG...)");
  }
  if (strategy !== undefined && atlasName === undefined) {
    throw new RangeError("status: --denoise-strategy needs --atlas-name (bids outputs)");
  }
  const parsed: StatusArgs = { out: out ?? "", listing, images, help };
  if (atlasName !== undefined) parsed.bids = { atlasName, strategy: strategy ?? "simple" };
  return parsed;
}

function writeAllSync(w: { writeSync(p: Uint8Array): number }, s: string): void {
  let bytes = new TextEncoder().encode(s);
  while (bytes.length > 0) bytes = bytes.subarray(w.writeSync(bytes));
}

/**
 * Run `niimask status` (edge): parse, read the output directory, print.
 *
 * @param args arguments after `status`.
 * @param io where to write (defaults: stdout/stderr).
 * @returns exit status: 0 all done, 1 some missing/failed, 2 usage error.
 * @example
 * ```ts ignore
 * Deno.exit(await runStatus(["--out", "out", "sub-01_bold.nii.gz"]));
 * ```
 */
export async function runStatus(
  args: readonly string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void } = {
    stdout: (s) => writeAllSync(Deno.stdout, s),
    stderr: (s) => writeAllSync(Deno.stderr, s),
  },
): Promise<number> {
  let parsed: StatusArgs;
  try {
    parsed = parseStatusArgs(args);
  } catch (e) {
    io.stderr(`niimask ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout(STATUS_HELP);
    return 0;
  }
  const bids = parsed.bids;
  const subjectOf = bids === undefined
    ? subjectName
    : (image: string) => bidsOutputStem(image, bids.atlasName, bids.strategy);
  try {
    // Same names and clash check as extract (or bids).
    if (bids === undefined) subjectNames(parsed.images);
    else {
      // An fMRIPrep folder given instead of runs: all its runs (as niimask bids finds them).
      const desc = bids.strategy === "ica_aroma" ? "smoothAROMAnonaggr" : "preproc";
      const runs: string[] = [];
      for (const p of parsed.images) {
        const isDir = await Deno.stat(p).then((i) => i.isDirectory, () => false);
        runs.push(...(isDir ? await findPreprocRuns(p, desc) : [p]));
      }
      parsed.images = runs;
      bidsOutputStems(parsed.images, bids.atlasName, bids.strategy);
    }
  } catch (e) {
    io.stderr(`niimask status: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  let statuses: SubjectStatus[];
  try {
    statuses = await collectStatus(parsed.out, parsed.images, subjectOf);
  } catch (e) {
    io.stderr(
      `niimask status: cannot read --out "${parsed.out}": ${
        e instanceof Error ? e.message : String(e)
      }\n`,
    );
    return 2;
  }
  io.stdout(formatStatus(statuses, parsed.listing));
  const s = summarizeStatus(statuses);
  return s.done === s.total ? 0 : 1;
}

/**
 * The `status` subcommand of `niimask` (see {@link runStatus}).
 *
 * @example
 * ```ts ignore
 * await statusCommand.run(["--out", "out", "sub-01_bold.nii.gz"], ctx);
 * ```
 */
export const statusCommand: Command = {
  name: "status",
  summary: "List which subjects of a batch are done, missing or failed (to resubmit the rest).",
  run(args, ctx) {
    return runStatus(args, { stdout: ctx.stdout, stderr: ctx.stderr });
  },
};
