/**
 * Scanning values for NaN and ±Infinity, fast enough to run on every volume read (the NIfTI reader
 * runs it on each chunk right after inflating it, while it is still in cache).
 *
 * @module
 */

/**
 * Whether any value is NaN or infinite.
 *
 * @param values the values to scan (stops at the first non-finite one).
 * @returns true when one is not finite.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasNonFinite } from "./finite_scan.ts";
 * assert.equal(hasNonFinite(Float32Array.from([1, 2, 3])), false);
 * assert.equal(hasNonFinite(Float64Array.from([1, NaN])), true);
 * assert.equal(hasNonFinite([-Infinity]), true);
 * assert.equal(hasNonFinite(Float64Array.from([1.7e308, 1.7e308])), false); // overflow only
 * ```
 */
export function hasNonFinite(values: ArrayLike<number>): boolean {
  // Fast path, run on every volume: a sum is NaN or infinite when a term is. Four running sums
  // without a branch cost about half a per-value test. A sum that overflows on finite float64
  // values (near 1e308) is confirmed value by value, so the answer is exact.
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = values.length;
  const m = n - (n & 3);
  let i = 0;
  for (; i < m; i += 4) {
    s0 += values[i]!;
    s1 += values[i + 1]!;
    s2 += values[i + 2]!;
    s3 += values[i + 3]!;
  }
  for (; i < n; i++) s0 += values[i]!;
  const sum = (s0 + s1) + (s2 + s3);
  if (sum - sum === 0) return false;
  for (let j = 0; j < n; j++) {
    const x = values[j]!;
    if (x - x !== 0) return true; // NaN for NaN and ±Infinity
  }
  return false;
}
