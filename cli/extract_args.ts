/**
 * The flags of `niimask extract`, their help text, and the pure translation of a command line
 * into {@link ExtractOptions} (masker configuration plus batch settings).
 *
 * @module
 */
import type { MultiMapsMaskerConfig } from "../maskers/types.ts";
import { type FlagSpec, type FlagValue, parseFlags } from "./flags.ts";
import { UsageError } from "./errors.ts";
import { parseShardSpec } from "./shard.ts";
import {
  checkConnectivityRun,
  CONNECTIVITY_FLAGS,
  type ConnectivityRequest,
  connectivityRequest,
} from "./connectivity_args.ts";
import { layoutFlags, maskerConfigFromFlags } from "./masker_flags.ts";

export { maskerConfigFromFlags } from "./masker_flags.ts";

const INPUTS = "Inputs";
const CONFOUNDS = "Confounds and censoring";
const SIGNAL = "Signal processing (nilearn MultiNiftiMapsMasker parameters)";
const CLEAN = "Filter details (nilearn clean__* keyword arguments)";
const MAPS = "Maps and resampling";
const RUN = "Execution and output";

/** Headings of the masker flags (`maskers/param_table.ts`) in `extract`'s help. */
const MASKER_HEADINGS = {
  confounds: CONFOUNDS,
  signal: SIGNAL,
  clean: CLEAN,
  maps: MAPS,
  run: RUN,
} as const;

/**
 * The help layout of `niimask extract`: its own flags, and the names of the masker flags
 * (declared in `maskers/param_table.ts`) where they are listed.
 */
const EXTRACT_LAYOUT: readonly (FlagSpec | string)[] = [
  // Inputs
  {
    name: "maps",
    kind: "string",
    metavar: "MAPS",
    required: true,
    group: INPUTS,
    help: "4D NIfTI (.nii/.nii.gz) of the brain maps (x, y, z, map); a 3D image is one map; a " +
      "comma-separated list or a glob ('maps/*.nii.gz') of 3D maps is stacked in order.",
  },
  {
    name: "mask",
    kind: "string",
    metavar: "MASK",
    group: INPUTS,
    defaultText: "none",
    help: "3D NIfTI mask (non-zero = inside the brain); voxels outside are ignored.",
  },
  {
    name: "labels",
    kind: "string",
    metavar: "FILE",
    group: INPUTS,
    defaultText: "map-000, map-001, ...",
    help: "Map names for the TSV header: a TSV with a 'name' column (a BIDS dseg.tsv: index, " +
      "name) or a 'label' column, an FSL atlas .xml, or a text file with one name per line. " +
      "The count must equal the number of maps.",
  },
  {
    name: "out",
    kind: "string",
    metavar: "DIR",
    required: true,
    group: INPUTS,
    help: "Output directory (created if missing); BIDS-derivatives names, see OUTPUTS.",
  },
  // Confounds
  {
    name: "confounds",
    kind: "string",
    metavar: "PATTERN|auto",
    group: CONFOUNDS,
    defaultText: "no confounds",
    help: "Per-subject confounds file (TSV/CSV with a header row, fMRIPrep's n/a accepted), " +
      "with {subject} standing for the image's file name without _bold.nii.gz, _bold.nii, " +
      ".nii.gz or .nii and {dir} for the image's folder, e.g. " +
      "'{dir}/{subject}_desc-confounds_timeseries.tsv'. A missing file is that subject's " +
      "error. Rows must equal the image's volumes. 'auto': fMRIPrep's confounds file of each " +
      "image (..._desc-confounds_timeseries.tsv or _regressors.tsv next to " +
      "..._desc-preproc_bold.nii.gz), found as nilearn's load_confounds finds it; or use " +
      "'niimask bids' for nilearn's denoising strategies.",
  },
  {
    name: "confound-columns",
    kind: "list",
    metavar: "COL,COL,...",
    group: CONFOUNDS,
    defaultText: "all columns (except censoring columns)",
    help: "Columns of the confounds file to regress out, e.g. trans_x,trans_y,trans_z,rot_x," +
      "rot_y,rot_z. '*' and '?' are wildcards ('trans_?' matches trans_x, trans_y, trans_z but " +
      "not trans_x_derivative1); a plain name missing from a file, or a wildcard matching no " +
      "column, is that subject's error.",
  },
  {
    name: "sample-mask-from-confounds",
    kind: "list",
    metavar: "COLUMN-PATTERN",
    group: CONFOUNDS,
    defaultText: "no censoring",
    help: "Censor (scrub) volumes flagged in one-hot outlier columns of the confounds file, e.g. " +
      "'motion_outlier*,non_steady_state_outlier*' (fMRIPrep). A volume whose value is 1 in any " +
      "matching column is dropped (the sample mask keeps the others, and the TSV has one row per " +
      "kept volume); matching columns must hold only 0/1 and are not used as confounds. A file " +
      "in which no column matches is that subject's error. Needs --confounds.",
  },
  "high-variance-confounds",
  "standardize-confounds",
  // Signal
  "standardize",
  "detrend",
  "low-pass",
  "high-pass",
  "t-r",
  "smoothing-fwhm",
  "dtype",
  // Clean kwargs
  "filter",
  "extrapolate",
  "ensure-finite",
  "butterworth-order",
  "butterworth-padtype",
  "butterworth-padlen",
  // Maps
  "resampling-target",
  "allow-overlap",
  "keep-masked-maps",
  // Execution
  "jobs",
  "cache",
  "memory-level",
  "report",
  {
    name: "report-background",
    kind: "string",
    metavar: "FILE",
    group: RUN,
    defaultText: "mean of the first run, else the mask",
    help: "Draw the report's maps over this image instead (e.g. a template; resampled to the " +
      "maps grid). Needs --report.",
  },
  {
    name: "shard",
    kind: "string",
    metavar: "I/N|auto",
    group: RUN,
    defaultText: "all images",
    help: "Process only the I-th of N deterministic slices of the sorted image list (I from 1 " +
      "to N); auto takes I and N from the SLURM array task (SLURM_ARRAY_TASK_ID with " +
      "SLURM_ARRAY_TASK_MIN/MAX or _COUNT). See scripts/slurm/README.md.",
  },
  {
    name: "skip-existing",
    kind: "boolean",
    group: RUN,
    defaultText: "off",
    help: "Skip subjects whose outputs (TSV and JSON) already exist and whose sidecar records " +
      "the same maps checksum, parameters and confounds selection: resumes an interrupted " +
      "batch. Outputs made otherwise are recomputed (saying why).",
  },
  {
    name: "quiet",
    kind: "boolean",
    group: RUN,
    defaultText: "off",
    help: "No progress output (failures and their summary are still reported on stderr).",
  },
  "verbose",
  {
    name: "help",
    kind: "boolean",
    group: RUN,
    help: "Show this help and exit.",
  },
  ...CONNECTIVITY_FLAGS,
];

