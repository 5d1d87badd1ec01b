/**
 * `niimask extract` on files held in memory (browser `File`s, or any `Blob` with a name): the same
 * flags, validation, masker configuration, confounds selection, connectivity matrices and
 * TSV/JSON outputs as the command line, with nothing written anywhere; plus the fMRIPrep
 * denoising strategies of `niimask bids` (`--denoise-strategy` and its parameters) applied to
 * the confounds files given. Runs in browsers and in Deno (no Deno APIs).
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { openNifti } from "../image/load.ts";
import { resolveInflateBackend } from "../image/inflate_select.ts";
import { parseConfoundsTable } from "../signal/confounds_file.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { FittedMultiMapsMasker, MultiMapsMaskerConfig } from "../maskers/types.ts";
import type { MaskerReport } from "../maskers/types.ts";
import { parseExtractArgs } from "../cli/extract_args.ts";
import { outputPaths, subjectNames } from "../cli/naming.ts";
import { selectConfounds } from "../cli/confounds_select.ts";
import { defaultMapNames, formatTimeseriesTsv } from "../cli/tsv.ts";
import { decodeLabelsText, parseLabelsText } from "../cli/labels.ts";
import { buildSidecar, type FileChecksum, formatSidecar, jsonSafe } from "../cli/sidecar.ts";
import { VERSION } from "../cli/version.ts";
import { UsageError } from "../cli/errors.ts";
import {
  atlasLabelOfMaps,
  type ConnectivityRun,
  groupTangentFiles,
  groupTangentStem,
  MEASURE_LABELS,
  runConnectivityFiles,
} from "../cli/connectivity_files.ts";
import type { ConnectivityKind } from "../connectome/connectivity_measure.ts";
import type { ConnectivityPanel } from "../report/heatmap.ts";
import { generateReport } from "../report/generate_report.ts";
import { type DenoiseRequest, splitDenoiseFlags } from "./denoise_flags.ts";
import { sidecarNameOf, strategyConfounds } from "./strategy_confounds.ts";

export type { ConnectivityKind, FittedMultiMapsMasker, MaskerReport, Matrix };

/** A named blob: a browser `File`, or `{ name, blob }` built by hand. */
export interface NamedBlob {
  /** File name (used for output names and in messages), e.g. `sub-01_bold.nii.gz`. */
  readonly name: string;
  /** The bytes. */
  readonly blob: Blob;
}

/** Inputs of {@link extractFiles}. */
export interface ExtractFilesInput {
  /** The 4D images, one per subject (`.nii`/`.nii.gz`). */
  readonly imgs: readonly NamedBlob[];
  /** The maps (4D, or 3D for one map). */
  readonly maps: NamedBlob;
  /** A 3D mask, or null. */
  readonly mask?: NamedBlob | null;
  /**
   * Map names (TSV with a `name` or `label` column, an FSL atlas `.xml`, or one name per line),
   * or null.
   */
  readonly labels?: NamedBlob | null;
  /**
   * Confounds files (CSV/TSV), none or one per image in the same order; with
   * `--denoise-strategy`, fMRIPrep's `desc-confounds_timeseries.tsv`, each optionally with its
   * JSON sidecar (named as nilearn finds it: every "tsv" of the TSV's name replaced by "json";
   * anatomical CompCor needs it). JSON files are paired by that name, wherever they are listed.
   */
  readonly confounds?: readonly NamedBlob[];
  /**
   * Options as `niimask extract` flags, e.g. `["--standardize=zscore_sample", "--detrend",
   * "--t-r=2", "--low-pass=0.1", "--connectivity=correlation"]`, plus `niimask bids`'
   * `--denoise-strategy` and its parameters (see {@link flagsFromQuery}); file flags are not
   * accepted.
   */
  readonly flags?: readonly string[];
}

/** What one subject produced. */
export interface SubjectFiles {
  /** Subject name, as the command line derives it from the image's file name. */
  readonly subject: string;
  /** The time series (volumes x maps). */
  readonly signals: Matrix;
  /** Column names of the TSV. */
  readonly columns: readonly string[];
  /** `<subject>_timeseries.tsv`: its name and text (the command line's bytes). */
  readonly tsv: { readonly name: string; readonly text: string };
  /** `<subject>_timeseries.json` sidecar: its name and text. */
  readonly json: { readonly name: string; readonly text: string };
  /**
   * Connectivity matrices of this subject (`--connectivity`), in the command line's order:
   * `<subject>_meas-<Measure>_relmat.tsv` and its `.json`, with the matrix.
   */
  readonly relmats: readonly Relmat[];
}

