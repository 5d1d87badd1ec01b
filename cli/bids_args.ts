/**
 * The flags of `niimask bids` (BIDS-App form: `FMRIPREP_DIR OUTPUT_DIR participant`), its help
 * text, and the pure translation of a command line into {@link BidsOptions}. The masker and
 * execution flags are those of `niimask extract` (same table, same meaning).
 *
 * @module
 */
import type { MultiMapsMaskerConfig } from "../maskers/types.ts";
import { type FlagSpec, type FlagValue, formatFlagHelp, parseFlags } from "./flags.ts";
import { UsageError } from "./errors.ts";
import { EXTRACT_FLAGS, maskerConfigFromFlags } from "./extract_args.ts";
import { parseShardSpec } from "./shard.ts";
import type { RunFilters } from "./bids_discover.ts";
import { type ConnectivityRequest, connectivityRequest } from "./connectivity_args.ts";
import { checkBidsTangentShard } from "./bids_connectivity_checks.ts";

const INPUTS = "Inputs";
const DENOISE = "Denoising (nilearn load_confounds_strategy)";
const FILTERS = "Run selection";

/** The denoising strategies of nilearn's `load_confounds_strategy`. */
export const DENOISE_STRATEGIES = ["simple", "scrubbing", "compcor", "ica_aroma"] as const;

/** A denoising strategy. */
export type DenoiseStrategy = typeof DENOISE_STRATEGIES[number];

const LEVELS = ["basic", "power2", "derivatives", "full"];

/**
 * The strategy flags, the option each sets (camelCase, as `loadConfoundsStrategy` takes them) and
 * the strategies that accept it (nilearn 0.11.1's presets; `global-signal` and `demean` apply to
 * all).
 */
export const STRATEGY_PARAMETERS: readonly {
  readonly flag: string;
  readonly option: string;
  readonly strategies: readonly DenoiseStrategy[];
}[] = [
  { flag: "motion", option: "motion", strategies: ["simple", "scrubbing", "compcor"] },
  { flag: "wm-csf", option: "wmCsf", strategies: ["simple", "scrubbing", "ica_aroma"] },
  { flag: "global-signal", option: "globalSignal", strategies: [...DENOISE_STRATEGIES] },
  { flag: "compcor", option: "compcor", strategies: ["compcor"] },
  { flag: "n-compcor", option: "nCompcor", strategies: ["compcor"] },
  { flag: "scrub", option: "scrub", strategies: ["scrubbing"] },
  { flag: "fd-threshold", option: "fdThreshold", strategies: ["scrubbing"] },
  { flag: "std-dvars-threshold", option: "stdDvarsThreshold", strategies: ["scrubbing"] },
  { flag: "demean", option: "demean", strategies: [...DENOISE_STRATEGIES] },
];

/** Extract flags that `bids` replaces (inputs, confounds selection) or does not offer. */
const NOT_INHERITED = new Set([
  "maps",
  "out",
  "confounds",
  "confound-columns",
  "sample-mask-from-confounds",
  "report",
  "report-background",
  "help",
]);

/** Help overrides of inherited flags whose meaning differs under `bids`. */
const HELP_OVERRIDES: ReadonlyMap<string, Partial<FlagSpec>> = new Map([
  ["t-r", {
    defaultText: "each run's RepetitionTime (JSON sidecar), else its header's time step",
    help: "Repetition time (s) of every run, instead of each run's own.",
  }],
  ["low-pass", { help: "Low-pass cutoff frequency (Hz); needs each run's repetition time." }],
  ["high-pass", {
    help: "High-pass cutoff frequency (Hz) of the masker, on top of the strategy's cosine " +
      "regressors; needs each run's repetition time.",
  }],
  ["labels", {
    metavar: "FILE",
    help: "Map names for the TSV header: a TSV with a 'name' or 'label' column (a BIDS " +
      "dseg.tsv: index, name), an FSL atlas .xml, or one name per line.",
  }],
  ["skip-existing", {
    help: "Skip runs whose outputs exist and whose sidecar records the same atlas checksum and " +
      "parameters (others are recomputed, saying why).",
  }],
]);

