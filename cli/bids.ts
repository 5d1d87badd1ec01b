/**
 * `niimask bids FMRIPREP_DIR OUTPUT_DIR participant`: the edge code that wires discovery,
 * naming, confounds loading (nilearn's `load_confounds_strategy`), the masker and the batch
 * runner (failure isolation, atomic writes, progress, `--jobs`, `--shard`, `--skip-existing`).
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { openNifti } from "../image/load.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type {
  FittedMultiMapsMasker,
  MultiMapsMaskerConfig,
  SubjectOutcome,
} from "../maskers/types.ts";
import type { LabeledMatrix } from "../signal/confounds_file.ts";
import { errorMessage, EXIT_FAILURES, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from "./errors.ts";
import type { BidsOptions, DenoiseStrategy } from "./bids_args.ts";
import { type BatchSubject, formatSummary, runBatch } from "./batch.ts";
import { baseName, outputPaths } from "./naming.ts";
import { bidsOutputStems } from "./bids_naming.ts";
import { describeFilters, findPreprocRuns, selectRuns } from "./bids_discover.ts";
import { readRunTR } from "./bids_tr.ts";
import { checkAtlasGrid } from "./bids_grid.ts";
import { datasetDescription } from "./bids_description.ts";
import { defaultMapNames, formatTimeseriesTsv } from "./tsv.ts";
import { readLabelsFile } from "./labels.ts";
import { countMapsOf, expandMapsSpec, mapsImgOf, mapsSha256 } from "./maps_files.ts";
import { buildSidecar, type FileChecksum, formatSidecar, jsonSafe } from "./sidecar.ts";
import { checkExistingOutputs, type SidecarFingerprint } from "./skip_existing.ts";
import { outcomeWithFlagNames, withFlagNames } from "./flag_names.ts";
import { createProgress } from "./progress.ts";
import {
  fileExists,
  removeLeftoverTemporariesOf,
  sha256File,
  writeFilesAtomically,
  writeStderr,
} from "./io.ts";
import { VERSION } from "./version.ts";
import {
  failureRecordName,
  makeFailureRecord,
  removeFailureRecord,
  writeFailureRecord,
} from "./failure_record.ts";
import { formatShard, parseShard, selectShard } from "./shard.ts";
import { participantOfStem, type ReportRun, writeParticipantReports } from "./bids_report.ts";
import { runConnectivityFiles } from "./connectivity_outputs.ts";
import { bidsTangentGroup, relmatsDifference } from "./bids_connectivity.ts";
import { checkBidsTangentRuns } from "./bids_connectivity_checks.ts";

/** A run's confounds as nilearn's `load_confounds_strategy` returns them, plus the file read. */
export interface RunConfounds {
  /** The confounds file used (`*_desc-confounds_timeseries.tsv` or `*_regressors.tsv`). */
  readonly file: string;
  /** The confounds (volumes x columns, with names), or null when the strategy selects none. */
  readonly confounds: LabeledMatrix | null;
  /** Kept volumes (0-based), or null when none is censored. */
  readonly sampleMask: readonly number[] | null;
}

/**
 * Loads a run's confounds for a strategy: `image` is the preprocessed run, `options` the
 * strategy parameters given (camelCase, as `loadConfoundsStrategy` takes them).
 */
export type RunConfoundsLoader = (
  image: string,
  strategy: DenoiseStrategy,
  options: Readonly<Record<string, unknown>>,
) => Promise<RunConfounds>;

/** Where `bids` runs. */
export interface BidsContext {
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** stderr is a terminal. */
  readonly isTerminal: boolean;
  /** Writes to stderr. */
  readonly write?: (text: string) => void;
  /** Environment (for `--shard auto`); default `Deno.env.toObject()`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A run ready to transform. */
interface PreparedRun {
  readonly image: string;
  readonly tR: number | null;
  readonly tRSource: string;
  readonly confounds: RunConfounds;
  readonly volumes: number;
}

class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SetupError";
  }
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "." : path.slice(0, i);
}

function hostName(): string | undefined {
  return Deno.env.get("SLURMD_NODENAME") ?? Deno.env.get("HOSTNAME") ?? undefined;
}

/** Whether the masker settings need a repetition time (a temporal filter is applied). */
function needsTR(opts: BidsOptions): string | null {
  const filter = opts.masker.clean?.filter;
  if (filter === false) return null;
  const flags = ["low-pass", "high-pass"].filter((f) => opts.flags.has(f));
  return flags.length > 0 ? flags.map((f) => `--${f}`).join(" and ") : null;
}

