/**
 * Sample masks (scrubbing): validation, censoring, and nilearn 0.11.1's cubic-spline filling of
 * censored volumes before Butterworth filtering.
 *
 * @module
 */
import { cubicSpline } from "./cubic_spline.ts";

/** Kept volumes: 0-based ascending indices, or a boolean mask (true = kept) of length rows. */
export type SampleMask = ArrayLike<number> | readonly boolean[];

/**
 * Validate a sample mask and return the kept indices: the one sample-mask check of `clean` and
 * the masker.
 *
 * @param mask indices (0-based, strictly ascending) or booleans (one per time point).
 * @param rows number of time points the mask applies to.
 * @param what name used in error messages.
 * @param allowNegative indices may count from the end (-1: the last time point), as numpy's;
 *   they are returned counted from the start (the masker's sample masks).
 * @returns the kept indices.
 * @throws TypeError for entries that are neither integers nor booleans; RangeError for a
 *   boolean mask of the wrong length (a value error) and for indices out of range or not
 *   ascending.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { sampleMaskIndices } from "./sample_mask.ts";
 * deepEqual(Array.from(sampleMaskIndices([true, false, true], 3)), [0, 2]);
 * deepEqual(Array.from(sampleMaskIndices([0, -1], 4, "sampleMask", true)), [0, 3]);
 * ```
 */
export function sampleMaskIndices(
  mask: SampleMask,
  rows: number,
  what = "sampleMask",
  allowNegative = false,
): Int32Array {
  const n = mask.length;
  let allBool = n > 0;
  for (let i = 0; i < n && allBool; i++) if (typeof mask[i] !== "boolean") allBool = false;
  if (allBool) {
    if (n !== rows) {
      throw new RangeError(
        `${what}: a boolean mask needs one entry per time point (${rows}), found ${n}`,
      );
    }
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (mask[i]) idx.push(i);
    return Int32Array.from(idx);
  }
  const out = new Int32Array(n);
  const lowest = allowNegative ? -rows : 0;
  for (let i = 0; i < n; i++) {
    let v = mask[i] as unknown;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(
        `${what}: expected integer volume indices or booleans, found ${JSON.stringify(v)} at ` +
          `position ${i}`,
      );
    }
    if (v < lowest || v >= rows) {
      throw new RangeError(
        `${what}: invalid index ${v} at position ${i}, out of range; the signal has ${rows} ` +
          `time points (valid indices ${lowest}..${rows - 1})`,
      );
    }
    if (v < 0) v += rows;
    if (i > 0 && v <= (out[i - 1] as number)) {
      throw new RangeError(
        `${what}: indices must be strictly ascending; found ${v} after ${out[i - 1]} at ` +
          `position ${i}`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Keep the given rows of a row-major matrix.
 *
 * @param data row-major values.
 * @param rows number of rows of `data`.
 * @param cols columns.
 * @param keep row indices to keep, each < rows.
 * @returns the kept rows, in order.
 */
export function censorRows(
  data: Float64Array,
  rows: number,
  cols: number,
  keep: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(keep.length * cols);
  for (let i = 0; i < keep.length; i++) {
    const r = keep[i] as number;
    if (r < 0 || r >= rows) {
      throw new RangeError(
        `sampleMask: index ${r} is out of range after edge volumes were discarded ` +
          `(${rows} volumes remain)`,
      );
    }
    out.set(data.subarray(r * cols, (r + 1) * cols), i * cols);
  }
  return out;
}

/**
 * Fill volumes by cubic-spline interpolation over time, as nilearn 0.11.1's
 * `_interpolate_volumes` does, then drop the rows that are NaN in every column (the volumes at
 * the ends left unfilled when `extrapolate` is false).
 *
 * The spline (not-a-knot, per column) goes through the kept volumes at times `index * tR`.
 * nilearn 0.11.1 writes the spline's values into the rows `rows - 1 - k` for each kept index `k`
 * (it indexes with the bitwise complement of the kept indices); a censored volume is therefore
 * filled exactly when its mirror index is kept, and other censored volumes keep their values.
 * This reproduces nilearn's results, which the reference cases follow.
 *
 * @param data row-major values (rows x cols); not modified.
 * @param rows time points.
 * @param cols columns.
 * @param keep kept indices (ascending, at least 2).
 * @param tR repetition time (s).
 * @param extrapolate evaluate the spline outside the first/last kept volume (else NaN there).
 * @returns the new values and their number of rows.
 */
export function interpolateCensored(
  data: Float64Array,
  rows: number,
  cols: number,
  keep: Int32Array,
  tR: number,
  extrapolate: boolean,
): { data: Float64Array; rows: number } {
  if (keep.length < 2) {
    throw new RangeError(
      `sampleMask: interpolating censored volumes before Butterworth filtering needs at least 2 ` +
        `kept volumes, found ${keep.length}`,
    );
  }
  const out = Float64Array.from(data);
  const times = new Float64Array(rows);
  for (let t = 0; t < rows; t++) times[t] = t * tR;
  const knots = new Float64Array(keep.length);
  for (let i = 0; i < keep.length; i++) knots[i] = times[keep[i] as number] as number;
  const targets = new Int32Array(keep.length);
  for (let i = 0; i < keep.length; i++) targets[i] = rows - 1 - (keep[i] as number);
  const at = new Float64Array(keep.length);
  for (let i = 0; i < keep.length; i++) at[i] = times[targets[i] as number] as number;
  const y = new Float64Array(keep.length);
  for (let c = 0; c < cols; c++) {
    for (let i = 0; i < keep.length; i++) y[i] = data[(keep[i] as number) * cols + c] as number;
    const v = cubicSpline(knots, y, at, extrapolate);
    for (let i = 0; i < keep.length; i++) out[(targets[i] as number) * cols + c] = v[i] as number;
  }
  // drop rows that are NaN in every column
  const keepRows: number[] = [];
  for (let t = 0; t < rows; t++) {
    let allNaN = cols > 0;
    for (let c = 0; c < cols && allNaN; c++) {
      if (!Number.isNaN(out[t * cols + c] as number)) allNaN = false;
    }
    if (!allNaN) keepRows.push(t);
  }
  if (keepRows.length === rows) return { data: out, rows };
  return { data: censorRows(out, rows, cols, keepRows), rows: keepRows.length };
}
