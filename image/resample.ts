import { imageGeometry } from "./check_image.ts";
import type { Affine, Image, VoxelData } from "../types.ts";
import { mirrorIndex, splineFilter3d, splineWeights } from "./bspline.ts";
import { imageHeldDtype } from "./held_dtype.ts";
import { affineFrom3x3, allClose, checkAffine, invertAffine, multiplyAffines } from "./grid.ts";

/** Interpolation of {@link resampleImg}: "continuous" is cubic B-spline. */
export type Interpolation = "continuous" | "linear" | "nearest";

/** Options of {@link resampleImg}, as nilearn's `resample_img` arguments. */
export interface ResampleOptions {
  /** Target affine: 4x4 (row-major, length 16) or 3x3 (length 9, shape then computed). */
  targetAffine: Affine | readonly number[];
  /** Target shape [nx, ny, nz]; required with a 4x4 target affine. */
  targetShape?: readonly number[] | null;
  /** Default "continuous". */
  interpolation?: Interpolation;
  /** Clip to the input range (default true). */
  clip?: boolean;
  /** Value outside the input field of view (default 0). */
  fillValue?: number;
  /**
   * Disable nilearn's shortcut for grids that differ by a whole-voxel translation only (crop
   * then paste, no interpolation, zero padding). Default false, as nilearn 0.11.1.
   */
  forceResample?: boolean;
}

/**
 * Thrown when the target grid does not contain any of the input data (nilearn's
 * `BoundingBoxError`).
 */
export class BoundingBoxError extends RangeError {
  /**
   * Create the error.
   *
   * @param message what went wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "BoundingBoxError";
  }
}

const INTERPOLATION_ORDER: Record<Interpolation, number> = { continuous: 3, linear: 1, nearest: 0 };

/** How output values are stored by nilearn (the output dtype it keeps). */
type Storage =
  | { kind: "float64" }
  | { kind: "float32" }
  | { kind: "int"; min: number; max: number; unsigned: boolean };

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  uint64: [0, 2 ** 64 - 1],
};

/**
 * Output storage as nilearn keeps it: the dtype the input is held in (`imageHeldDtype`:
 * `img.dtype` unless its header scales it, else float32 for Float32Array data), except that
 * signed integers become floats with "continuous". Integer dtypes whose values are not
 * integers count as floats.
 */
function outputStorage(img: Image, interpolation: Interpolation): Storage {
  const dtype = imageHeldDtype(img);
  if (dtype === "float64") return { kind: "float64" };
  if (dtype === "float32") return { kind: "float32" };
  const range = INT_RANGES[dtype];
  if (range !== undefined && allIntegers(img.data)) {
    const unsigned = dtype.startsWith("u");
    if (!unsigned && interpolation === "continuous") {
      return dtype === "int64" ? { kind: "float64" } : { kind: "float32" };
    }
    return { kind: "int", min: range[0], max: range[1], unsigned };
  }
  return { kind: "float64" };
}

function allIntegers(data: ArrayLike<number>): boolean {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isInteger(data[i]!)) return false;
  }
  return true;
}

/** Cast one interpolated value as scipy stores it in an output array of that dtype. */
function storeAs(storage: Storage, t: number): number {
  if (storage.kind === "float64") return t;
  if (storage.kind === "float32") return Math.fround(t);
  if (storage.unsigned) t = t > 0 ? t + 0.5 : 0;
  else t = t > 0 ? t + 0.5 : t - 0.5;
  if (t > storage.max) t = storage.max;
  if (t < storage.min) t = storage.min;
  return Math.trunc(t);
}

/** {@link storeAs} over a whole array. */
function applyStorage(storage: Storage, a: Float64Array): void {
  if (storage.kind === "float64") return;
  if (storage.kind === "float32") {
    for (let i = 0; i < a.length; i++) a[i] = Math.fround(a[i]!);
    return;
  }
  for (let i = 0; i < a.length; i++) a[i] = storeAs(storage, a[i]!);
}

