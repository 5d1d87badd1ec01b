/**
 * Images: NIfTI reading (streamed) and writing, resampling, smoothing and the projection of
 * images onto maps. Voxel order is NIfTI's (x fastest); see `types.ts`.
 *
 * @module
 */
export * from "./load.ts";
export * from "./save.ts";
export * from "./nifti_errors.ts";
export * from "./nifti_header.ts";
export * from "./check_image.ts";
export * from "./resample.ts";
export * from "./smooth.ts";
export * from "./grid.ts";
export * from "./volumes.ts";
export * from "./bspline.ts";
export * from "./gaussian.ts";
export * from "./held_dtype.ts";
export * from "./maps_projection.ts";
export * from "./project_simd.ts";
export * from "./high_variance_confounds.ts";
export type { InflateBackend, InflateChoice } from "./inflate_types.ts";
export {
  availableInflateBackends,
  INFLATE_BACKENDS,
  INFLATE_ENV,
  resolveInflateBackend,
} from "./inflate_select.ts";
