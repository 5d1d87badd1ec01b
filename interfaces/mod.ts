/**
 * Interfaces to other tools' outputs. fMRIPrep: nilearn 0.11.1's `load_confounds` and
 * `load_confounds_strategy` (`nilearn.interfaces.fmriprep`), returning confounds and sample masks
 * ready for a fitted masker's `transform(img, { confounds, sampleMask })`.
 *
 * @example
 * ```ts ignore
 * import { loadConfoundsStrategy } from "@niimask/niimask/interfaces";
 * const { confounds, sampleMask } = await loadConfoundsStrategy(
 *   "sub-01/func/sub-01_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
 *   { denoiseStrategy: "scrubbing" },
 * );
 * ```
 *
 * @module
 */
export { findConfoundsFile, loadConfounds, loadConfoundsStrategy } from "./fmriprep_load.ts";
export { confoundsFromText, type ConfoundsText } from "./fmriprep_text.ts";
export { FmriprepFileError, MissingConfoundsError } from "./fmriprep_errors.ts";
export type {
  CompcorType,
  ConfoundsComponent,
  ConfoundsFiles,
  ConfoundsLevel,
  DenoiseStrategy,
  FmriprepConfounds,
  IcaAromaType,
  LabeledMatrix,
  LoadConfoundsOptions,
  LoadConfoundsStrategyOptions,
  WarningSink,
} from "./fmriprep_types.ts";
export type { Matrix } from "../types.ts";
