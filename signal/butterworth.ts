/**
 * nilearn 0.11.1's `signal.butterworth`: low-, high- or band-pass Butterworth filtering of every
 * column, zero-phase (forward-backward, second-order sections), with nilearn's handling of
 * cutoffs at or above the Nyquist frequency (lowered just below it, with a warning).
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { butterSos, type ButterType } from "./butter_design.ts";
import { type PadType, sosfiltfilt } from "./filtfilt.ts";
import { type WarningSink, warnOnce } from "./warnings.ts";

/** Options of {@link butterworth}. */
export interface ButterworthOptions {
  /** Low-pass cutoff (Hz); null: none. */
  lowPass?: number | null;
  /** High-pass cutoff (Hz); null: none. */
  highPass?: number | null;
  /** Filter order. Default 5. */
  order?: number;
  /** Padding of the forward-backward filter: "odd" (default), "even", "constant", null (none). */
  padtype?: PadType;
  /** Padding length (samples); null/undefined: scipy's `sosfiltfilt` default. */
  padlen?: number | null;
  /** Warnings sink. Default: `console.warn` once per message. */
  onWarning?: WarningSink;
}

const EPS32 = 2 ** -23;

/** nilearn's `_check_wn`: keep a cutoff strictly inside (0, Nyquist). */
function checkCutoff(
  kind: "high" | "low",
  freq: number,
  nyq: number,
  onWarning: WarningSink,
): number {
  if (freq >= nyq) {
    const lowered = nyq - nyq * 10 * EPS32;
    onWarning(
      `The frequency specified for the ${kind} pass filter is too high to be handled by a ` +
        `digital filter (superior to Nyquist frequency). It has been lowered to ${lowered} ` +
        `(Nyquist frequency).`,
    );
    return lowered;
  }
  if (freq < 0) {
    const raised = nyq * EPS32;
    onWarning(
      `The frequency specified for the ${kind} pass filter is too low to be handled by a ` +
        `digital filter (must be non-negative). It has been set to eps: ${raised}`,
    );
    return raised;
  }
  return freq;
}

/**
 * The second-order sections nilearn would use, or null when nothing is filtered (no cutoff, or
 * equal band-pass cutoffs after clamping, with a warning).
 *
 * @param samplingRate sampling frequency (Hz), 1 / TR.
 * @param options cutoffs, order, warnings sink.
 * @returns flat sections (6 numbers each) or null.
 */
export function butterworthSos(
  samplingRate: number,
  options: Pick<ButterworthOptions, "lowPass" | "highPass" | "order" | "onWarning">,
): Float64Array | null {
  const low = options.lowPass ?? null;
  const high = options.highPass ?? null;
  const onWarning = options.onWarning ?? warnOnce;
  if (low === null && high === null) return null;
  if (low !== null && high !== null && high >= low) {
    throw new RangeError(
      `High pass cutoff frequency (${high}) is greater than or equal to low pass filter ` +
        `frequency (${low}). This case is not handled by this function.`,
    );
  }
  const nyq = samplingRate * 0.5;
  const cutoffs: number[] = [];
  if (high !== null) cutoffs.push(checkCutoff("high", high, nyq, onWarning));
  if (low !== null) cutoffs.push(checkCutoff("low", low, nyq, onWarning));
  let btype: ButterType;
  let wn: number | [number, number];
  if (cutoffs.length === 2) {
    if (cutoffs[0] === cutoffs[1]) {
      onWarning(
        "Signals are returned unfiltered because band-pass critical frequencies are equal. " +
          "Please check that inputs for sampling_rate, low_pass, and high_pass are valid.",
      );
      return null;
    }
    btype = "band";
    wn = [cutoffs[0] as number, cutoffs[1] as number];
  } else {
    btype = high !== null ? "high" : "low";
    wn = cutoffs[0] as number;
  }
  return butterSos(options.order ?? 5, wn, btype, samplingRate);
}

/** Filter every column of a row-major matrix in place with `sosfiltfilt`. */
export function filterColumnsInPlace(
  data: Float64Array,
  rows: number,
  cols: number,
  sos: Float64Array,
  padtype: PadType,
  padlen: number | null,
): void {
  const col = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) col[r] = data[r * cols + c] as number;
    const y = sosfiltfilt(sos, col, padtype, padlen);
    for (let r = 0; r < rows; r++) data[r * cols + c] = y[r] as number;
  }
}

/**
 * Butterworth low-, high- or band-pass filtering of every column (nilearn's
 * `signal.butterworth`): zero-phase, `scipy.signal.butter(order, ..., output="sos")` then
 * `sosfiltfilt` per column. Cutoffs at or above Nyquist are lowered just below it (warning).
 *
 * @param signals (time x features) matrix.
 * @param samplingRate sampling frequency (Hz), i.e. 1 / TR (s).
 * @param options cutoffs (Hz), order, padding.
 * @returns a new filtered matrix (a copy when nothing is filtered).
 * @throws RangeError when the series is not longer than the padding, or high >= low cutoff.
 * @example
 * ```ts
 * import { butterworth } from "./butterworth.ts";
 * const x = { data: new Float64Array(100).map((_, i) => Math.sin(i)), shape: [100, 1] as const };
 * const y = butterworth(x, 0.5, { lowPass: 0.1 });
 * ```
 */
export function butterworth(
  signals: Matrix,
  samplingRate: number,
  options: ButterworthOptions = {},
): Matrix {
  const [rows, cols] = signals.shape;
  const data = Float64Array.from(signals.data);
  const sos = butterworthSos(samplingRate, options);
  if (sos !== null) {
    const padtype = options.padtype === undefined ? "odd" : options.padtype;
    filterColumnsInPlace(data, rows, cols, sos, padtype, options.padlen ?? null);
  }
  return { data, shape: [rows, cols] };
}
