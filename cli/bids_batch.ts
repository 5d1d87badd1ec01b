/**
 * The batch of `niimask bids`: one fitted masker per repetition time, what the batch runner
 * does with each run (skip when its outputs exist, read its repetition time and confounds,
 * transform by repetition time, write its outputs, keep a failure record), and the removal of a
 * killed run's leftovers before a resumed batch.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type {
  FittedMultiMapsMasker,
  MultiMapsMaskerConfig,
  SubjectOutcome,
} from "../maskers/types.ts";
import { errorMessage } from "./errors.ts";
import type { BidsOptions } from "./bids_args.ts";
import type { RunConfounds, RunConfoundsLoader } from "./bids.ts";
import type { BatchDeps, BatchSubject, TransformHooks } from "./batch.ts";
import { baseName, outputPaths } from "./naming.ts";
import { readRunTR, type RunTR } from "./bids_tr.ts";
import { defaultMapNames, formatTimeseriesTsv } from "./tsv.ts";
import { buildSidecar, formatSidecar, jsonSafe, recordedParameters } from "./sidecar.ts";
import { checkExistingOutputs, type SidecarFingerprint } from "./skip_existing.ts";
import { outcomeWithFlagNames, withFlagNames } from "./flag_names.ts";
import { fileExists, writeFilesAtomically } from "./io.ts";
import { VERSION } from "./version.ts";
import { runConnectivityFiles } from "./connectivity_outputs.ts";
import { type BidsTangentGroup, relmatsDifference } from "./bids_connectivity.ts";
import { type BidsSetup, headerGrid } from "./bids_setup.ts";
import { batchJobs, failureRecordHooks } from "./run_steps.ts";

/** A run ready to transform. */
export interface PreparedRun {
  /** The preprocessed run. */
  readonly image: string;
  /** Its repetition time (s), or null. */
  readonly tR: number | null;
  /** Where the repetition time comes from (recorded in the sidecar). */
  readonly tRSource: string;
  /** Its confounds and sample mask. */
  readonly confounds: RunConfounds;
  /** Its number of volumes. */
  readonly volumes: number;
}

/** What every run of the batch shares: the maskers by repetition time, the skip fingerprint. */
export interface BidsRun {
  /** The masker fitted for a repetition time (fitted once per value; a failure names --atlas). */
  readonly fittedFor: (tR: number | null) => Promise<FittedMultiMapsMasker>;
  /** What a sidecar must record for its run to be skipped. */
  readonly fingerprint: (tR: number | null) => SidecarFingerprint;
  /** The denoising strategy and its parameters (recorded in sidecars). */
  readonly denoise: Readonly<Record<string, unknown>>;
  /** A run's repetition time (an error when a filter needs one and none is found). */
  readonly runTR: (image: string) => Promise<RunTR>;
  /** The tangent group of this invocation, or null. */
  readonly tangent: BidsTangentGroup | null;
  /** Repetition time of each run written in this invocation (for the reports). */
  readonly runTRs: Map<string, number | null>;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "." : path.slice(0, i);
}

/** Whether the masker settings need a repetition time (a temporal filter is applied). */
function needsTR(opts: BidsOptions): string | null {
  const filter = opts.masker.clean?.filter;
  if (filter === false) return null;
  const flags = ["low-pass", "high-pass"].filter((f) => opts.flags.has(f));
  return flags.length > 0 ? flags.map((f) => `--${f}`).join(" and ") : null;
}

/**
 * What the runs of a `bids` batch share: one masker per repetition time (runs of a dataset may
 * differ), fitted when first needed, and what their sidecars record.
 *
 * @param opts validated options.
 * @param setup the command's setup.
 * @param tangent the tangent group, when `--connectivity` asks for tangent.
 * @returns the shared run state.
 */
