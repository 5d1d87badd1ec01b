/**
 * `niimask extract` on files held in memory (browser `File`s, or any `Blob` with a name): the same
 * flags, validation, masker configuration, confounds selection and TSV/JSON outputs as the command
 * line, with nothing written anywhere. Runs in browsers and in Deno (no Deno APIs).
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { openNifti } from "../image/load.ts";
import { parseConfoundsTable } from "../signal/confounds_file.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { FittedMultiMapsMasker, MultiMapsMaskerConfig } from "../maskers/types.ts";
import type { MaskerReport } from "../maskers/types.ts";
import { parseExtractArgs } from "../cli/extract_args.ts";
import { outputPaths, subjectNames } from "../cli/naming.ts";
import { selectConfounds, type SelectedConfounds } from "../cli/confounds_select.ts";
import { defaultMapNames, formatTimeseriesTsv, parseLabels } from "../cli/tsv.ts";
import { buildSidecar, type FileChecksum, formatSidecar } from "../cli/sidecar.ts";
import { VERSION } from "../cli/version.ts";

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
  /** Map names (TSV with a `name` column, or one name per line), or null. */
  readonly labels?: NamedBlob | null;
  /** Confounds files (CSV/TSV), none or one per image in the same order. */
  readonly confounds?: readonly NamedBlob[];
  /**
   * Options as `niimask extract` flags, e.g. `["--standardize=zscore_sample", "--detrend",
   * "--t-r=2", "--low-pass=0.1"]` (see {@link flagsFromQuery}); file flags are not accepted.
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
}

/** Everything {@link extractFiles} produced. */
export interface ExtractFilesResult {
  /** One entry per image, in input order. */
  readonly subjects: readonly SubjectFiles[];
  /** The fitted masker (its report shows the last subject's signals). */
  readonly fitted: FittedMultiMapsMasker;
  /** The HTML report of the fitted masker. */
  readonly report: MaskerReport;
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
 * detrend=true&low-pass=0.1&t-r=2`): `name=value` gives `--name=value`, an empty value gives
 * `--name`. The file parameters (`img`, `maps`, `mask`, `labels`, `confounds`) are skipped.
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

/**
 * Run `niimask extract` on in-memory files: same options, same numbers and the same TSV and JSON
 * texts as the command line writes for them (file names stand for paths in the JSON sidecar).
 *
 * @param input the files and flags.
 * @param onProgress called as the work advances.
 * @returns per-subject outputs, the fitted masker and its report.
 * @throws UsageError (as the command line) for bad flags; NiftiParseError naming a bad image;
 *   ConfoundsParseError naming a bad confounds file; RangeError when the confounds files do not
 *   pair with the images.
 * @example
 * ```ts ignore
 * import { extractFiles } from "./extract_files.ts";
 * const { subjects } = await extractFiles({
 *   imgs: [boldFile], maps: mapsFile, flags: ["--standardize=zscore_sample", "--t-r=2"],
 * });
 * console.log(subjects[0].tsv.name, subjects[0].tsv.text);
 * ```
 */
export async function extractFiles(
  input: ExtractFilesInput,
  onProgress: ExtractProgress = () => {},
): Promise<ExtractFilesResult> {
  const flags = [...(input.flags ?? [])];
  for (const f of flags) {
    if (NOT_IN_BROWSER.has(flagName(f))) {
      throw new RangeError(`${f}: this option is not available here (give files as files)`);
    }
  }
  const confoundFiles = input.confounds ?? [];
  const mask = input.mask ?? null;
  const labels = input.labels ?? null;
  if (input.imgs.length === 0) throw new RangeError("no 4D image given (.nii or .nii.gz)");
  if (confoundFiles.length > 0 && confoundFiles.length !== input.imgs.length) {
    throw new RangeError(
      `${confoundFiles.length} confounds files for ${input.imgs.length} images: give one per ` +
        "image, in the same order, or none",
    );
  }
  // The command line's own parsing and checks, with file flags standing for the files.
  const args = [
    `--maps=${input.maps.name}`,
    "--out=.",
    ...(mask !== null ? [`--mask=${mask.name}`] : []),
    ...(labels !== null ? [`--labels=${labels.name}`] : []),
    ...(confoundFiles.length > 0 ? ["--confounds={subject}"] : []),
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
  const names = labels === null
    ? defaultMapNames(nMaps)
    : parseLabels(await labels.blob.text(), labels.name, nMaps);
  const selected: (SelectedConfounds | null)[] = [];
  for (const c of confoundFiles) {
    const table = parseConfoundsTable(await c.blob.text(), c.name);
    selected.push(selectConfounds(table, c.name, opts.confoundColumns, opts.sampleMaskColumns));
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
  const withConfounds = selected.length > 0;
  const signals = await fitted.transformImgs(input.imgs.map(asFile), {
    confounds: withConfounds ? selected.map((s) => s?.confounds ?? null) : null,
    sampleMask: withConfounds ? selected.map((s) => s?.sampleMask ?? null) : null,
    nJobs: opts.jobs,
    onOutcome: () => {
      done++;
      onProgress(`extracted ${done} of ${n}`, 0.1 + 0.8 * done / n);
    },
  });

  const out = signals.map((m, i): SubjectFiles => {
    const subject = subjects[i]!;
    const columns = columnNames(m, names);
    const paths = outputPaths(".", subject);
    const conf = confoundFiles[i];
    const sel = selected[i];
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
      confounds: conf === undefined || sel === undefined || sel === null ? null : {
        path: conf.name,
        columns: sel.columns,
        censorColumns: sel.censorColumns,
        censoredVolumes: sel.censored,
      },
    });
    // As the command line records it (what --skip-existing compares); the pattern here is
    // `{subject}`: the files are given one per image.
    sidecar.ConfoundsSelection = {
      Pattern: opts.confounds,
      Columns: opts.confoundColumns,
      SampleMaskFrom: opts.sampleMaskColumns,
    };
    return {
      subject,
      signals: m,
      columns,
      tsv: { name: baseOf(paths.tsv), text: formatTimeseriesTsv(m, columns) },
      json: { name: baseOf(paths.json), text: formatSidecar(sidecar) },
    };
  });

  onProgress("making the report", 0.9);
  const report = await fitted.generateReport();
  onProgress("done", 1);
  return { subjects: out, fitted, report };
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
