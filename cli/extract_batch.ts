/**
 * The batch of `niimask extract`: what the batch runner does with each subject (skip when its
 * outputs exist, read its confounds, transform, write its outputs, keep a failure record), and
 * the removal of a killed run's leftovers before a resumed batch.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { readConfoundsFile } from "../signal/confounds_file.ts";
import type { SubjectOutcome } from "../maskers/types.ts";
import type { ExtractOptions } from "./extract_args.ts";
import type { BatchDeps, BatchSubject, TransformHooks } from "./batch.ts";
import { baseName, confoundsPath, outputPaths } from "./naming.ts";
import { selectConfounds, type SelectedConfounds } from "./confounds_select.ts";
import { defaultMapNames, formatTimeseriesTsv } from "./tsv.ts";
import { checkExistingOutputs, type SidecarFingerprint } from "./skip_existing.ts";
import { outcomeWithFlagNames } from "./flag_names.ts";
import { fmriprepConfoundsFile } from "./bids_confounds.ts";
import { buildSidecar, formatSidecar, recordedParameters } from "./sidecar.ts";
import { fileExists, writeFilesAtomically } from "./io.ts";
import { VERSION } from "./version.ts";
import { relmatPaths, runConnectivityFiles } from "./connectivity_outputs.ts";
import { type GroupRunSource, timeseriesStem } from "./connectivity_group.ts";
import type { ExtractSetup } from "./extract_setup.ts";
import { batchJobs, failureRecordHooks, perRunKinds } from "./run_steps.ts";

/** A subject ready to transform: its confounds and sample mask (when any). */
export interface Prepared {
  /** The image. */
  readonly image: string;
  /** The confounds file read, or null. */
  readonly confoundsPath: string | null;
  /** The confounds and sample mask selected from it, or null. */
  readonly selected: SelectedConfounds | null;
}

/** What every subject of the batch shares: parameters, the skip fingerprint, tangent runs. */
export interface ExtractRun {
  /** The fitted masker's parameters (recorded in sidecars). */
  readonly params: Record<string, unknown>;
  /** The repetition time (s), or null. */
  readonly tR: number | null;
  /** The confounds selection (recorded in sidecars). */
  readonly selection: Readonly<Record<string, unknown>>;
  /** What a sidecar must record for its subject to be skipped. */
  readonly fingerprint: SidecarFingerprint;
  /** Runs computed in this invocation, for the tangent group step (by subject). */
  readonly tangentRuns: Map<string, GroupRunSource>;
}

/**
 * What the subjects of an `extract` batch share, from the options and the setup.
 *
 * @param opts validated options.
 * @param setup the command's setup.
 * @returns the shared run state.
 */
export function extractRun(opts: ExtractOptions, setup: ExtractSetup): ExtractRun {
  const params = setup.fitted.params() as unknown as Record<string, unknown>;
  const tR = typeof params.tR === "number" ? params.tR : null;
  const selection = {
    Pattern: opts.confounds,
    Columns: opts.confoundColumns,
    SampleMaskFrom: opts.sampleMaskColumns,
  };
  const fingerprint: SidecarFingerprint = {
    "Maps.Sha256": setup.maps.sha256,
    "Mask.Sha256": setup.mask?.sha256 ?? null,
    Labels: opts.labels,
    Parameters: recordedParameters(params, setup.mask),
    ConfoundsSelection: selection,
  };
  return { params, tR, selection, fingerprint, tangentRuns: new Map() };
}

/** Skipped only when the sidecar records the same maps, parameters and confounds selection. */
async function outputsExist(
  opts: ExtractOptions,
  run: ExtractRun,
  s: BatchSubject,
  write: (text: string) => void,
): Promise<boolean> {
  const out = outputPaths(opts.out, s.subject);
  const verdict = await checkExistingOutputs(out.tsv, out.json, run.fingerprint);
  if (verdict.state === "different" && !opts.quiet) {
    write(`niimask: ${s.subject}: outputs exist but ${verdict.reason}: recomputing\n`);
  }
  if (verdict.state !== "same") return false;
  for (const kind of perRunKinds(opts.connectivity)) {
    const rel = relmatPaths(timeseriesStem(out.tsv), kind);
    if (!await fileExists(rel.tsv) || !await fileExists(rel.json)) return false;
  }
  return true;
}

