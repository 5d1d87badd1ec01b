/**
 * Maskers: `multiMapsMasker`, the analog of nilearn's `MultiNiftiMapsMasker`.
 *
 * @module
 */
export type { Affine, Image, Matrix, VoxelData } from "../types.ts";
export type { ImgSource } from "../image/load.ts";
export type { CleanOptions, Standardize } from "../signal/clean.ts";
export type { PadType } from "../signal/filtfilt.ts";
export type { SampleMask } from "../signal/sample_mask.ts";
export type { WarningSink } from "../signal/warnings.ts";
export type { DisplayedMaps, MapsReportInput } from "../report/types.ts";
export type {
  CleanKwargs,
  ConfoundsSource,
  FittedMultiMapsMasker,
  MaskerReport,
  MultiMapsMasker,
  MultiMapsMaskerConfig,
  SignalsTable,
  SubjectOutcome,
  TransformOptions,
} from "./types.ts";
export { multiMapsMasker } from "./multi_maps_masker.ts";
export { CLEAN_KWARG_NAMES } from "./config.ts";
