/**
 * Validation of {@link CleanOptions} and the mapping from nilearn's keyword names (`t_r`,
 * `butterworth__order`, ... as the masker's `clean__*` arguments carry them) to niimask's.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import type { PadType } from "./filtfilt.ts";
import type { SampleMask } from "./sample_mask.ts";
import { checkStandardize, type Standardize } from "./standardize.ts";
import { type WarningSink, warnOnce } from "./warnings.ts";

/** Options of `clean`: nilearn 0.11.1's `signal.clean` keyword arguments in camelCase. */
export interface CleanOptions {
  /** Run label per time point (length = rows); each run is cleaned separately. */
  runs?: ArrayLike<number> | null;
  /** Remove the mean and a linear trend per column. Default true (nilearn's default). */
  detrend?: boolean;
  /**
   * Standardization of the output: "zscore_sample" (sample std), "zscore" or `true`
   * (population std; deprecated in nilearn, a warning is emitted), "psc", `false` or null.
   * Default "zscore" (nilearn 0.11.1's default; the masker passes its own, default false).
   */
  standardize?: Standardize | null;
  /** Z-score the confounds before regression (else scale them by max |value|). Default true. */
  standardizeConfounds?: boolean;
  /** Confounds: one matrix (time x k) or several, stacked side by side. */
  confounds?: Matrix | readonly Matrix[] | null;
  /**
   * Kept volumes: 0-based strictly ascending indices, or a boolean mask (true = kept) with one
   * entry per time point. With `runs`: one such mask per run (run-local indices), in the order
   * of the sorted run labels.
   */
  sampleMask?: SampleMask | readonly SampleMask[] | null;
  /** "butterworth" (default), "cosine" or false/null (no filtering). */
  filter?: "butterworth" | "cosine" | false | null;
  /** Low-pass cutoff (Hz); not used by the cosine filter. */
  lowPass?: number | null;
  /** High-pass cutoff (Hz). */
  highPass?: number | null;
  /**
   * Repetition time (s). Default 2.5 when absent (nilearn's default); null means unknown, which
   * is an error when a Butterworth or cosine filter is requested (the masker passes null when
   * its `t_r` is unset).
   */
  tR?: number | null;
  /** Replace NaN/Inf in the signals by 0 before cleaning. Default false. */
  ensureFinite?: boolean;
  /**
   * With a sample mask and Butterworth filtering: extrapolate the censored volumes at both ends
   * (true, default) or discard them from the filtering (false).
   */
  extrapolate?: boolean;
  /** Butterworth filter order (`butterworth__order`). Default 5. */
  butterworthOrder?: number;
  /** Padding of the forward-backward filter (`butterworth__padtype`): "odd" (default), "even", "constant", null (none). */
  butterworthPadtype?: PadType;
  /** Padding length in samples (`butterworth__padlen`); null/absent: scipy's default. */
  butterworthPadlen?: number | null;
  /** Receives nilearn's warnings (Nyquist, deprecations, psc of zero mean...). Default: console.warn once per message. */
  onWarning?: WarningSink;
}

/** nilearn keyword name → niimask option name: every option of `signal.clean`, in its order. */
const NILEARN_NAMES: Readonly<Record<string, keyof CleanOptions>> = {
  runs: "runs",
  detrend: "detrend",
  standardize: "standardize",
  standardize_confounds: "standardizeConfounds",
  confounds: "confounds",
  sample_mask: "sampleMask",
  filter: "filter",
  low_pass: "lowPass",
  high_pass: "highPass",
  t_r: "tR",
  ensure_finite: "ensureFinite",
  extrapolate: "extrapolate",
  butterworth__order: "butterworthOrder",
  butterworth__padtype: "butterworthPadtype",
  butterworth__padlen: "butterworthPadlen",
};

/** Every option name {@link CleanOptions} accepts: nilearn's, then `onWarning`. */
export const CLEAN_OPTION_NAMES: readonly string[] = [...Object.values(NILEARN_NAMES), "onWarning"];

/**
 * Map nilearn keyword arguments of `signal.clean` (snake_case, e.g. the masker's `clean__*`
 * arguments without their prefix) to {@link CleanOptions}. camelCase names pass through.
 *
 * @param kwargs e.g. `{ butterworth__order: 3, extrapolate: false }`.
 * @param what name used in error messages.
 * @returns the options.
 * @throws TypeError naming the unknown keys.
 * @example
 * ```ts
 * import { cleanOptionsFromKwargs } from "./options.ts";
 * cleanOptionsFromKwargs({ butterworth__padtype: "even", t_r: 2 }); // { butterworthPadtype: "even", tR: 2 }
 * ```
 */
export function cleanOptionsFromKwargs(
  kwargs: Readonly<Record<string, unknown>>,
  what = "clean",
): CleanOptions {
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(kwargs)) {
    const name = NILEARN_NAMES[key] ?? (CLEAN_OPTION_NAMES.includes(key) ? key : undefined);
    if (name === undefined) unknown.push(key);
    else out[name] = value;
  }
  if (unknown.length > 0) {
    throw new TypeError(
      `${what}: unknown argument(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}; ` +
        `known: ${Object.keys(NILEARN_NAMES).join(", ")}`,
    );
  }
  return out as CleanOptions;
}

/** Filter actually applied. */
export type FilterType = "butterworth" | "cosine" | false;

