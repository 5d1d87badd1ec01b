/**
 * Confound regression as nilearn's `signal.clean` does it: confounds standardized (z-score) or
 * scaled by their maximum |value|, a QR decomposition with column pivoting keeps the columns whose
 * |R_jj| exceeds 100 machine epsilons (constant or collinear columns drop out), and the signals
 * are projected on the orthogonal complement of the kept columns.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { standardizeInPlace } from "./standardize.ts";
import { type WarningSink, warnOnce } from "./warnings.ts";

/**
 * Orthonormal basis (time x r, column-major: column j at `[j * rows, (j + 1) * rows)`) of the
 * span of the confounds, from a Householder QR with column pivoting; columns with
 * |R_jj| <= 100 eps are left out.
 *
 * @param conf row-major confounds (rows x k).
 * @param rows time points.
 * @param k confounds.
 * @returns the basis and its number of columns.
 */
export function confoundBasis(
  conf: Float64Array,
  rows: number,
  k: number,
): { basis: Float64Array; rank: number } {
  const A: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const col = new Float64Array(rows);
    for (let t = 0; t < rows; t++) col[t] = conf[t * k + j] as number;
    A.push(col);
  }
  const steps = Math.min(rows, k);
  const vs: Float64Array[] = [];
  const diag: number[] = [];
  for (let j = 0; j < steps; j++) {
    // pivot: the remaining column with the largest trailing norm
    let best = j;
    let bestNorm = -1;
    for (let i = j; i < k; i++) {
      const col = A[i] as Float64Array;
      let s = 0;
      for (let t = j; t < rows; t++) s += (col[t] as number) ** 2;
      if (s > bestNorm) {
        bestNorm = s;
        best = i;
      }
    }
    const tmp = A[j] as Float64Array;
    A[j] = A[best] as Float64Array;
    A[best] = tmp;
    const x = A[j] as Float64Array;
    const norm = Math.sqrt(bestNorm);
    const v = new Float64Array(rows);
    if (norm === 0) {
      vs.push(v);
      diag.push(0);
      continue;
    }
    const alpha = (x[j] as number) > 0 ? -norm : norm;
    for (let t = j; t < rows; t++) v[t] = x[t] as number;
    v[j] = (v[j] as number) - alpha;
    let vv = 0;
    for (let t = j; t < rows; t++) vv += (v[t] as number) ** 2;
    diag.push(alpha);
    if (vv > 0) {
      for (let i = j + 1; i < k; i++) {
        const col = A[i] as Float64Array;
        let d = 0;
        for (let t = j; t < rows; t++) d += (v[t] as number) * (col[t] as number);
        const f = (2 * d) / vv;
        for (let t = j; t < rows; t++) col[t] = (col[t] as number) - f * (v[t] as number);
      }
      const s = Math.sqrt(2 / vv);
      for (let t = j; t < rows; t++) v[t] = (v[t] as number) * s; // H = I - v v^T
    }
    vs.push(v);
  }
  const keep: number[] = [];
  const thr = Number.EPSILON * 100;
  for (let j = 0; j < steps; j++) if (Math.abs(diag[j] as number) > thr) keep.push(j);
  const basis = new Float64Array(rows * keep.length);
  keep.forEach((j, out) => {
    const q = basis.subarray(out * rows, (out + 1) * rows);
    q[j] = 1;
    for (let h = steps - 1; h >= 0; h--) {
      const v = vs[h] as Float64Array;
      let d = 0;
      for (let t = h; t < rows; t++) d += (v[t] as number) * (q[t] as number);
      if (d !== 0) {
        for (let t = h; t < rows; t++) q[t] = (q[t] as number) - d * (v[t] as number);
      }
    }
  });
  return { basis, rank: keep.length };
}

/**
 * Remove the confounds from the signals in place: `signals -= Q Q^T signals`, after the
 * confounds are z-scored (`standardizeConfounds`) or divided by their max |value| per column.
 *
 * @param signals row-major signals (rows x cols), modified.
 * @param rows time points.
 * @param cols features.
 * @param confounds row-major confounds (rows x k), modified (scaled).
 * @param k confounds.
 * @param standardizeConfounds z-score the confounds first (population std), as nilearn.
 * @param onWarning warnings sink.
 * @throws RangeError when a confound value is not finite.
 */
export function regressOutInPlace(
  signals: Float64Array,
  rows: number,
  cols: number,
  confounds: Float64Array,
  k: number,
  standardizeConfounds: boolean,
  onWarning: WarningSink = warnOnce,
): void {
  for (let i = 0; i < confounds.length; i++) {
    if (!Number.isFinite(confounds[i] as number)) {
      throw new RangeError(
        `confounds: value ${confounds[i]} at volume ${Math.floor(i / k)} (after censoring), ` +
          `column ${i % k} is not finite; confound values must be finite numbers in the ` +
          `volumes used (fMRIPrep writes n/a in the first rows of derivative columns: fill ` +
          `them or censor those volumes)`,
      );
    }
  }
  if (standardizeConfounds) {
    standardizeInPlace(confounds, rows, k, "zscore", onWarning, true);
  } else {
    for (let j = 0; j < k; j++) {
      let m = 0;
      for (let t = 0; t < rows; t++) m = Math.max(m, Math.abs(confounds[t * k + j] as number));
      if (m === 0) m = 1;
      for (let t = 0; t < rows; t++) confounds[t * k + j] = (confounds[t * k + j] as number) / m;
    }
  }
  const { basis, rank } = confoundBasis(confounds, rows, k);
  const proj = new Float64Array(cols);
  for (let j = 0; j < rank; j++) {
    const q = basis.subarray(j * rows, (j + 1) * rows);
    proj.fill(0);
    for (let t = 0; t < rows; t++) {
      const w = q[t] as number;
      const o = t * cols;
      for (let c = 0; c < cols; c++) proj[c] = (proj[c] as number) + w * (signals[o + c] as number);
    }
    for (let t = 0; t < rows; t++) {
      const w = q[t] as number;
      const o = t * cols;
      for (let c = 0; c < cols; c++) {
        signals[o + c] = (signals[o + c] as number) - w * (proj[c] as number);
      }
    }
  }
}

/**
 * Regress confounds out of signals (nilearn's projection step of `signal.clean`, alone: no
 * detrending or filtering of either).
 *
 * @param signals (time x features) matrix.
 * @param confounds (time x k) matrix, same number of rows.
 * @param standardizeConfounds z-score confounds first (default true), else scale by max |value|.
 * @returns the residuals, a new matrix.
 * @example
 * ```ts
 * import { regressOut } from "./confounds.ts";
 * const s = { data: Float64Array.from([1, 2, 4, 3]), shape: [4, 1] as const };
 * const c = { data: Float64Array.from([0, 1, 2, 3]), shape: [4, 1] as const };
 * const r = regressOut(s, c);
 * ```
 */
export function regressOut(
  signals: Matrix,
  confounds: Matrix,
  standardizeConfounds = true,
): Matrix {
  const [rows, cols] = signals.shape;
  if (confounds.shape[0] !== rows) {
    throw new TypeError(
      `confounds: expected ${rows} rows (one per time point), found ${confounds.shape[0]}`,
    );
  }
  const data = Float64Array.from(signals.data);
  regressOutInPlace(
    data,
    rows,
    cols,
    Float64Array.from(confounds.data),
    confounds.shape[1],
    standardizeConfounds,
  );
  return { data, shape: [rows, cols] };
}
