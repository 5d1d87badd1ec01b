/**
 * Synthetic brain maps: each map a sum of Gaussian blobs (possibly negative) defined in world
 * coordinates (mm), sampled on a given voxel grid.
 *
 * @module
 */
import type { Affine, Image } from "../types.ts";

/** A voxel grid: 3D shape and voxel-to-world affine (row-major 4 x 4, mm). */
export interface SyntheticGrid {
  /** Number of voxels along i, j, k. */
  readonly shape: readonly [number, number, number];
  /** Voxel-to-world affine (mm), row-major 4 x 4. */
  readonly affine: Affine;
}

/** One Gaussian blob of a map: `amplitude * exp(-|x - centre|² / (2 sigma²))`. */
export interface GaussianBlob {
  /** Centre in world coordinates (mm). */
  readonly centre: readonly [number, number, number];
  /** Width: standard deviation (mm), > 0. */
  readonly sigma: number;
  /** Peak value; negative for a negative lobe (default 1). */
  readonly amplitude?: number;
}

/** Options of {@link blobMaps}. */
export interface BlobMapsOptions {
  /** Values with absolute value below this are set to exactly 0 (default 0: none). */
  readonly threshold?: number;
}

/**
 * Sample maps on a grid: map `m` is the sum of the blobs `maps[m]`, evaluated at each voxel's
 * world position (full affine, so oblique and flipped grids work). Voxel order x-fastest, maps
 * last: the result is a 4D float32 image of shape `[nx, ny, nz, maps.length]`.
 *
 * @param grid the voxel grid (shape and affine).
 * @param maps one list of blobs per map.
 * @param options `threshold` (zero out tiny values, for sparse maps).
 * @returns the maps image (float32), on `grid`'s affine.
 * @throws {RangeError} when the grid shape is not 3 positive integers or a sigma is not > 0.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { blobMaps } from "@niimask/niimask/synthetic";
 * const grid = {
 *   shape: [10, 10, 10] as const,
 *   affine: Float64Array.from([3, 0, 0, -15, 0, 3, 0, -15, 0, 0, 3, -15, 0, 0, 0, 1]),
 * };
 * const maps = blobMaps(grid, [
 *   [{ centre: [-6, 0, 0], sigma: 6 }],
 *   [{ centre: [6, 0, 0], sigma: 6 }, { centre: [6, 9, 0], sigma: 4, amplitude: -0.5 }],
 * ], { threshold: 1e-3 });
 * deepEqual(maps.shape, [10, 10, 10, 2]);
 * ```
 */
export function blobMaps(
  grid: SyntheticGrid,
  maps: readonly (readonly GaussianBlob[])[],
  options: BlobMapsOptions = {},
): Image {
  const [nx, ny, nz] = grid.shape;
  for (const n of grid.shape) {
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(
        `grid.shape: expected 3 positive integers, got ${JSON.stringify(grid.shape)}`,
      );
    }
  }
  for (const blobs of maps) {
    for (const b of blobs) {
      if (!(b.sigma > 0)) throw new RangeError(`blob sigma: expected > 0 (mm), got ${b.sigma}`);
    }
  }
  const threshold = options.threshold ?? 0;
  const a = grid.affine;
  const nVox = nx * ny * nz;
  const data = new Float32Array(nVox * maps.length);
  for (let k = 0, p = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        const x = a[0]! * i + a[1]! * j + a[2]! * k + a[3]!;
        const y = a[4]! * i + a[5]! * j + a[6]! * k + a[7]!;
        const z = a[8]! * i + a[9]! * j + a[10]! * k + a[11]!;
        for (let m = 0; m < maps.length; m++) {
          let v = 0;
          for (const b of maps[m]!) {
            const d2 = (x - b.centre[0]) ** 2 + (y - b.centre[1]) ** 2 + (z - b.centre[2]) ** 2;
            v += (b.amplitude ?? 1) * Math.exp(-d2 / (2 * b.sigma * b.sigma));
          }
          data[m * nVox + p] = Math.abs(v) < threshold ? 0 : v;
        }
      }
    }
  }
  return { data, shape: [nx, ny, nz, maps.length], affine: Float64Array.from(a) };
}