function checkTargetShape(targetShape: readonly number[]): [number, number, number] {
  if (!Array.isArray(targetShape) && !ArrayBuffer.isView(targetShape)) {
    throw new TypeError(`targetShape: expected 3 positive integers, got ${targetShape}`);
  }
  if (targetShape.length !== 3) {
    throw new TypeError(
      `targetShape: the shape of the 3D grid, so 3 numbers, got [${targetShape.join(", ")}]`,
    );
  }
  for (const s of targetShape) {
    if (!Number.isInteger(s) || s < 1) {
      throw new RangeError(
        `targetShape: entries must be positive integers, got [${targetShape.join(", ")}]`,
      );
    }
  }
  return [targetShape[0]!, targetShape[1]!, targetShape[2]!];
}

/** World bounds (min, max per axis) of the corner voxel centres of `shape` under `affine`. */
function cornerBounds(
  shape: readonly [number, number, number],
  affine: Affine,
): [number, number][] {
  const out: [number, number][] = [[Infinity, -Infinity], [Infinity, -Infinity], [
    Infinity,
    -Infinity,
  ]];
  for (let c = 0; c < 8; c++) {
    const v = [
      c & 1 ? shape[0] - 1 : 0,
      c & 2 ? shape[1] - 1 : 0,
      c & 4 ? shape[2] - 1 : 0,
    ];
    for (let r = 0; r < 3; r++) {
      const w = affine[4 * r]! * v[0]! + affine[4 * r + 1]! * v[1]! + affine[4 * r + 2]! * v[2]! +
        affine[4 * r + 3]!;
      const b = out[r]!;
      if (w < b[0]) b[0] = w;
      if (w > b[1]) b[1] = w;
    }
  }
  return out;
}

/**
 * Resample an image onto a target grid, as nilearn 0.11.1's `resample_img` (with
 * `force_resample=False`, its default): scipy.ndimage's `affine_transform` with boundary mode
 * "constant" (points outside the input get `fillValue`), cubic B-spline with scipy's
 * prefilter for "continuous"; non-finite inputs extrapolated then marked NaN again; a
 * whole-voxel translation copies the data without interpolation (zero padding); output
 * clipped to `[min(data, 0), max(data, 0)]` when `clip`.
 *
 * The output data is float64. Values are rounded as nilearn stores them: float32 inputs
 * (a `Float32Array`, or `dtype: "float32"` on a loaded image) give float32-rounded values;
 * integer inputs (`dtype` of a loaded image) give integers unless signed with "continuous".
 *
 * @param img 3D to 7D image (beyond 3D: each 3D volume resampled; the extra axes are kept).
 * @param options see {@link ResampleOptions}.
 * @returns the resampled image (float64 data) on the target grid.
 * @throws TypeError for bad shapes/affines, RangeError for a non-invertible affine,
 *   {@link BoundingBoxError} when the target grid sees none of the data.
 * @example
 * ```ts
 * import { resampleImg } from "./resample.ts";
 * const img = {
 *   data: new Float64Array(27).fill(1),
 *   shape: [3, 3, 3],
 *   affine: Float64Array.from([3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1]),
 * };
 * const out = resampleImg(img, {
 *   targetAffine: Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]),
 *   targetShape: [4, 4, 4],
 *   interpolation: "linear",
 * });
 * ```
 */
