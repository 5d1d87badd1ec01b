/**
 * High-variance confounds (CompCor-like), as nilearn 0.11.1's
 * `signal.high_variance_confounds`: optionally detrend each series, keep the series whose mean
 * of squares is above the `(100 - percentile)` percentile, and return the left singular vectors
 * of the kept (time x series) matrix with the largest singular values (the eigenvectors of
 * `X Xᵀ / T`). Singular vectors have an arbitrary sign.
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import type { Matrix } from "../types.ts";
import { unitRamp } from "./detrend.ts";

/** Options of the high-variance confounds. */
export interface HighVarianceOptions {
  /** Number of confounds to return. Default 5. */
  nConfounds?: number;
  /** Percentage (0..100) of highest-variance series kept before the SVD. Default 2. */
  percentile?: number;
  /** Detrend (mean and linear trend) each series first. Default true. */
  detrend?: boolean;
}

/** numpy's `nanpercentile(values, q)` with linear interpolation (NaN ignored). */
export function nanPercentile(values: Float64Array, q: number): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort();
  const n = v.length;
  if (n === 0) return NaN;
  const virtual = (n - 1) * (q / 100);
  const lo = Math.max(0, Math.min(n - 1, Math.floor(virtual)));
  const hi = Math.min(n - 1, lo + 1);
  const t = virtual - lo;
  const a = v[lo] as number;
  const b = v[hi] as number;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

function checkOptions(options: HighVarianceOptions): Required<HighVarianceOptions> {
  const known = ["nConfounds", "percentile", "detrend"];
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new TypeError(
      `highVarianceConfounds: unknown option(s) ${
        unknown.map((k) => JSON.stringify(k)).join(", ")
      }`,
    );
  }
  const nConfounds = options.nConfounds ?? 5;
  if (!Number.isInteger(nConfounds) || nConfounds < 1) {
    throw new RangeError(`nConfounds: expected a positive integer, found ${nConfounds}`);
  }
  const percentile = options.percentile ?? 2;
  if (typeof percentile !== "number" || !(percentile >= 0 && percentile <= 100)) {
    throw new RangeError(`percentile: expected a number in [0, 100], found ${percentile}`);
  }
  const detrend = options.detrend ?? true;
  if (typeof detrend !== "boolean") {
    throw new TypeError(`detrend: expected a boolean, found ${detrend}`);
  }
  return { nConfounds, percentile, detrend };
}

/**
 * The computation on strided series: column `j` of the series is
 * `src[t * stride + columns[j]]` for t < rows (all `stride` columns when `columns` is null).
 * Images use it without copying: a 4D image is (time x voxels) with stride = voxels per volume.
 *
 * @param src values (float32 or float64).
 * @param rows time points.
 * @param stride distance between consecutive time points of one series.
 * @param columns which series, or null for all.
 * @param options confound count, percentile, detrending.
 * @param zeroNonFinite read NaN/Inf as 0 (nilearn's masked-image path does).
 * @returns (rows x min(nConfounds, rows)) confounds.
 */
export function highVarianceConfoundsStrided(
  src: ArrayLike<number>,
  rows: number,
  stride: number,
  columns: Int32Array | null,
  options: HighVarianceOptions = {},
  zeroNonFinite = false,
): Matrix {
  const o = checkOptions(options);
  const cols = columns ?? Int32Array.from({ length: stride }, (_, i) => i);
  const m = cols.length;
  const read = zeroNonFinite
    ? (i: number) => {
      const v = src[i] as number;
      return Number.isFinite(v) ? v : 0;
    }
    : (i: number) => src[i] as number;
  const doDetrend = o.detrend && rows > 1;
  const mean = new Float64Array(m);
  const slope = new Float64Array(m);
  const ramp = unitRamp(rows);
  if (doDetrend) {
    for (let t = 0; t < rows; t++) {
      const base = t * stride;
      for (let j = 0; j < m; j++) mean[j] = (mean[j] as number) + read(base + (cols[j] as number));
    }
    for (let j = 0; j < m; j++) mean[j] = (mean[j] as number) / rows;
    for (let t = 0; t < rows; t++) {
      const base = t * stride;
      const w = ramp[t] as number;
      for (let j = 0; j < m; j++) {
        slope[j] = (slope[j] as number) +
          w * (read(base + (cols[j] as number)) - (mean[j] as number));
      }
    }
  }
  const value = (t: number, j: number): number => {
    const x = read(t * stride + (cols[j] as number));
    return doDetrend ? x - (mean[j] as number) - (slope[j] as number) * (ramp[t] as number) : x;
  };
  const variance = new Float64Array(m);
  for (let t = 0; t < rows; t++) {
    for (let j = 0; j < m; j++) variance[j] = (variance[j] as number) + value(t, j) ** 2;
  }
  for (let j = 0; j < m; j++) variance[j] = (variance[j] as number) / rows;
  const threshold = nanPercentile(variance, 100 - o.percentile);
  const kept: number[] = [];
  for (let j = 0; j < m; j++) if ((variance[j] as number) > threshold) kept.push(j);
  const s = kept.length;
  const X = new Float64Array(rows * s);
  for (let t = 0; t < rows; t++) {
    for (let i = 0; i < s; i++) X[t * s + i] = value(t, kept[i] as number);
  }
  return leadingLeftSingularVectors(X, rows, s, o.nConfounds);
}

