/**
 * Volume helpers: pick volumes of a 4D image, concatenate images along time, mean image.
 *
 * @module
 */
import type { Image } from "../types.ts";
import { allClose } from "./grid.ts";

function spatialOf(img: Image, name: string): { vox: number; nVol: number } {
  if (img == null || typeof img !== "object" || img.shape == null || img.data == null) {
    throw new TypeError(`${name}: expected an image { data, shape, affine }, got ${img}`);
  }
  const s = img.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new TypeError(`${name}: expected a 3D or 4D image, got shape [${s.join(", ")}]`);
  }
  const vox = s[0]! * s[1]! * s[2]!;
  const nVol = s.length === 4 ? s[3]! : 1;
  if (img.data.length !== vox * nVol) {
    throw new TypeError(
      `${name}: data has ${img.data.length} values but shape [${s.join(", ")}] needs ${vox * nVol}`,
    );
  }
  return { vox, nVol };
}

/**
 * Number of volumes: the 4th dimension of a 4D image, 1 for a 3D image.
 *
 * @param img 3D or 4D image.
 * @returns the number of volumes.
 * @example
 * ```ts
 * import { volumeCount } from "./volumes.ts";
 * volumeCount({ data: new Float64Array(16), shape: [2, 2, 2, 2], affine: new Float64Array(16) }); // 2
 * ```
 */
export function volumeCount(img: Image): number {
  return spatialOf(img, "img").nVol;
}

/**
 * Select volumes of an image, as nilearn's `index_img`: a number gives a 3D image, a list
 * of indices gives a 4D image. Negative indices count from the end. A 3D image counts as
 * one volume.
 *
 * @param img 3D or 4D image.
 * @param index volume index, or list of indices.
 * @returns the selected volume(s); data is a copy of the same array type.
 * @throws RangeError for an index out of range.
 * @example
 * ```ts
 * import { indexImg } from "./volumes.ts";
 * const img = { data: Float64Array.from([1, 2]), shape: [1, 1, 1, 2], affine: new Float64Array(16) };
 * indexImg(img, -1).data; // Float64Array [2]
 * ```
 */
export function indexImg(img: Image, index: number | readonly number[]): Image {
  const { vox, nVol } = spatialOf(img, "img");
  const norm = (i: number): number => {
    if (!Number.isInteger(i) || i < -nVol || i >= nVol) {
      throw new RangeError(`index: ${i} is out of range for an image of ${nVol} volume(s)`);
    }
    return i < 0 ? i + nVol : i;
  };
  const spatial = [img.shape[0]!, img.shape[1]!, img.shape[2]!];
  const Ctor = img.data instanceof Float32Array ? Float32Array : Float64Array;
  if (typeof index === "number") {
    const t = norm(index);
    return {
      data: new Ctor(img.data.subarray(t * vox, (t + 1) * vox)),
      shape: spatial,
      affine: img.affine.slice(),
    };
  }
  const idx = [...index].map(norm);
  const data = new Ctor(vox * idx.length);
  idx.forEach((t, o) => data.set(img.data.subarray(t * vox, (t + 1) * vox), o * vox));
  return { data, shape: [...spatial, idx.length], affine: img.affine.slice() };
}

/**
 * Concatenate 3D and/or 4D images along time, as nilearn's `concat_imgs` (without
 * resampling): all images must share the same shape and affine (within `np.allclose`).
 *
 * @param imgs images on the same grid (3D images count as one volume).
 * @returns a 4D image; Float32Array data when every input is float32, else Float64Array.
 * @throws TypeError when the list is empty or grids differ.
 * @example
 * ```ts
 * import { concatImgs } from "./volumes.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const a = { data: Float64Array.from([1]), shape: [1, 1, 1], affine };
 * concatImgs([a, a]).shape; // [1, 1, 1, 2]
 * ```
 */
export function concatImgs(imgs: readonly Image[]): Image {
  if (!Array.isArray(imgs) || imgs.length === 0) {
    throw new TypeError("imgs: expected a non-empty list of images to concatenate");
  }
  const first = imgs[0]!;
  const { vox } = spatialOf(first, "imgs[0]");
  let total = 0;
  imgs.forEach((img, i) => {
    const { nVol } = spatialOf(img, `imgs[${i}]`);
    for (let d = 0; d < 3; d++) {
      if (img.shape[d] !== first.shape[d]) {
        throw new TypeError(
          `imgs[${i}]: shape [${img.shape.join(", ")}] differs from imgs[0] [${
            first.shape.join(", ")
          }]`,
        );
      }
    }
    if (!allClose(img.affine, first.affine)) {
      throw new TypeError(`imgs[${i}]: affine differs from imgs[0]'s; resample first`);
    }
    total += nVol;
  });
  const allF32 = imgs.every((img) => img.data instanceof Float32Array);
  const data = allF32 ? new Float32Array(vox * total) : new Float64Array(vox * total);
  let o = 0;
  for (const img of imgs) {
    data.set(img.data, o);
    o += img.data.length;
  }
  return {
    data,
    shape: [first.shape[0]!, first.shape[1]!, first.shape[2]!, total],
    affine: first.affine.slice(),
  };
}

/**
 * Voxel-wise mean over volumes (float64), as nilearn's `mean_img` without resampling; a 3D
 * image is returned as a float64 copy.
 *
 * @param img 3D or 4D image.
 * @returns a 3D image.
 * @example
 * ```ts
 * import { meanImg } from "./volumes.ts";
 * const img = { data: Float64Array.from([1, 3]), shape: [1, 1, 1, 2], affine: new Float64Array(16) };
 * meanImg(img).data; // Float64Array [2]
 * ```
 */
export function meanImg(img: Image): Image {
  const { vox, nVol } = spatialOf(img, "img");
  const out = new Float64Array(vox);
  for (let t = 0; t < nVol; t++) {
    const base = t * vox;
    for (let i = 0; i < vox; i++) out[i]! += img.data[base + i]!;
  }
  for (let i = 0; i < vox; i++) out[i]! /= nVol;
  return {
    data: out,
    shape: [img.shape[0]!, img.shape[1]!, img.shape[2]!],
    affine: img.affine.slice(),
  };
}