export function resampleImg(img: Image, options: ResampleOptions): Image {
  const { spatial, nVol } = imageGeometry(img, "img");
  const affine = checkAffine(img.affine, "img.affine");
  if (options == null || typeof options !== "object") {
    throw new TypeError(`options: expected { targetAffine, targetShape, ... }, got ${options}`);
  }
  const interpolation = options.interpolation ?? "continuous";
  const order = INTERPOLATION_ORDER[interpolation];
  if (order === undefined || !Object.hasOwn(INTERPOLATION_ORDER, interpolation)) {
    throw new RangeError(
      `interpolation must be one of "continuous", "linear", "nearest", got "${interpolation}"`,
    );
  }
  const clip = options.clip ?? true;
  const fillValue = options.fillValue ?? 0;
  if (typeof fillValue !== "number") {
    throw new TypeError(`fillValue: expected a number, got ${fillValue}`);
  }
  const ta = options.targetAffine;
  if (ta == null || (ta.length !== 16 && ta.length !== 9)) {
    throw new TypeError(
      `targetAffine: expected a 4x4 (16 numbers) or 3x3 (9 numbers) row-major matrix, got ${
        ta == null ? ta : `${ta.length} numbers`
      }`,
    );
  }
  const missingOffset = ta.length === 9;
  let targetShape = options.targetShape == null ? null : checkTargetShape(options.targetShape);
  if (missingOffset && targetShape !== null) {
    throw new TypeError(
      "targetShape given with a 3x3 targetAffine (no anchor): the affine must be 4x4",
    );
  }
  const target = missingOffset ? affineFrom3x3(ta) : checkAffine(ta, "targetAffine");
  if (missingOffset) checkAffine(target, "targetAffine");

  // no-op: same shape and (close) affine
  if (
    targetShape !== null && targetShape.every((s, d) => s === spatial[d]) &&
    allClose(target, affine)
  ) {
    return { data: Float64Array.from(img.data), shape: [...img.shape], affine: affine.slice() };
  }

  const targetInv = invertAffine(target, "targetAffine");
  const affineInv = invertAffine(affine, "img.affine");
  const bounds = cornerBounds(spatial, multiplyAffines(targetInv, affine));
  if (missingOffset) {
    for (let r = 0; r < 3; r++) {
      target[4 * r + 3] = target[4 * r]! * bounds[0]![0] + target[4 * r + 1]! * bounds[1]![0] +
        target[4 * r + 2]! * bounds[2]![0];
    }
    for (const b of bounds) {
      b[1] = b[1] - b[0];
      b[0] = 0;
    }
  }
  if (targetShape === null) {
    targetShape = [
      Math.ceil(bounds[0]![1]) + 1,
      Math.ceil(bounds[1]![1]) + 1,
      Math.ceil(bounds[2]![1]) + 1,
    ];
  }
  if (bounds[0]![1] < 0 || bounds[1]![1] < 0 || bounds[2]![1] < 0) {
    throw new BoundingBoxError(
      "The field of view given by the target affine does not contain any of the data",
    );
  }
  const { A, b } = voxelMap(affine, affineInv, target);
  const outShape = targetShape;
  const outVox = outShape[0] * outShape[1] * outShape[2];
  const out = new Float64Array(outVox * nVol);
  const storage = outputStorage(img, interpolation);

  if (isShift(A, b) && !(options.forceResample ?? false)) {
    pasteShifted(img.data, spatial, nVol, b, outShape, out);
  } else {
    const diagonal = A.every((v, i) => i % 4 === 0 || v === 0);
    const resampler = new VolumeResampler(spatial, outShape, A, b, diagonal, order, fillValue);
    const inVox = spatial[0] * spatial[1] * spatial[2];
    const vol = new Float64Array(inVox);
    for (let t = 0; t < nVol; t++) {
      const src = img.data.subarray(t * inVox, (t + 1) * inVox);
      const dst = out.subarray(t * outVox, (t + 1) * outVox);
      let finite = true;
      for (let i = 0; i < inVox; i++) {
        if (!Number.isFinite(src[i]!)) {
          finite = false;
          break;
        }
      }
      if (finite) {
        vol.set(src);
        resampler.run(vol, dst);
        applyStorage(storage, dst);
      } else {
        const notFinite = new Float64Array(inVox);
        for (let i = 0; i < inVox; i++) notFinite[i] = Number.isFinite(src[i]!) ? 0 : 1;
        vol.set(extrapolateOutMask(src, spatial, 2));
        resampler.run(vol, dst);
        applyStorage(storage, dst);
        const nanMask = new Float64Array(outVox);
        new VolumeResampler(spatial, outShape, A, b, diagonal, 0, 0).run(notFinite, nanMask);
        for (let i = 0; i < outVox; i++) if (nanMask[i] !== 0) dst[i] = NaN;
      }
    }
  }

  if (clip) clipToRange(out, widenRange([0, 0], img.data));
  return {
    data: out,
    shape: [...outShape, ...img.shape.slice(3)],
    affine: target,
  };
}

