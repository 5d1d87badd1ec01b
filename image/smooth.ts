import { imageGeometry } from "./check_image.ts";
import type { Image } from "../types.ts";
import { gaussianFilterAxis, gaussianKernel1d } from "./gaussian.ts";
import { checkAffine, voxelSizes } from "./grid.ts";
import { imageHeldDtype } from "./held_dtype.ts";

/** FWHM (mm) ratio to the Gaussian's standard deviation: `sqrt(8 ln 2)`. */
const FWHM_OVER_SIGMA = Math.sqrt(8 * Math.log(2));

/** Whether nilearn would hold the smoothed values in float32 (it keeps float32 inputs). */
function keepsFloat32(img: Image): boolean {
  // nilearn casts signed integers (but int64) to float32 and keeps float32.
  const dtype = imageHeldDtype(img);
  return dtype === "float32" || dtype === "int8" || dtype === "int16" || dtype === "int32";
}

/**
 * Whether nilearn would smooth in an unsigned integer array: it casts signed integers to float
 * but keeps unsigned ones (kind "u"), so scipy writes every axis pass back truncated toward 0.
 * Only unscaled data (nibabel gives float64 for scaled images) of an unsigned on-disk dtype.
 */
function keepsUnsigned(img: Image): boolean {
  if (!imageHeldDtype(img).startsWith("uint")) return false;
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!(Number.isInteger(v) && v >= 0)) return false;
  }
  return true;
}

function truncateInPlace(a: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] = Math.trunc(a[i]!);
}

function roundFloat32(a: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] = Math.fround(a[i]!);
}

/** Per-axis FWHM (mm) from the user's value; null when there is no Gaussian smoothing. */
function fwhmPerAxis(fwhm: number | readonly (number | null)[]): [number, number, number] | null {
  let f: (number | null)[];
  if (typeof fwhm === "number") {
    if (fwhm === 0) return null; // nilearn: fwhm=0 means no smoothing
    f = [fwhm, fwhm, fwhm];
  } else if (Array.isArray(fwhm) || ArrayBuffer.isView(fwhm)) {
    if (fwhm.length === 1) f = [fwhm[0]!, fwhm[0]!, fwhm[0]!];
    else if (fwhm.length === 3) f = [...fwhm];
    else {
      throw new TypeError(
        `fwhm: expected one number or one per spatial axis (3), got ${fwhm.length} values [${
          [...fwhm].join(", ")
        }]`,
      );
    }
  } else {
    throw new TypeError(`fwhm: expected a number (mm), 3 numbers, "fast" or null, got ${fwhm}`);
  }
  const out: [number, number, number] = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const v = f[d] ?? 0;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`fwhm: values must be finite numbers (mm), got ${v} on axis ${d}`);
    }
    // As nilearn: an axis whose fwhm is 0 or negative is not smoothed.
    out[d] = Math.max(v, 0);
  }
  return out;
}

/** nilearn's `fwhm="fast"`: [0.2, 1, 0.2] along each spatial axis, divided by 2.2. */
function fastSmooth(
  data: Float64Array,
  shape: readonly [number, number, number],
  nVol: number,
  float32: boolean,
): void {
  const [nx, ny, nz] = shape;
  const nVox = nx * ny * nz;
  const strides = [1, nx, nx * ny];
  const dims = [nx, ny, nz];
  const weighted = new Float64Array(nVox);
  for (let t = 0; t < nVol; t++) {
    const vol = data.subarray(t * nVox, (t + 1) * nVox);
    for (let i = 0; i < nVox; i++) {
      weighted[i] = float32 ? Math.fround(0.2 * vol[i]!) : 0.2 * vol[i]!;
    }
    for (let d = 0; d < 3; d++) {
      const s = strides[d]!;
      const n = dims[d]!;
      // += next neighbour, then += previous neighbour (as nilearn's two slice additions)
      for (const dir of [1, -1]) {
        let p = 0;
        for (let k = 0; k < nz; k++) {
          for (let j = 0; j < ny; j++) {
            for (let i = 0; i < nx; i++, p++) {
              const idx = d === 0 ? i : d === 1 ? j : k;
              const q = idx + dir;
              if (q < 0 || q >= n) continue;
              const v = vol[p]! + weighted[p + dir * s]!;
              vol[p] = float32 ? Math.fround(v) : v;
            }
          }
        }
      }
    }
    for (let i = 0; i < nVox; i++) {
      const v = vol[i]! / 2.2;
      vol[i] = float32 ? Math.fround(v) : v;
    }
  }
}

