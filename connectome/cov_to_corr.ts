/**
 * Correlations from a covariance and partial correlations from a precision matrix (nilearn
 * 0.11.1's `cov_to_corr` and `prec_to_partial`).
 *
 * @module
 */
import type { Matrix } from "../types.ts";

function checkSquare(m: Matrix, what: string): number {
  if (typeof m !== "object" || m === null || !Array.isArray(m.shape) || m.shape.length !== 2) {
    throw new TypeError(`${what}: expected a square matrix {data, shape: [n, n]}`);
  }
  const [r, c] = m.shape;
  if (r !== c) throw new TypeError(`${what}: expected a square matrix, found shape [${r}, ${c}]`);
  if (!m.data || m.data.length !== r * c) {
    throw new TypeError(`${what}: expected ${r * c} values, found ${m.data?.length}`);
  }
  return r;
}

/**
 * Correlation matrix of a covariance: `c_ij / sqrt(c_ii c_jj)`, with an exact 1 diagonal.
 *
 * @param covariance (n x n) covariance.
 * @returns the (n x n) correlation matrix.
 * @example
 * ```ts
 * import { covToCorr } from "@niimask/niimask/connectome";
 * import { deepStrictEqual } from "node:assert/strict";
 * const corr = covToCorr({ data: Float64Array.from([4, 2, 2, 9]), shape: [2, 2] });
 * deepStrictEqual(Array.from(corr.data), [1, 2 / 6, 2 / 6, 1]);
 * ```
 */
export function covToCorr(covariance: Matrix): Matrix {
  const n = checkSquare(covariance, "covariance");
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = 1 / Math.sqrt(covariance.data[i * n + i] as number);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      out[i * n + j] = (covariance.data[i * n + j] as number) * (d[j] as number) *
        (d[i] as number);
    }
    out[i * n + i] = 1;
  }
  return { data: out, shape: [n, n] };
}

/**
 * Partial correlations of a precision matrix P: `-p_ij / sqrt(p_ii p_jj)`, with a 1 diagonal.
 *
 * @param precision (n x n) precision (inverse covariance).
 * @returns the (n x n) partial correlation matrix.
 * @example
 * ```ts
 * import { precToPartial } from "@niimask/niimask/connectome";
 * import { deepStrictEqual } from "node:assert/strict";
 * const partial = precToPartial({ data: Float64Array.from([4, -2, -2, 9]), shape: [2, 2] });
 * deepStrictEqual(Array.from(partial.data), [1, 2 / 6, 2 / 6, 1]);
 * ```
 */
export function precToPartial(precision: Matrix): Matrix {
  const corr = covToCorr(precision);
  const n = corr.shape[0];
  const out = corr.data;
  for (let i = 0; i < out.length; i++) out[i] = -(out[i] as number);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return corr;
}