/** Every flag of `niimask bids`, in help order. */
export const BIDS_FLAGS: readonly FlagSpec[] = [
  {
    name: "atlas",
    kind: "string",
    metavar: "MAPS",
    required: true,
    group: INPUTS,
    help: "The brain maps: a 4D NIfTI (x, y, z, map), or a comma-separated list or glob of 3D " +
      "maps (one map each, in sorted order).",
  },
  {
    name: "atlas-name",
    kind: "string",
    metavar: "NAME",
    required: true,
    group: INPUTS,
    help: "Atlas label in the output names (atlas-NAME); letters and digits only.",
  },
  {
    name: "denoise-strategy",
    kind: "choice",
    choices: [...DENOISE_STRATEGIES],
    group: DENOISE,
    defaultText: "simple",
    help: "nilearn's load_confounds_strategy preset: simple (motion, wm_csf, high_pass), " +
      "scrubbing (+ censoring of high-motion volumes), compcor (motion + CompCor), ica_aroma " +
      "(fMRIPrep's ICA-AROMA-denoised runs, *_desc-smoothAROMAnonaggr_bold.nii.gz, + wm_csf, " +
      "high_pass). Outputs are named desc-<strategy> (desc-icaaroma for ica_aroma).",
  },
  {
    name: "motion",
    kind: "choice",
    choices: LEVELS,
    group: DENOISE,
    defaultText: "the strategy's (full)",
    help: "Motion parameters: basic (6), power2, derivatives, full (24). simple, scrubbing, " +
      "compcor.",
  },
  {
    name: "wm-csf",
    kind: "choice",
    choices: LEVELS,
    group: DENOISE,
    defaultText: "the strategy's",
    help: "White-matter and CSF signals. simple, scrubbing, ica_aroma.",
  },
  {
    name: "global-signal",
    kind: "choice",
    choices: LEVELS,
    group: DENOISE,
    defaultText: "none",
    help: "Add the global signal at this level. Every strategy.",
  },
  {
    name: "compcor",
    kind: "choice",
    choices: ["anat_combined", "anat_separated", "temporal", "temporal_anat"],
    group: DENOISE,
    defaultText: "anat_combined",
    help: "CompCor components. compcor only.",
  },
  {
    name: "n-compcor",
    kind: "string",
    metavar: "N|all",
    group: DENOISE,
    defaultText: "all",
    help: "Number of CompCor components (a positive integer) or all. compcor only.",
  },
  {
    name: "scrub",
    kind: "integer",
    metavar: "N",
    min: 0,
    group: DENOISE,
    defaultText: "5",
    help: "Also censor kept segments shorter than N volumes. scrubbing only.",
  },
  {
    name: "fd-threshold",
    kind: "number",
    metavar: "MM",
    min: 0,
    group: DENOISE,
    defaultText: "the strategy's",
    help: "Framewise displacement (mm) above which a volume is censored. scrubbing only.",
  },
  {
    name: "std-dvars-threshold",
    kind: "number",
    metavar: "X",
    min: 0,
    group: DENOISE,
    defaultText: "the strategy's",
    help: "Standardized DVARS above which a volume is censored. scrubbing only.",
  },
  {
    name: "demean",
    kind: "boolean",
    negatable: true,
    group: DENOISE,
    defaultText: "on",
    help: "Demean the confounds (--no-demean: keep them as in the file).",
  },
  {
    name: "participant-label",
    kind: "list",
    metavar: "L [L ...]",
    group: FILTERS,
    defaultText: "every participant",
    help: "Participants to process (with or without sub-), space- or comma-separated; put it " +
      "after FMRIPREP_DIR OUTPUT_DIR participant (it takes the label-like words that follow).",
  },
  {
    name: "session",
    kind: "list",
    metavar: "S [S ...]",
    group: FILTERS,
    defaultText: "every session",
    help: "Sessions to process (with or without ses-).",
  },
  {
    name: "task",
    kind: "string",
    metavar: "T",
    group: FILTERS,
    defaultText: "every task",
    help: "Task label.",
  },
  {
    name: "run",
    kind: "string",
    metavar: "R",
    group: FILTERS,
    defaultText: "every run",
    help: "Run index (1 matches run-01).",
  },
  {
    name: "space",
    kind: "string",
    metavar: "SPACE",
    group: FILTERS,
    defaultText: "every space",
    help: "Output space of the runs, e.g. MNI152NLin2009cAsym (the atlas must be in it).",
  },
  ...EXTRACT_FLAGS.filter((s) => !NOT_INHERITED.has(s.name)).map((s) => ({
    ...s,
    ...(HELP_OVERRIDES.get(s.name) ?? {}),
  })),
  {
    name: "report",
    kind: "boolean",
    group: "Report",
    defaultText: "off",
    help: "Also write one self-contained HTML report per participant, OUTPUT_DIR/sub-L.html (as " +
      "fMRIPrep does): for each of its runs, the maps (named by --labels) over the run's mean " +
      "image, its time series and spectra, and its connectivity heatmaps (--connectivity).",
  },
  { name: "help", kind: "boolean", help: "Show this help and exit." },
];

