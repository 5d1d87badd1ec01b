import type { Image, Matrix } from "../types.ts";
import type { ImgSource } from "../image/load.ts";
import type { CleanOptions, Standardize } from "../signal/clean.ts";
import type { SampleMask } from "../signal/sample_mask.ts";
import type { DisplayedMaps, MapsReportInput } from "../report/types.ts";
import type { CLEAN_KWARG_NAMES } from "./config.ts";

/**
 * Extra `clean__*` keyword arguments forwarded to {@link CleanOptions} (camelCase names; the
 * list is `config.ts`'s `CLEAN_KWARG_NAMES`).
 */
export type CleanKwargs = Pick<CleanOptions, typeof CLEAN_KWARG_NAMES[number]>;

/** Constructor parameters of nilearn 0.11.1's `MultiNiftiMapsMasker`, in camelCase. */
export interface MultiMapsMaskerConfig {
  /** Maps (4D: x, y, z, maps; a 3D image is one map). Required. */
  mapsImg: ImgSource;
  /** Mask (3D, non-zero = inside) or null. */
  maskImg?: ImgSource | null;
  /** Allow maps to overlap (default true). */
  allowOverlap?: boolean;
  /** Smoothing FWHM (mm), or null. */
  smoothingFwhm?: number | readonly number[] | null;
  /** Standardization of the signals (default false; null, as nilearn's None, means false). */
  standardize?: Standardize | null;
  /** Standardize confounds (default true). */
  standardizeConfounds?: boolean;
  /** Regress out per-subject high-variance confounds (default false). */
  highVarianceConfounds?: boolean;
  /** Linear detrending (default false). */
  detrend?: boolean;
  /** Low-pass cutoff (Hz), or null. */
  lowPass?: number | null;
  /** High-pass cutoff (Hz), or null. */
  highPass?: number | null;
  /** Repetition time (s), or null. */
  tR?: number | null;
  /** Output/working dtype: null (keep), "auto", "float32" or "float64". */
  dtype?: null | "auto" | "float32" | "float64";
  /** Which grid everything is resampled to (default "data"). */
  resamplingTarget?: "data" | "mask" | "maps" | null;
  /** Keep maps emptied by the mask as zero signals (default true). */
  keepMaskedMaps?: boolean;
  /** Cache directory for fitted/resampled maps, or null. */
  memory?: string | null;
  /** Cache level (default 0). */
  memoryLevel?: number;
  /** Verbosity (default 0). */
  verbose?: number;
  /** Keep report data (default true). */
  reports?: boolean;
  /**
   * Parallel subjects (default 1; -1 = all cores), in web workers. In Deno, workers need read
   * access to niimask's modules (see README, "Workers and permissions"); without it subjects are
   * extracted in this thread, with a warning.
   */
  nJobs?: number;
  /** `clean__*` keyword arguments. */
  clean?: CleanKwargs;
  /**
   * Result form (the `set_output` analog): "matrix" (default) gives plain {@link Matrix} values;
   * "table" gives {@link SignalsTable} values, matrices that also carry one column name per map.
   */
  output?: "matrix" | "table";
  /**
   * Column names for `output: "table"`, one per map of `mapsImg` in map order (default
   * `map_<index>`). Maps dropped by `keepMaskedMaps: false` drop their name too.
   */
  labels?: readonly string[] | null;
}

/** A generated HTML report (`report/`'s result). */
export interface MaskerReport {
  /** The self-contained HTML page. */
  readonly html: string;
  /** Warnings raised while generating the report. */
  readonly warnings: readonly string[];
}

/** A (time x maps) matrix with one column name per map (`output: "table"`). */
export interface SignalsTable extends Matrix {
  /** Column names, one per column. */
  readonly columns: readonly string[];
}

/** A confounds source: a matrix, a CSV/TSV path, or null. */
export type ConfoundsSource = Matrix | string | URL | null;

