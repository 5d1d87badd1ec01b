/**
 * Images: NIfTI reading (streamed) and writing, resampling, smoothing and the projection of
 * images onto maps. Voxel order is NIfTI's (x fastest); see `types.ts`.
 *
 * @module
 */
export type { Affine, Image, Matrix, VoxelData } from "../types.ts";
export type { HighVarianceOptions } from "../signal/high_variance_confounds.ts";
export {
  type ImgSource,
  type LoadedImage,
  loadImg,
  type NiftiDtype,
  type NiftiStream,
  openNifti,
  type ReadOptions,
  type VolumesOptions,
} from "./load.ts";
export { saveImg, type SaveOptions } from "./save.ts";
export { type NiftiErrorCode, NiftiParseError } from "./nifti_errors.ts";
export {
  NIFTI1_HEADER_SIZE,
  NIFTI2_HEADER_SIZE,
  type NiftiHeader,
  type NiftiScaling,
  parseNiftiHeader,
  sniffNifti,
} from "./nifti_header.ts";
export { assertImage, imageGeometry } from "./check_image.ts";
export {
  BoundingBoxError,
  type Interpolation,
  resampleImg,
  type ResampleOptions,
} from "./resample.ts";
export { smoothImg } from "./smooth.ts";
export {
  affineFrom3x3,
  allClose,
  applyAffine,
  checkAffine,
  type Grid,
  invertAffine,
  multiplyAffines,
  sameGrid,
  voxelSizes,
  voxelToWorld,
  worldToVoxel,
} from "./grid.ts";
export { concatImgs, indexImg, meanImg, volumeCount } from "./volumes.ts";
export {
  imgToSignalsMaps,
  makeMapsProjector,
  type MapsProjector,
  type MapsProjectorOptions,
  projectorToVoxels,
  signalsToImgMaps,
} from "./maps_projection.ts";
export { highVarianceConfounds, type ImageHighVarianceOptions } from "./high_variance_confounds.ts";
export type { InflateBackend, InflateChoice } from "./inflate_types.ts";
export {
  availableInflateBackends,
  INFLATE_BACKENDS,
  INFLATE_ENV,
  resolveInflateBackend,
} from "./inflate_select.ts";