/**
 * nilearn's whole-voxel-translation shortcut: crop the input to its non-negligible values
 * (|v| > 1e-8 * max|v| over all volumes), then paste that box at the translated position,
 * zeros elsewhere. As in nilearn 0.11.1, when the box's low end falls outside the target
 * grid, the pasted block starts from the box's first voxel (not the first visible one).
 */
/**
 * `range` widened to include `values` (NaN ignored); resampleImg clips its output to
 * `widenRange([0, 0], input)`.
 *
 * @param range [lo, hi], updated in place and returned.
 * @param values the values.
 * @returns `range`.
 * @example
 * ```ts
 * import { widenRange } from "./resample.ts";
 * console.log(widenRange([0, 0], [3, -1, NaN])); // [-1, 3]
 * ```
 */
export function widenRange(range: [number, number], values: ArrayLike<number>): [number, number] {
  let [lo, hi] = range;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  range[0] = lo;
  range[1] = hi;
  return range;
}

/**
 * Clip values in place to `[lo, hi]` (NaN left as is).
 *
 * @param values the values (changed).
 * @param range [lo, hi].
 * @example
 * ```ts
 * import { clipToRange } from "./resample.ts";
 * const v = Float64Array.from([-2, 0.5, 9]);
 * clipToRange(v, [-1, 1]);
 * console.log(v); // Float64Array [-1, 0.5, 1]
 * ```
 */
export function clipToRange(values: VoxelData, range: readonly [number, number]): void {
  const [lo, hi] = range;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) values[i] = lo;
    else if (v > hi) values[i] = hi;
  }
}

/** Target voxel to source voxel: `source = A · target + b` (A 3x3 row-major). */
function voxelMap(
  affine: Affine,
  affineInv: Affine,
  target: Affine,
): { A: Float64Array; b: Float64Array } {
  const transform = target.every((v, i) => v === affine[i])
    ? affineFrom3x3([1, 0, 0, 0, 1, 0, 0, 0, 1])
    : multiplyAffines(affineInv, target);
  const A = new Float64Array(9);
  const b = new Float64Array(3);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) A[3 * r + c] = transform[4 * r + c]!;
    b[r] = transform[4 * r + 3]!;
  }
  return { A, b };
}

/** Whether a voxel map is a translation by whole voxels (nilearn's crop-and-paste shortcut). */
function isShift(A: Float64Array, b: Float64Array): boolean {
  return A.every((v, i) => v === (i % 4 === 0 ? 1 : 0)) && b.every((v) => v === Math.round(v));
}

/**
 * Whether {@link resampleImg} from a grid with affine `affine` to a 4x4 `targetAffine` takes
 * nilearn's shortcut for grids that differ by a whole-voxel translation (crop the whole image to
 * its non-zero box, then paste: not volume by volume, so the crop box is the whole image's).
 *
 * @param affine source affine (4x4, row-major).
 * @param targetAffine target affine (4x4, row-major).
 * @returns true for a whole-voxel translation (without `forceResample`).
 * @example
 * ```ts
 * import { isWholeVoxelShift } from "./resample.ts";
 * const a = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
 * const t = Float64Array.from([2, 0, 0, 4, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
 * console.log(isWholeVoxelShift(a, t)); // true
 * ```
 */
export function isWholeVoxelShift(affine: Affine, targetAffine: Affine): boolean {
  const src = checkAffine(affine, "affine");
  const target = checkAffine(targetAffine, "targetAffine");
  const { A, b } = voxelMap(src, invertAffine(src, "affine"), target);
  return isShift(A, b);
}

