/**
 * Covariance estimators of (time x regions) signals, with scikit-learn's semantics (as nilearn's
 * `ConnectivityMeasure` uses them): `EmpiricalCovariance` (centred, divided by the number of
 * samples) and `LedoitWolf` (the empirical covariance shrunk towards `trace / n * I`).
 *
 * @module
 */
import type { Matrix } from "../types.ts";

/** A fitted covariance: the (regions x regions) matrix and the shrinkage used (0 if none). */
export interface CovarianceFit {
  /** (regions x regions) covariance, row-major. */
  readonly covariance: Matrix;
  /** Ledoit-Wolf shrinkage coefficient in [0, 1]; 0 for the empirical covariance. */
  readonly shrinkage: number;
}

/** Column-centred copy of a (rows x cols) matrix. */
function centred(signals: Matrix): Float64Array {
  const [rows, cols] = signals.shape;
  const x = Float64Array.from(signals.data);
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) mean[c] = (mean[c] as number) + (x[r * cols + c] as number);
  }
  for (let c = 0; c < cols; c++) mean[c] = (mean[c] as number) / rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      x[r * cols + c] = (x[r * cols + c] as number) - (mean[c] as number);
    }
  }
  return x;
}

/**
 * `xᵀ x * scale` (symmetric, lower triangle computed then mirrored). Four rows of x at a time:
 * each pass over the triangle adds their four products in row order, so every entry is the same
 * left-to-right sum as one row at a time, with a quarter of the passes over the (cols x cols)
 * result.
 */
function gram(x: Float64Array, rows: number, cols: number, scale: number): Float64Array {
  const out = new Float64Array(cols * cols);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const o0 = r * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    for (let i = 0; i < cols; i++) {
      const x0 = x[o0 + i]!, x1 = x[o1 + i]!, x2 = x[o2 + i]!, x3 = x[o3 + i]!;
      const oi = i * cols;
      for (let j = 0; j <= i; j++) {
        out[oi + j] = out[oi + j]! + x0 * x[o0 + j]! + x1 * x[o1 + j]! + x2 * x[o2 + j]! +
          x3 * x[o3 + j]!;
      }
    }
  }
  for (; r < rows; r++) {
    const o = r * cols;
    for (let i = 0; i < cols; i++) {
      const xi = x[o + i]!;
      const oi = i * cols;
      for (let j = 0; j <= i; j++) out[oi + j] = out[oi + j]! + xi * x[o + j]!;
    }
  }
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j <= i; j++) {
      const v = out[i * cols + j]! * scale;
      out[i * cols + j] = v;
      out[j * cols + i] = v;
    }
  }
  return out;
}

function checkSignals(signals: Matrix, what: string): void {
  if (
    typeof signals !== "object" || signals === null || !Array.isArray(signals.shape) ||
    signals.shape.length !== 2
  ) {
    throw new TypeError(`${what}: expected a 2D matrix {data, shape: [time, regions]}`);
  }
  const [rows, cols] = signals.shape;
  if (!(signals.data instanceof Float64Array) || signals.data.length !== rows * cols) {
    throw new TypeError(
      `${what}: expected a Float64Array of ${rows * cols} values for shape [${rows}, ${cols}], ` +
        `found ${signals.data?.length}`,
    );
  }
  if (rows < 1) throw new RangeError(`${what}: expected at least one time point, found 0`);
}

/**
 * Empirical covariance (scikit-learn's `EmpiricalCovariance`, `assume_centered=False`): the
 * columns are centred and `xᵀ x / T` is returned (population covariance, ddof 0).
 *
 * @param signals (time x regions) signals.
 * @returns the covariance and a shrinkage of 0.
 * @example
 * ```ts
 * import { empiricalCovariance } from "@niimask/niimask/connectome";
 * import { deepStrictEqual } from "node:assert/strict";
 * const fit = empiricalCovariance({ data: Float64Array.from([1, 2, 3, 6]), shape: [2, 2] });
 * deepStrictEqual(Array.from(fit.covariance.data), [1, 2, 2, 4]);
 * ```
 */
export function empiricalCovariance(signals: Matrix): CovarianceFit {
  checkSignals(signals, "signals");
  const [rows, cols] = signals.shape;
  const cov = gram(centred(signals), rows, cols, 1 / rows);
  return { covariance: { data: cov, shape: [cols, cols] }, shrinkage: 0 };
}

/**
 * Ledoit-Wolf shrunk covariance (scikit-learn's `LedoitWolf`, `assume_centered=False`): with
 * S the empirical covariance of the centred signals and `mu = trace(S) / n`, returns
 * `(1 - s) S + s mu I` where s is the Ledoit-Wolf optimal shrinkage. One region: no shrinkage
 * (the plain variance), as scikit-learn.
 *
 * @param signals (time x regions) signals.
 * @returns the shrunk covariance and the shrinkage s.
 * @example
 * ```ts
 * import { ledoitWolf } from "@niimask/niimask/connectome";
 * import { ok } from "node:assert/strict";
 * const x = Float64Array.from([1, 0, 2, 1, 0, 0, 3, 2, 1, 3]);
 * const fit = ledoitWolf({ data: x, shape: [5, 2] });
 * ok(fit.shrinkage > 0 && fit.shrinkage <= 1);
 * ```
 */
export function ledoitWolf(signals: Matrix): CovarianceFit {
  checkSignals(signals, "signals");
  const [t, n] = signals.shape;
  const x = centred(signals);
  if (n === 1) {
    let s = 0;
    for (let r = 0; r < t; r++) s += (x[r] as number) ** 2;
    return { covariance: { data: Float64Array.of(s / t), shape: [1, 1] }, shrinkage: 0 };
  }
  const x2 = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) x2[i] = (x[i] as number) ** 2;
  // trace of the empirical covariance per feature, and mu
  const empTrace = new Float64Array(n);
  for (let r = 0; r < t; r++) {
    for (let c = 0; c < n; c++) empTrace[c] = (empTrace[c] as number) + (x2[r * n + c] as number);
  }
  let traceSum = 0;
  for (let c = 0; c < n; c++) {
    empTrace[c] = (empTrace[c] as number) / t;
    traceSum += empTrace[c] as number;
  }
  const mu = traceSum / n;
  // delta_ = sum((XᵀX)²), beta_ = sum(X2ᵀ X2)
  const xtx = gram(x, t, n, 1);
  const x2tx2 = gram(x2, t, n, 1);
  let deltaSum = 0;
  let betaSum = 0;
  for (let i = 0; i < n * n; i++) {
    deltaSum += (xtx[i] as number) ** 2;
    betaSum += x2tx2[i] as number;
  }
  const delta0 = deltaSum / (t * t);
  let beta = (1 / (n * t)) * (betaSum / t - delta0);
  let delta = delta0 - 2 * mu * traceSum + n * mu * mu;
  delta /= n;
  beta = Math.min(beta, delta);
  const shrinkage = beta === 0 ? 0 : beta / delta;
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) cov[i] = (1 - shrinkage) * ((xtx[i] as number) / t);
  for (let i = 0; i < n; i++) cov[i * n + i] = (cov[i * n + i] as number) + shrinkage * mu;
  return { covariance: { data: cov, shape: [n, n] }, shrinkage };
}
