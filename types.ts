/**
 * Core data types shared by every module.
 *
 * Voxel order (used everywhere in niimask): NIfTI order, x varies fastest, then y, then z, then
 * time. The value of voxel (i, j, k) in volume t of an image of shape [nx, ny, nz, nt] is at
 * `data[i + nx * (j + ny * (k + nz * t))]`. A volume is therefore one contiguous block of
 * `nx * ny * nz` values.
 *
 * @module
 */

/** A 4x4 voxel-to-world (mm) affine, row-major: `affine[4 * row + col]`. Length 16. */
export type Affine = Float64Array;

/** Voxel values: float32 to store large inputs compactly, float64 where precision matters. */
export type VoxelData = Float32Array | Float64Array;

/**
 * An in-memory image: voxel values in NIfTI order (x fastest), its shape and its affine.
 *
 * @example
 * ```ts
 * import type { Image } from "@niimask/niimask";
 * const img: Image = {
 *   data: new Float64Array(8),
 *   shape: [2, 2, 2],
 *   affine: Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]),
 * };
 * ```
 */
export interface Image {
  /** Voxel values, x fastest, then y, z, time. */
  readonly data: VoxelData;
  /** `[nx, ny, nz]` for a 3D image or `[nx, ny, nz, nt]` for a 4D image. */
  readonly shape: readonly number[];
  /** Voxel-to-world affine (mm), row-major, length 16. */
  readonly affine: Affine;
}

/**
 * A dense 2D matrix in row-major (C) order: element (r, c) is `data[r * shape[1] + c]`.
 * Signals are (time x features): one row per volume, one column per feature (voxel or map).
 *
 * @example
 * ```ts
 * import type { Matrix } from "@niimask/niimask";
 * const m: Matrix = { data: new Float64Array(6), shape: [3, 2] };
 * ```
 */
export interface Matrix {
  /** Values, row-major. */
  readonly data: Float64Array;
  /** `[rows, cols]`. */
  readonly shape: readonly [number, number];
}