/** Validated options with defaults applied. */
export interface ResolvedOptions {
  readonly detrend: boolean;
  readonly standardize: Standardize;
  readonly standardizeConfounds: boolean;
  readonly filter: FilterType;
  readonly lowPass: number | null;
  readonly highPass: number | null;
  readonly tR: number;
  readonly ensureFinite: boolean;
  readonly extrapolate: boolean;
  readonly order: number;
  readonly padtype: PadType;
  readonly padlen: number | null;
  readonly onWarning: WarningSink;
}

function bool(value: unknown, name: string, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (typeof value !== "boolean") {
    throw new TypeError(`${name}: expected true or false, found ${JSON.stringify(value)}`);
  }
  return value;
}

function cutoff(value: unknown, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(
      `${name}: expected a frequency in Hz (finite number) or null, found ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Check the options of `clean` (unknown keys, types, filter parameters as nilearn's
 * `_check_filter_parameters`) and apply the defaults.
 *
 * @param options the user's options.
 * @returns validated options.
 */
export function resolveOptions(options: CleanOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`clean options: expected an object, found ${String(options)}`);
  }
  const unknown = Object.keys(options).filter((k) => !CLEAN_OPTION_NAMES.includes(k));
  if (unknown.length > 0) {
    throw new TypeError(
      `clean: unknown option(s) ${unknown.map((k) => JSON.stringify(k)).join(", ")}; known ` +
        `options: ${CLEAN_OPTION_NAMES.join(", ")}`,
    );
  }
  const onWarning = options.onWarning ?? warnOnce;
  if (typeof onWarning !== "function") throw new TypeError("onWarning: expected a function");
  const detrend = bool(options.detrend, "detrend", true);
  const standardize = options.standardize === undefined
    ? "zscore"
    : checkStandardize(options.standardize);
  const standardizeConfounds = bool(options.standardizeConfounds, "standardizeConfounds", true);
  const ensureFinite = bool(options.ensureFinite, "ensureFinite", false);
  const extrapolate = bool(options.extrapolate, "extrapolate", true);
  const lowPass = cutoff(options.lowPass, "lowPass");
  const highPass = cutoff(options.highPass, "highPass");
  const rawTR = options.tR === undefined ? 2.5 : options.tR;
  if (rawTR !== null && (typeof rawTR !== "number" || !Number.isFinite(rawTR))) {
    throw new TypeError(
      `tR: expected a repetition time in seconds, found ${JSON.stringify(rawTR)}`,
    );
  }
  // As nilearn, a tR nothing uses is not checked further; a filter needs a positive one.
  const needPositiveTR = () => {
    if (rawTR !== null && !(rawTR > 0)) {
      throw new RangeError(
        `tR: filtering needs a positive repetition time in seconds, found ${JSON.stringify(rawTR)}`,
      );
    }
  };
  const order = options.butterworthOrder ?? 5;
  if (!Number.isInteger(order) || order < 1) {
    throw new RangeError(
      `butterworthOrder: expected a positive integer, found ${JSON.stringify(order)}`,
    );
  }
  const padtype = options.butterworthPadtype === undefined ? "odd" : options.butterworthPadtype;
  if (padtype !== null && padtype !== "odd" && padtype !== "even" && padtype !== "constant") {
    throw new RangeError(
      `butterworthPadtype: expected "odd", "even", "constant" or null, found ${
        JSON.stringify(padtype)
      }`,
    );
  }
  const padlen = options.butterworthPadlen ?? null;
  if (padlen !== null && (!Number.isInteger(padlen) || padlen < 0)) {
    throw new RangeError(
      `butterworthPadlen: expected a non-negative integer or null, found ${JSON.stringify(padlen)}`,
    );
  }
  let filter: FilterType;
  const f = options.filter === undefined ? "butterworth" : options.filter;
  if (f === false || f === null) {
    if (lowPass !== null || highPass !== null) {
      onWarning(
        "No filter type selected but cutoff frequency provided.Will not perform filtering.",
      );
    }
    filter = false;
  } else if (f === "cosine") {
    if (rawTR === null || highPass === null) {
      throw new RangeError(
        "Repetition time (t_r) and low cutoff frequency (high_pass) must be specified for " +
          `cosine filtering.t_r='${rawTR === null ? "None" : rawTR}', high_pass='${
            highPass === null ? "None" : highPass
          }'`,
      );
    }
    needPositiveTR();
    filter = "cosine";
  } else if (f === "butterworth") {
    if (lowPass === null && highPass === null) filter = false;
    else {
      if (rawTR === null) {
        throw new RangeError(
          "Repetition time (t_r) must be specified for butterworth filtering (tR is null; " +
            `lowPass=${lowPass}, highPass=${highPass})`,
        );
      }
      if (lowPass !== null && highPass !== null && highPass >= lowPass) {
        throw new RangeError(
          `High pass cutoff frequency (${highPass}) is greater than or equal to low pass filter ` +
            `frequency (${lowPass}). This case is not handled by this function.`,
        );
      }
      needPositiveTR();
      filter = "butterworth";
    }
  } else {
    throw new RangeError(
      `filter: unknown filter method ${JSON.stringify(f)} (expected "butterworth", ` +
        `"cosine" or false)`,
    );
  }
  return {
    detrend,
    standardize,
    standardizeConfounds,
    filter,
    lowPass,
    highPass,
    tR: rawTR ?? NaN,
    ensureFinite,
    extrapolate,
    order,
    padtype,
    padlen,
    onWarning,
  };
}