function pasteShifted(
  data: ArrayLike<number>,
  spatial: readonly [number, number, number],
  nVol: number,
  b: Float64Array,
  outShape: readonly [number, number, number],
  out: Float64Array,
): void {
  const [nx, ny, nz] = spatial;
  const inVox = nx * ny * nz;
  let lo = Infinity;
  let hi = -Infinity;
  let hasNaN = false;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== v) hasNaN = true;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const start = [0, 0, 0];
  const end = [nx, ny, nz];
  if (!hasNaN) {
    const thr = 1e-8 * Math.max(-lo, hi);
    const s = [Infinity, Infinity, Infinity];
    const e = [-1, -1, -1];
    for (let t = 0; t < nVol; t++) {
      let p = t * inVox;
      for (let k = 0; k < nz; k++) {
        for (let j = 0; j < ny; j++) {
          for (let i = 0; i < nx; i++, p++) {
            const v = data[p]!;
            if (v < -thr || v > thr) {
              if (i < s[0]!) s[0] = i;
              if (i > e[0]!) e[0] = i;
              if (j < s[1]!) s[1] = j;
              if (j > e[1]!) e[1] = j;
              if (k < s[2]!) s[2] = k;
              if (k > e[2]!) e[2] = k;
            }
          }
        }
      }
    }
    if (e[0]! >= 0) {
      for (let d = 0; d < 3; d++) {
        start[d] = s[d]!;
        end[d] = e[d]! + 1;
      }
    }
  }
  const dstLo = [0, 0, 0];
  const len = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const i0 = start[d]! - b[d]!;
    const i1 = end[d]! - b[d]!;
    dstLo[d] = Math.max(0, i0);
    len[d] = Math.min(outShape[d]!, i1) - dstLo[d]!;
    if (len[d]! <= 0) return;
  }
  const [mx, my, mz] = outShape;
  const outVox = mx * my * mz;
  for (let t = 0; t < nVol; t++) {
    for (let k = 0; k < len[2]!; k++) {
      for (let j = 0; j < len[1]!; j++) {
        const src = t * inVox + start[0]! + nx * (start[1]! + j + ny * (start[2]! + k));
        const dst = t * outVox + dstLo[0]! + mx * (dstLo[1]! + j + my * (dstLo[2]! + k));
        for (let i = 0; i < len[0]!; i++) out[dst + i] = data[src + i]!;
      }
    }
  }
}

/**
 * nilearn's `extrapolate_out_mask` for the finite voxels of one volume: `iterations` times,
 * each voxel of the one-voxel (6-neighbour) shell around the mask gets the mean of its
 * neighbours inside the mask; voxels farther away become 0.
 */
function extrapolateOutMask(
  src: ArrayLike<number>,
  shape: readonly [number, number, number],
  iterations: number,
): Float64Array {
  const [nx, ny, nz] = shape;
  const n = nx * ny * nz;
  let mask = new Uint8Array(n);
  let data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    if (Number.isFinite(v)) {
      mask[i] = 1;
      data[i] = v;
    }
  }
  const strides = [1, nx, nx * ny];
  const dims = [nx, ny, nz];
  for (let it = 0; it < iterations; it++) {
    const newMask = new Uint8Array(n);
    const newData = new Float64Array(n);
    let p = 0;
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++, p++) {
          if (mask[p]) {
            newMask[p] = 1;
            newData[p] = data[p]!;
            continue;
          }
          const idx = [i, j, k];
          let sum = 0;
          let count = 0;
          for (let d = 0; d < 3; d++) {
            for (const step of [-1, 1]) {
              const q = idx[d]! + step;
              if (q < 0 || q >= dims[d]!) continue;
              const pp = p + step * strides[d]!;
              if (mask[pp]) {
                sum += data[pp]!;
                count++;
              }
            }
          }
          if (count > 0) {
            newMask[p] = 1;
            newData[p] = sum / count;
          }
        }
      }
    }
    mask = newMask;
    data = newData;
  }
  return data;
}

/** Taps of one output axis for a separable (diagonal) transform. */
interface AxisTaps {
  valid: Uint8Array;
  index: Int32Array;
  weight: Float64Array;
}

/**
 * Resamples 3D volumes with fixed geometry; scratch buffers are allocated once and reused
 * for every volume.
 */
