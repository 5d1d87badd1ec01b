import type { Affine, Image } from "../types.ts";

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
}

/**
 * Resample an image onto a target grid, as nilearn 0.11.1's `resample_img`.
 *
 * @param img 3D or 4D image.
 * @param options see {@link ResampleOptions}.
 * @returns the resampled image (float64 data).
 * @example
 * ```ts ignore
 * const out = resampleImg(img, { targetAffine, targetShape: [91, 109, 91] });
 * ```
 */
export function resampleImg(img: Image, options: ResampleOptions): Image {
  void img;
  void options;
  throw new Error("resampleImg is not implemented yet");
}
