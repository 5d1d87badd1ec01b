/**
 * nilearn 0.11.1's `signal.clean` for (time x features) matrices.
 *
 * Order of operations for one run (nilearn's):
 * 1. `filter: "cosine"`: cosine drift regressors over the full run are added to the confounds;
 * 2. sample mask: with Butterworth filtering, censored volumes are filled by cubic-spline
 *    interpolation (see `interpolateCensored`); otherwise signals and confounds are censored now;
 * 3. the column means are recorded (for "psc");
 * 4. `detrend`: signals and confounds lose their mean and linear trend;
 * 5. Butterworth filtering of signals and confounds, then censoring of both;
 * 6. confounds (z-scored if `standardizeConfounds`, else scaled by max |value|) are projected
 *    out (pivoted QR: constant or collinear columns drop out);
 * 7. standardization ("psc" adds the recorded means back when the cleaned means are tiny).
 *
 * With `runs`, each run (rows with the same label, in sorted label order) is cleaned separately
 * with all the options and the results are stacked.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { butterworthSos, filterColumnsInPlace } from "./butterworth.ts";
import { appendCosineDrift, cosineDrift } from "./cosine_drift.ts";
import { regressOutInPlace } from "./confounds.ts";
import { columnMeans, detrendInPlace } from "./detrend.ts";
import { type CleanOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import {
  censorRows,
  interpolateCensored,
  type SampleMask,
  sampleMaskIndices,
} from "./sample_mask.ts";
import { standardizeInPlace } from "./standardize.ts";

export type { CleanOptions } from "./options.ts";
export type { Standardize } from "./standardize.ts";

/** Raised when a sample mask keeps no volume (nilearn's `AllVolumesRemovedError`). */
export class AllVolumesRemovedError extends RangeError {
  /**
   * Create the error.
   *
   * @param what where (which run).
   */
  constructor(what = "sampleMask") {
    super(
      `${what}: the sample mask removes all volumes; no volume is left to clean (check the ` +
        `scrubbing threshold)`,
    );
    this.name = "AllVolumesRemovedError";
  }
}

function checkMatrix(m: Matrix, what: string): void {
  if (typeof m !== "object" || m === null || !m.shape || m.shape.length !== 2) {
    throw new TypeError(`${what}: expected a 2D matrix {data, shape: [rows, cols]}`);
  }
  const [r, c] = m.shape;
  if (!Number.isInteger(r) || !Number.isInteger(c) || r < 0 || c < 0) {
    throw new TypeError(
      `${what}: shape must be two non-negative integers, found [${m.shape.join(", ")}]`,
    );
  }
  if (!m.data || m.data.length !== r * c) {
    throw new TypeError(
      `${what}: data has ${m.data?.length} values, expected ${r * c} for shape [${r}, ${c}]`,
    );
  }
}

/** Stack the confounds side by side as one row-major matrix (or null). */
function stackConfounds(
  confounds: Matrix | readonly Matrix[] | null | undefined,
  rows: number,
): { data: Float64Array; k: number } | null {
  if (confounds === null || confounds === undefined) return null;
  const list: readonly Matrix[] = Array.isArray(confounds) ? confounds : [confounds as Matrix];
  if (list.length === 0) return null;
  list.forEach((m, i) => {
    const what = list.length > 1 ? `confounds[${i}]` : "confounds";
    checkMatrix(m, what);
    if (m.shape[0] !== rows) {
      throw new TypeError(
        `${what}: expected ${rows} rows (one per time point of the signals), found ` +
          `${m.shape[0]} (shape [${m.shape.join(", ")}])`,
      );
    }
  });
  const k = list.reduce((s, m) => s + m.shape[1], 0);
  const data = new Float64Array(rows * k);
  let off = 0;
  for (const m of list) {
    const c = m.shape[1];
    for (let t = 0; t < rows; t++) {
      for (let j = 0; j < c; j++) data[t * k + off + j] = m.data[t * c + j] as number;
    }
    off += c;
  }
  return { data, k };
}

