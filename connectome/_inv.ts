/**
 * Dense matrix inverses, O(n³) on flat row-major arrays. Internal to `connectome/`.
 *
 * - {@link invertSymmetric}: a symmetric positive definite matrix (a covariance) through
 *   linalg's Cholesky factorisation, about half the work of LU; anything else (indefinite,
 *   singular to working precision, not exactly symmetric) falls back to LU.
 * - {@link invert}: LU decomposition with partial pivoting (as LAPACK's getrf/getri that scipy's
 *   `linalg.inv` calls).
 *
 * @module
 */
import { cholesky, choleskyInverse } from "../linalg/cholesky.ts";

/** True when m equals its transpose exactly. */
function isExactlySymmetric(m: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) if (m[i * n + j] !== m[j * n + i]) return false;
  }
  return true;
}

/**
 * Inverse of a row-major (n x n) matrix expected to be symmetric positive definite: by Cholesky
 * (A = L Lᵀ, A⁻¹ = L⁻ᵀ L⁻¹, exactly symmetric) when it is exactly symmetric and every pivot is
 * positive, else by {@link invert}.
 *
 * @param m row-major values (not modified).
 * @param n order.
 * @param what name used in the error message.
 * @throws {RangeError} when the matrix is exactly singular.
 */
export function invertSymmetric(m: Float64Array, n: number, what = "matrix"): Float64Array {
  if (isExactlySymmetric(m, n)) {
    const l = cholesky(m, n);
    if (l !== null) return choleskyInverse(l, n);
  }
  return invert(m, n, what);
}

/**
 * Inverse of a row-major (n x n) matrix.
 *
 * @param m row-major values (not modified).
 * @param n order.
 * @param what name used in the error message.
 * @throws {RangeError} when the matrix is exactly singular.
 */
export function invert(m: Float64Array, n: number, what = "matrix"): Float64Array {
  const a = Float64Array.from(m);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  // LU in place: a = P L U
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k] as number);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k] as number);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best === 0) throw new RangeError(`${what}: the matrix is singular, it has no inverse`);
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j] as number;
        a[k * n + j] = a[p * n + j] as number;
        a[p * n + j] = t;
      }
      const t = perm[k] as number;
      perm[k] = perm[p] as number;
      perm[p] = t;
    }
    const pivot = a[k * n + k] as number;
    for (let i = k + 1; i < n; i++) {
      const l = (a[i * n + k] as number) / pivot;
      a[i * n + k] = l;
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) {
        a[i * n + j] = (a[i * n + j] as number) - l * (a[k * n + j] as number);
      }
    }
  }
  // solve A X = I column by column; column c of X is kept as row c of xt (contiguous)
  const xt = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const x = xt.subarray(c * n, (c + 1) * n);
    for (let i = 0; i < n; i++) {
      let s = perm[i] === c ? 1 : 0;
      const oi = i * n;
      for (let j = 0; j < i; j++) s -= (a[oi + j] as number) * (x[j] as number);
      x[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i] as number;
      const oi = i * n;
      for (let j = i + 1; j < n; j++) s -= (a[oi + j] as number) * (x[j] as number);
      x[i] = s / (a[oi + i] as number);
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = xt[j * n + i] as number;
  }
  return out;
}
