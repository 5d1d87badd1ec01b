/**
 * Resampling of compact maps (`compact_maps.ts`) one map at a time: the same numbers as
 * resampling their dense image, without ever holding it (a large atlas is gigabytes dense in
 * float64, while its resampled copy on a data grid is often small).
 *
 * @module
 */
import type { Image, VoxelData } from "../types.ts";
import { clipToRange, isWholeVoxelShift, resampleImg, widenRange } from "../image/resample.ts";
import type { Grid } from "../image/grid.ts";
import { type CompactMaps, expandMaps } from "./compact_maps.ts";

/**
 * Compact maps resampled to `grid`, bit for bit as `resampleImg` resamples their dense image
 * (volume by volume, then clipped to the whole image's range, `[min(0, values), max(0, values)]`)
 * and cast back to float32 when the maps are float32. Grids that differ by a whole-voxel translation
 * are resampled from the dense maps (nilearn's crop-and-paste shortcut crops the whole image).
 *
 * @param c compact maps (x, y, z, nMaps).
 * @param grid target grid (its first three dimensions and affine).
 * @param interpolation "continuous" (cubic spline) or "nearest".
 * @returns the resampled maps (x, y, z, nMaps) on `grid`: Float32Array for float32 maps, else
 *   Float64Array.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { compactMaps } from "./compact_maps.ts";
 * import { resampleCompactMaps } from "./compact_resample.ts";
 * const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
 * const c = compactMaps({ data: new Float64Array(4 * 4 * 4 * 2).fill(1), shape: [4, 4, 4, 2], affine });
 * const grid = { shape: [8, 8, 8], affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]) };
 * deepEqual(resampleCompactMaps(c, grid, "continuous").shape, [8, 8, 8, 2]);
 * ```
 */
export function resampleCompactMaps(
  c: CompactMaps,
  grid: Grid,
  interpolation: "continuous" | "nearest",
): Image {
  const [nx = 1, ny = 1, nz = 1] = c.shape;
  const nV = nx * ny * nz;
  const nM = c.shape.length >= 4 ? (c.shape[3] ?? 1) : 1;
  const f32 = (c.dense ?? c.values) instanceof Float32Array;
  const targetShape = [grid.shape[0] ?? 1, grid.shape[1] ?? 1, grid.shape[2] ?? 1];
  if (isWholeVoxelShift(c.affine, grid.affine)) {
    const r = resampleImg(expandMaps(c), { targetAffine: grid.affine, targetShape, interpolation });
    return f32 ? { ...r, data: Float32Array.from(r.data) } : r;
  }
  const map: VoxelData = f32 ? new Float32Array(nV) : new Float64Array(nV);
  const outVox = targetShape[0]! * targetShape[1]! * targetShape[2]!;
  // Resampled float32 maps are float32 values already (resampleImg rounds them), and the clip
  // bounds are input values, so clipping after the cast changes nothing: store them as float32.
  const out: VoxelData = f32 ? new Float32Array(outVox * nM) : new Float64Array(outVox * nM);
  let targetAffine: Float64Array = Float64Array.from(grid.affine);
  // The range resampleImg clips a 4D image to: its values and 0 (voxels not stored are 0).
  const range = widenRange([0, 0], c.dense ?? c.values);
  for (let j = 0; j < nM; j++) {
    if (c.dense !== null) {
      map.set(c.dense.subarray(j * nV, (j + 1) * nV));
    } else {
      map.fill(0);
      for (let q = c.start[j]!, e = c.start[j + 1]!; q < e; q++) map[c.voxel[q]!] = c.values[q]!;
    }
    const r = resampleImg({ data: map, shape: [nx, ny, nz], affine: c.affine }, {
      targetAffine: grid.affine,
      targetShape,
      interpolation,
      clip: false,
    });
    out.set(r.data, j * outVox);
    targetAffine = Float64Array.from(r.affine);
  }
  clipToRange(out, range);
  return {
    data: out,
    shape: c.shape.length >= 4 ? [...targetShape, nM] : targetShape,
    affine: targetAffine,
  };
}