function isMaskList(mask: SampleMask | readonly SampleMask[]): mask is readonly SampleMask[] {
  return mask.length > 0 && typeof mask[0] === "object" && mask[0] !== null;
}

/** Clean one run. `sig` and `conf` are owned (may be modified). */
function cleanRun(
  sig: Float64Array,
  rows: number,
  cols: number,
  confIn: { data: Float64Array; k: number } | null,
  keepIn: Int32Array | null,
  o: ResolvedOptions,
  what: string,
): { data: Float64Array; rows: number } {
  let conf = confIn;
  let keep = keepIn;
  if (o.filter === "cosine") {
    const drift = cosineDrift(o.highPass as number, rows, o.tR, o.onWarning);
    const merged = appendCosineDrift(
      conf === null ? null : { data: conf.data, shape: [rows, conf.k] },
      drift,
      o.onWarning,
    );
    conf = merged === null ? null : { data: Float64Array.from(merged.data), k: merged.shape[1] };
  }
  let n = rows;
  let data = sig;
  if (keep !== null) {
    if (keep.length === 0) throw new AllVolumesRemovedError(what);
    if (o.filter === "butterworth") {
      if (o.extrapolate) {
        o.onWarning(
          "By default the cubic spline interpolator extrapolates the out-of-bounds censored " +
            "volumes in the data run. This can lead to undesired filtered signal results. " +
            "Starting in version 0.13, the default strategy will be not to extrapolate but to " +
            "discard those volumes at filtering.",
        );
      }
      const s = interpolateCensored(data, n, cols, keep, o.tR, o.extrapolate);
      if (conf !== null) {
        const c = interpolateCensored(conf.data, n, conf.k, keep, o.tR, o.extrapolate);
        conf = { data: c.data, k: conf.k };
      }
      data = s.data;
      n = s.rows;
      if (!o.extrapolate) {
        const first = keep[0] as number;
        keep = keep.map((v) => v - first);
      }
    } else {
      data = censorRows(data, n, cols, keep);
      if (conf !== null) conf = { data: censorRows(conf.data, n, conf.k, keep), k: conf.k };
      n = keep.length;
      keep = null;
    }
  }
  const originalMean = columnMeans(data, n, cols);
  if (o.detrend) {
    detrendInPlace(data, n, cols, o.onWarning);
    if (conf !== null) detrendInPlace(conf.data, n, conf.k, o.onWarning);
  }
  if (o.filter === "butterworth") {
    const sos = butterworthSos(1 / o.tR, {
      lowPass: o.lowPass,
      highPass: o.highPass,
      order: o.order,
      onWarning: o.onWarning,
    });
    if (sos !== null) {
      filterColumnsInPlace(data, n, cols, sos, o.padtype, o.padlen);
      if (conf !== null) filterColumnsInPlace(conf.data, n, conf.k, sos, o.padtype, o.padlen);
    }
    if (keep !== null) {
      data = censorRows(data, n, cols, keep);
      if (conf !== null) conf = { data: censorRows(conf.data, n, conf.k, keep), k: conf.k };
      n = keep.length;
    }
  }
  if (conf !== null) {
    regressOutInPlace(data, n, cols, conf.data, conf.k, o.standardizeConfounds, o.onWarning);
  }
  if (!o.standardize) return { data, rows: n };
  if (o.standardize === "psc") {
    const cleaned = columnMeans(data, n, cols);
    let a = 0;
    let b = 0;
    for (let c = 0; c < cols; c++) {
      a += Math.abs(cleaned[c] as number);
      b += Math.abs(originalMean[c] as number);
    }
    if ((a / cols) / (b / cols) < 0.1) {
      for (let t = 0; t < n; t++) {
        for (let c = 0; c < cols; c++) {
          data[t * cols + c] = (data[t * cols + c] as number) + (originalMean[c] as number);
        }
      }
    }
  }
  standardizeInPlace(data, n, cols, o.standardize, o.onWarning);
  return { data, rows: n };
}

