/**
 * Linear detrending of the columns of a (time x features) matrix, as nilearn's `_detrend`: the
 * column mean is removed, then the projection on the centred, unit-norm time ramp.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { type WarningSink, warnOnce } from "./warnings.ts";

/** Per-column means of a row-major matrix. */
export function columnMeans(data: Float64Array, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) mean[c] = (mean[c] as number) + (data[o + c] as number);
  }
  for (let c = 0; c < cols; c++) mean[c] = (mean[c] as number) / rows;
  return mean;
}

/** Subtract each column's mean, in place. */
export function centerColumnsInPlace(data: Float64Array, rows: number, cols: number): void {
  const mean = columnMeans(data, rows, cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) data[o + c] = (data[o + c] as number) - (mean[c] as number);
  }
}

/** The centred time ramp 0..n-1, scaled to unit norm (left unscaled when its norm is ~0). */
export function unitRamp(n: number): Float64Array {
  const r = new Float64Array(n);
  const mid = (n - 1) / 2;
  let ss = 0;
  for (let t = 0; t < n; t++) {
    r[t] = t - mid;
    ss += (r[t] as number) ** 2;
  }
  const norm = Math.sqrt(ss);
  if (!(norm < Number.EPSILON)) { for (let t = 0; t < n; t++) r[t] = (r[t] as number) / norm; }
  return r;
}

/**
 * Remove the mean and the linear trend of every column, in place. A single row is left
 * unchanged (with a warning), as nilearn does.
 *
 * @param data row-major values (rows x cols), modified.
 * @param rows time points.
 * @param cols features.
 * @param onWarning warnings sink.
 */
export function detrendInPlace(
  data: Float64Array,
  rows: number,
  cols: number,
  onWarning: WarningSink = warnOnce,
): void {
  if (rows === 1) {
    onWarning(
      "Detrending of 3D signal has been requested but would lead to zero values. Skipping.",
    );
    return;
  }
  centerColumnsInPlace(data, rows, cols);
  const ramp = unitRamp(rows);
  const dot = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const w = ramp[r] as number;
    for (let c = 0; c < cols; c++) dot[c] = (dot[c] as number) + w * (data[o + c] as number);
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const w = ramp[r] as number;
    for (let c = 0; c < cols; c++) data[o + c] = (data[o + c] as number) - (dot[c] as number) * w;
  }
}

/**
 * Remove the mean and the linear trend of every column (nilearn's linear detrending).
 *
 * @param signals (time x features) matrix.
 * @param onWarning warnings sink (a single time point is returned unchanged, with a warning).
 * @returns a new detrended matrix.
 * @example
 * ```ts
 * import { detrend } from "./detrend.ts";
 * const d = detrend({ data: Float64Array.from([1, 2, 3, 5]), shape: [4, 1] });
 * ```
 */
export function detrend(signals: Matrix, onWarning: WarningSink = warnOnce): Matrix {
  const [rows, cols] = signals.shape;
  const data = Float64Array.from(signals.data);
  detrendInPlace(data, rows, cols, onWarning);
  return { data, shape: [rows, cols] };
}
