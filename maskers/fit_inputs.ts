/**
 * Loading and preparing the maps and mask given to fit: 3D/4D shape checks and the dtype the maps
 * get in nilearn (non-finite values are zeroed while the maps are compacted: `compact_maps.ts`).
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