/** Every flag of `niimask extract`, in help order. */
export const EXTRACT_FLAGS: readonly FlagSpec[] = layoutFlags(EXTRACT_LAYOUT, MASKER_HEADINGS);

/** Everything `niimask extract` needs, validated. */
export interface ExtractOptions {
  /** Maps image path. */
  readonly maps: string;
  /** Mask image path, or null. */
  readonly mask: string | null;
  /** Labels file path, or null (map-000, ...). */
  readonly labels: string | null;
  /** Confounds path pattern (`{subject}`, `{dir}`), `auto` (fMRIPrep's file), or null. */
  readonly confounds: string | null;
  /** Confound columns (names or wildcard patterns), or null for all. */
  readonly confoundColumns: readonly string[] | null;
  /** Censoring column patterns, or null. */
  readonly sampleMaskColumns: readonly string[] | null;
  /** Output directory. */
  readonly out: string;
  /** Input images, as given. */
  readonly imgs: readonly string[];
  /** HTML report path, or null. */
  readonly report: string | null;
  /** Image drawn under the report's maps (`--report-background`), or null/absent. */
  readonly reportBackground?: string | null;
  /** Shard `I/N` or `auto` (resolved from the SLURM environment at run time), or null for all. */
  readonly shard?: string | null;
  /** Skip subjects whose outputs exist. */
  readonly skipExisting: boolean;
  /** No progress output. */
  readonly quiet: boolean;
  /** Parallel subjects (`nJobs`). */
  readonly jobs: number;
  /** Masker parameters set on the command line (the masker fills in the defaults). */
  readonly masker: Omit<MultiMapsMaskerConfig, "mapsImg" | "maskImg">;
  /** Connectivity matrices to write (`--connectivity`, `--cov-estimator`), or null/absent. */
  readonly connectivity?: ConnectivityRequest | null;
  /** Every flag given, by long name (for the JSON sidecar and for later subcommands). */
  readonly flags: ReadonlyMap<string, FlagValue>;
}

/** `--help` was asked for: the caller prints help and exits 0. */
export interface HelpRequest {
  /** Marker. */
  readonly help: true;
}

function str(v: ReadonlyMap<string, FlagValue>, name: string): string | null {
  const x = v.get(name);
  return typeof x === "string" ? x : null;
}

function num(v: ReadonlyMap<string, FlagValue>, name: string): number | undefined {
  const x = v.get(name);
  return typeof x === "number" ? x : undefined;
}

