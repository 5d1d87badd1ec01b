/**
 * Cubic B-spline interpolation as scipy.ndimage does it: an exact recursive prefilter
 * (pole `sqrt(3) - 2`, mirror-symmetric boundary, the extension scipy uses for modes
 * "mirror" and "constant") turning samples into spline coefficients, and the interpolation
 * weights of orders 0 (nearest), 1 (linear) and 3 (cubic).
 *
 * @module
 */

/** The single pole of the cubic B-spline prefilter. */
const POLE3 = Math.sqrt(3) - 2;

/**
 * Turn samples into cubic B-spline coefficients along one axis of an n-D array, in place.
 * The array is seen as `outer` blocks of `n` rows of `inner` contiguous values; the filter
 * runs along the `n` direction for each of the `inner` columns. Boundary: mirror symmetric
 * (whole-sample), as scipy's `spline_filter1d(mode="mirror" | "constant")`.
 *
 * @param data values, modified in place.
 * @param inner product of the dimensions before the axis (x fastest).
 * @param n length of the axis.
 * @param outer product of the dimensions after the axis.
 * @example
 * ```ts
 * import { splineFilterAxis } from "./bspline.ts";
 * const line = Float64Array.from([0, 1, 0, 2]);
 * splineFilterAxis(line, 1, 4, 1);
 * ```
 */
export function splineFilterAxis(
  data: Float64Array,
  inner: number,
  n: number,
  outer: number,
): void {
  if (n <= 1) return;
  const z = POLE3;
  const gain = (1 - z) * (1 - 1 / z);
  // Causal initialisation weights (mirror boundary): c+[0] = sum_k wk * c[k] / (1 - z^(2n-2)).
  const zn1 = Math.pow(z, n - 1);
  const norm = 1 / (1 - zn1 * zn1);
  const initW = new Float64Array(n);
  initW[0] = 1;
  initW[n - 1] = zn1;
  let zk = z;
  for (let k = 1; k < n - 1; k++) {
    initW[k]! += zk; // direct term z^k
    initW[n - 1 - k]! += zk * zn1; // mirrored term z^(2n-2-m) for m = n-1-k
    zk *= z;
  }
  const antiW = z / (z * z - 1);
  const block = n * inner;
  for (let o = 0; o < outer; o++) {
    const base = o * block;
    const end = base + block;
    for (let p = base; p < end; p++) data[p]! *= gain;
    // causal init into row 0 (computed from the gain-scaled samples)
    for (let c = 0; c < inner; c++) {
      let s = 0;
      let p = base + c;
      for (let k = 0; k < n; k++, p += inner) s += initW[k]! * data[p]!;
      data[base + c] = s * norm;
    }
    // causal recursion
    for (let k = 1; k < n; k++) {
      const row = base + k * inner;
      const prev = row - inner;
      for (let c = 0; c < inner; c++) data[row + c]! += z * data[prev + c]!;
    }
    // anticausal init
    const last = base + (n - 1) * inner;
    const before = last - inner;
    for (let c = 0; c < inner; c++) {
      data[last + c] = antiW * (data[last + c]! + z * data[before + c]!);
    }
    // anticausal recursion
    for (let k = n - 2; k >= 0; k--) {
      const row = base + k * inner;
      const next = row + inner;
      for (let c = 0; c < inner; c++) data[row + c] = z * (data[next + c]! - data[row + c]!);
    }
  }
}

/**
 * Cubic B-spline coefficients of a 3D volume (x fastest), in place: the separable prefilter
 * of scipy.ndimage's order-3 `spline_filter` along x, y and z.
 *
 * @param data `nx * ny * nz` values, modified in place.
 * @param shape `[nx, ny, nz]`.
 * @example
 * ```ts
 * import { splineFilter3d } from "./bspline.ts";
 * const v = new Float64Array(27);
 * v[13] = 1;
 * splineFilter3d(v, [3, 3, 3]);
 * ```
 */
export function splineFilter3d(data: Float64Array, shape: readonly [number, number, number]): void {
  const [nx, ny, nz] = shape;
  splineFilterAxis(data, 1, nx, ny * nz);
  splineFilterAxis(data, nx, ny, nz);
  splineFilterAxis(data, nx * ny, nz, 1);
}

/**
 * Index of a whole-sample mirror extension (`... 2 1 | 0 1 2 ... n-1 | n-2 ...`), as scipy
 * maps spline taps beyond the edges.
 *
 * @param idx possibly out-of-range index.
 * @param len axis length.
 * @returns an index in `[0, len)`.
 * @example
 * ```ts
 * import { mirrorIndex } from "./bspline.ts";
 * mirrorIndex(-1, 5); // 1
 * mirrorIndex(5, 5); // 3
 * ```
 */
export function mirrorIndex(idx: number, len: number): number {
  if (len <= 1) return 0;
  const period = 2 * len - 2;
  let i = idx % period;
  if (i < 0) i += period;
  return i >= len ? period - i : i;
}

/**
 * Interpolation taps along one axis for a coordinate `cc` in `[0, len - 1]`: the first tap
 * index and the `order + 1` weights (scipy's B-spline weights of order 0, 1 or 3).
 *
 * @param cc coordinate in voxel units.
 * @param order 0, 1 or 3.
 * @param weights output, length at least `order + 1`.
 * @param offset where to write in `weights`.
 * @returns the index of the first tap (may be out of range; mirror it).
 * @example
 * ```ts
 * import { splineWeights } from "./bspline.ts";
 * const w = new Float64Array(4);
 * splineWeights(2.5, 3, w, 0); // 1, w = [1/48, 23/48, 23/48, 1/48]
 * ```
 */
export function splineWeights(
  cc: number,
  order: number,
  weights: Float64Array,
  offset: number,
): number {
  if (order === 0) {
    weights[offset] = 1;
    return Math.floor(cc + 0.5);
  }
  const f = Math.floor(cc);
  const t = cc - f;
  if (order === 1) {
    weights[offset] = 1 - t;
    weights[offset + 1] = t;
    return f;
  }
  if (order !== 3) throw new RangeError(`spline order must be 0, 1 or 3, got ${order}`);
  const u = 1 - t;
  const t2 = t * t;
  const w0 = (u * u * u) / 6;
  const w3 = (t2 * t) / 6;
  const w1 = 2 / 3 - t2 + 0.5 * t2 * t;
  weights[offset] = w0;
  weights[offset + 1] = w1;
  weights[offset + 2] = 1 - w0 - w1 - w3;
  weights[offset + 3] = w3;
  return f - 1;
}