/** A subject's image checked, its confounds file found, read and selected. */
async function prepareSubject(opts: ExtractOptions, s: BatchSubject): Promise<Prepared> {
  if (!await fileExists(s.image)) throw new Error(`image ${s.image}: no such file`);
  if (opts.confounds === null) return { image: s.image, confoundsPath: null, selected: null };
  // auto: the fMRIPrep confounds file of the image, found as nilearn finds it.
  const path = opts.confounds === "auto"
    ? await fmriprepConfoundsFile(s.image)
    : confoundsPath(opts.confounds, s.subject, s.image);
  if (!await fileExists(path)) {
    throw new Error(`confounds file ${path} (from --confounds ${opts.confounds}): no such file`);
  }
  const table = await readConfoundsFile(path);
  const selected = selectConfounds(table, path, opts.confoundColumns, opts.sampleMaskColumns);
  return { image: s.image, confoundsPath: path, selected };
}

/**
 * One call over every prepared subject: one worker pool, fed as workers free up; each
 * subject's outputs are written (atomically) as soon as it finishes.
 */
function transformSubjects(
  opts: ExtractOptions,
  setup: ExtractSetup,
  items: readonly Prepared[],
  { onOutcome, signal }: TransformHooks,
): Promise<SubjectOutcome[]> {
  const withConfounds = opts.confounds !== null;
  return setup.fitted.transformImgsSettled(items.map((p) => p.image), {
    confounds: withConfounds ? items.map((p) => p.selected?.confounds ?? null) : null,
    sampleMask: withConfounds ? items.map((p) => p.selected?.sampleMask ?? null) : null,
    nJobs: batchJobs(opts.jobs),
    onOutcome: (i, outcome) => onOutcome(i, outcomeWithFlagNames(outcome)),
    keepValues: false, // written by onOutcome: hold no signals for the rest of the batch
    ...(signal !== undefined ? { signal } : {}),
  }).then((outcomes) => outcomes.map((o) => outcomeWithFlagNames(o)));
}

/** A subject's time series (TSV), sidecar (JSON) and per-run connectivity matrices. */
async function writeSubject(
  opts: ExtractOptions,
  setup: ExtractSetup,
  run: ExtractRun,
  s: BatchSubject,
  p: Prepared,
  signals: Matrix,
): Promise<void> {
  const columns = columnNames(signals, setup.names, opts.labels);
  const out = outputPaths(opts.out, s.subject);
  const sidecar = buildSidecar({
    version: VERSION,
    image: s.image,
    maps: setup.maps,
    mask: setup.mask,
    labels: opts.labels,
    columns,
    volumes: signals.shape[0],
    tR: run.tR,
    params: run.params,
    inflateBackend: /\.gz$/i.test(s.image) ? setup.inflateBackend : null,
    confounds: p.confoundsPath === null || p.selected === null ? null : {
      path: p.confoundsPath,
      columns: p.selected.columns,
      censorColumns: p.selected.censorColumns,
      censoredVolumes: p.selected.censored,
    },
  });
  const conn = opts.connectivity ?? null;
  const stemmed = { stem: timeseriesStem(out.tsv), signals, source: baseName(out.tsv) };
  const connFiles = conn === null ? [] : runConnectivityFiles(stemmed, columns, conn, VERSION);
  sidecar.ConfoundsSelection = run.selection;
  await writeFilesAtomically([
    [out.tsv, formatTimeseriesTsv(signals, columns)],
    [out.json, formatSidecar(sidecar)],
    ...connFiles,
  ]);
  if (conn !== null && conn.kinds.includes("tangent")) {
    const copy: Matrix = { data: Float64Array.from(signals.data), shape: signals.shape };
    run.tangentRuns.set(s.subject, { tsv: out.tsv, signals: copy, names: columns });
  }
}

/**
 * The batch runner's hooks for `niimask extract`.
 *
 * @param opts validated options.
 * @param setup the command's setup.
 * @param run the state the subjects share.
 * @param write the stderr writer.
 * @returns the hooks.
 */
export function extractBatchDeps(
  opts: ExtractOptions,
  setup: ExtractSetup,
  run: ExtractRun,
  write: (text: string) => void,
): BatchDeps<Prepared> {
  return {
    outputsExist: (s) => outputsExist(opts, run, s, write),
    prepare: (s) => prepareSubject(opts, s),
    transform: (items, hooks) => transformSubjects(opts, setup, items, hooks),
    write: (s, p, signals) => writeSubject(opts, setup, run, s, p, signals),
    ...failureRecordHooks(opts.out, setup.shardText),
  };
}

/** Column names of a subject's signals: the masker's table columns, else the expected names. */
function columnNames(signals: Matrix, names: readonly string[], labels: string | null): string[] {
  const cols = signals.shape[1];
  const fromTable = (signals as Matrix & { columns?: readonly string[] }).columns;
  if (Array.isArray(fromTable) && fromTable.length === cols) return [...fromTable];
  if (names.length === cols) return [...names];
  if (labels !== null) {
    throw new RangeError(
      `the masker returned ${cols} columns but --labels ${labels} names ${names.length} maps`,
    );
  }
  return defaultMapNames(cols);
}