function bool(v: ReadonlyMap<string, FlagValue>, name: string): boolean | undefined {
  const x = v.get(name);
  return typeof x === "boolean" ? x : undefined;
}

function list(v: ReadonlyMap<string, FlagValue>, name: string): string[] | null {
  const x = v.get(name);
  return Array.isArray(x) ? x.map(String) : null;
}

/**
 * Parse the arguments of `niimask extract` (after the word `extract`).
 *
 * @param args command-line arguments.
 * @param specs the flag table (default {@link EXTRACT_FLAGS}; later subcommands may extend it).
 * @returns the options, or a {@link HelpRequest} when `--help` is given.
 * @throws UsageError for unknown flags, bad or missing values, inconsistent flags, no images.
 * @example
 * ```ts
 * import { parseExtractArgs } from "./extract_args.ts";
 * const opts = parseExtractArgs(["--maps", "maps.nii.gz", "--out", "ts", "sub-01_bold.nii.gz"]);
 * ```
 */
export function parseExtractArgs(
  args: readonly string[],
  specs: readonly FlagSpec[] = EXTRACT_FLAGS,
): ExtractOptions | HelpRequest {
  if (args.includes("--help") || args.includes("-h")) {
    const end = args.indexOf("--");
    const at = Math.max(args.indexOf("--help"), args.indexOf("-h"));
    if (end < 0 || at < end) return { help: true };
  }
  const { values, positionals } = parseFlags(args, specs);
  if (positionals.length === 0) {
    throw new UsageError("no input images: give one or more IMG paths (.nii or .nii.gz)");
  }
  for (const img of positionals) {
    if (!/\.nii(\.gz)?$/i.test(img)) {
      throw new UsageError(`input image "${img}": expected a .nii or .nii.gz file name`);
    }
  }
  const confounds = str(values, "confounds");
  if (confounds === null) {
    for (const dep of ["confound-columns", "sample-mask-from-confounds"]) {
      if (values.has(dep)) throw new UsageError(`--${dep} needs --confounds PATTERN`);
    }
  } else if (confounds !== "auto" && !confounds.includes("{subject}") && positionals.length > 1) {
    // {dir} alone is not enough: images of one folder would share the file.
    throw new UsageError(
      `--confounds: the pattern "${confounds}" has no {subject} placeholder, so every one of ` +
        `the ${positionals.length} images would get the same confounds file`,
    );
  }
  for (const f of ["low-pass", "high-pass"]) {
    if (values.has(f) && !values.has("t-r") && values.get("filter") !== "false") {
      throw new UsageError(`--${f} needs --t-r S (the repetition time, in seconds)`);
    }
  }
  const lp = num(values, "low-pass");
  const hp = num(values, "high-pass");
  if (lp !== undefined && hp !== undefined && hp >= lp) {
    throw new UsageError(
      `--high-pass (${hp} Hz) must be below --low-pass (${lp} Hz) for a band-pass filter`,
    );
  }
  const fwhm = values.get("smoothing-fwhm");
  if (Array.isArray(fwhm) && fwhm.length !== 1 && fwhm.length !== 3) {
    throw new UsageError(
      `--smoothing-fwhm: expected one value or three (x,y,z) in mm, got ${fwhm.length} values`,
    );
  }
  const reportPath = str(values, "report");
  if (reportPath !== null && !/\.html?$/i.test(reportPath)) {
    throw new UsageError(`--report: expected an .html file name, got "${reportPath}"`);
  }
  const reportBackground = str(values, "report-background");
  if (reportBackground !== null) {
    if (reportPath === null) {
      throw new UsageError("--report-background needs --report FILE.html");
    }
    if (!/\.nii(\.gz)?$/i.test(reportBackground)) {
      throw new UsageError(
        `--report-background: expected a .nii or .nii.gz file name, got "${reportBackground}"`,
      );
    }
  }
  const shard = str(values, "shard");
  if (shard !== null && shard.trim() !== "auto") {
    try {
      parseShardSpec(shard);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const connectivity = connectivityRequest(values);
  checkConnectivityRun(connectivity, positionals.length, shard !== null);
  return {
    maps: str(values, "maps")!,
    mask: str(values, "mask"),
    labels: str(values, "labels"),
    confounds,
    confoundColumns: list(values, "confound-columns"),
    sampleMaskColumns: list(values, "sample-mask-from-confounds"),
    out: str(values, "out")!,
    imgs: positionals,
    report: reportPath,
    reportBackground,
    shard,
    skipExisting: bool(values, "skip-existing") ?? false,
    quiet: bool(values, "quiet") ?? false,
    jobs: num(values, "jobs") ?? 1,
    masker: maskerConfigFromFlags(values),
    connectivity,
    flags: values,
  };
}
