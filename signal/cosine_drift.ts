/**
 * Discrete cosine (DCT-II) drift regressors for the "cosine" high-pass filter, as nilearn's
 * `create_cosine_drift` (constant column dropped), and their merge with user confounds.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { type WarningSink, warnOnce } from "./warnings.ts";

/**
 * Cosine drift regressors with frequencies up to `highPass`, without the constant.
 *
 * Column k (1-based) is `sqrt(2/n) cos(pi/n (t + 0.5) k)`; the number of columns is
 * `min(n - 1, floor(2 n highPass TR))`.
 *
 * @param highPass cutoff frequency (Hz).
 * @param nFrames number of time points.
 * @param tR repetition time (s).
 * @param onWarning warnings sink.
 * @returns (nFrames x order) regressors (order may be 0).
 * @example
 * ```ts
 * import { cosineDrift } from "./cosine_drift.ts";
 * const d = cosineDrift(0.01, 100, 2); // 4 regressors
 * ```
 */
export function cosineDrift(
  highPass: number,
  nFrames: number,
  tR: number,
  onWarning: WarningSink = warnOnce,
): Matrix {
  const dt = ((nFrames - 1) * tR - 0) / (nFrames - 1);
  if (highPass * dt >= 0.5) {
    onWarning(
      "High-pass filter will span all accessible frequencies and saturate the design matrix. " +
        `You may want to reduce the high_pass value.The provided value is ${highPass} Hz`,
    );
  }
  const order = Math.max(0, Math.min(nFrames - 1, Math.floor(2 * nFrames * highPass * dt)));
  const data = new Float64Array(nFrames * order);
  const norm = Math.sqrt(2 / nFrames);
  for (let t = 0; t < nFrames; t++) {
    for (let k = 1; k <= order; k++) {
      data[t * order + k - 1] = norm * Math.cos((Math.PI / nFrames) * (t + 0.5) * k);
    }
  }
  return { data, shape: [nFrames, order] };
}

/** Pearson correlation of column a of A with column b of B (NaN when a column is constant). */
function corr(A: Matrix, a: number, B: Matrix, b: number): number {
  const n = A.shape[0];
  const ca = A.shape[1];
  const cb = B.shape[1];
  let ma = 0;
  let mb = 0;
  for (let t = 0; t < n; t++) {
    ma += A.data[t * ca + a] as number;
    mb += B.data[t * cb + b] as number;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let t = 0; t < n; t++) {
    const x = (A.data[t * ca + a] as number) - ma;
    const y = (B.data[t * cb + b] as number) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Append cosine drift regressors to the confounds, as nilearn does: unless the user's confounds
 * already contain a cosine term (correlation > 0.9 with one of them; then only the user's are
 * kept, with a warning). No drift columns: confounds unchanged, with a warning.
 *
 * @param confounds user confounds (time x k) or null.
 * @param drift drift regressors from {@link cosineDrift}.
 * @param onWarning warnings sink.
 * @returns the confounds to regress out, or null.
 */
export function appendCosineDrift(
  confounds: Matrix | null,
  drift: Matrix,
  onWarning: WarningSink = warnOnce,
): Matrix | null {
  const [n, nCos] = drift.shape;
  if (nCos === 0) {
    onWarning(
      "Cosine filter was not created. The time series might be too short or the high pass " +
        "filter is not suitable for the data.",
    );
    return confounds;
  }
  if (confounds === null) return { data: Float64Array.from(drift.data), shape: [n, nCos] };
  const k = confounds.shape[1];
  let exists = false;
  for (let i = 0; i < nCos && !exists; i++) {
    for (let j = 0; j < nCos && !exists; j++) {
      if (i !== j && corr(drift, i, drift, j) > 0.9) exists = true;
    }
    for (let j = 0; j < k && !exists; j++) if (corr(drift, i, confounds, j) > 0.9) exists = true;
  }
  if (exists) {
    onWarning(
      "Cosine filter(s) exist in user supplied confounds.Use user supplied regressors only.",
    );
    return confounds;
  }
  const cols = k + nCos;
  const data = new Float64Array(n * cols);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < k; j++) data[t * cols + j] = confounds.data[t * k + j] as number;
    for (let j = 0; j < nCos; j++) data[t * cols + k + j] = drift.data[t * nCos + j] as number;
  }
  return { data, shape: [n, cols] };
}
