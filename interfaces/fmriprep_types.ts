/**
 * Types of the fMRIPrep confounds interface (nilearn 0.11.1's `load_confounds` and
 * `load_confounds_strategy`, options in camelCase).
 *
 * @module
 */
import type { LabeledMatrix } from "../signal/confounds_file.ts";
import type { WarningSink } from "../signal/warnings.ts";

export type { LabeledMatrix, WarningSink };

/** A noise component of a `strategy`. */
export type ConfoundsComponent =
  | "motion"
  | "high_pass"
  | "wm_csf"
  | "global_signal"
  | "compcor"
  | "ica_aroma"
  | "scrub"
  | "non_steady_state";

/**
 * How many expansion terms of a base confound: `basic` (the confound), `power2` (+ square),
 * `derivatives` (+ temporal derivative), `full` (+ both and the squared derivative).
 */
export type ConfoundsLevel = "basic" | "power2" | "derivatives" | "full";

/** CompCor flavour: anatomical (one combined or separate WM/CSF masks), temporal, or both. */
export type CompcorType =
  | "anat_combined"
  | "anat_separated"
  | "temporal"
  | "temporal_anat_combined"
  | "temporal_anat_separated";

/** ICA-AROMA use: `full` (the `desc-smoothAROMAnonaggr` image) or `basic` (noise components). */
export type IcaAromaType = "full" | "basic";

/** Options of `loadConfounds`: nilearn 0.11.1's keyword arguments in camelCase, same defaults. */
export interface LoadConfoundsOptions {
  /**
   * Noise components to include (default `["motion", "high_pass", "wm_csf"]`). An empty list
   * gives `confounds: null` (non-steady-state volumes still leave the sample mask).
   */
  readonly strategy?: readonly ConfoundsComponent[];
  /** Head motion terms (default "full": 24 parameters). */
  readonly motion?: ConfoundsLevel;
  /** White matter and CSF terms (default "basic": 2 parameters). */
  readonly wmCsf?: ConfoundsLevel;
  /** Global signal terms (default "basic"). */
  readonly globalSignal?: ConfoundsLevel;
  /** CompCor flavour (default "anat_combined"; needs "high_pass" in the strategy). */
  readonly compcor?: CompcorType;
  /** CompCor components kept per mask and flavour: a count or "all" (default). */
  readonly nCompcor?: number | "all";
  /** ICA-AROMA use (default "full"). */
  readonly icaAroma?: IcaAromaType;
  /**
   * Scrubbing: after removing high-motion volumes, also remove segments shorter than this many
   * volumes (default 5; 0 removes only the high-motion volumes).
   */
  readonly scrub?: number;
  /** Framewise displacement threshold of scrubbing, in mm (default 0.2; strictly above is out). */
  readonly fdThreshold?: number;
  /** Standardized DVARS threshold of scrubbing (default 3; strictly above is out). */
  readonly stdDvarsThreshold?: number;
  /** Subtract each confound's mean over the kept volumes (default true). */
  readonly demean?: boolean;
  /** Receives nilearn's warnings (default: `console.warn` once per message). */
  readonly onWarning?: WarningSink;
}

/** A preset denoising strategy of `loadConfoundsStrategy`. */
export type DenoiseStrategy = "simple" | "scrubbing" | "compcor" | "ica_aroma";

/**
 * Options of `loadConfoundsStrategy`: the preset, plus overrides of the preset's customizable
 * parameters (others are ignored with a warning, as nilearn does).
 */
export interface LoadConfoundsStrategyOptions
  extends Omit<LoadConfoundsOptions, "strategy" | "onWarning"> {
  /** The preset (default "simple"). */
  readonly denoiseStrategy?: DenoiseStrategy;
  /** Receives nilearn's warnings (default: `console.warn` once per message). */
  readonly onWarning?: WarningSink;
}

/**
 * The confounds of one run, ready for `fitted.transform(img, { confounds, sampleMask })`.
 */
export interface FmriprepConfounds {
  /**
   * Selected confounds (volumes x confounds, row-major) with their names, sorted as nilearn
   * sorts them (by code point: `a_comp_cor_100` before `a_comp_cor_57`); null for an empty
   * strategy. Shape `[T, 0]` or `[0, 0]` when nothing is selected (ICA-AROMA "full" alone).
   */
  readonly confounds: LabeledMatrix | null;
  /** Kept volumes (0-based, increasing); null when every volume is kept, [] when none is. */
  readonly sampleMask: number[] | null;
}

/** The confounds files of one image: the TSV and its JSON sidecar (null when absent). */
export interface ConfoundsFiles {
  /** The `desc-confounds_timeseries.tsv` (>= 20.2) or `desc-confounds_regressors.tsv` (1.x). */
  readonly tsv: string;
  /** The JSON next to it (every "tsv" in the path replaced by "json"), or null if absent. */
  readonly json: string | null;
}
