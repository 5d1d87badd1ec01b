/**
 * The report background: the mean over time of an image (streamed volume by volume), resampled
 * onto the maps grid. Used by `fit` (mean of the first image given to fit) and by the commands
 * (mean of the first run extracted, or a template the user gives).
 *
 * @module
 */
import type { Image } from "../types.ts";
import type { ImgSource } from "../image/load.ts";
import { openSubject } from "./subject_sources.ts";
import { plainResample, type ResampleFn } from "./fitted_state.ts";
import { gridOf } from "./grid_check.ts";
import { type Grid, sameGrid } from "../image/grid.ts";

/** The warning `fit` raises (reports on) when it gets no image: the report has no mean image. */
export const NO_FIT_IMAGE_WARNING =
  "No image provided to fit: only the spatial maps are shown in the report.";

/**
 * The voxel-wise mean over time of an image (3D images are returned as they are, in float64),
 * reading one volume at a time. Non-finite values count as 0 in the sums.
 *
 * @param src a NIfTI path, URL, bytes, an in-memory image or a list of 3D images.
 * @returns the 3D mean image, with the source's affine.
 * @throws the reading errors of the source (a parse error naming the file).
 * @example
 * ```ts
 * import { meanImage } from "./mean_image.ts";
 * import { deepEqual } from "node:assert/strict";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const img = { data: Float64Array.from([1, 2, 3, 6]), shape: [2, 1, 1, 2], affine };
 * const mean = await meanImage(img);
 * deepEqual([...mean.data], [2, 4]);
 * deepEqual(mean.shape, [2, 1, 1]);
 * ```
 */
export async function meanImage(src: ImgSource): Promise<Image> {
  const opened = await openSubject(src, 0);
  try {
    const s = opened.source;
    const nV = (s.shape[0] ?? 1) * (s.shape[1] ?? 1) * (s.shape[2] ?? 1);
    const acc = new Float64Array(nV);
    let n = 0;
    for await (const vol of s.volumes()) {
      for (let v = 0; v < nV; v++) {
        const x = vol[v]!;
        if (Number.isFinite(x)) acc[v]! += x;
      }
      n++;
    }
    if (n > 0) { for (let v = 0; v < nV; v++) acc[v]! /= n; }
    return { data: acc, shape: s.shape.slice(0, 3), affine: Float64Array.from(s.affine) };
  } finally {
    await opened.close();
  }
}

/**
 * The mean over time of an image on a target grid: {@link meanImage}, then resampled
 * (continuous interpolation) when its grid differs from `grid`.
 *
 * @param src the image (4D run, or a 3D template).
 * @param grid target grid (the maps grid: shape, of which the first three are used, and affine in
 *   mm).
 * @param resample resampling function (default: no cache, nilearn's continuous resampling).
 * @returns the 3D mean on `grid`.
 * @throws the reading errors of the source.
 * @example
 * ```ts
 * import { meanImageOnGrid } from "./mean_image.ts";
 * import { deepEqual } from "node:assert/strict";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const img = { data: Float64Array.from([1, 2, 3, 6]), shape: [2, 1, 1, 2], affine };
 * const mean = await meanImageOnGrid(img, { shape: [2, 1, 1, 5], affine });
 * deepEqual([...mean.data], [2, 4]);
 * ```
 */
export async function meanImageOnGrid(
  src: ImgSource,
  grid: Grid,
  resample: ResampleFn = plainResample,
): Promise<Image> {
  const mean = await meanImage(src);
  return sameGrid(mean, grid) ? mean : await resample(mean, gridOf(grid), "continuous");
}
