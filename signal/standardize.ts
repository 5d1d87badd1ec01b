/**
 * Standardization of the columns of a (time x features) matrix, as nilearn 0.11.1's
 * `standardize_signal` (without its detrending option).
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { centerColumnsInPlace, columnMeans } from "./detrend.ts";
import { type WarningSink, warnOnce } from "./warnings.ts";

/** How columns are standardized, as nilearn's `standardize` argument. */
export type Standardize = boolean | "zscore" | "zscore_sample" | "psc";

/** nilearn 0.11.1's deprecation message for "zscore" and `true`. */
export const ZSCORE_DEPRECATION =
  "The default strategy for standardize is currently 'zscore' which incorrectly uses " +
  "population std to calculate sample zscores. The new strategy 'zscore_sample' corrects this " +
  "behavior by using the sample std. In release 0.13, the default strategy will be replaced by " +
  "the new strategy and the 'zscore' option will be removed. Please use 'zscore_sample' instead.";

/** Throw unless `value` is a valid standardize strategy (null counts as false). */
export function checkStandardize(value: unknown, what = "standardize"): Standardize {
  if (value === null) return false;
  if (
    value === true || value === false || value === "zscore" || value === "zscore_sample" ||
    value === "psc"
  ) return value;
  throw new RangeError(
    `${what}: expected true, false, "zscore", "zscore_sample" or "psc", found ` +
      `${JSON.stringify(value)}`,
  );
}

function scaleByStd(data: Float64Array, rows: number, cols: number, ddof: number): void {
  // like numpy's std: mean of squared deviations from the (recomputed) mean
  const mean = columnMeans(data, rows, cols);
  const ss = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      ss[c] = (ss[c] as number) + ((data[o + c] as number) - (mean[c] as number)) ** 2;
    }
  }
  const std = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    const s = Math.sqrt((ss[c] as number) / (rows - ddof));
    std[c] = s < Number.EPSILON ? 1 : s;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) data[o + c] = (data[o + c] as number) / (std[c] as number);
  }
}

/**
 * Standardize columns in place.
 *
 * - "zscore_sample": centred, divided by the sample std (ddof = 1);
 * - "zscore" or `true`: centred, divided by the population std (ddof = 0; deprecated in nilearn,
 *   a warning is emitted unless `quiet`);
 * - "psc": `100 * (x - mean) / |mean|`; columns whose mean is ~0 are set to 0 (with a warning);
 * - `false`: unchanged.
 *
 * A std below machine epsilon counts as 1. A single row is left unchanged (with a warning).
 *
 * @param data row-major values, modified.
 * @param rows time points.
 * @param cols features.
 * @param mode the strategy.
 * @param onWarning warnings sink.
 * @param quiet suppress the "zscore" deprecation warning (internal confound standardization).
 */
export function standardizeInPlace(
  data: Float64Array,
  rows: number,
  cols: number,
  mode: Standardize,
  onWarning: WarningSink = warnOnce,
  quiet = false,
): void {
  if (!mode) return;
  if (rows === 1) {
    onWarning(
      "Standardization of 3D signal has been requested but would lead to zero values. Skipping.",
    );
    return;
  }
  if (mode === "zscore_sample") {
    centerColumnsInPlace(data, rows, cols);
    scaleByStd(data, rows, cols, 1);
  } else if (mode === "zscore" || mode === true) {
    if (!quiet) onWarning(ZSCORE_DEPRECATION);
    centerColumnsInPlace(data, rows, cols);
    scaleByStd(data, rows, cols, 0);
  } else {
    const mean = columnMeans(data, rows, cols);
    let invalid = false;
    const zero = new Uint8Array(cols);
    for (let c = 0; c < cols; c++) {
      if (Math.abs(mean[c] as number) < Number.EPSILON) {
        zero[c] = 1;
        invalid = true;
      }
    }
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) {
        const m = mean[c] as number;
        data[o + c] = zero[c] ? 0 : (((data[o + c] as number) - m) / Math.abs(m)) * 100;
      }
    }
    if (invalid) {
      onWarning(
        "psc standardization strategy is meaningless for features that have a mean of 0. " +
          "These time series are set to 0.",
      );
    }
  }
}

/**
 * Standardize the columns of a (time x features) matrix (nilearn's `standardize_signal`).
 *
 * @param signals (time x features) matrix.
 * @param mode "zscore_sample", "zscore", "psc", `true` (= "zscore") or `false`.
 * @param onWarning warnings sink.
 * @returns a new matrix.
 * @example
 * ```ts
 * import { standardize } from "./standardize.ts";
 * const z = standardize({ data: Float64Array.from([1, 2, 3]), shape: [3, 1] }, "zscore_sample");
 * ```
 */
export function standardize(
  signals: Matrix,
  mode: Standardize,
  onWarning: WarningSink = warnOnce,
): Matrix {
  const [rows, cols] = signals.shape;
  const data = Float64Array.from(signals.data);
  standardizeInPlace(data, rows, cols, checkStandardize(mode), onWarning);
  return { data, shape: [rows, cols] };
}
