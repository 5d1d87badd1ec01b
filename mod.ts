/**
 * niimask: extract one time series per brain map from 4D fMRI images, the job of nilearn's
 * `MultiNiftiMapsMasker`, in Deno.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { clean } from "@niimask/niimask";
 * const out = clean({ data: Float64Array.from([1, 2, 3, 4]), shape: [4, 1] }, { detrend: true });
 * deepEqual(out.shape, [4, 1]);
 * ```
 *
 * @module
 */
// The shared plain-data types.
export type { Affine, Image, Matrix, VoxelData } from "./types.ts";
// The masker (nilearn's MultiNiftiMapsMasker).
export {
  CLEAN_KWARG_NAMES,
  type CleanKwargs,
  type ConfoundsSource,
  type FittedMultiMapsMasker,
  type MaskerReport,
  type MultiMapsMasker,
  multiMapsMasker,
  type MultiMapsMaskerConfig,
  type SignalsTable,
  type SubjectOutcome,
  type TransformOptions,
} from "./maskers/mod.ts";
// Images: reading, writing and the image functions a masker's users call.
export {
  BoundingBoxError,
  concatImgs,
  highVarianceConfounds,
  type ImageHighVarianceOptions,
  type ImgSource,
  imgToSignalsMaps,
  indexImg,
  type InflateBackend,
  type InflateChoice,
  type Interpolation,
  type LoadedImage,
  loadImg,
  type MapsProjectorOptions,
  meanImg,
  type NiftiDtype,
  type NiftiErrorCode,
  type NiftiHeader,
  NiftiParseError,
  type NiftiScaling,
  type NiftiStream,
  openNifti,
  type ReadOptions,
  resampleImg,
  type ResampleOptions,
  saveImg,
  type SaveOptions,
  signalsToImgMaps,
  smoothImg,
  volumeCount,
  type VolumesOptions,
} from "./image/mod.ts";
// Signals: nilearn's signal.clean and its parts, confounds files.
export {
  AllVolumesRemovedError,
  butterworth,
  type ButterworthOptions,
  clean,
  type CleanOptions,
  cleanOptionsFromKwargs,
  ConfoundsParseError,
  detrend,
  type FilterType,
  highVarianceConfoundsOfSignals,
  type HighVarianceOptions,
  type LabeledMatrix,
  type PadType,
  parseConfoundsTable,
  readConfoundsFile,
  type SampleMask,
  type Standardize,
  standardize,
  type WarningSink,
} from "./signal/mod.ts";
// fMRIPrep confounds (nilearn's interfaces.fmriprep load_confounds / load_confounds_strategy).
export {
  type CompcorType,
  type ConfoundsComponent,
  type ConfoundsFiles,
  confoundsFromText,
  type ConfoundsLevel,
  type ConfoundsText,
  type DenoiseStrategy,
  findConfoundsFile,
  type FmriprepConfounds,
  FmriprepFileError,
  type IcaAromaType,
  loadConfounds,
  type LoadConfoundsOptions,
  loadConfoundsStrategy,
  type LoadConfoundsStrategyOptions,
  MissingConfoundsError,
} from "./interfaces/mod.ts";
// The HTML report of a fitted masker.
export {
  type ConnectivityPanel,
  type DisplayedMaps,
  generateParticipantReport,
  generateReport,
  type GenerateReportOptions,
  type MapsReport,
  type MapsReportInput,
  type ParticipantReportInput,
  type ParticipantRun,
} from "./report/mod.ts";
// Connectivity matrices (nilearn's ConnectivityMeasure and its helpers).
export {
  CONNECTIVITY_KINDS,
  type ConnectivityConfig,
  type ConnectivityKind,
  type ConnectivityMeasure,
  connectivityMeasure,
  type ConnectivityOutput,
  type ConnectivityTransformOptions,
  type CovarianceFit,
  type CovEstimator,
  covToCorr,
  type FittedConnectivityMeasure,
  precToPartial,
  type ResolvedConnectivityConfig,
  symMatrixToVec,
  type SymMatrixToVecOptions,
  vecToSymMatrix,
} from "./connectome/mod.ts";
// Deterministic synthetic data.
export {
  blobMaps,
  type BlobMapsOptions,
  type GaussianBlob,
  mulberry32,
  normals,
  synthBold,
  type SynthBoldOptions,
  type SyntheticBold,
  type SyntheticGrid,
} from "./synthetic/mod.ts";