/** One connectivity matrix and its files. */
export interface Relmat {
  /** nilearn's kind, e.g. "partial correlation". */
  readonly kind: ConnectivityKind;
  /** The square matrix (regions x regions). */
  readonly matrix: Matrix;
  /** The TSV (the command line's name and bytes). */
  readonly tsv: { readonly name: string; readonly text: string };
  /** Its JSON sidecar. */
  readonly json: { readonly name: string; readonly text: string };
}

/** Everything {@link extractFiles} produced. */
export interface ExtractFilesResult {
  /** One entry per image, in input order. */
  readonly subjects: readonly SubjectFiles[];
  /** The fitted masker (its report shows the last subject's signals). */
  readonly fitted: FittedMultiMapsMasker;
  /**
   * The HTML report: the fitted masker's maps with the map names, the first subject's signals
   * and its connectivity heatmaps.
   */
  readonly report: MaskerReport;
  /** The group files of `--connectivity tangent` (the geometric mean's TSV and JSON), else []. */
  readonly groupFiles: readonly { readonly name: string; readonly text: string }[];
  /** Warnings of the confounds strategy (nilearn's), once each. */
  readonly warnings: readonly string[];
}

/** Progress of {@link extractFiles}: a stage name and how much of the work is done (0 to 1). */
export type ExtractProgress = (stage: string, fraction: number) => void;

/** Flags that name files or disk places: given as files in the browser, or meaningless there. */
const NOT_IN_BROWSER = new Set([
  "maps",
  "mask",
  "labels",
  "confounds",
  "out",
  "cache",
  "memory-level",
  "report",
  "shard",
  "skip-existing",
  "quiet",
  "help",
]);

/**
 * Command-line flags from query parameters named as the flags (`?standardize=zscore_sample&
 * detrend=true&low-pass=0.1&t-r=2&connectivity=correlation&denoise-strategy=scrubbing`):
 * `name=value` gives `--name=value`, an empty value gives `--name`. The file parameters (`img`,
 * `maps`, `mask`, `labels`, `confounds`) are skipped.
 *
 * @param params the query parameters.
 * @returns the flags, in the order given.
 * @throws RangeError for a flag that does not apply in the browser (`out`, `cache`, ...).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagsFromQuery } from "./extract_files.ts";
 * const q = new URLSearchParams("img=a.nii&detrend=true&t-r=2&low-pass=0.1");
 * assert.deepEqual(flagsFromQuery(q), ["--detrend=true", "--t-r=2", "--low-pass=0.1"]);
 * ```
 */
export function flagsFromQuery(params: URLSearchParams): string[] {
  const flags: string[] = [];
  for (const [key, value] of params) {
    if (FILE_PARAMS.has(key)) continue;
    if (NOT_IN_BROWSER.has(key)) {
      throw new RangeError(`query parameter "${key}": --${key} is not available in the browser`);
    }
    flags.push(value === "" ? `--${key}` : `--${key}=${value}`);
  }
  return flags;
}

/** Query parameters holding file URLs. */
export const FILE_PARAMS: ReadonlySet<string> = new Set([
  "img",
  "maps",
  "mask",
  "labels",
  "confounds",
]);

function flagName(arg: string): string {
  return arg.replace(/^--(no-)?/, "").split("=")[0]!;
}

/** Number of maps of a maps file, read from its header only. */
async function countMaps(maps: NamedBlob): Promise<number> {
  const stream = await openNifti(asFile(maps));
  try {
    return stream.shape.length >= 4 ? stream.shape[3]! : 1;
  } finally {
    await stream.close();
  }
}

/** The blob carrying its name (so that errors name the file). */
function asFile(f: NamedBlob): Blob {
  if (typeof File !== "undefined" && f.blob instanceof File && f.blob.name === f.name) {
    return f.blob;
  }
  return typeof File !== "undefined" ? new File([f.blob], f.name) : f.blob;
}

async function sha256(f: NamedBlob): Promise<FileChecksum> {
  const digest = await crypto.subtle.digest("SHA-256", await f.blob.arrayBuffer());
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return { path: f.name, sha256: hex };
}

/** Column names of a subject's signals, as the command line picks them. */
function columnNames(signals: Matrix, names: readonly string[]): string[] {
  const fromTable = (signals as Matrix & { columns?: readonly string[] }).columns;
  if (Array.isArray(fromTable) && fromTable.length === signals.shape[1]) return [...fromTable];
  if (names.length === signals.shape[1]) return [...names];
  return defaultMapNames(signals.shape[1]);
}

