/**
 * Loading and preparing the maps and mask given to fit: 3D/4D shape checks, non-finite values,
 * the dtype the maps get in nilearn.
 *
 * @module
 */
import type { Image } from "../types.ts";
import { type ImgSource, loadImg } from "../image/load.ts";
import type { MultiMapsMaskerParams } from "./config.ts";
import { isImage } from "./type_guards.ts";

/** Load an image parameter (`what`: its name, prefixed to load errors that lack it). */
export async function loadAnyImage(
  src: ImgSource,
  what: string,
): Promise<Image & { dtype?: string }> {
  if (isImage(src)) return src;
  try {
    return await loadImg(src);
  } catch (err) {
    if (err instanceof Error && !err.message.includes(what)) {
      err.message = `${what}: ${err.message}`;
    }
    throw err;
  }
}

/** A copy of `img` with NaN/±Inf set to 0 (float32 or float64), and how many were replaced. */
export function nonFiniteToZero(
  img: Image,
  float32: boolean,
): { img: Image; replaced: number } {
  const src = img.data;
  const out = float32 ? new Float32Array(src.length) : new Float64Array(src.length);
  let replaced = 0;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (Number.isFinite(v)) out[i] = v;
    else replaced++;
  }
  return { img: { data: out, shape: img.shape, affine: Float64Array.from(img.affine) }, replaced };
}

/** Whether maps end up float32 in nilearn (their eps drives the overlap check). */
export function mapsAreFloat32(
  img: Image & { dtype?: string },
  dtype: MultiMapsMaskerParams["dtype"],
): boolean {
  if (dtype === "float32") return true;
  if (dtype === "float64") return false;
  const onDisk = img.dtype ?? (img.data instanceof Float32Array ? "float32" : "float64");
  if (dtype === "auto") return !/^int/.test(onDisk);
  return onDisk === "float32";
}

/** The maps as a 4D image (a 3D image is one map); TypeError for other shapes. */
export function to4dMaps(img: Image): Image {
  if (img.shape.length === 3) return { ...img, shape: [...img.shape, 1] };
  if (img.shape.length === 4) return img;
  throw new TypeError(
    `mapsImg: expected a 4D image (x, y, z, maps) or a 3D image (one map), found shape [${
      img.shape.join(", ")
    }]`,
  );
}

/** The mask as a 3D image (a 4D image with one volume is accepted); TypeError otherwise. */
export function to3dMask(img: Image): Image {
  if (img.shape.length === 3) return img;
  if (img.shape.length === 4 && img.shape[3] === 1) return { ...img, shape: img.shape.slice(0, 3) };
  throw new TypeError(
    `maskImg: expected a 3D image, found shape [${img.shape.join(", ")}]`,
  );
}
