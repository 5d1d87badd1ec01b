/**
 * The one declaration of every maps-masker parameter. Each entry gives the parameter's name,
 * nilearn's name, its default, its unit, its type check (run once at creation), where its value
 * is checked (as nilearn does), whether the per-subject extraction reads it, and the command-line
 * flags that set it. From this table come `DEFAULTS` and `resolveParams` (`config.ts`),
 * `EXTRACTION_PARAM_NAMES` (`fitted_state.ts`), the masker flags of `niimask extract` and
 * `niimask bids` and their translation into a configuration (`cli/extract_args.ts`), and the
 * field-to-flag names of command-line messages (`cli/flag_names.ts`).
 *
 * The TypeScript interface `MultiMapsMaskerConfig` (`types.ts`) keeps the per-field
 * documentation; `tests/maskers_param_table_test.ts` checks that the two list the same names.
 *
 * @module
 */
import type { FlagSpec, FlagValue } from "../cli/flags.ts";
import type { MultiMapsMaskerParams } from "./config.ts";
import type { CleanKwargs, MultiMapsMaskerConfig } from "./types.ts";
import {
  bool,
  int,
  isImgSource,
  oneOf,
  optNumber,
  optString,
  quote,
  validateClean,
} from "./param_checks.ts";
import { checkImageArg } from "./validate_call.ts";

/** Headings under which the masker flags are listed in a command's help. */
export type MaskerFlagGroup = "confounds" | "signal" | "clean" | "maps" | "run";

/** A command-line flag that sets a masker parameter (or one `clean` option). */
export interface MaskerFlag {
  /** The flag, as the command-line parser reads it; `group` is a {@link MaskerFlagGroup}. */
  readonly spec: FlagSpec & { readonly group: MaskerFlagGroup };
  /** The `clean` option this flag sets (for the `clean` parameter's flags). */
  readonly cleanKey?: keyof CleanKwargs;
  /** The parameter value of a given flag value (default: the flag value itself). */
  readonly read?: (value: FlagValue) => unknown;
  /**
   * The parameter value when the flag is absent, from the other flags given (undefined: the
   * parameter is left unset, so the masker's default applies).
   */
  readonly whenAbsent?: (values: ReadonlyMap<string, FlagValue>) => unknown;
}

/** The declaration of one masker parameter `K`. */
export interface MaskerParam<
  K extends keyof MultiMapsMaskerConfig = keyof MultiMapsMaskerConfig,
  E extends boolean = boolean,
> {
  /** Name in {@link MultiMapsMaskerConfig}. */
  readonly name: K;
  /** nilearn 0.11.1's `MultiNiftiMapsMasker` argument (or niimask's own option). */
  readonly nilearn: string;
  /** Default, or absent for a required parameter. */
  readonly default?: MultiMapsMaskerParams[K];
  /** Unit of a numeric value ("mm", "Hz", "s"). */
  readonly unit?: string;
  /**
   * The type check run when a masker is created, given the value (default filled in) and every
   * parameter (for checks that involve two). Returns the value to keep (e.g. a frozen copy).
   * Throws a TypeError or RangeError naming the parameter.
   */
  readonly check: (value: unknown, params: Readonly<Record<string, unknown>>) => unknown;
  /** Where the value (beyond its type) is checked, as nilearn checks it. */
  readonly checkedAt: string;
  /** The per-subject extraction reads it (it is then posted to workers with the fitted state). */
  readonly extraction: E;
  /** The command-line flags that set it (empty when the commands set it otherwise). */
  readonly flags: readonly MaskerFlag[];
}

/** One entry, its default and flag types checked against the parameter's. */
function param<K extends keyof MultiMapsMaskerConfig, E extends boolean>(
  p: MaskerParam<K, E>,
): MaskerParam<K, E> {
  return p;
}

/** A boolean parameter's check. */
const isBool = (name: string) => (v: unknown) => (bool(name, v), v);