/** Everything `niimask bids` needs, validated. */
export interface BidsOptions {
  /** The fMRIPrep derivatives folder. */
  readonly fmriprepDir: string;
  /** The output folder (a BIDS derivatives dataset). */
  readonly outputDir: string;
  /** The maps as given to `--atlas` (a path, a comma-separated list or a glob). */
  readonly atlas: string;
  /** The atlas label. */
  readonly atlasName: string;
  /** Mask image path, or null. */
  readonly mask: string | null;
  /** Labels file path, or null. */
  readonly labels: string | null;
  /** The denoising strategy. */
  readonly strategy: DenoiseStrategy;
  /** The strategy parameters given on the command line (camelCase). */
  readonly strategyParams: Readonly<Record<string, string | number | boolean>>;
  /** Run filters. */
  readonly filters: RunFilters;
  /** `--t-r` (s), or undefined (each run's own). */
  readonly tR: number | undefined;
  /** Shard `I/N` or `auto`, or null for all. */
  readonly shard: string | null;
  /** Skip runs whose outputs exist with the same maps and parameters. */
  readonly skipExisting: boolean;
  /** No progress output. */
  readonly quiet: boolean;
  /** Parallel runs. */
  readonly jobs: number;
  /** Masker parameters set on the command line (without `tR`, set per run). */
  readonly masker: Omit<MultiMapsMaskerConfig, "mapsImg" | "maskImg">;
  /** Connectivity matrices to write (`--connectivity`, `--cov-estimator`), or null. */
  readonly connectivity: ConnectivityRequest | null;
  /** Write `OUTPUT_DIR/sub-L.html` per participant (`--report`). */
  readonly report?: boolean;
  /** Every flag given, by long name. */
  readonly flags: ReadonlyMap<string, FlagValue>;
}

const MULTI = new Map([
  ["--participant-label", "--participant-label"],
  ["--participant_label", "--participant-label"],
  ["--session", "--session"],
  ["--session-label", "--session"],
  ["--session_label", "--session"],
]);

/**
 * Rewrite BIDS-App multi-value flags (`--participant-label 01 02`, also spelled
 * `--participant_label`) into one comma-separated value each, merging repeats. The values taken
 * are the following arguments that look like labels (letters and digits, optionally prefixed
 * `sub-`/`ses-`), other than the analysis level.
 *
 * @param args the arguments.
 * @returns the rewritten arguments.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gatherMultiValueFlags } from "./bids_args.ts";
 * assert.deepEqual(
 *   gatherMultiValueFlags(["in", "out", "participant", "--participant_label", "01", "02"]),
 *   ["in", "out", "participant", "--participant-label=01,02"],
 * );
 * ```
 */
export function gatherMultiValueFlags(args: readonly string[]): string[] {
  const out: string[] = [];
  const values = new Map<string, string[]>();
  const at = new Map<string, number>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    const eq = a.indexOf("=");
    const name = MULTI.get(eq < 0 ? a : a.slice(0, eq));
    if (name === undefined) {
      out.push(a);
      continue;
    }
    if (!at.has(name)) {
      at.set(name, out.length);
      out.push(name);
      values.set(name, []);
    }
    const list = values.get(name)!;
    if (eq >= 0) list.push(...a.slice(eq + 1).split(","));
    else {
      while (i + 1 < args.length) {
        const next = args[i + 1]!;
        if (!/^[A-Za-z0-9,+-]+$/.test(next) || next.startsWith("-")) break;
        if (next === "participant" || next === "group") break;
        list.push(...next.split(","));
        i++;
      }
    }
  }
  for (const [name, idx] of at) out[idx] = `${name}=${values.get(name)!.join(",")}`;
  return out;
}