/** Per-call arguments of the transform methods. */
export interface TransformOptions {
  /** Confounds: for one image, one source or a list stacked side by side; for a list of images, one entry per image. */
  confounds?: ConfoundsSource | readonly (ConfoundsSource | readonly ConfoundsSource[])[] | null;
  /**
   * Kept volume indices (0-based; negative ones count from the end) or boolean mask; for a list
   * of images, one entry per image.
   */
  sampleMask?: SampleMask | readonly (SampleMask | null)[] | null;
  /** Parallel subjects for this call. */
  nJobs?: number;
  /**
   * Lists only: called once per subject that ran to the end (extracted or failed), as it
   * finishes, in completion order — `index` is the subject's position in `imgs`. The subjects of
   * a call go through one pool (as many lanes as jobs; a lane takes the next subject as soon as
   * it is free, no batch barrier). A returned promise is awaited before that lane takes its next
   * subject, and the call settles only after every callback has settled. Not called for subjects
   * that did not run (aborted, or skipped by `transformImgs` after a failure). If a callback
   * throws, no new subject starts and the call rejects with that error once the subjects in
   * flight settle. The returned array is still in input order.
   */
  onOutcome?: (index: number, outcome: SubjectOutcome) => void | Promise<void>;
  /**
   * With `onOutcome`: `false` releases each subject's signals once its callback has settled —
   * the returned array then holds `{ ok: true, value }` with an empty `[0, 0]` matrix for them —
   * so a long batch keeps no signals beyond the subjects in flight (default true).
   */
  keepValues?: boolean;
  /**
   * Stops the call. Once aborted, no new subject starts; subjects in flight are stopped (their
   * web workers are terminated; an extraction in this thread stops at its next volume) and are
   * not reported to `onOutcome`, while callbacks already running are awaited.
   * `transformImgsSettled` then resolves (it never rejects for a subject's sake): subjects that
   * finished keep their outcomes, every other one is `{ ok: false, error }` with
   * `error.name === "AbortError"` (`error.cause` is the signal's reason). `transformImgs`,
   * `transform` and `transformSingleImgs` reject with such an AbortError unless every subject
   * finished.
   */
  signal?: AbortSignal;
}

/** The outcome of one subject in {@link FittedMultiMapsMasker.transformImgsSettled}. */
export type SubjectOutcome = { ok: true; value: Matrix } | { ok: false; error: Error };

/** An unfitted masker: parameters and fitting. Immutable. */
export interface MultiMapsMasker {
  /** The full parameter set (defaults filled in), as `get_params`. */
  params(): Readonly<Required<Omit<MultiMapsMaskerConfig, "maskImg">>> & {
    readonly maskImg: ImgSource | null;
  };
  /** A new (unfitted) masker with some parameters changed, as `set_params`. */
  with(partial: Partial<MultiMapsMaskerConfig>): MultiMapsMasker;
  /** Fit: load/resample maps (and mask); resolves to a new fitted masker. */
  fit(imgs?: ImgSource | readonly ImgSource[] | null): Promise<FittedMultiMapsMasker>;
  /**
   * Fit on the list then transform each (one Matrix per image). Declared before the single-image
   * overload: a list of paths or images is also an {@link ImgSource} (a list of 3D volumes), and
   * at run time any list is transformed image by image.
   */
  fitTransform(imgs: readonly ImgSource[], options?: TransformOptions): Promise<Matrix[]>;
  /** Fit on `imgs` then transform them. */
  fitTransform(imgs: ImgSource, options?: TransformOptions): Promise<Matrix>;
}

/** A fitted masker: fitted attributes and the transform methods. Immutable. */
export interface FittedMultiMapsMasker extends MultiMapsMasker {
  /**
   * The fitted maps image (`maps_img_`). Built on each access: the fitted masker holds only the
   * projector and a compact exact copy of the maps (`maskers/compact_maps.ts`), so each read makes
   * a new dense image (maps resampled at fit are resampled again, giving the same values); keep a
   * reference rather than reading the property in a loop.
   */
  readonly mapsImg_: Image;
  /** The fitted mask image (`mask_img_`), or null. */
  readonly maskImg_: Image | null;
  /** Number of maps (`n_elements_`). */
  readonly nElements_: number;
  /**
   * Transform a list of images (one Matrix per image, in order), as `transformImgs`. Declared
   * before the single-image overload: a list is also an {@link ImgSource} (a list of 3D
   * volumes), and at run time any list is transformed image by image.
   */
  transform(imgs: readonly ImgSource[], options?: TransformOptions): Promise<Matrix[]>;
  /**
   * Transform one image: (volumes x maps) signals, with its confounds (one source or a list
   * stacked side by side), sample mask and high-variance confounds applied (as documented).
   */
  transform(imgs: ImgSource, options?: TransformOptions): Promise<Matrix>;
  /** Transform a list of images (one Matrix each, in order). */
  transformImgs(imgs: readonly ImgSource[], options?: TransformOptions): Promise<Matrix[]>;
  /**
   * Transform a list of images without letting one failure lose the others: one outcome per
   * image, in order.
   */
  transformImgsSettled(
    imgs: readonly ImgSource[],
    options?: TransformOptions,
  ): Promise<SubjectOutcome[]>;
  /** Transform one image (a 3D image yields one row). */
  transformSingleImgs(img: ImgSource, options?: TransformOptions): Promise<Matrix>;
  /** Image from region signals: a vector (nMaps) gives 3D, a (time x nMaps) matrix gives 4D. */
  inverseTransform(regionSignals: Matrix | ArrayLike<number>): Image;
  /**
   * What a report shows (`reports: true`): parameters, fitted maps/mask, background, warnings,
   * the last transform's signals. Null when `reports` is false.
   */
  reportInput(): MapsReportInput | null;
  /**
   * HTML report of the fitted masker (delegates to `report/`'s `generateReport`).
   * Throws when the masker was created with `reports: false`.
   */
  generateReport(displayedMaps?: DisplayedMaps): Promise<MaskerReport>;
}