/** The confounds tables and, by the name nilearn gives it, each one's JSON sidecar. */
function pairSidecars(
  files: readonly NamedBlob[],
): { tables: NamedBlob[]; sidecars: Map<string, NamedBlob> } {
  const tables = files.filter((f) => !/\.json$/i.test(f.name));
  const jsons = new Map(files.filter((f) => /\.json$/i.test(f.name)).map((f) => [f.name, f]));
  const sidecars = new Map<string, NamedBlob>();
  for (const t of tables) {
    const j = jsons.get(sidecarNameOf(t.name));
    if (j !== undefined) {
      sidecars.set(t.name, j);
      jsons.delete(j.name);
    }
  }
  const stray = [...jsons.keys()];
  if (stray.length > 0) {
    throw new RangeError(
      `${stray.join(", ")}: a JSON sidecar must be named as its confounds TSV with "tsv" ` +
        `replaced by "json" (no such TSV among ${tables.map((t) => t.name).join(", ") || "none"})`,
    );
  }
  return { tables, sidecars };
}

/** The confounds of each image, by the strategy or the command line's column selection. */
interface RunConfounds {
  readonly confounds: Matrix | null;
  readonly sampleMask: readonly number[] | null;
  /** The sidecar's `Confounds` record. */
  readonly record: {
    path: string;
    columns: readonly string[];
    censorColumns: readonly string[];
    censoredVolumes: readonly number[];
  };
}

/**
 * Run `niimask extract` on in-memory files: same options, same numbers and the same TSV and JSON
 * texts as the command line writes for them (file names stand for paths in the JSON sidecar),
 * and its connectivity matrices (`--connectivity`). With `--denoise-strategy` (and its
 * parameters, as `niimask bids` takes them) the confounds files are fMRIPrep's and the strategy
 * picks the confounds and the censored volumes, as the library's `loadConfoundsStrategy` does.
 *
 * @param input the files and flags.
 * @param onProgress called as the work advances.
 * @returns per-subject outputs, the group tangent files, the fitted masker and the report.
 * @throws UsageError (as the command line) for bad flags; NiftiParseError naming a bad image;
 *   ConfoundsParseError naming a bad confounds file; FmriprepFileError or MissingConfoundsError
 *   naming an fMRIPrep confounds file that does not fit the strategy; RangeError when the
 *   confounds files do not pair with the images.
 * @example
 * ```ts ignore
 * import { extractFiles } from "./extract_files.ts";
 * const { subjects } = await extractFiles({
 *   imgs: [boldFile], maps: mapsFile, confounds: [confoundsTsv, confoundsJson],
 *   flags: ["--standardize=zscore_sample", "--t-r=2", "--denoise-strategy=scrubbing",
 *     "--connectivity=correlation"],
 * });
 * console.log(subjects[0].tsv.name, subjects[0].relmats[0].tsv.name);
 * ```
 */
