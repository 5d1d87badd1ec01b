/**
 * The symmetric eigendecomposition behind every matrix function of `connectome/` (matrix
 * logarithm, exponential, square root, inverse square root), and those functions.
 *
 * Kernel: ml-matrix's `EigenvalueDecomposition` with `assumeSymmetric: true` (Householder
 * tridiagonalisation then implicit QL, as EISPACK's tred2/tql2), O(n³). It is wrapped here so
 * that a faster flat-array solver can replace it in one place.
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";

/** Eigenvalues and eigenvectors of a symmetric matrix. */
export interface SymEig {
  /** Eigenvalues (length n). */
  readonly values: Float64Array;
  /** Eigenvectors as columns of a row-major (n x n) matrix: vector j is `vectors[i * n + j]`. */
  readonly vectors: Float64Array;
}

/**
 * Eigendecomposition of a symmetric (n x n) row-major matrix (only its symmetric part matters).
 *
 * @param m row-major values, length n².
 * @param n order.
 */
export function eigh(m: Float64Array, n: number): SymEig {
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0) };
  if (n === 1) return { values: Float64Array.of(m[0] as number), vectors: Float64Array.of(1) };
  const ml = MlMatrix.from1DArray(n, n, m);
  const e = new EigenvalueDecomposition(ml, { assumeSymmetric: true });
  const values = Float64Array.from(e.realEigenvalues);
  const v = e.eigenvectorMatrix;
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) vectors[i * n + j] = v.get(i, j);
  }
  return { values, vectors };
}

/**
 * `V diag(f(λ)) Vᵀ` from an eigendecomposition.
 *
 * @param f function applied to each eigenvalue.
 * @param eig eigenvalues and eigenvectors.
 * @param n order.
 */
export function formSymmetric(
  f: (x: number) => number,
  eig: SymEig,
  n: number,
): Float64Array {
  const { values, vectors } = eig;
  const fv = new Float64Array(n);
  for (let k = 0; k < n; k++) fv[k] = f(values[k] as number);
  // scaled = V * diag(f), then out = scaled Vᵀ; rows of V are contiguous
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      scaled[i * n + k] = (vectors[i * n + k] as number) * (fv[k] as number);
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let j = 0; j < n; j++) {
      const oj = j * n;
      let s = 0;
      for (let k = 0; k < n; k++) s += (scaled[oi + k] as number) * (vectors[oj + k] as number);
      out[oi + j] = s;
    }
  }
  return out;
}

/**
 * `f(M)` for a symmetric matrix M: `V diag(f(λ)) Vᵀ` (nilearn's `_map_eigenvalues`).
 *
 * @param f function applied to each eigenvalue (e.g. `Math.log`, `(x) => 1 / Math.sqrt(x)`).
 * @param m row-major symmetric values.
 * @param n order.
 */
export function mapEigenvalues(
  f: (x: number) => number,
  m: Float64Array,
  n: number,
): Float64Array {
  return formSymmetric(f, eigh(m, n), n);
}
