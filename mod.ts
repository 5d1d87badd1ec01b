/**
 * niimask: extract one time series per brain map from 4D fMRI images, the job of nilearn's
 * `MultiNiftiMapsMasker`, in Deno.
 *
 * @example
 * ```ts
 * import { clean } from "@niimask/niimask";
 * const out = clean({ data: Float64Array.from([1, 2, 3, 4]), shape: [4, 1] }, { detrend: true });
 * console.log(out.shape);
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./image/mod.ts";
export * from "./signal/mod.ts";
export * from "./maskers/mod.ts";
export {
  findConfoundsFile,
  FmriprepFileError,
  loadConfounds,
  loadConfoundsStrategy,
  MissingConfoundsError,
} from "./interfaces/mod.ts";
export type {
  CompcorType,
  ConfoundsComponent,
  ConfoundsFiles,
  ConfoundsLevel,
  DenoiseStrategy,
  FmriprepConfounds,
  IcaAromaType,
  LoadConfoundsOptions,
  LoadConfoundsStrategyOptions,
} from "./interfaces/mod.ts";
export * from "./report/mod.ts";
export * from "./synthetic/mod.ts";
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
  empiricalCovariance,
  estimateCovariance,
  type FittedConnectivityMeasure,
  geometricMean,
  type GeometricMeanOptions,
  ledoitWolf,
  precToPartial,
  type ResolvedConnectivityConfig,
  subjectCovariance,
  symMatricesToVecs,
  symMatrixToVec,
  type SymMatrixToVecOptions,
  vecLength,
  vecsToSymMatrices,
  vecToSymMatrix,
} from "./connectome/mod.ts";