/**
 * Clean a (time x features) signal matrix as nilearn 0.11.1's `signal.clean` does: scrubbing,
 * detrending, Butterworth or cosine filtering, confound regression and standardization, in
 * nilearn's order (see the module documentation), per run.
 *
 * Defaults are nilearn's: `detrend: true`, `standardize: "zscore"`, `filter: "butterworth"`
 * (applied only when a cutoff is given), `tR: 2.5` when absent. Warnings go to `onWarning`.
 *
 * @param signals (time x features) matrix.
 * @param options cleaning options; see {@link CleanOptions}.
 * @returns the cleaned matrix (kept volumes x features), float64.
 * @throws TypeError for unknown options, wrong shapes (confounds rows, boolean mask length);
 *   RangeError for out-of-range values (sample mask indices, missing tR with a filter, a series
 *   too short for the filter padding).
 * @example
 * ```ts
 * import { clean } from "./clean.ts";
 * const out = clean({ data: Float64Array.from([1, 2, 3, 5]), shape: [4, 1] }, {
 *   detrend: true,
 *   standardize: false,
 * });
 * ```
 */
export function clean(signals: Matrix, options: CleanOptions = {}): Matrix {
  const o = resolveOptions(options);
  checkMatrix(signals, "signals");
  const [rows, cols] = signals.shape;
  if (o.standardizeConfounds === false && !o.detrend && options.confounds) {
    o.onWarning(
      "When confounds are provided, one must perform detrend and/or standardize confounds. " +
        "You provided detrend=False, standardize_confounds=False. If confounds were not " +
        "standardized or demeaned before passing to signal.clean signal will not be correctly " +
        "cleaned. ",
    );
  }
  const runs = options.runs ?? null;
  if (runs !== null && runs.length !== rows) {
    throw new TypeError(
      `runs: the length of the run vector (${runs.length}) does not match the length of the ` +
        `signals (${rows})`,
    );
  }
  const conf = stackConfounds(options.confounds, rows);
  const data = Float64Array.from(signals.data);
  if (o.ensureFinite) {
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i] as number)) data[i] = 0;
  }

  // runs: sorted unique labels, rows of each
  const groups: number[][] = [];
  if (runs === null) groups.push(Array.from({ length: rows }, (_, i) => i));
  else {
    const labels = [...new Set(Array.from(runs))].sort((a, b) => a - b);
    const index = new Map(labels.map((l, i) => [l, i]));
    for (let i = 0; i < labels.length; i++) groups.push([]);
    for (let t = 0; t < rows; t++) {
      (groups[index.get(runs[t] as number) as number] as number[]).push(t);
    }
  }
  const rawMask = options.sampleMask ?? null;
  let masks: (SampleMask | null)[] | null = null;
  if (rawMask !== null) {
    const list = isMaskList(rawMask) ? [...rawMask] : [rawMask as SampleMask];
    if (list.length !== groups.length) {
      throw new TypeError(
        `sampleMask: number of sample masks (${list.length}) does not match the number of ` +
          `runs (${groups.length})`,
      );
    }
    masks = list;
  }
  const outs: { data: Float64Array; rows: number }[] = [];
  groups.forEach((g, i) => {
    const what = groups.length > 1 ? `sampleMask[${i}]` : "sampleMask";
    const n = g.length;
    const sig = groups.length === 1 ? data : censorRows(data, rows, cols, g);
    const c = conf === null
      ? null
      : groups.length === 1
      ? { data: conf.data, k: conf.k }
      : { data: censorRows(conf.data, rows, conf.k, g), k: conf.k };
    const m = masks?.[i] ?? null;
    const keep = m === null ? null : sampleMaskIndices(m, n, what);
    outs.push(cleanRun(sig, n, cols, c, keep, o, what));
  });
  if (outs.length === 1) {
    const only = outs[0] as { data: Float64Array; rows: number };
    return { data: only.data, shape: [only.rows, cols] };
  }
  const total = outs.reduce((s, x) => s + x.rows, 0);
  const out = new Float64Array(total * cols);
  let off = 0;
  for (const x of outs) {
    out.set(x.data, off);
    off += x.data.length;
  }
  return { data: out, shape: [total, cols] };
}