/**
 * High-variance confounds of a (time x features) matrix (nilearn's
 * `signal.high_variance_confounds`).
 *
 * @param series (time x features) matrix.
 * @param options `nConfounds` (default 5), `percentile` (default 2), `detrend` (default true).
 * @returns (time x nConfounds) matrix of unit-norm columns, largest singular value first.
 * @example
 * ```ts
 * import { highVarianceConfoundsOfSignals } from "./high_variance_confounds.ts";
 * const series = { data: new Float64Array(50 * 200).map(() => Math.random()), shape: [50, 200] as const };
 * const conf = highVarianceConfoundsOfSignals(series, { nConfounds: 3, percentile: 10 });
 * ```
 */
export function highVarianceConfoundsOfSignals(
  series: Matrix,
  options: HighVarianceOptions = {},
): Matrix {
  const [rows, cols] = series.shape;
  if (series.data.length !== rows * cols) {
    throw new TypeError(
      `series: data has ${series.data.length} values, expected ${rows * cols} for shape ` +
        `[${rows}, ${cols}]`,
    );
  }
  return highVarianceConfoundsStrided(series.data, rows, cols, null, options);
}

/**
 * The leading left singular vectors of a (rows x s) row-major matrix, largest singular value
 * first (from the eigendecomposition of the rows x rows Gram matrix: rows is the number of time
 * points, small next to s). Column signs are arbitrary, as with any SVD.
 *
 * @param X (rows x s) values, row-major.
 * @param rows number of rows (time points).
 * @param s number of columns (series).
 * @param nVectors how many vectors to return (at most rows).
 * @returns (rows x min(nVectors, rows)) matrix of unit-norm columns.
 * @example
 * ```ts
 * import { leadingLeftSingularVectors } from "./high_variance_confounds.ts";
 * const u = leadingLeftSingularVectors(Float64Array.from([1, 0, 0, 2]), 2, 2, 1);
 * console.log(u.shape); // [2, 1]: (0, ±1), the direction of the larger singular value
 * ```
 */
export function leadingLeftSingularVectors(
  X: Float64Array,
  rows: number,
  s: number,
  nVectors: number,
): Matrix {
  const gram = MlMatrix.zeros(rows, rows);
  for (let a = 0; a < rows; a++) {
    const ra = X.subarray(a * s, (a + 1) * s);
    for (let b = a; b < rows; b++) {
      const rb = X.subarray(b * s, (b + 1) * s);
      let d = 0;
      for (let i = 0; i < s; i++) d += (ra[i] as number) * (rb[i] as number);
      gram.set(a, b, d);
      gram.set(b, a, d);
    }
  }
  const eig = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const vectors = eig.eigenvectorMatrix;
  const order = values.map((v, i) => [v, i] as const).sort((p, q) => q[0] - p[0]).map((p) => p[1]);
  const k = Math.min(nVectors, rows);
  const out = new Float64Array(rows * k);
  for (let c = 0; c < k; c++) {
    const src = order[c] as number;
    for (let t = 0; t < rows; t++) out[t * k + c] = vectors.get(t, src);
  }
  return { data: out, shape: [rows, k] };
}
