/**
 * Geometric (Riemannian) mean of symmetric positive definite matrices, by nilearn 0.11.1's
 * gradient descent (`_geometric_mean`).
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { congruence, frobenius } from "./_dense.ts";
import { eigh, eigvalsh, formSymmetric, mapEigenvalues } from "./_eigh.ts";
import type { WarningSink } from "../signal/warnings.ts";

/** Options of {@link geometricMean}. */
export interface GeometricMeanOptions {
  /** Starting point; default the arithmetic mean. */
  init?: Matrix;
  /** Maximum number of iterations. Default 10 (nilearn's default; the tangent kind uses 30). */
  maxIter?: number;
  /** Stop when ‖mean of the logs‖_F / n² falls below it. Default 1e-7. */
  tol?: number;
  /** Receives the "maximum number of iterations" warning. Default `console.warn`. */
  onWarning?: WarningSink;
}

/** True when m is symmetric (relative 1e-7) with a positive smallest eigenvalue. */
function isSpd(m: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const a = m[i * n + j] as number;
      const b = m[j * n + i] as number;
      if (!(Math.abs(a - b) <= 1e-7 * Math.abs(b))) return false;
    }
  }
  const values = eigvalsh(m, n);
  let min = Infinity;
  for (const v of values) min = Math.min(min, v);
  return min > 0;
}

/**
 * The geometric mean G of SPD matrices C_s: the minimiser of Σ ‖logm(G^-1/2 C_s G^-1/2)‖²_F.
 * Starting from the arithmetic mean, each step moves G along the mean of the whitened logs
 * (step 1, halved whenever the gradient norm grows); it stops when that norm / n² < `tol`.
 *
 * @param matrices SPD (n x n) matrices.
 * @param options start, iterations, tolerance.
 * @returns the (n x n) geometric mean.
 * @throws {TypeError} when the matrices are not square or of different sizes.
 * @throws {RangeError} when a matrix is not symmetric positive definite.
 * @example
 * ```ts
 * import { geometricMean } from "@niimask/niimask/connectome";
 * import { ok } from "node:assert/strict";
 * const a = { data: Float64Array.from([1, 0, 0, 4]), shape: [2, 2] as [number, number] };
 * const b = { data: Float64Array.from([4, 0, 0, 1]), shape: [2, 2] as [number, number] };
 * const g = geometricMean([a, b]);
 * ok(Math.abs(g.data[0]! - 2) < 1e-6 && Math.abs(g.data[3]! - 2) < 1e-6);
 * ```
 */
export function geometricMean(
  matrices: readonly Matrix[],
  options: GeometricMeanOptions = {},
): Matrix {
  const maxIter = options.maxIter ?? 10;
  const tol = options.tol ?? 1e-7;
  if (!Array.isArray(matrices) || matrices.length === 0) {
    throw new TypeError("matrices: expected a non-empty array of square matrices");
  }
  const n = matrices[0]!.shape[0];
  matrices.forEach((m, s) => {
    if (m.shape.length !== 2 || m.shape[0] !== m.shape[1]) {
      throw new TypeError(
        `Expected a square matrix, got array of shape (${m.shape.join(", ")}) (matrices[${s}])`,
      );
    }
    if (m.shape[0] !== n) throw new TypeError("Matrices are not of the same shape.");
    if (!isSpd(m.data, n)) {
      throw new RangeError(`Expected a symmetric positive definite matrix (matrices[${s}]).`);
    }
  });
  let gmean: Float64Array;
  if (options.init !== undefined) gmean = Float64Array.from(options.init.data);
  else {
    gmean = new Float64Array(n * n);
    for (const m of matrices) {
      for (let i = 0; i < n * n; i++) gmean[i] = (gmean[i] as number) + (m.data[i] as number);
    }
    for (let i = 0; i < n * n; i++) gmean[i] = (gmean[i] as number) / matrices.length;
  }
  const size = n * n;
  let step = 1;
  let normOld = Infinity;
  let norm = Infinity;
  for (let iter = 0; iter < maxIter; iter++) {
    const eg = eigh(gmean, n);
    const invSqrt = formSymmetric((v) => Math.sqrt(1 / v), eg, n);
    const logsMean = new Float64Array(size);
    for (const m of matrices) {
      const w = congruence(invSqrt, m.data, n);
      const lg = mapEigenvalues(Math.log, w, n);
      for (let i = 0; i < size; i++) logsMean[i] = (logsMean[i] as number) + (lg[i] as number);
    }
    for (let i = 0; i < size; i++) {
      logsMean[i] = (logsMean[i] as number) / matrices.length;
      if (Number.isNaN(logsMean[i])) {
        throw new RangeError("Nan value after logarithm operation.");
      }
    }
    norm = frobenius(logsMean);
    const gSqrt = formSymmetric(Math.sqrt, eg, n);
    const expStep = formSymmetric((v) => Math.exp(v * step), eigh(logsMean, n), n);
    gmean = congruence(gSqrt, expStep, n);
    if (norm < normOld) normOld = norm;
    else if (norm > normOld) {
      step /= 2;
      norm = normOld;
    }
    if (norm / size < tol) break;
  }
  if (norm / size >= tol) {
    (options.onWarning ?? console.warn)(
      `Maximum number of iterations ${maxIter} reached without getting to the requested ` +
        `tolerance level ${tol}.`,
    );
  }
  return { data: gmean, shape: [n, n] };
}