export function bidsRun(
  opts: BidsOptions,
  setup: BidsSetup,
  tangent: BidsTangentGroup | null,
): BidsRun {
  const fittedByTR = new Map<number | null, Promise<FittedMultiMapsMasker>>();
  const configFor = (tR: number | null): MultiMapsMaskerConfig =>
    tR === null ? setup.baseConfig : { ...setup.baseConfig, tR };
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
    recordedParameters(
      multiMapsMasker(configFor(tR)).params() as unknown as Record<string, unknown>,
      setup.mask,
    );
  const denoise = { Strategy: opts.strategy, Parameters: jsonSafe(opts.strategyParams) };
  const fingerprint = (tR: number | null): SidecarFingerprint => ({
    "Maps.Sha256": setup.maps.sha256,
    "Mask.Sha256": setup.mask?.sha256 ?? null,
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
  return { fittedFor, fingerprint, denoise, runTR, tangent, runTRs: new Map() };
}

/** Skipped only when the sidecar records the same atlas, parameters, strategy and matrices. */
async function outputsExist(
  opts: BidsOptions,
  run: BidsRun,
  s: BatchSubject,
  write: (text: string) => void,
): Promise<boolean> {
  const out = outputPaths(opts.outputDir, s.subject);
  let tR: number | null;
  try {
    tR = (await run.runTR(s.image)).tR;
  } catch {
    return false; // the run fails in prepare, with this error
  }
  const verdict = await checkExistingOutputs(out.tsv, out.json, run.fingerprint(tR));
  if (verdict.state === "different" && !opts.quiet) {
    write(`niimask: ${s.subject}: outputs exist but ${verdict.reason}: recomputing\n`);
  }
  if (verdict.state !== "same") return false;
  const why = await relmatsDifference(out.tsv, opts.connectivity);
  if (why !== null && !opts.quiet) write(`niimask: ${s.subject}: ${why}: recomputing\n`);
  return why === null;
}

/** A run's repetition time, confounds (by the strategy) and number of volumes. */
async function prepareRun(
  opts: BidsOptions,
  run: BidsRun,
  loadRunConfounds: RunConfoundsLoader,
  s: BatchSubject,
): Promise<PreparedRun> {
  if (!await fileExists(s.image)) throw new Error(`run ${s.image}: no such file`);
  const { tR, source } = await run.runTR(s.image);
  const confounds = await loadRunConfounds(s.image, opts.strategy, opts.strategyParams);
  let volumes = confounds.confounds?.shape[0];
  if (volumes === undefined) {
    const g = await headerGrid(s.image);
    volumes = g.shape.length >= 4 ? g.shape[3]! : 1;
  }
  return { image: s.image, tR, tRSource: source, confounds, volumes };
}

/** One transform call per repetition time, each over its runs (one worker pool per call). */
async function transformRuns(
  opts: BidsOptions,
  run: BidsRun,
  items: readonly PreparedRun[],
  { onOutcome, signal }: TransformHooks,
): Promise<SubjectOutcome[]> {
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
      fitted = await run.fittedFor(tR);
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
      nJobs: batchJobs(opts.jobs),
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
}

/** A run's time series (TSV), sidecar (JSON) and per-run connectivity matrices. */
async function writeRun(
  opts: BidsOptions,
  setup: BidsSetup,
  run: BidsRun,
  s: BatchSubject,
  p: PreparedRun,
  signals: Matrix,
): Promise<void> {
  const out = outputPaths(opts.outputDir, s.subject);
  const fromTable = (signals as Matrix & { columns?: readonly string[] }).columns;
  const columns = Array.isArray(fromTable) && fromTable.length === signals.shape[1]
    ? [...fromTable]
    : setup.names.length === signals.shape[1]
    ? [...setup.names]
    : defaultMapNames(signals.shape[1]);
  const kept = p.confounds.sampleMask;
  const censored: number[] = [];
  if (kept !== null) {
    const keep = new Set(kept);
    for (let t = 0; t < p.volumes; t++) if (!keep.has(t)) censored.push(t);
  }
  const fitted = await run.fittedFor(p.tR);
  const sidecar = buildSidecar({
    version: VERSION,
    image: s.image,
    maps: setup.maps,
    mask: setup.mask,
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
    inflateBackend: /\.gz$/i.test(s.image) ? setup.inflateBackend : null,
  });
  (sidecar.GeneratedBy as { Description: string }[])[0]!.Description = "niimask bids";
  sidecar.RepetitionTimeSource = p.tRSource;
  sidecar.Atlas = opts.atlasName;
  const conf = sidecar.Confounds as Record<string, unknown>;
  delete conf.CensorColumns;
  sidecar.Denoise = run.denoise;
  const conn = opts.connectivity;
  const stemmed = {
    stem: out.tsv.replace(/_timeseries\.tsv$/, ""),
    signals,
    source: baseName(out.tsv),
  };
  const connFiles = conn === null ? [] : runConnectivityFiles(stemmed, columns, conn, VERSION);
  await Deno.mkdir(parentOf(out.tsv), { recursive: true });
  await writeFilesAtomically([
    [out.tsv, formatTimeseriesTsv(signals, columns)],
    [out.json, formatSidecar(sidecar)],
    ...connFiles,
  ]);
  run.runTRs.set(s.subject, p.tR);
  run.tangent?.add(out.tsv, signals, columns);
}

/**
 * The batch runner's hooks for `niimask bids`.
 *
 * @param opts validated options.
 * @param setup the command's setup.
 * @param run the state the runs share.
 * @param loadRunConfounds how a run's confounds are loaded.
 * @param write the stderr writer.
 * @returns the hooks.
 */
export function bidsBatchDeps(
  opts: BidsOptions,
  setup: BidsSetup,
  run: BidsRun,
  loadRunConfounds: RunConfoundsLoader,
  write: (text: string) => void,
): BatchDeps<PreparedRun> {
  return {
    outputsExist: (s) => outputsExist(opts, run, s, write),
    prepare: (s) => prepareRun(opts, run, loadRunConfounds, s),
    transform: (items, hooks) => transformRuns(opts, run, items, hooks),
    write: (s, p, signals) => writeRun(opts, setup, run, s, p, signals),
    ...failureRecordHooks(opts.outputDir, setup.shardText, async (s) => {
      await Deno.mkdir(parentOf(outputPaths(opts.outputDir, s.subject).tsv), { recursive: true });
    }),
  };
}