export async function extractFiles(
  input: ExtractFilesInput,
  onProgress: ExtractProgress = () => {},
): Promise<ExtractFilesResult> {
  const given = [...(input.flags ?? [])];
  for (const f of given) {
    if (NOT_IN_BROWSER.has(flagName(f))) {
      throw new RangeError(`${f}: this option is not available here (give files as files)`);
    }
  }
  const { denoise, rest: flags } = splitDenoiseFlags(given);
  const { tables: confoundFiles, sidecars } = pairSidecars(input.confounds ?? []);
  const mask = input.mask ?? null;
  const labels = input.labels ?? null;
  if (input.imgs.length === 0) throw new RangeError("no 4D image given (.nii or .nii.gz)");
  if (confoundFiles.length > 0 && confoundFiles.length !== input.imgs.length) {
    throw new RangeError(
      `${confoundFiles.length} confounds files for ${input.imgs.length} images: give one per ` +
        "image, in the same order, or none",
    );
  }
  if (denoise !== null) checkDenoiseInputs(denoise, flags, confoundFiles.length);
  // The command line's own parsing and checks, with file flags standing for the files.
  const args = [
    `--maps=${input.maps.name}`,
    "--out=.",
    ...(mask !== null ? [`--mask=${mask.name}`] : []),
    ...(labels !== null ? [`--labels=${labels.name}`] : []),
    ...(confoundFiles.length > 0 && denoise === null ? ["--confounds={subject}"] : []),
    ...flags,
    "--",
    ...input.imgs.map((f) => f.name),
  ];
  const opts = parseExtractArgs(args);
  if ("help" in opts) throw new RangeError("--help is not available here");
  const subjects = subjectNames(opts.imgs);

  onProgress("reading the maps", 0);
  const maps = await sha256(input.maps);
  const maskSum = mask === null ? null : await sha256(mask);
  const nMaps = await countMaps(input.maps);
  const names = labels === null ? defaultMapNames(nMaps) : parseLabelsText(
    decodeLabelsText(new Uint8Array(await labels.blob.arrayBuffer())),
    labels.name,
    nMaps,
  );
  const warnings: string[] = [];
  const warn = (m: string) => {
    if (!warnings.includes(m)) warnings.push(m);
  };
  const runConfounds: (RunConfounds | null)[] = [];
  for (const [i, c] of confoundFiles.entries()) {
    const text = await c.blob.text();
    if (denoise !== null) {
      const j = sidecars.get(c.name);
      const json = j === undefined ? null : { name: j.name, text: await j.blob.text() };
      const out = strategyConfounds(
        input.imgs[i]!.name,
        { name: c.name, text },
        json,
        denoise,
        warn,
      );
      runConfounds.push({
        confounds: out.confounds,
        sampleMask: out.sampleMask,
        record: {
          path: c.name,
          columns: out.columns,
          censorColumns: [],
          censoredVolumes: out.censored,
        },
      });
    } else {
      const table = parseConfoundsTable(text, c.name);
      const sel = selectConfounds(table, c.name, opts.confoundColumns, opts.sampleMaskColumns);
      runConfounds.push(
        sel === null ? null : {
          confounds: sel.confounds,
          sampleMask: sel.sampleMask,
          record: {
            path: c.name,
            columns: sel.columns,
            censorColumns: sel.censorColumns,
            censoredVolumes: sel.censored,
          },
        },
      );
    }
  }

  onProgress("fitting the maps", 0.05);
  const config: MultiMapsMaskerConfig = {
    ...opts.masker,
    mapsImg: asFile(input.maps),
    maskImg: mask === null ? null : asFile(mask),
    output: "table",
    labels: names,
    reports: true,
  };
  const fitted = await multiMapsMasker(config).fit();
  const params = fitted.params() as unknown as Record<string, unknown>;
  const tR = typeof params.tR === "number" ? params.tR : null;

  const n = input.imgs.length;
  let done = 0;
  onProgress(`extracting ${n} image${n === 1 ? "" : "s"}`, 0.1);
  const withConfounds = runConfounds.length > 0;
  const signals = await fitted.transformImgs(input.imgs.map(asFile), {
    confounds: withConfounds ? runConfounds.map((s) => s?.confounds ?? null) : null,
    sampleMask: withConfounds ? runConfounds.map((s) => s?.sampleMask ?? null) : null,
    nJobs: opts.jobs,
    onOutcome: () => {
      done++;
      onProgress(`extracted ${done} of ${n}`, 0.1 + 0.75 * done / n);
    },
  });

  const conn = opts.connectivity ?? null;
  if (conn !== null) onProgress("computing the connectivity matrices", 0.85);
  const runs: ConnectivityRun[] = [];
  // The inflater this runtime reads gzip with (DecompressionStream in a browser), recorded as the
  // command line records it.
  const inflateBackend = await resolveInflateBackend();
  const out = signals.map((m, i): SubjectFiles => {
    const subject = subjects[i]!;
    const columns = columnNames(m, names);
    const paths = outputPaths(".", subject);
    const rc = runConfounds[i] ?? null;
    const sidecar = buildSidecar({
      version: VERSION,
      image: input.imgs[i]!.name,
      maps,
      mask: maskSum,
      labels: labels?.name ?? null,
      columns,
      volumes: m.shape[0],
      tR,
      params,
      confounds: rc === null ? null : rc.record,
      inflateBackend: /\.gz$/i.test(input.imgs[i]!.name) ? inflateBackend : null,
    });
    if (denoise !== null) {
      delete (sidecar.Confounds as Record<string, unknown> | undefined)?.CensorColumns;
      sidecar.Denoise = { Strategy: denoise.strategy, Parameters: jsonSafe(denoise.params) };
    } else {
      // As the command line records it (what --skip-existing compares); the pattern here is
      // `{subject}`: the files are given one per image.
      sidecar.ConfoundsSelection = {
        Pattern: opts.confounds,
        Columns: opts.confoundColumns,
        SampleMaskFrom: opts.sampleMaskColumns,
      };
    }
    const tsvName = baseOf(paths.tsv);
    const run = { stem: subject, signals: m, source: tsvName };
    runs.push(run);
    return {
      subject,
      signals: m,
      columns,
      tsv: { name: tsvName, text: formatTimeseriesTsv(m, columns) },
      json: { name: baseOf(paths.json), text: formatSidecar(sidecar) },
      relmats: conn === null ? [] : relmatsOf(runConnectivityFiles(run, columns, conn, VERSION)),
    };
  });
  let groupFiles: { name: string; text: string }[] = [];
  if (conn !== null && conn.kinds.includes("tangent")) {
    const stem = groupTangentStem(".", { atlas: atlasLabelOfMaps(input.maps.name) });
    const files = groupTangentFiles(runs, out[0]!.columns, conn.estimator, stem, VERSION);
    const tangent = relmatsOf(files.slice(0, 2 * runs.length));
    // groupTangentFiles sorts the runs by stem: put each run's matrix with its subject.
    for (const r of tangent) {
      const s = out.find((o) => r.tsv.name.startsWith(`${o.subject}_meas-`));
      if (s !== undefined) (s.relmats as Relmat[]).push(r);
    }
    groupFiles = files.slice(2 * runs.length).map(([p, text]) => ({ name: baseOf(p), text }));
  }

  onProgress("making the report", 0.9);
  const first = out[0]!;
  const reportInput = fitted.reportInput();
  if (reportInput === null) throw new Error("the masker kept no report data");
  const panels: ConnectivityPanel[] = first.relmats.map((r) => ({
    kind: r.kind,
    matrix: r.matrix,
    labels: first.columns.length === r.matrix.shape[0] ? first.columns : null,
    source: first.subject,
  }));
  const report = generateReport({
    ...reportInput,
    signals: first.signals,
    signalsSource: first.subject,
    labels: names,
    connectivity: panels,
  });
  onProgress("done", 1);
  return { subjects: out, fitted, report, groupFiles, warnings };
}

