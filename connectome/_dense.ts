/**
 * Small dense kernels on flat row-major square matrices (float64): products, transposes and
 * symmetrization. Internal to `connectome/`.
 *
 * @module
 */

/** `a * b` for row-major (n x n) matrices. O(n³), i-k-j loop order (row-contiguous inner loop). */
export function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[oi + k] as number;
      if (aik === 0) continue;
      const ok = k * n;
      for (let j = 0; j < n; j++) {
        out[oi + j] = (out[oi + j] as number) + aik * (b[ok + j] as number);
      }
    }
  }
  return out;
}

/** `(m + mᵀ) / 2` for a row-major (n x n) matrix, as a new array. */
export function symmetrize(m: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      out[i * n + j] = ((m[i * n + j] as number) + (m[j * n + i] as number)) * 0.5;
    }
  }
  return out;
}

/** Frobenius norm of a flat array. */
export function frobenius(m: Float64Array): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += (m[i] as number) ** 2;
  return Math.sqrt(s);
}
