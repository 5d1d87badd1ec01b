/**
 * Synthetic data for examples, tests and benchmarks: a deterministic pseudo-random generator,
 * Gaussian-blob brain maps on any grid, and 4D BOLD-like images mixing one known time series per
 * map plus noise (returned with the image, to check extracted signals against).
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { blobMaps, synthBold } from "@niimask/niimask/synthetic";
 * const grid = {
 *   shape: [10, 12, 10] as const,
 *   affine: Float64Array.from([3, 0, 0, -15, 0, 3, 0, -18, 0, 0, 3, -15, 0, 0, 0, 1]),
 * };
 * const maps = blobMaps(grid, [[{ centre: [-8, 0, 0], sigma: 6 }], [{ centre: [8, 0, 0], sigma: 6 }]]);
 * const { bold, signals } = synthBold(maps, { nVolumes: 40, seed: 3 });
 * deepEqual(bold.shape, [10, 12, 10, 40]);
 * deepEqual(signals.shape, [40, 2]);
 * ```
 *
 * @module
 */
export type { Affine, Image, Matrix, VoxelData } from "../types.ts";
export { mulberry32, normals } from "./prng.ts";
export { blobMaps, type BlobMapsOptions, type GaussianBlob, type SyntheticGrid } from "./blobs.ts";
export { synthBold, type SynthBoldOptions, type SyntheticBold } from "./bold.ts";