/** The checks of a denoising run: one fMRIPrep confounds file per image, no column selection. */
function checkDenoiseInputs(
  denoise: DenoiseRequest,
  flags: readonly string[],
  nConfounds: number,
): void {
  for (const f of flags) {
    const name = flagName(f);
    if (name === "confound-columns" || name === "sample-mask-from-confounds") {
      throw new UsageError(
        `--${name} does not apply with --denoise-strategy ${denoise.strategy}: the strategy ` +
          "selects the confounds and the censored volumes",
      );
    }
  }
  if (nConfounds === 0) {
    throw new RangeError(
      `--denoise-strategy ${denoise.strategy} needs the fMRIPrep confounds file ` +
        "(desc-confounds_timeseries.tsv, and its .json) of each image",
    );
  }
}

/** The relmat TSV/JSON pairs of `runConnectivityFiles` / `groupTangentFiles` with matrices. */
function relmatsOf(files: readonly [string, string][]): Relmat[] {
  const out: Relmat[] = [];
  for (let i = 0; i + 1 < files.length; i += 2) {
    const [tsvPath, tsvText] = files[i]!;
    const [jsonPath, jsonText] = files[i + 1]!;
    const label = /_meas-([A-Za-z]+)_relmat\.tsv$/.exec(tsvPath)?.[1];
    const kind = (Object.keys(MEASURE_LABELS) as ConnectivityKind[])
      .find((k) => MEASURE_LABELS[k] === label);
    if (kind === undefined) throw new Error(`unexpected connectivity file ${tsvPath}`);
    out.push({
      kind,
      matrix: parseSquareTsv(tsvText, tsvPath),
      tsv: { name: baseOf(tsvPath), text: tsvText },
      json: { name: baseOf(jsonPath), text: jsonText },
    });
  }
  return out;
}

/** The matrix of a relmat TSV (header of names, then n rows of n numbers). */
function parseSquareTsv(text: string, name: string): Matrix {
  const rows = text.trimEnd().split("\n").slice(1).map((l) => l.split("\t").map(Number));
  const n = rows.length;
  const data = new Float64Array(n * n);
  rows.forEach((r, i) => {
    if (r.length !== n) throw new Error(`${name}: row ${i + 1} has ${r.length} values, not ${n}`);
    data.set(r, i * n);
  });
  return { data, shape: [n, n] };
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