/**
 * Smooth an image with a Gaussian kernel, as nilearn 0.11.1's `smooth_img`: non-finite values
 * are first set to 0; then each spatial axis is filtered with scipy's `gaussian_filter1d`
 * (truncate 4, mode "reflect"), sigma = fwhm / (sqrt(8 ln 2) * voxel size), voxel sizes
 * being the norms of the affine's columns. A 4D image is smoothed volume by volume along the
 * three spatial axes only. float32 inputs give float32-rounded values, as nilearn keeps them;
 * unscaled unsigned-integer inputs (a loaded image's `dtype` "uint8", "uint16", ...) are
 * truncated to integers after each axis pass, as nilearn smooths them in their own dtype.
 *
 * @param img 3D to 7D image (beyond 3D: each 3D volume smoothed).
 * @param fwhm full width at half maximum (mm): one number (0 = none), one per axis (0 = none
 *   on that axis), `"fast"` (nilearn's [0.2, 1, 0.2] kernel), or null for none.
 * @returns the smoothed image (float64 data, same shape and affine).
 * @throws TypeError for a bad image or fwhm length, RangeError for a non-finite fwhm.
 * @example
 * ```ts
 * import { smoothImg } from "./smooth.ts";
 * const data = new Float64Array(125);
 * data[62] = 1;
 * const img = {
 *   data,
 *   shape: [5, 5, 5],
 *   affine: Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]),
 * };
 * const out = smoothImg(img, 4);
 * ```
 */
export function smoothImg(
  img: Image,
  fwhm: number | readonly (number | null)[] | "fast" | null,
): Image {
  const { spatial, nVol } = imageGeometry(img, "img");
  const nVox = spatial[0] * spatial[1] * spatial[2];
  const affine = checkAffine(img.affine, "img.affine");
  const perAxis = fwhm === null || fwhm === "fast" ? null : fwhmPerAxis(fwhm);
  if (typeof fwhm === "string" && fwhm !== "fast") {
    throw new TypeError(`fwhm: the only string accepted is "fast", got "${fwhm}"`);
  }
  const float32 = keepsFloat32(img);
  const unsigned = keepsUnsigned(img);
  const data = new Float64Array(img.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = img.data[i]!;
    data[i] = Number.isFinite(v) ? v : 0;
  }
  if (float32) roundFloat32(data);
  if (fwhm === "fast") {
    fastSmooth(data, spatial, nVol, float32);
  } else if (perAxis !== null) {
    const sizes = voxelSizes(affine);
    const layout: [number, number, number][] = [
      [1, spatial[0], spatial[1] * spatial[2]],
      [spatial[0], spatial[1], spatial[2]],
      [spatial[0] * spatial[1], spatial[2], 1],
    ];
    for (let d = 0; d < 3; d++) {
      if (perAxis[d]! === 0) continue;
      if (!(sizes[d]! > 0)) {
        throw new RangeError(`img.affine: voxel size along axis ${d} is ${sizes[d]} mm`);
      }
      const sigma = perAxis[d]! / (FWHM_OVER_SIGMA * sizes[d]!);
      const kernel = gaussianKernel1d(sigma, 4);
      const [inner, n, outer] = layout[d]!;
      for (let t = 0; t < nVol; t++) {
        gaussianFilterAxis(data.subarray(t * nVox, (t + 1) * nVox), inner, n, outer, kernel);
      }
      if (float32) roundFloat32(data);
      if (unsigned) truncateInPlace(data);
    }
  }
  return { data, shape: [...img.shape], affine };
}