function str(v: ReadonlyMap<string, FlagValue>, name: string): string | undefined {
  const x = v.get(name);
  return typeof x === "string" ? x : undefined;
}

/**
 * Parse the arguments of `niimask bids` (after the word `bids`).
 *
 * @param args command-line arguments.
 * @returns the options, or `{ help: true }` when `--help` is given.
 * @throws UsageError for unknown flags, bad values, a strategy parameter the strategy does not
 *   take, a missing or extra positional argument, or an analysis level other than participant.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBidsArgs } from "./bids_args.ts";
 * const o = parseBidsArgs(["fmriprep", "out", "participant", "--atlas", "m.nii.gz",
 *   "--atlas-name", "difumo", "--participant-label", "01", "02"]);
 * assert.ok(!("help" in o) && o.filters.participantLabels?.length === 2);
 * ```
 */
export function parseBidsArgs(args: readonly string[]): BidsOptions | { readonly help: true } {
  const end = args.indexOf("--");
  const head = end < 0 ? args : args.slice(0, end);
  if (head.includes("--help") || head.includes("-h")) return { help: true };
  const { values, positionals } = parseFlags(gatherMultiValueFlags(args), BIDS_FLAGS);
  if (positionals.length !== 3) {
    throw new UsageError(
      `expected three arguments, FMRIPREP_DIR OUTPUT_DIR participant; got ${positionals.length}` +
        (positionals.length > 0 ? ` (${positionals.map((p) => `"${p}"`).join(" ")})` : ""),
    );
  }
  const [fmriprepDir, outputDir, level] = positionals as [string, string, string];
  if (level !== "participant") {
    throw new UsageError(
      `analysis level "${level}": only "participant" is supported (one output per run)`,
    );
  }
  const atlasName = str(values, "atlas-name")!;
  if (!/^[A-Za-z0-9]+$/.test(atlasName)) {
    throw new UsageError(
      `--atlas-name: expected letters and digits only (a BIDS label), got "${atlasName}"`,
    );
  }
  const strategy = (str(values, "denoise-strategy") ?? "simple") as DenoiseStrategy;
  const strategyParams: Record<string, string | number | boolean> = {};
  for (const p of STRATEGY_PARAMETERS) {
    const v = values.get(p.flag);
    if (v === undefined) continue;
    if (!p.strategies.includes(strategy)) {
      throw new UsageError(
        `--${p.flag} does not apply to --denoise-strategy ${strategy} (it applies to ${
          p.strategies.join(", ")
        })`,
      );
    }
    if (p.flag === "n-compcor") {
      const t = String(v);
      if (t !== "all" && !/^[1-9][0-9]*$/.test(t)) {
        throw new UsageError(`--n-compcor: expected a positive integer or all, got "${t}"`);
      }
      strategyParams[p.option] = t === "all" ? "all" : Number(t);
    } else {
      strategyParams[p.option] = v as string | number | boolean;
    }
  }
  const fwhm = values.get("smoothing-fwhm");
  if (Array.isArray(fwhm) && fwhm.length !== 1 && fwhm.length !== 3) {
    throw new UsageError(
      `--smoothing-fwhm: expected one value or three (x,y,z) in mm, got ${fwhm.length} values`,
    );
  }
  const lp = values.get("low-pass");
  const hp = values.get("high-pass");
  if (typeof lp === "number" && typeof hp === "number" && hp >= lp) {
    throw new UsageError(
      `--high-pass (${hp} Hz) must be below --low-pass (${lp} Hz) for a band-pass filter`,
    );
  }
  const shard = str(values, "shard") ?? null;
  if (shard !== null && shard.trim() !== "auto") {
    try {
      parseShardSpec(shard);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const list = (name: string) => {
    const x = values.get(name);
    return Array.isArray(x) ? x.map(String) : undefined;
  };
  const filters: RunFilters = {
    ...(list("participant-label") ? { participantLabels: list("participant-label") } : {}),
    ...(list("session") ? { sessions: list("session") } : {}),
    ...(str(values, "task") !== undefined ? { task: str(values, "task") } : {}),
    ...(str(values, "run") !== undefined ? { run: str(values, "run") } : {}),
    ...(str(values, "space") !== undefined ? { space: str(values, "space") } : {}),
  };
  const { tR: _tR, ...masker } = maskerConfigFromFlags(values);
  // Tangent with one run is checked once the runs are found (discovery, filters, shard).
  const report = values.get("report") === true;
  const tR = values.get("t-r");
  const jobs = values.get("jobs");
  const connectivity = connectivityRequest(values);
  checkBidsTangentShard(connectivity, shard !== null, { outputDir, atlasName, strategy });
  return {
    fmriprepDir,
    outputDir,
    atlas: str(values, "atlas")!,
    atlasName,
    mask: str(values, "mask") ?? null,
    labels: str(values, "labels") ?? null,
    strategy,
    strategyParams,
    filters,
    tR: typeof tR === "number" ? tR : undefined,
    shard,
    skipExisting: values.get("skip-existing") === true,
    quiet: values.get("quiet") === true,
    jobs: typeof jobs === "number" ? jobs : 1,
    masker: { ...masker, reports: report },
    connectivity,
    report,
    flags: values,
  };
}

/**
 * The help of `niimask bids`.
 *
 * @returns the text (newline-terminated).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bidsHelp } from "./bids_args.ts";
 * assert.ok(bidsHelp().includes("--denoise-strategy"));
 * ```
 */
export function bidsHelp(): string {
  return [
    "Usage: niimask bids FMRIPREP_DIR OUTPUT_DIR participant --atlas MAPS --atlas-name NAME",
    "         [--denoise-strategy simple|scrubbing|compcor|ica_aroma] [flags]",
    "",
    "A BIDS App: for every preprocessed run of an fMRIPrep folder",
    "(sub-*/[ses-*/]func/*_desc-preproc_bold.nii.gz, narrowed by the run-selection flags),",
    "load its confounds as nilearn's load_confounds_strategy(run, denoise_strategy=...) does",
    "(the confounds file next to it: *_desc-confounds_timeseries.tsv, or *_desc-confounds_",
    "regressors.tsv of fMRIPrep < 20.2) and extract one time series per map, as",
    "MultiNiftiMapsMasker(...).fit().transform(run, confounds=..., sample_mask=...). The",
    "repetition time of a run is --t-r, else RepetitionTime of its JSON sidecar, else its",
    "header's time step. Runs are independent: one that fails is reported, the others complete.",
    "",
    formatFlagHelp(BIDS_FLAGS),
    "",
    "OUTPUTS (a BIDS derivatives dataset):",
    "  OUTPUT_DIR/dataset_description.json  (DatasetType derivative, GeneratedBy niimask)",
    "  OUTPUT_DIR/sub-L/[ses-S/]func/<entities>_atlas-NAME_desc-STRATEGY_timeseries.tsv",
    "      one column per map, one row per kept volume; <entities> are the run's (sub, ses,",
    "      task, acq, run, space, res, ...) without its desc.",
    "  ..._timeseries.json  sidecar: the confounds file, its columns, the censored volumes, the",
    "      strategy and its parameters, the atlas file(s) and SHA-256, the masker parameters.",
    "  ..._timeseries.failed.json  written when the run fails (see niimask status).",
    "  ..._meas-<Correlation|PartialCorrelation|Covariance|Precision|Tangent>_relmat.tsv (+ .json)",
    "      with --connectivity: one matrix per kind next to the time series; with tangent also",
    "      OUTPUT_DIR/atlas-NAME_desc-STRATEGY_meas-Tangent_stat-mean_relmat.tsv, the group mean",
    "      of every run of the command (sharded batches: niimask group OUTPUT_DIR --connectivity",
    "      tangent --atlas-name NAME --denoise-strategy STRATEGY once every shard has finished).",
    "  OUTPUT_DIR/sub-L.html  with --report: one self-contained page per participant.",
    "",
    "EXIT STATUS: 0 every run succeeded (or was skipped); 1 some runs failed; 2 bad command",
    "  line or setup error (atlas, labels, no run matching the filters); 130 interrupted.",
    "",
    "EXAMPLE:",
    "  niimask bids derivatives/fmriprep derivatives/niimask participant \\",
    "    --atlas difumo64.nii.gz --atlas-name DiFuMo64 --labels difumo64_labels.tsv \\",
    "    --denoise-strategy scrubbing --fd-threshold 0.5 --standardize zscore_sample \\",
    "    --participant-label 01 02 --task rest --space MNI152NLin2009cAsym --jobs 2",
    "",
  ].join("\n");
}