async function headerGrid(path: string) {
  const stream = await openNifti(path);
  try {
    return { path, shape: [...stream.shape], affine: Float64Array.from(stream.affine) };
  } finally {
    await stream.close();
  }
}

/**
 * The fMRIPrep image a strategy reads: the ica_aroma preset (ICA-AROMA "full") uses fMRIPrep's
 * `desc-smoothAROMAnonaggr` runs, every other strategy the `desc-preproc` runs.
 */
function runDesc(opts: BidsOptions): string {
  return opts.strategy === "ica_aroma" ? "smoothAROMAnonaggr" : "preproc";
}

/**
 * Run `niimask bids` with parsed options.
 *
 * @param opts validated options.
 * @param ctx abort signal, terminal, output.
 * @param loadRunConfounds how a run's confounds are loaded (nilearn's `load_confounds_strategy`).
 * @returns the exit status: 0 all succeeded, 1 some failed, 2 setup error, 130 interrupted.
 * @example
 * ```ts ignore
 * const code = await runBids(opts, { isTerminal: false }, loadRunConfoundsStrategy);
 * ```
 */
export async function runBids(
  opts: BidsOptions,
  ctx: BidsContext,
  loadRunConfounds: RunConfoundsLoader,
): Promise<number> {
  const write = ctx.write ?? writeStderr;
  const env = ctx.env ?? Deno.env.toObject();
  let subjects: BatchSubject[];
  /** Every run found (before --shard), for the participant reports. */
  let allSubjects: BatchSubject[] = [];
  let names: string[];
  let maps: FileChecksum;
  let mask: FileChecksum | null;
  let baseConfig: MultiMapsMaskerConfig;
  let shardText: string | undefined;
  const desc = runDesc(opts);
  try {
    const all = await findPreprocRuns(opts.fmriprepDir, desc);
    if (all.length === 0) {
      throw new SetupError(
        `FMRIPREP_DIR ${opts.fmriprepDir}: no run found (expected sub-*/[ses-*/]func/` +
          `*_desc-${desc}_bold.nii.gz)`,
      );
    }
    const runs = selectRuns(all, opts.filters);
    if (runs.length === 0) {
      const shown = all.slice(0, 5).map((r) => r.slice(opts.fmriprepDir.length).replace(/^\//, ""));
      throw new SetupError(
        `FMRIPREP_DIR ${opts.fmriprepDir}: no run matches ${describeFilters(opts.filters)} ` +
          `(${all.length} run${all.length === 1 ? "" : "s"} found: ${shown.join(", ")}${
            all.length > 5 ? ", ..." : ""
          })`,
      );
    }
    let stems: string[];
    try {
      stems = bidsOutputStems(runs, opts.atlasName, opts.strategy);
    } catch (e) {
      throw new SetupError(errorMessage(e));
    }
    subjects = runs.map((image, i) => ({ image, subject: stems[i]! }));
    allSubjects = subjects;
    checkBidsTangentRuns(opts.connectivity, runs);
    if (opts.shard !== null) {
      let shard;
      try {
        shard = parseShard(opts.shard, env);
      } catch (e) {
        throw new SetupError(errorMessage(e));
      }
      const total = subjects.length;
      subjects = selectShard(subjects, shard, (s) => s.image);
      shardText = formatShard(shard);
      if (!opts.quiet) write(`niimask: shard ${shardText}: ${subjects.length} of ${total} runs\n`);
    }
    const mapsFiles = await expandMapsSpec("atlas", opts.atlas);
    maps = { path: opts.atlas, sha256: await mapsSha256("atlas", mapsFiles) };
    const nMaps = await countMapsOf("atlas", mapsFiles);
    if (opts.mask !== null) {
      try {
        mask = { path: opts.mask, sha256: await sha256File(opts.mask) };
      } catch (e) {
        throw new SetupError(`--mask ${opts.mask}: cannot read the file (${errorMessage(e)})`);
      }
    } else mask = null;
    names = opts.labels === null
      ? defaultMapNames(nMaps)
      : await readLabelsFile(opts.labels, nMaps);
    const first = subjects[0] ?? { image: runs[0]! };
    let atlasGrid, runGrid;
    try {
      atlasGrid = await headerGrid(mapsFiles.files[0]!);
    } catch (e) {
      throw new SetupError(`--atlas ${mapsFiles.files[0]}: ${errorMessage(e)}`);
    }
    try {
      runGrid = await headerGrid(first.image);
    } catch (e) {
      throw new SetupError(`run ${first.image}: ${errorMessage(e)}`);
    }
    checkAtlasGrid(
      atlasGrid,
      runGrid,
      opts.masker.resamplingTarget === undefined ? "data" : opts.masker.resamplingTarget,
    );
    baseConfig = {
      ...opts.masker,
      mapsImg: mapsImgOf(mapsFiles),
      maskImg: opts.mask,
      output: "table",
      labels: names,
    };
    try {
      multiMapsMasker(baseConfig).params(); // validates the configuration
    } catch (e) {
      throw new SetupError(withFlagNames(errorMessage(e), "atlas"));
    }
    try {
      await Deno.mkdir(opts.outputDir, { recursive: true });
      const descPath = join(opts.outputDir, "dataset_description.json");
      if (!await fileExists(descPath)) {
        await writeFilesAtomically([[
          descPath,
          formatSidecar(datasetDescription(VERSION, opts.fmriprepDir)),
        ]]);
      }
    } catch (e) {
      throw new SetupError(`OUTPUT_DIR ${opts.outputDir}: cannot write (${errorMessage(e)})`);
    }
  } catch (e) {
    write(`niimask bids: error: ${withFlagNames(errorMessage(e), "atlas")}\n`);
    return EXIT_USAGE;
  }

  // One fitted masker per repetition time (runs of a dataset may differ).
  const fittedByTR = new Map<number | null, Promise<FittedMultiMapsMasker>>();
  const configFor = (tR: number | null): MultiMapsMaskerConfig =>
    tR === null ? baseConfig : { ...baseConfig, tR };
  const fittedFor = (tR: number | null) => {
    let f = fittedByTR.get(tR);
    if (f === undefined) {
      f = multiMapsMasker(configFor(tR)).fit().catch((e) => {
        throw new Error(
          `cannot fit --atlas ${opts.atlas}: ${withFlagNames(errorMessage(e), "atlas")}`,
        );
      });
      fittedByTR.set(tR, f);
    }
    return f;
  };
  const recordedParams = (tR: number | null) =>
    buildSidecar({
      version: VERSION,
      image: "",
      maps,
      mask,
      labels: opts.labels,
      columns: [],
      volumes: 0,
      tR,
      params: multiMapsMasker(configFor(tR)).params() as unknown as Record<string, unknown>,
      confounds: null,
    }).Parameters;
  const denoise = {
    Strategy: opts.strategy,
    Parameters: jsonSafe(opts.strategyParams),
  };
  const fingerprint = (tR: number | null): SidecarFingerprint => ({
    "Maps.Sha256": maps.sha256,
    "Mask.Sha256": mask?.sha256 ?? null,
    Labels: opts.labels,
    Parameters: recordedParams(tR),
    Denoise: denoise,
  });
  const tRFilter = needsTR(opts);
  const runTR = async (image: string) => {
    const r = await readRunTR(image, opts.tR);
    if (r.tR === null && tRFilter !== null) {
      throw new Error(
        `run ${image}: no repetition time (no RepetitionTime in its JSON sidecar, no time step ` +
          `in its header), needed by ${tRFilter}: give --t-r S`,
      );
    }
    return r;
  };

  if (opts.skipExisting) {
    // A resumed batch first removes its own leftovers of a killed run: the temporaries of this
    // run's outputs (never other files, nor other runs' temporaries).
    try {
      const removed = await removeLeftoverTemporariesOf([
        join(opts.outputDir, "dataset_description.json"),
        ...subjects.flatMap((s) => {
          const out = outputPaths(opts.outputDir, s.subject);
          return [out.tsv, out.json, join(opts.outputDir, failureRecordName(s.subject))];
        }),
      ]);
      if (removed.length > 0 && !opts.quiet) {
        write(
          `niimask: removed ${removed.length} leftover temporary file(s) from ${opts.outputDir}\n`,
        );
      }
    } catch (e) {
      write(`niimask: warning: could not remove leftover temporary files: ${errorMessage(e)}\n`);
    }
  }

  const conn = opts.connectivity;
  const tangent = conn !== null && conn.kinds.includes("tangent")
    ? bidsTangentGroup(conn, opts)
    : null;
  const jobs = opts.jobs === -1 ? (navigator.hardwareConcurrency || 1) : opts.jobs;
  const progress = createProgress({ write, isTerminal: ctx.isTerminal, quiet: opts.quiet });
  /** Repetition time of each run written in this invocation (for the reports). */
  const runTRs = new Map<string, number | null>();
  const summary = await runBatch<PreparedRun>(subjects, {
    async outputsExist(s) {
      const out = outputPaths(opts.outputDir, s.subject);
      let tR: number | null;
      try {
        tR = (await runTR(s.image)).tR;
      } catch {
        return false; // the run fails in prepare, with this error
      }
      const verdict = await checkExistingOutputs(out.tsv, out.json, fingerprint(tR));
      if (verdict.state === "different" && !opts.quiet) {
        write(`niimask: ${s.subject}: outputs exist but ${verdict.reason}: recomputing\n`);
      }
      if (verdict.state !== "same") return false;
      const why = await relmatsDifference(out.tsv, conn);
      if (why !== null && !opts.quiet) write(`niimask: ${s.subject}: ${why}: recomputing\n`);
      return why === null;
    },
    async prepare(s) {
      if (!await fileExists(s.image)) throw new Error(`run ${s.image}: no such file`);
      const { tR, source } = await runTR(s.image);
      const confounds = await loadRunConfounds(s.image, opts.strategy, opts.strategyParams);
      let volumes = confounds.confounds?.shape[0];
      if (volumes === undefined) {
        const g = await headerGrid(s.image);
        volumes = g.shape.length >= 4 ? g.shape[3]! : 1;
      }
      return { image: s.image, tR, tRSource: source, confounds, volumes };
    },
    async transform(items, { onOutcome, signal }) {
      // One transform call per repetition time, each over its runs (one worker pool per call).
      const outcomes: SubjectOutcome[] = new Array(items.length);
      const groups = new Map<number | null, number[]>();
      items.forEach((p, i) => {
        const g = groups.get(p.tR) ?? [];
        g.push(i);
        groups.set(p.tR, g);
      });
      for (const [tR, idx] of groups) {
        if (signal?.aborted) break;
        let fitted: FittedMultiMapsMasker;
        try {
          fitted = await fittedFor(tR);
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          for (const i of idx) {
            outcomes[i] = { ok: false, error };
            await onOutcome(i, outcomes[i]!);
          }
          continue;
        }
        const group = idx.map((i) => items[i]!);
        const got = await fitted.transformImgsSettled(group.map((p) => p.image), {
          confounds: group.map((p) => p.confounds.confounds),
          sampleMask: group.map((p) => p.confounds.sampleMask),
          nJobs: jobs,
          onOutcome: (j, o) => onOutcome(idx[j]!, outcomeWithFlagNames(o, "atlas")),
          keepValues: false,
          ...(signal !== undefined ? { signal } : {}),
        });
        got.forEach((o, j) => outcomes[idx[j]!] = outcomeWithFlagNames(o, "atlas"));
      }
      for (let i = 0; i < items.length; i++) {
        outcomes[i] ??= {
          ok: false,
          error: Object.assign(new Error("interrupted"), { name: "AbortError" }),
        };
      }
      return outcomes;
    },
    async write(s, p, signals: Matrix) {
      const out = outputPaths(opts.outputDir, s.subject);
      const fromTable = (signals as Matrix & { columns?: readonly string[] }).columns;
      const columns = Array.isArray(fromTable) && fromTable.length === signals.shape[1]
        ? [...fromTable]
        : names.length === signals.shape[1]
        ? [...names]
        : defaultMapNames(signals.shape[1]);
      const kept = p.confounds.sampleMask;
      const censored: number[] = [];
      if (kept !== null) {
        const keep = new Set(kept);
        for (let t = 0; t < p.volumes; t++) if (!keep.has(t)) censored.push(t);
      }
      const fitted = await fittedFor(p.tR);
      const sidecar = buildSidecar({
        version: VERSION,
        image: s.image,
        maps,
        mask,
        labels: opts.labels,
        columns,
        volumes: signals.shape[0],
        tR: p.tR,
        params: fitted.params() as unknown as Record<string, unknown>,
        confounds: {
          path: p.confounds.file,
          columns: p.confounds.confounds?.columns ?? [],
          censorColumns: [],
          censoredVolumes: censored,
        },
      });
      (sidecar.GeneratedBy as { Description: string }[])[0]!.Description = "niimask bids";
      sidecar.RepetitionTimeSource = p.tRSource;
      sidecar.Atlas = opts.atlasName;
      const conf = sidecar.Confounds as Record<string, unknown>;
      delete conf.CensorColumns;
      sidecar.Denoise = denoise;
      const run = {
        stem: out.tsv.replace(/_timeseries\.tsv$/, ""),
        signals,
        source: baseName(out.tsv),
      };
      const connFiles = conn === null ? [] : runConnectivityFiles(run, columns, conn, VERSION);
      await Deno.mkdir(parentOf(out.tsv), { recursive: true });
      await writeFilesAtomically([
        [out.tsv, formatTimeseriesTsv(signals, columns)],
        [out.json, formatSidecar(sidecar)],
        ...connFiles,
      ]);
      runTRs.set(s.subject, p.tR);
      tangent?.add(out.tsv, signals, columns);
    },
    async onSuccess(s) {
      await removeFailureRecord(opts.outputDir, s.subject);
    },
    async onFailure(s, error) {
      const record = makeFailureRecord(s.image, s.subject, error, {
        time: new Date().toISOString(),
        host: hostName(),
        slurmJobId: Deno.env.get("SLURM_JOB_ID"),
        shard: shardText,
      });
      await Deno.mkdir(parentOf(outputPaths(opts.outputDir, s.subject).tsv), { recursive: true });
      await writeFailureRecord(opts.outputDir, record);
    },
  }, { skipExisting: opts.skipExisting, signal: ctx.signal, progress });

  if (tangent !== null && !summary.interrupted) {
    // The group step: every run of this invocation (computed now, or skipped and read back).
    const done = [...summary.succeeded, ...summary.skipped];
    try {
      const note = await tangent.finish(
        done.map((s) => outputPaths(opts.outputDir, s.subject).tsv),
      );
      if (!opts.quiet) {
        write(
          summary.failed.length > 0
            ? note.replace(/\n$/, ` (${summary.failed.length} failed run(s) left out)\n`)
            : note,
        );
      }
    } catch (e) {
      write(`niimask bids: error: ${errorMessage(e)}\n`);
      write(formatSummary(summary));
      return EXIT_FAILURES;
    }
  }

  if (opts.report === true && !summary.interrupted) {
    // A run's TR for its plots (none when it cannot be read: the time axis is then in volumes).
    const tROf = (image: string) =>
      readRunTR(image, opts.tR).then((r) => r.tR, () => null as number | null);
    try {
      const runs: ReportRun[] = [];
      for (const s of [...summary.succeeded, ...summary.skipped]) {
        const tR = runTRs.has(s.subject) ? runTRs.get(s.subject)! : await tROf(s.image);
        runs.push({ image: s.image, stem: s.subject, tR });
      }
      for (const f of summary.failed) {
        runs.push({ image: f.image, stem: f.subject, tR: null, error: errorMessage(f.error) });
      }
      // Under --shard, a participant's other runs (other shards) are on its page when their
      // outputs exist: the shard that finishes last writes the complete page.
      const inThisCommand = new Set(runs.map((r) => r.stem));
      const participants = new Set(runs.map((r) => participantOfStem(r.stem)));
      for (const s of allSubjects) {
        if (inThisCommand.has(s.subject) || !participants.has(participantOfStem(s.subject))) {
          continue;
        }
        if (!await fileExists(outputPaths(opts.outputDir, s.subject).tsv)) continue;
        runs.push({ image: s.image, stem: s.subject, tR: await tROf(s.image) });
      }
      const first = runs.find((r) => r.error === undefined);
      const fitted = await fittedFor(first?.tR ?? null);
      const input = fitted.reportInput();
      if (input === null) throw new Error("the masker kept no report data");
      const pages = await writeParticipantReports(runs, {
        outputDir: opts.outputDir,
        mapsImg: input.mapsImg,
        labels: opts.labels === null ? null : names,
        params: {
          atlas: opts.atlas,
          atlasName: opts.atlasName,
          denoiseStrategy: opts.strategy,
          ...opts.strategyParams,
          ...input.params,
          ...(conn === null
            ? {}
            : { connectivity: conn.kinds.join(", "), covEstimator: conn.estimator }),
        },
        kinds: conn?.kinds ?? [],
      });
      if (!opts.quiet) {
        write(`niimask: ${pages.length} participant report(s) written (${pages.join(", ")})\n`);
      }
    } catch (e) {
      write(`niimask bids: error: --report: ${errorMessage(e)}\n`);
      write(formatSummary(summary));
      return EXIT_FAILURES;
    }
  }

  if (!opts.quiet || summary.failed.length > 0 || summary.interrupted) {
    write(formatSummary(summary));
  }
  if (summary.interrupted) return EXIT_INTERRUPTED;
  return summary.failed.length > 0 ? EXIT_FAILURES : EXIT_OK;
}
