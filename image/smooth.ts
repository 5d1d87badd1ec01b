import type { Image } from "../types.ts";

/**
 * Smooth an image with a Gaussian kernel, as nilearn 0.11.1's `smooth_img`.
 *
 * @param img 3D or 4D image.
 * @param fwhm full width at half maximum (mm): one number, one per axis, or null for none.
 * @returns the smoothed image.
 * @example
 * ```ts ignore
 * const out = smoothImg(img, 6);
 * ```
 */
export function smoothImg(img: Image, fwhm: number | readonly number[] | null): Image {
  void img;
  void fwhm;
  throw new Error("smoothImg is not implemented yet");
}
