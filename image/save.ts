import type { Image } from "../types.ts";

/** Options of {@link saveImg}. */
export interface SaveOptions {
  /** Datatype written: "float32" or "float64"; default follows the data's array type. */
  dtype?: "float32" | "float64";
}

/**
 * Write an image as a single-file NIfTI-1 (`.nii`, or gzip-compressed `.nii.gz`), atomically.
 *
 * @param img the image.
 * @param path destination path.
 * @param options see {@link SaveOptions}.
 * @example
 * ```ts ignore
 * import { saveImg } from "./save.ts";
 * await saveImg(img, "out.nii.gz");
 * ```
 */
export function saveImg(img: Image, path: string | URL, options: SaveOptions = {}): Promise<void> {
  void img;
  void path;
  void options;
  return Promise.reject(new Error("saveImg is not implemented yet"));
}
