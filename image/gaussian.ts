/**
 * 1D Gaussian filtering along one axis of an n-D array, as scipy.ndimage's
 * `gaussian_filter1d` (order 0, `truncate` 4 by default, boundary mode "reflect":
 * `d c b a | a b c d | d c b a`).
 *
 * @module
 */

/**
 * Normalized Gaussian kernel of scipy's `gaussian_filter1d`: radius
 * `floor(truncate * sigma + 0.5)`, weights `exp(-x^2 / (2 sigma^2))` summing to 1.
 *
 * @param sigma standard deviation, in samples (> 0).
 * @param truncate radius in standard deviations (default 4).
 * @returns the `2 * radius + 1` weights.
 * @example
 * ```ts
 * import { gaussianKernel1d } from "./gaussian.ts";
 * gaussianKernel1d(1).length; // 9
 * ```
 */
export function gaussianKernel1d(sigma: number, truncate = 4): Float64Array {
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new RangeError(`sigma must be a positive finite number, got ${sigma}`);
  }
  const radius = Math.floor(truncate * sigma + 0.5);
  const w = new Float64Array(2 * radius + 1);
  const f = -0.5 / (sigma * sigma);
  for (let x = -radius; x <= radius; x++) w[x + radius] = Math.exp(f * (x * x));
  const sum = numpySum(w, 0, w.length);
  for (let i = 0; i < w.length; i++) w[i]! /= sum;
  return w;
}

/** numpy's pairwise summation of `a[start, start + n)` (same rounding as `np.sum`). */
function numpySum(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = a.slice(start, start + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    }
    let res = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(a, start, n2) + numpySum(a, start + n2, n - n2);
}

/** Index of the half-sample symmetric ("reflect") extension of an axis of length `n`. */
function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let r = i % period;
  if (r < 0) r += period;
  return r >= n ? period - 1 - r : r;
}

/**
 * Correlate an n-D array with a symmetric kernel along one axis, in place, with "reflect"
 * boundaries. The array is seen as `outer` blocks of `n` rows of `inner` contiguous values.
 *
 * @param data values, modified in place.
 * @param inner product of the dimensions before the axis (x fastest).
 * @param n length of the axis.
 * @param outer product of the dimensions after the axis.
 * @param weights kernel of odd length (centred).
 * @example
 * ```ts
 * import { gaussianKernel1d, gaussianFilterAxis } from "./gaussian.ts";
 * const line = Float64Array.from([0, 0, 1, 0, 0]);
 * gaussianFilterAxis(line, 1, 5, 1, gaussianKernel1d(1));
 * ```
 */
export function gaussianFilterAxis(
  data: Float64Array,
  inner: number,
  n: number,
  outer: number,
  weights: Float64Array,
): void {
  const radius = (weights.length - 1) / 2;
  const block = n * inner;
  const tmp = new Float64Array(block);
  // tap source rows per output row, precomputed once
  const taps = new Int32Array(n * weights.length);
  for (let k = 0; k < n; k++) {
    for (let m = 0; m < weights.length; m++) {
      taps[k * weights.length + m] = reflectIndex(k + m - radius, n);
    }
  }
  const nw = weights.length;
  // scipy's order for a symmetric kernel: centre * w[r], then the pairs from the outermost in,
  // (x[k - j] + x[k + j]) * w[r - j] for j = r..1 (same rounding, which matters when the output
  // is truncated to integers).
  const w0 = weights[radius]!;
  for (let o = 0; o < outer; o++) {
    const base = o * block;
    if (inner === 1) {
      for (let k = 0; k < n; k++) {
        const t = k * nw;
        let acc = data[base + taps[t + radius]!]! * w0;
        for (let m = 0; m < radius; m++) {
          acc += (data[base + taps[t + m]!]! + data[base + taps[t + nw - 1 - m]!]!) * weights[m]!;
        }
        tmp[k] = acc;
      }
    } else {
      for (let k = 0; k < n; k++) {
        const d = k * inner;
        const t = k * nw;
        const sc = base + taps[t + radius]! * inner;
        for (let c = 0; c < inner; c++) tmp[d + c] = data[sc + c]! * w0;
        for (let m = 0; m < radius; m++) {
          const w = weights[m]!;
          const s1 = base + taps[t + m]! * inner;
          const s2 = base + taps[t + nw - 1 - m]! * inner;
          for (let c = 0; c < inner; c++) tmp[d + c]! += (data[s1 + c]! + data[s2 + c]!) * w;
        }
      }
    }
    data.set(tmp, base);
  }
}
