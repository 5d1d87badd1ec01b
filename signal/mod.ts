/**
 * Signal cleaning with nilearn 0.11.1 semantics: detrending, filtering, confound regression,
 * standardization and scrubbing of (time x features) matrices.
 *
 * @module
 */
export type { Matrix } from "../types.ts";
export { AllVolumesRemovedError, clean, type CleanOptions, type Standardize } from "./clean.ts";
export { CLEAN_OPTION_NAMES, cleanOptionsFromKwargs } from "./options.ts";
export type { FilterType } from "./options.ts";
export { butterworth, type ButterworthOptions } from "./butterworth.ts";
export { butterSos, type ButterType } from "./butter_design.ts";
export { defaultPadlen, type PadType, sosfiltfilt } from "./filtfilt.ts";
export { detrend } from "./detrend.ts";
export { standardize } from "./standardize.ts";
export { regressOut } from "./confounds.ts";
export { cosineDrift } from "./cosine_drift.ts";
export { type SampleMask, sampleMaskIndices } from "./sample_mask.ts";
export { cubicSpline } from "./cubic_spline.ts";
export {
  highVarianceConfoundsOfSignals,
  type HighVarianceOptions,
} from "./high_variance_confounds.ts";
export type { WarningSink } from "./warnings.ts";
export {
  ConfoundsParseError,
  type LabeledMatrix,
  parseConfoundsTable,
  readConfoundsFile,
} from "./confounds_file.ts";
