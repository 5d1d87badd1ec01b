/**
 * Loading and preparing the maps and mask given to fit: 3D/4D shape checks and the dtype the maps
 * get in nilearn (non-finite values are zeroed while the maps are compacted: `compact_maps.ts`).
 *
 * @module
 */
import type { Image } from "../types.ts";
import { type ImgSource, loadImg, openNifti } from "../image/load.ts";
import { hasGlobMagic } from "../image/path_glob.ts";
import { checkDtypeValue, type MultiMapsMaskerParams } from "./config.ts";
import { compactFiniteMaps, type CompactMaps, CompactMapsBuilder } from "./compact_maps.ts";
import { isImage } from "../image/check_image.ts";
import { checkImageArg } from "./validate_call.ts";

/** `err` with `what: ` prefixed to its message unless the message names it already. */
function named(err: unknown, what: string): unknown {
  if (err instanceof Error && !err.message.includes(what)) err.message = `${what}: ${err.message}`;
  return err;
}

/** Load an image parameter (`what`: its name, prefixed to load errors that lack it). */
export async function loadAnyImage(
  src: ImgSource,
  what: string,
): Promise<Image & { dtype?: string }> {
  checkImageArg(src, what);
  if (isImage(src)) return src;
  try {
    return await loadImg(src);
  } catch (err) {
    throw named(err, what);
  }
}

/**
 * Whether maps end up float32 in nilearn (their eps drives the overlap check).
 *
 * @param onDisk the maps' dtype as loaded (e.g. "uint8"; "float32"/"float64" for in-memory
 *   maps, after their array type).
 * @param dtype the masker's `dtype` parameter.
 */
export function mapsAreFloat32(onDisk: string, dtype: MultiMapsMaskerParams["dtype"]): boolean {
  if (dtype === "float32") return true;
  if (dtype === "float64") return false;
  if (dtype === "auto") return !/^int/.test(onDisk);
  return onDisk === "float32";
}

/** The 4D shape of maps (a 3D image is one map); TypeError for other shapes. */
function maps4dShape(shape: readonly number[]): number[] {
  if (shape.length === 3) return [...shape, 1];
  if (shape.length === 4) return [...shape];
  throw new TypeError(
    `mapsImg: expected a 4D image (x, y, z, maps) or a 3D image (one map), found shape [${
      shape.join(", ")
    }]`,
  );
}

/** The maps as a 4D image (a 3D image is one map); TypeError for other shapes. */
export function to4dMaps(img: Image): Image {
  return img.shape.length === 4 ? img : { ...img, shape: maps4dShape(img.shape) };
}

/**
 * Load the maps into an exact compact copy as nilearn holds them after fit: cast to the working
 * dtype (`mapsFloat32`), non-finite values zeroed (`replaced` counts them). A single file (path,
 * URL or bytes) streams in map by map, so the dense maps are never held; in-memory images, lists
 * and globs are compacted once loaded.
 *
 * @param src the `mapsImg` parameter.
 * @param dtype the masker's `dtype` parameter.
 */
export async function loadCompactMaps(
  src: ImgSource,
  dtype: MultiMapsMaskerParams["dtype"],
): Promise<{ compact: CompactMaps; replaced: number; mapsFloat32: boolean }> {
  if (
    (typeof src === "string" && !hasGlobMagic(src)) || src instanceof URL ||
    src instanceof Uint8Array || (typeof Blob !== "undefined" && src instanceof Blob)
  ) {
    let stream;
    try {
      stream = await openNifti(src);
    } catch (err) {
      throw named(err, "mapsImg");
    }
    try {
      checkDtypeValue(dtype); // as nilearn: the maps are cast to it once loaded
      const mapsFloat32 = mapsAreFloat32(stream.dtype, dtype);
      const builder = new CompactMapsBuilder(
        maps4dShape(stream.shape),
        stream.affine,
        mapsFloat32,
        true,
      );
      try {
        for await (const map of stream.volumes({ reuse: true })) builder.add(map);
      } catch (err) {
        throw named(err, "mapsImg");
      }
      return { ...builder.finish(), mapsFloat32 };
    } finally {
      await stream.close();
    }
  }
  const maps = await loadAnyImage(src, "mapsImg");
  checkDtypeValue(dtype);
  const onDisk = maps.dtype ?? (maps.data instanceof Float32Array ? "float32" : "float64");
  const mapsFloat32 = mapsAreFloat32(onDisk, dtype);
  return { ...compactFiniteMaps(to4dMaps(maps), mapsFloat32), mapsFloat32 };
}

/** The mask as a 3D image (a 4D image with one volume is accepted); TypeError otherwise. */
export function to3dMask(img: Image): Image {
  if (img.shape.length === 3) return img;
  if (img.shape.length === 4 && img.shape[3] === 1) return { ...img, shape: img.shape.slice(0, 3) };
  throw new TypeError(
    `maskImg: expected a 3D image, found shape [${img.shape.join(", ")}]`,
  );
}