class VolumeResampler {
  readonly #inShape: readonly [number, number, number];
  readonly #outShape: readonly [number, number, number];
  readonly #A: Float64Array;
  readonly #b: Float64Array;
  readonly #diagonal: boolean;
  readonly #order: number;
  readonly #fill: number;
  #taps: AxisTaps[] | null = null;
  #tmp1: Float64Array | null = null;
  #tmp2: Float64Array | null = null;

  constructor(
    inShape: readonly [number, number, number],
    outShape: readonly [number, number, number],
    A: Float64Array,
    b: Float64Array,
    diagonal: boolean,
    order: number,
    fill: number,
  ) {
    this.#inShape = inShape;
    this.#outShape = outShape;
    this.#A = A;
    this.#b = b;
    this.#diagonal = diagonal;
    this.#order = order;
    this.#fill = fill;
  }

  /** Resample `vol` (modified: it becomes spline coefficients for order 3) into `dst`. */
  run(vol: Float64Array, dst: Float64Array): void {
    if (this.#order > 1) splineFilter3d(vol, this.#inShape);
    if (this.#diagonal) this.#runSeparable(vol, dst);
    else this.#runGeneral(vol, dst);
  }

  #axisTaps(axis: number): AxisTaps {
    const len = this.#inShape[axis]!;
    const m = this.#outShape[axis]!;
    const nt = this.#order + 1;
    const zoom = this.#A[4 * axis]!;
    const shift = this.#b[axis]! / zoom;
    const valid = new Uint8Array(m);
    const index = new Int32Array(m * nt);
    const weight = new Float64Array(m * nt);
    for (let k = 0; k < m; k++) {
      // scipy's zoom_shift: (k + offset / zoom) * zoom
      const cc = (k + shift) * zoom;
      if (cc < 0 || cc > len - 1) continue;
      valid[k] = 1;
      const start = splineWeights(cc, this.#order, weight, k * nt);
      for (let t = 0; t < nt; t++) index[k * nt + t] = mirrorIndex(start + t, len);
    }
    return { valid, index, weight };
  }

  #runSeparable(src: Float64Array, dst: Float64Array): void {
    const [nx, ny, nz] = this.#inShape;
    const [mx, my, mz] = this.#outShape;
    const nt = this.#order + 1;
    if (this.#taps === null) {
      this.#taps = [this.#axisTaps(0), this.#axisTaps(1), this.#axisTaps(2)];
      this.#tmp1 = new Float64Array(mx * ny * nz);
      this.#tmp2 = new Float64Array(mx * my * nz);
    }
    const [tx, ty, tz] = this.#taps as [AxisTaps, AxisTaps, AxisTaps];
    const t1 = this.#tmp1!;
    const t2 = this.#tmp2!;
    // along x: (nx, ny, nz) -> (mx, ny, nz)
    const xi = tx.index;
    const xw = tx.weight;
    for (let line = 0; line < ny * nz; line++) {
      const s = line * nx;
      const d = line * mx;
      for (let i = 0; i < mx; i++) {
        let acc = 0;
        const o = i * nt;
        for (let t = 0; t < nt; t++) acc += src[s + xi[o + t]!]! * xw[o + t]!;
        t1[d + i] = acc;
      }
    }
    // along y: (mx, ny, nz) -> (mx, my, nz); rows outside the field of view are skipped
    // (their values are replaced by the fill value at the end)
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < my; j++) {
        if (!ty.valid[j]) continue;
        combineRows(t1, (k * ny) * mx, mx, ty, j, nt, t2, (k * my + j) * mx, mx);
      }
    }
    // along z: (mx, my, nz) -> (mx, my, mz)
    const plane = mx * my;
    const fill = this.#fill;
    for (let k = 0; k < mz; k++) {
      if (!tz.valid[k]) {
        dst.fill(fill, k * plane, (k + 1) * plane);
        continue;
      }
      combineRows(t2, 0, plane, tz, k, nt, dst, k * plane, plane);
    }
    // outside the input field of view along x or y: fill value
    for (let k = 0; k < mz; k++) {
      if (!tz.valid[k]) continue;
      for (let j = 0; j < my; j++) {
        const base = (k * my + j) * mx;
        if (!ty.valid[j]) {
          dst.fill(fill, base, base + mx);
          continue;
        }
        for (let i = 0; i < mx; i++) if (!tx.valid[i]) dst[base + i] = fill;
      }
    }
  }

  #runGeneral(src: Float64Array, dst: Float64Array): void {
    const [nx, ny, nz] = this.#inShape;
    const [mx, my, mz] = this.#outShape;
    const order = this.#order;
    const nt = order + 1;
    const A = this.#A;
    const b = this.#b;
    const fill = this.#fill;
    const w = new Float64Array(3 * nt);
    const off = new Int32Array(3 * nt);
    const lens = [nx, ny, nz];
    const strides = [1, nx, nx * ny];
    const cc = new Float64Array(3);
    let p = 0;
    for (let k = 0; k < mz; k++) {
      for (let j = 0; j < my; j++) {
        for (let i = 0; i < mx; i++, p++) {
          let inside = true;
          for (let h = 0; h < 3; h++) {
            const c = i * A[3 * h]! + j * A[3 * h + 1]! + k * A[3 * h + 2]! + b[h]!;
            if (c < 0 || c > lens[h]! - 1) {
              inside = false;
              break;
            }
            cc[h] = c;
          }
          if (!inside) {
            dst[p] = fill;
            continue;
          }
          for (let h = 0; h < 3; h++) {
            const len = lens[h]!;
            const stride = strides[h]!;
            const start = splineWeights(cc[h]!, order, w, h * nt);
            if (start < 0 || start + order >= len) {
              for (let t = 0; t < nt; t++) off[h * nt + t] = mirrorIndex(start + t, len) * stride;
            } else {
              for (let t = 0; t < nt; t++) off[h * nt + t] = (start + t) * stride;
            }
          }
          let acc = 0;
          for (let a = 0; a < nt; a++) {
            const oa = off[a]!;
            const wa = w[a]!;
            for (let c2 = 0; c2 < nt; c2++) {
              const ob = oa + off[nt + c2]!;
              const wb = wa * w[nt + c2]!;
              for (let c3 = 0; c3 < nt; c3++) {
                acc += src[ob + off[2 * nt + c3]!]! * wb * w[2 * nt + c3]!;
              }
            }
          }
          dst[p] = acc;
        }
      }
    }
  }
}