const AT_CREATION = "creation (type and value)";
const AT_CLEAN = "creation (type); value by signal.clean at transform, as nilearn";

/** Every masker parameter, in the order of `MultiMapsMaskerConfig` (and of the checks). */
export const MASKER_PARAMS = [
  param({
    name: "mapsImg",
    nilearn: "maps_img",
    check: (v) => {
      if (!isImgSource(v)) {
        throw new TypeError(
          `mapsImg: expected a NIfTI path, URL, bytes or an image (x, y, z, maps), found ${
            quote(v)
          }`,
        );
      }
      checkImageArg(v, "mapsImg"); // in-memory images: typed-array data, a valid shape
      return v;
    },
    checkedAt: "creation (type); loaded and checked at fit",
    extraction: false,
    flags: [], // the commands' --maps / --atlas
  }),
  param({
    name: "maskImg",
    nilearn: "mask_img",
    default: null,
    check: (v) => {
      if (v !== null && !isImgSource(v)) {
        throw new TypeError(
          `maskImg: expected a NIfTI path, URL, bytes, a 3D image or null, found ${quote(v)}`,
        );
      }
      checkImageArg(v, "maskImg");
      return v;
    },
    checkedAt: "creation (type); loaded and checked at fit",
    extraction: false,
    flags: [], // the commands' --mask
  }),
  param({
    name: "allowOverlap",
    nilearn: "allow_overlap",
    default: true,
    check: isBool("allowOverlap"),
    checkedAt: "creation (type); overlap checked when a plan is made (transform), as nilearn",
    extraction: true,
    flags: [{
      spec: {
        name: "allow-overlap",
        kind: "boolean",
        negatable: true,
        group: "maps",
        defaultText: "on",
        help: "Allow the maps to overlap (--no-allow-overlap: overlapping maps are an error).",
      },
    }],
  }),
  param({
    name: "smoothingFwhm",
    nilearn: "smoothing_fwhm",
    default: null,
    unit: "mm",
    check: (fwhm) => {
      if (fwhm === null) return fwhm;
      // nilearn: any number (<= 0: not smoothed) or a list of them (null entries = 0); a list
      // whose length does not match the 3 spatial axes fails at transform, as in nilearn.
      const isList = Array.isArray(fwhm);
      const list: unknown[] = isList ? fwhm : [fwhm];
      const ok = (!isList || list.length > 0) &&
        list.every((f) => (typeof f === "number" && Number.isFinite(f)) || (isList && f === null));
      if (!ok) {
        throw new TypeError(
          `smoothingFwhm: expected a number (mm), a list of numbers (one per axis) or null, found ${
            quote(fwhm)
          }`,
        );
      }
      return isList ? Object.freeze([...list]) : fwhm;
    },
    checkedAt: "creation (type); list length at transform, as nilearn",
    extraction: true,
    flags: [{
      spec: {
        name: "smoothing-fwhm",
        kind: "numbers",
        metavar: "MM",
        min: 0,
        group: "signal",
        defaultText: "none",
        help: "Gaussian smoothing kernel FWHM (mm) applied to the images; one value, or three " +
          "comma-separated values for x,y,z.",
      },
      read: (v) => {
        const list = v as readonly number[];
        return list.length === 1 ? list[0] : [...list];
      },
    }],
  }),
  param({
    name: "standardize",
    nilearn: "standardize",
    default: false,
    check: (v) => {
      // nilearn treats None as False (kept as given; extraction reads it as false); other
      // strings are rejected by `clean` at transform.
      if (v !== null && typeof v !== "boolean" && typeof v !== "string") {
        throw new TypeError(
          `standardize: expected true, false, null, "zscore", "zscore_sample" or "psc", found ${
            quote(v)
          }`,
        );
      }
      return v;
    },
    checkedAt: AT_CLEAN,
    extraction: true,
    flags: [{
      spec: {
        name: "standardize",
        kind: "choice",
        metavar: "MODE",
        choices: ["false", "zscore_sample", "zscore", "psc", "true"],
        group: "signal",
        defaultText: "false",
        help: "Standardization of each time series: false (none), zscore_sample (mean 0, sample " +
          "std 1), zscore (mean 0, population std 1), psc (percent signal change), true (nilearn " +
          "0.11.1's meaning of True).",
      },
      read: (v) => v === "true" ? true : v === "false" ? false : v,
    }],
  }),
  param({
    name: "standardizeConfounds",
    nilearn: "standardize_confounds",
    default: true,
    check: isBool("standardizeConfounds"),
    checkedAt: AT_CREATION,
    extraction: true,
    flags: [{
      spec: {
        name: "standardize-confounds",
        kind: "boolean",
        negatable: true,
        group: "confounds",
        defaultText: "on",
        help: "Standardize the confounds (z-score) before regressing them out.",
      },
    }],
  }),
  param({
    name: "highVarianceConfounds",
    nilearn: "high_variance_confounds",
    default: false,
    check: isBool("highVarianceConfounds"),
    checkedAt: AT_CREATION,
    extraction: true,
    flags: [{
      spec: {
        name: "high-variance-confounds",
        kind: "boolean",
        group: "confounds",
        defaultText: "off",
        help: "Also regress out each subject's high-variance confounds (nilearn's " +
          "high_variance_confounds).",
      },
    }],
  }),
  param({
    name: "detrend",
    nilearn: "detrend",
    default: false,
    check: isBool("detrend"),
    checkedAt: AT_CREATION,
    extraction: true,
    flags: [{
      spec: {
        name: "detrend",
        kind: "boolean",
        group: "signal",
        defaultText: "off",
        help: "Remove a linear trend from each time series.",
      },
    }],
  }),
  param({
    name: "lowPass",
    nilearn: "low_pass",
    default: null,
    unit: "Hz",
    check: (v) => (optNumber("lowPass", v, "Hz"), v),
    checkedAt: AT_CLEAN + " (a Butterworth cutoff must be > 0)",
    extraction: true,
    flags: [{
      spec: {
        name: "low-pass",
        kind: "number",
        metavar: "HZ",
        min: 0,
        exclusiveMin: true,
        group: "signal",
        defaultText: "none",
        help: "Low-pass cutoff frequency (Hz). Needs --t-r.",
      },
    }],
  }),
  param({
    name: "highPass",
    nilearn: "high_pass",
    default: null,
    unit: "Hz",
    check: (v) => (optNumber("highPass", v, "Hz"), v),
    checkedAt: AT_CLEAN + " (a Butterworth cutoff must be > 0)",
    extraction: true,
    flags: [{
      spec: {
        name: "high-pass",
        kind: "number",
        metavar: "HZ",
        min: 0,
        exclusiveMin: true,
        group: "signal",
        defaultText: "none",
        help: "High-pass cutoff frequency (Hz). Needs --t-r.",
      },
    }],
  }),
  param({
    name: "tR",
    nilearn: "t_r",
    default: null,
    unit: "s",
    check: (v) => (optNumber("tR", v, "s"), v),
    checkedAt: AT_CLEAN + " (> 0)",
    extraction: true,
    flags: [{
      spec: {
        name: "t-r",
        kind: "number",
        metavar: "S",
        min: 0,
        exclusiveMin: true,
        group: "signal",
        defaultText: "none",
        help: "Repetition time (s); also gives SamplingFrequency (1/TR, Hz) in the JSON sidecar.",
      },
    }],
  }),
  param({
    name: "dtype",
    nilearn: "dtype",
    default: null,
    // The value is checked at fit (checkDtypeValue), where nilearn uses it.
    check: (v) => (optString("dtype", v, '"auto", "float32", "float64"'), v),
    checkedAt: "creation (type); value at fit (checkDtypeValue), as nilearn",
    extraction: true,
    flags: [{
      spec: {
        name: "dtype",
        kind: "choice",
        choices: ["auto", "float32", "float64"],
        group: "signal",
        defaultText: "keep the image's type",
        help: "Working data type.",
      },
    }],
  }),
  param({
    name: "resamplingTarget",
    nilearn: "resampling_target",
    default: "data",
    check: (v, p) => {
      oneOf("resamplingTarget", v, ["data", "mask", "maps", null]);
      if (v === "mask" && p.maskImg === null) {
        throw new RangeError(
          'resamplingTarget: "mask" but no mask has been provided (maskImg is null); ' +
            "set resamplingTarget to something else or provide a mask",
        );
      }
      return v;
    },
    checkedAt: "creation (type and value), as nilearn's __init__",
    extraction: true,
    flags: [{
      spec: {
        name: "resampling-target",
        kind: "choice",
        choices: ["data", "mask", "maps", "none"],
        group: "maps",
        defaultText: "data",
        help: "Grid everything is resampled to: data (each image's grid), mask, maps, or none " +
          "(no resampling; grids must already match).",
      },
      read: (v) => v === "none" ? null : v,
    }],
  }),
  param({
    name: "keepMaskedMaps",
    nilearn: "keep_masked_maps",
    default: true,
    check: isBool("keepMaskedMaps"),
    checkedAt: AT_CREATION,
    extraction: true,
    flags: [{
      spec: {
        name: "keep-masked-maps",
        kind: "boolean",
        negatable: true,
        group: "maps",
        defaultText: "on",
        help: "Keep maps emptied by the mask as all-zero time series (--no-keep-masked-maps: " +
          "drop them).",
      },
    }],
  }),
  param({
    name: "memory",
    nilearn: "memory",
    default: null,
    check: (v) => {
      if (v !== null && (typeof v !== "string" || v.length === 0)) {
        throw new TypeError(`memory: expected a cache directory path or null, found ${quote(v)}`);
      }
      return v;
    },
    checkedAt: AT_CREATION,
    extraction: false,
    flags: [{
      spec: {
        name: "cache",
        kind: "string",
        metavar: "DIR",
        group: "run",
        defaultText: "no cache",
        help: "Cache directory for fitted/resampled maps, shared between runs (nilearn's memory).",
      },
    }],
  }),
  param({
    name: "memoryLevel",
    nilearn: "memory_level",
    default: 0,
    check: (v) => (int("memoryLevel", v, 0), v),
    checkedAt: AT_CREATION,
    extraction: false,
    flags: [{
      spec: {
        name: "memory-level",
        kind: "integer",
        metavar: "N",
        min: 0,
        group: "run",
        defaultText: "0, or 1 with --cache",
        help: "Caching aggressiveness (nilearn's memory_level; 0 = cache nothing).",
      },
      // --cache alone means: cache the fitted maps.
      whenAbsent: (values) => typeof values.get("cache") === "string" ? 1 : undefined,
    }],
  }),
  param({
    name: "verbose",
    nilearn: "verbose",
    default: 0,
    check: (v) => {
      const level = typeof v === "boolean" ? (v ? 1 : 0) : v;
      int("verbose", level, 0);
      return level;
    },
    checkedAt: AT_CREATION,
    extraction: false,
    flags: [{
      spec: {
        name: "verbose",
        kind: "integer",
        metavar: "LEVEL",
        min: 0,
        optionalValue: true,
        implicit: "1",
        group: "run",
        defaultText: "0",
        help: "Masker verbosity (nilearn's verbose); bare --verbose means 1.",
      },
    }],
  }),
  param({
    name: "reports",
    nilearn: "reports",
    default: true,
    check: isBool("reports"),
    checkedAt: AT_CREATION,
    extraction: false,
    flags: [{
      spec: {
        name: "report",
        kind: "string",
        metavar: "FILE.html",
        group: "run",
        defaultText: "no report",
        help: "Write a self-contained HTML report to FILE: the maps (named by --labels) over the " +
          "mean of the first run extracted (sorted order), that run's time series and spectra, " +
          "its connectivity heatmaps (--connectivity), the parameters and warnings.",
      },
      // The command writes a report only when asked: the masker keeps report data only then.
      read: (v) => typeof v === "string",
      whenAbsent: () => false,
    }],
  }),
  param({
    name: "nJobs",
    nilearn: "n_jobs",
    default: 1,
    check: (v) => {
      int("nJobs", v, -Infinity);
      if (v === 0) throw new RangeError("nJobs: expected a non-zero integer (-1 = all cores)");
      return v;
    },
    checkedAt: AT_CREATION,
    extraction: false,
    flags: [{
      spec: {
        name: "jobs",
        kind: "integer",
        metavar: "N",
        min: 1,
        special: [-1],
        group: "run",
        defaultText: "1",
        help: "Subjects processed in parallel (-1 = one per CPU core).",
      },
    }],
  }),
  param({
    name: "clean",
    nilearn: "clean__*",
    default: Object.freeze({}) as CleanKwargs,
    check: (v) => validateClean(v),
    checkedAt: "creation (names and types); values by signal.clean at transform, as nilearn",
    extraction: true,
    flags: [
      {
        spec: {
          name: "filter",
          kind: "choice",
          choices: ["butterworth", "cosine", "false"],
          group: "clean",
          defaultText: "butterworth",
          help: "Filter used for --low-pass/--high-pass: butterworth, cosine (drift regressors, " +
            "high-pass only) or false (no filtering).",
        },
        cleanKey: "filter",
        read: (v) => v === "false" ? false : v,
      },
      {
        spec: {
          name: "extrapolate",
          kind: "boolean",
          negatable: true,
          group: "clean",
          defaultText: "on",
          help: "Interpolate censored volumes at the start/end of the series too before " +
            "filtering (--no-extrapolate: only between kept volumes).",
        },
        cleanKey: "extrapolate",
      },
      {
        spec: {
          name: "ensure-finite",
          kind: "boolean",
          group: "clean",
          defaultText: "off",
          help: "Replace NaN and infinite values by 0 before cleaning.",
        },
        cleanKey: "ensureFinite",
      },
      {
        spec: {
          name: "butterworth-order",
          kind: "integer",
          metavar: "N",
          min: 1,
          group: "clean",
          defaultText: "5",
          help: "Order of the Butterworth filter.",
        },
        cleanKey: "butterworthOrder",
      },
      {
        spec: {
          name: "butterworth-padtype",
          kind: "choice",
          choices: ["odd", "even", "constant"],
          group: "clean",
          defaultText: "odd",
          help: "Padding type of the zero-phase forward-backward Butterworth filter.",
        },
        cleanKey: "butterworthPadtype",
      },
      {
        spec: {
          name: "butterworth-padlen",
          kind: "integer",
          metavar: "N",
          min: 0,
          group: "clean",
          defaultText: "scipy's default, 3 x filter length",
          help: "Padding length (volumes) of the forward-backward Butterworth filter.",
        },
        cleanKey: "butterworthPadlen",
      },
    ],
  }),
  param({
    name: "output",
    nilearn: "set_output",
    default: "matrix",
    check: (v) => (oneOf("output", v, ["matrix", "table"]), v),
    checkedAt: AT_CREATION,
    extraction: false,
    flags: [], // the commands write tables
  }),
  param({
    name: "labels",
    nilearn: "(set_output column names)",
    default: null,
    check: (v) => {
      if (v === null) return v;
      if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) {
        throw new TypeError(`labels: expected a list of strings (one per map) or null`);
      }
      return Object.freeze([...v]);
    },
    checkedAt: AT_CREATION,
    extraction: false,
    flags: [], // the commands' --labels names a file
  }),
] as const;

/** Names of the parameters the per-subject extraction reads. */
export type ExtractionParamName = Extract<
  typeof MASKER_PARAMS[number],
  { readonly extraction: true }
>["name"];
