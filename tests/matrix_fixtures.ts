// Shared helpers of the dense-matrix tests: deterministic random matrices, a naive product as the
// independent reference, and the largest difference between two arrays.
import assert from "node:assert/strict";
import { lcg } from "./lcg.ts";

/** Random symmetric n x n matrix (row-major), entries uniform in [-0.5, 0.5), from `seed`. */
export function randomSymmetric(n: number, seed: number): Float64Array {
  const r = lcg(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = r() - 0.5;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** C = A B for row-major A (n x m) and B (m x p), each entry a plain dot product (k ascending). */
export function naiveMatMul(
  a: Float64Array,
  b: Float64Array,
  n: number,
  m = n,
  p = n,
): Float64Array {
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += a[i * m + k]! * b[k * p + j]!;
      out[i * p + j] = s;
    }
  }
  return out;
}

/** Largest |a[i] - b[i]| (asserting equal lengths). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