/**
 * `dst[d + i] = sum_t w_t * src[base + index_t * rowLen + i]` for `i < rowLen`: one output row
 * (or plane) as a weighted sum of `nt` input rows, the taps of output index `o`.
 */
function combineRows(
  src: Float64Array,
  base: number,
  rowLen: number,
  taps: AxisTaps,
  o: number,
  nt: number,
  dst: Float64Array,
  d: number,
  len: number,
): void {
  const idx = taps.index;
  const w = taps.weight;
  const q = o * nt;
  if (nt === 4) {
    const r0 = base + idx[q]! * rowLen;
    const r1 = base + idx[q + 1]! * rowLen;
    const r2 = base + idx[q + 2]! * rowLen;
    const r3 = base + idx[q + 3]! * rowLen;
    const w0 = w[q]!;
    const w1 = w[q + 1]!;
    const w2 = w[q + 2]!;
    const w3 = w[q + 3]!;
    for (let i = 0; i < len; i++) {
      dst[d + i] = src[r0 + i]! * w0 + src[r1 + i]! * w1 + src[r2 + i]! * w2 +
        src[r3 + i]! * w3;
    }
  } else if (nt === 2) {
    const r0 = base + idx[q]! * rowLen;
    const r1 = base + idx[q + 1]! * rowLen;
    const w0 = w[q]!;
    const w1 = w[q + 1]!;
    for (let i = 0; i < len; i++) dst[d + i] = src[r0 + i]! * w0 + src[r1 + i]! * w1;
  } else {
    const r0 = base + idx[q]! * rowLen;
    dst.set(src.subarray(r0, r0 + len), d);
  }
}
