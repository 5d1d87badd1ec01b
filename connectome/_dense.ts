/**
 * Small dense kernels on flat row-major square matrices (float64): products, symmetric products,
 * symmetrization. Internal to `connectome/`.
 *
 * The products run four output rows at a time (i-k-j order): each row of the right factor is
 * read once per four output rows and the inner loop is contiguous, which keeps them near the
 * memory bandwidth at 1000 regions. Every entry is still the sum over k in ascending order.
 * Where WebAssembly SIMD is available, the products run its blocked kernel
 * (`linalg/linalg_simd.wat`), which sums every entry in the same order: the same numbers.
 *
 * @module
 */
import { gemmSimd } from "../linalg/linalg_simd.ts";

/** Smallest order for which the products use the WebAssembly kernel. */
const SIMD_MIN_ORDER = 8;

/** `a * b` for row-major (n x n) matrices. O(n³). */
export function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const fast = n >= SIMD_MIN_ORDER ? gemmSimd(a, b, n, false) : null;
  if (fast !== null) return fast;
  const out = new Float64Array(n * n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o0 = i * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
    for (let k = 0; k < n; k++) {
      const a0 = a[o0 + k]!, a1 = a[o1 + k]!, a2 = a[o2 + k]!, a3 = a[o3 + k]!;
      const ok = k * n;
      for (let j = 0; j < n; j++) {
        const bkj = b[ok + j]!;
        out[o0 + j] = out[o0 + j]! + a0 * bkj;
        out[o1 + j] = out[o1 + j]! + a1 * bkj;
        out[o2 + j] = out[o2 + j]! + a2 * bkj;
        out[o3 + j] = out[o3 + j]! + a3 * bkj;
      }
    }
  }
  for (; i < n; i++) {
    const oi = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[oi + k]!;
      const ok = k * n;
      for (let j = 0; j < n; j++) out[oi + j] = out[oi + j]! + aik * b[ok + j]!;
    }
  }
  return out;
}

/**
 * The lower triangle of `a * b` (row-major n x n), mirrored to the upper one: for products known
 * to be symmetric (`V D Vᵀ`, `W C W` with W and C symmetric). Half the work of {@link matMul},
 * and the result is exactly symmetric.
 */
export function matMulSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const fast = n >= SIMD_MIN_ORDER ? gemmSimd(a, b, n, true) : null;
  const out = fast ?? lowerProduct(a, b, n);
  mirrorLower(out, n);
  return out;
}

/** Tile edge of the blocked transpositions (32 x 32 float64 values, 8 KiB per tile). */
const TILE = 32;

/** Copy the lower triangle of a row-major (n x n) matrix onto its upper one, tile by tile. */
function mirrorLower(m: Float64Array, n: number): void {
  for (let r0 = 0; r0 < n; r0 += TILE) {
    const r1 = Math.min(n, r0 + TILE);
    for (let c0 = 0; c0 <= r0; c0 += TILE) {
      const c1 = Math.min(n, c0 + TILE);
      for (let c = c0; c < c1; c++) {
        const rowC = c * n;
        for (let r = Math.max(r0, c + 1); r < r1; r++) m[rowC + r] = m[r * n + c]!;
      }
    }
  }
}

/** The lower triangle of `a * b` (the upper one left zero), four rows at a time. */
function lowerProduct(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o0 = i * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
    for (let k = 0; k < n; k++) {
      const a0 = a[o0 + k]!, a1 = a[o1 + k]!, a2 = a[o2 + k]!, a3 = a[o3 + k]!;
      const ok = k * n;
      // columns 0..i are in the lower triangle of all four rows; then row by row
      for (let j = 0; j <= i; j++) {
        const bkj = b[ok + j]!;
        out[o0 + j] = out[o0 + j]! + a0 * bkj;
        out[o1 + j] = out[o1 + j]! + a1 * bkj;
        out[o2 + j] = out[o2 + j]! + a2 * bkj;
        out[o3 + j] = out[o3 + j]! + a3 * bkj;
      }
      const b1 = b[ok + i + 1]!, b2 = b[ok + i + 2]!, b3 = b[ok + i + 3]!;
      out[o1 + i + 1] = out[o1 + i + 1]! + a1 * b1;
      out[o2 + i + 1] = out[o2 + i + 1]! + a2 * b1;
      out[o2 + i + 2] = out[o2 + i + 2]! + a2 * b2;
      out[o3 + i + 1] = out[o3 + i + 1]! + a3 * b1;
      out[o3 + i + 2] = out[o3 + i + 2]! + a3 * b2;
      out[o3 + i + 3] = out[o3 + i + 3]! + a3 * b3;
    }
  }
  for (; i < n; i++) {
    const oi = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[oi + k]!;
      const ok = k * n;
      for (let j = 0; j <= i; j++) out[oi + j] = out[oi + j]! + aik * b[ok + j]!;
    }
  }
  return out;
}

/**
 * `w c w` for symmetric row-major (n x n) `w` and `c` (whitening, congruence), exactly
 * symmetric: `(w c) w` with the second product on the lower triangle only.
 */
export function congruence(w: Float64Array, c: Float64Array, n: number): Float64Array {
  return matMulSymmetric(matMul(w, c, n), w, n);
}

/** Transpose of a row-major (n x n) matrix, as a new array. */
export function transpose(m: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const i1 = Math.min(n, i0 + TILE);
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      for (let j = j0; j < j1; j++) {
        const rowJ = j * n;
        for (let i = i0; i < i1; i++) out[rowJ + i] = m[i * n + j]!;
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
