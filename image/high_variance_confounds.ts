/**
 * nilearn 0.11.1's `image.high_variance_confounds`: high-variance confounds of the voxel time
 * series of a 4D image, within a mask or over all voxels.
 *
 * @module
 */
import type { Image, Matrix } from "../types.ts";
import { allClose } from "./grid.ts";
import {
  highVarianceConfoundsStrided,
  type HighVarianceOptions,
} from "../signal/high_variance_confounds.ts";

/** Options of {@link highVarianceConfounds}. */
export interface ImageHighVarianceOptions extends HighVarianceOptions {
  /** 3D mask on the image's grid (non-zero = inside); null/absent: all voxels. */
  maskImg?: Image | null;
}

/**
 * Voxel indices (NIfTI order) inside a mask, checked as nilearn checks masks: at most two
 * distinct values, one of them 0 (background), same grid as the image.
 */
function maskIndices(mask: Image, img: Image): Int32Array {
  const [nx, ny, nz] = img.shape as [number, number, number];
  const ms = mask.shape.length === 4 && mask.shape[3] === 1 ? mask.shape.slice(0, 3) : mask.shape;
  if (ms.length !== 3 || ms[0] !== nx || ms[1] !== ny || ms[2] !== nz) {
    throw new TypeError(
      `maskImg: shape [${mask.shape.join(", ")}] differs from the image's spatial shape ` +
        `[${nx}, ${ny}, ${nz}]`,
    );
  }
  if (!allClose(mask.affine, img.affine)) {
    throw new TypeError("maskImg: its affine differs from the image's affine (resample it first)");
  }
  const values = new Set<number>();
  const idx: number[] = [];
  const d = mask.data;
  for (let i = 0; i < nx * ny * nz; i++) {
    const raw = d[i] as number;
    const v = Number.isFinite(raw) ? raw : 0;
    if (values.size <= 2) values.add(v);
    if (v !== 0) idx.push(i);
  }
  if (values.size > 2) {
    throw new RangeError(
      "maskImg: given mask is not made of 2 values; cannot interpret it as true or false",
    );
  }
  if (values.size === 2 && !values.has(0)) {
    throw new RangeError(
      `maskImg: background of the mask must be represented with 0; it contains ` +
        `${[...values].join(", ")}`,
    );
  }
  if (idx.length === 0) throw new RangeError("maskImg: the mask is empty: it masks all data");
  return Int32Array.from(idx);
}

/**
 * High-variance confounds of a 4D image (nilearn's `image.high_variance_confounds`): the voxel
 * series (within `maskImg`, non-finite values read as 0; or all voxels, as stored) are detrended
 * (default), the `percentile` % with the highest mean of squares are kept, and the
 * `nConfounds` left singular vectors with the largest singular values are returned.
 *
 * @param img 4D image (x, y, z, time); a 3D image counts as one volume.
 * @param options `maskImg` (default none), `nConfounds` (5), `percentile` (2), `detrend` (true).
 * @returns (time x nConfounds) matrix; column signs are arbitrary.
 * @example
 * ```ts ignore
 * import { highVarianceConfounds, loadImg } from "../image/mod.ts";
 * const conf = highVarianceConfounds(await loadImg("func.nii.gz"), { nConfounds: 5 });
 * ```
 */
export function highVarianceConfounds(img: Image, options: ImageHighVarianceOptions = {}): Matrix {
  const { maskImg = null, ...rest } = options;
  if (img.shape.length !== 3 && img.shape.length !== 4) {
    throw new TypeError(`img: expected a 3D or 4D image, found shape [${img.shape.join(", ")}]`);
  }
  const [nx, ny, nz] = img.shape as [number, number, number];
  const nvox = nx * ny * nz;
  const nt = img.shape.length === 4 ? (img.shape[3] as number) : 1;
  if (img.data.length !== nvox * nt) {
    throw new TypeError(
      `img: data has ${img.data.length} values, expected ${nvox * nt} for shape ` +
        `[${img.shape.join(", ")}]`,
    );
  }
  const columns = maskImg === null ? null : maskIndices(maskImg, img);
  return highVarianceConfoundsStrided(img.data, nt, nvox, columns, rest, maskImg !== null);
}
