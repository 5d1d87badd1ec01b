/**
 * The symmetric eigendecomposition behind every matrix function of `connectome/` (matrix
 * logarithm, exponential, square root, inverse square root), and those functions.
 *
 * Kernel: `linalg/sym_eig.ts` (Householder tridiagonalisation then implicit QL with Wilkinson
 * shifts, on flat row-major arrays), O(n³). As scipy's `linalg.eigh` (LAPACK with `lower=True`),
 * only the lower triangle of the matrix is read; eigenvalues come ascending.
 *
 * @module
 */
import { symEig } from "../linalg/sym_eig.ts";
import { matMulSymmetric, transpose } from "./_dense.ts";

/** Eigenvalues and eigenvectors of a symmetric matrix. */
export interface SymEig {
  /** Eigenvalues (length n), ascending. */
  readonly values: Float64Array;
  /** Eigenvectors as columns of a row-major (n x n) matrix: vector j is `vectors[i * n + j]`. */
  readonly vectors: Float64Array;
}

/** True when one of the first n² values is NaN or infinite. */
function hasNonFinite(m: Float64Array, n: number): boolean {
  for (let i = 0; i < n * n; i++) if (!Number.isFinite(m[i]!)) return true;
  return false;
}

/**
 * Eigendecomposition of a symmetric (n x n) row-major matrix; only its lower triangle is read.
 * A matrix holding NaN or ±Inf gives NaN values and vectors (callers check for NaN, as nilearn
 * does after its logarithm) instead of a convergence error.
 *
 * @param m row-major values, length n².
 * @param n order.
 */
export function eigh(m: Float64Array, n: number): SymEig {
  if (hasNonFinite(m, n)) {
    return { values: new Float64Array(n).fill(NaN), vectors: new Float64Array(n * n).fill(NaN) };
  }
  const { values, vectors } = symEig(m, n);
  return { values, vectors: vectors! };
}

/**
 * The eigenvalues only (ascending) of a symmetric (n x n) row-major matrix (lower triangle read):
 * the reduction and the QL iterations without accumulating vectors, a fraction of {@link eigh}.
 *
 * @param m row-major values, length n².
 * @param n order.
 */
export function eigvalsh(m: Float64Array, n: number): Float64Array {
  if (hasNonFinite(m, n)) return new Float64Array(n).fill(NaN);
  return symEig(m, n, { vectors: false }).values;
}

/**
 * `V diag(f(λ)) Vᵀ` from an eigendecomposition, exactly symmetric (lower triangle computed,
 * then mirrored).
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
  // scaled = V diag(f) (rows of V contiguous), vt = Vᵀ; out = scaled vt
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) scaled[i * n + k] = vectors[i * n + k]! * fv[k]!;
  }
  return matMulSymmetric(scaled, transpose(vectors, n), n);
}

/**
 * `f(M)` for a symmetric matrix M: `V diag(f(λ)) Vᵀ` (nilearn's `_map_eigenvalues`).
 *
 * @param f function applied to each eigenvalue (e.g. `Math.log`, `(x) => 1 / Math.sqrt(x)`).
 * @param m row-major symmetric values (lower triangle read).
 * @param n order.
 */
export function mapEigenvalues(
  f: (x: number) => number,
  m: Float64Array,
  n: number,
): Float64Array {
  return formSymmetric(f, eigh(m, n), n);
}
