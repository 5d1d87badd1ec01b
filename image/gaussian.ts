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
  let sum = 0;
  for (let x = -radius; x <= radius; x++) {
    const v = Math.exp(f * x * x);
    w[x + radius] = v;
    sum += v;
  }
  for (let i = 0; i < w.length; i++) w[i]! /= sum;
  return w;
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
  for (let o = 0; o < outer; o++) {
    const base = o * block;
    if (inner === 1) {
      for (let k = 0; k < n; k++) {
        let acc = 0;
        const t = k * nw;
        for (let m = 0; m < nw; m++) acc += data[base + taps[t + m]!]! * weights[m]!;
        tmp[k] = acc;
      }
    } else {
      tmp.fill(0);
      for (let k = 0; k < n; k++) {
        const d = k * inner;
        const t = k * nw;
        for (let m = 0; m < nw; m++) {
          const w = weights[m]!;
          const s = base + taps[t + m]! * inner;
          for (let c = 0; c < inner; c++) tmp[d + c]! += data[s + c]! * w;
        }
      }
    }
    data.set(tmp, base);
  }
}
