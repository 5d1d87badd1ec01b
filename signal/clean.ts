import type { Matrix } from "../types.ts";

/** How columns are standardized, as nilearn's `standardize` argument. */
export type Standardize = boolean | "zscore" | "zscore_sample" | "psc";

/** Options of {@link clean}: nilearn's `signal.clean` keyword arguments in camelCase. */
export interface CleanOptions {
  /** Run label per time point (length = rows); each run is cleaned separately. */
  runs?: ArrayLike<number> | null;
  /** Remove a linear trend per column. Default false. */
  detrend?: boolean;
  /** Standardization of the output. Default "zscore_sample". */
  standardize?: Standardize;
  /** Standardize confounds before regression. Default true. */
  standardizeConfounds?: boolean;
  /** Confounds: one matrix (time x k) or several, stacked side by side. */
  confounds?: Matrix | readonly Matrix[] | null;
  /** Indices (0-based, ascending) of the volumes to keep, or a boolean mask of length rows. */
  sampleMask?: ArrayLike<number> | readonly boolean[] | null;
  /** "butterworth" (default), "cosine" or false. */
  filter?: "butterworth" | "cosine" | false;
  /** Low-pass cutoff (Hz). */
  lowPass?: number | null;
  /** High-pass cutoff (Hz). */
  highPass?: number | null;
  /** Repetition time (s). */
  tR?: number | null;
  /** Replace NaN/Inf by 0 before cleaning. Default false. */
  ensureFinite?: boolean;
  /** Interpolate censored volumes at the edges too. Default true. */
  extrapolate?: boolean;
  /** Butterworth filter order. Default 5. */
  butterworthOrder?: number;
  /** Padding type of the forward-backward filter: "odd" (default), "even", "constant". */
  butterworthPadtype?: "odd" | "even" | "constant";
  /** Padding length (samples) of the forward-backward filter. */
  butterworthPadlen?: number | null;
}

/**
 * Clean a (time x features) signal matrix as nilearn 0.11.1's `signal.clean` does.
 *
 * @param signals (time x features) matrix.
 * @param options cleaning options; see {@link CleanOptions}.
 * @returns the cleaned matrix (kept volumes x features), float64.
 * @example
 * ```ts
 * import { clean } from "./clean.ts";
 * const out = clean({ data: Float64Array.from([1, 2, 3, 4]), shape: [4, 1] }, { detrend: true });
 * ```
 */
export function clean(signals: Matrix, options: CleanOptions = {}): Matrix {
  void signals;
  void options;
  throw new Error("signal.clean is not implemented yet");
}
