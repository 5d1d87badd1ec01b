/**
 * nilearn's `image.high_variance_confounds` (all voxels, no mask) computed from volumes streamed
 * twice instead of a whole 4D image held in memory:
 *
 * 1. first pass ({@link HighVarianceSelector}): per voxel, running sums of the values (shifted
 *    by the voxel's first value, for accuracy), of their squares and of the centred unit time
 *    ramp times the values. They give each voxel's mean of squares after detrending, and so the
 *    voxels above the `(100 - percentile)` percentile — in 3 float64 numbers per voxel (plus the
 *    shift), whatever the number of volumes;
 * 2. second pass: the series of the kept voxels only (`percentile` %, 2 % by default) are
 *    gathered ({@link HighVarianceSelector.gather}), then detrended and decomposed exactly as the
 *    in-memory computation does ({@link confoundsOfKeptSeries}).
 *
 * Memory: 32 bytes per voxel plus the kept series (`percentile` % of the voxels x time, float64),
 * instead of the whole image. The price is a second read of the input. The kept set equals the
 * in-memory one except for voxels whose detrended variances tie with the percentile threshold to
 * the last bits (the two computations round differently).
 *
 * @module
 */
import type { Matrix, VoxelData } from "../types.ts";
import { leadingLeftSingularVectors, nanPercentile } from "../signal/high_variance_confounds.ts";
import { unitRamp } from "../signal/detrend.ts";

/** Options (as `highVarianceConfounds`): `nConfounds` 5, `percentile` 2, `detrend` true. */
export interface StreamingHvcOptions {
  /** Number of confounds returned (default 5). */
  nConfounds?: number;
  /** Percentage (0..100) of highest-variance voxels kept (default 2). */
  percentile?: number;
  /** Detrend (mean and linear trend) each series first (default true). */
  detrend?: boolean;
}

/**
 * First pass of the streaming high-variance confounds: feed every volume with {@link add},
 * then {@link kept} gives the selected voxels and {@link gather} collects their series during
 * the second pass.
 *
 * @example
 * ```ts
 * import { HighVarianceSelector, confoundsOfKeptSeries } from "./streaming_hvc.ts";
 * const vols = Array.from({ length: 10 }, (_, t) => Float64Array.from([t, t * t, 1, -t]));
 * const sel = new HighVarianceSelector(4, 10, { percentile: 50 });
 * for (const v of vols) sel.add(v);
 * const kept = sel.kept();
 * const series = sel.gather();
 * for (const v of vols) series.add(v);
 * console.log(confoundsOfKeptSeries(series.data(), 10, kept.length, { nConfounds: 1 }).shape);
 * ```
 */
export class HighVarianceSelector {
  readonly #nVoxels: number;
  readonly #nT: number;
  readonly #detrend: boolean;
  readonly #percentile: number;
  readonly #ramp: Float64Array;
  readonly #shift: Float64Array;
  readonly #s1: Float64Array;
  readonly #s2: Float64Array;
  readonly #sr: Float64Array;
  #t = 0;
  #kept: Int32Array | null = null;

  /**
   * Start the first pass.
   *
   * @param nVoxels voxels per volume.
   * @param nT number of volumes.
   * @param options `percentile` (default 2) and `detrend` (default true).
   */
  constructor(nVoxels: number, nT: number, options: StreamingHvcOptions = {}) {
    this.#nVoxels = nVoxels;
    this.#nT = nT;
    this.#detrend = (options.detrend ?? true) && nT > 1;
    this.#percentile = options.percentile ?? 2;
    if (!(this.#percentile >= 0 && this.#percentile <= 100)) {
      throw new RangeError(
        `percentile: expected a number in [0, 100], found ${options.percentile}`,
      );
    }
    this.#ramp = unitRamp(nT);
    this.#shift = new Float64Array(nVoxels);
    this.#s1 = new Float64Array(nVoxels);
    this.#s2 = new Float64Array(nVoxels);
    this.#sr = new Float64Array(nVoxels);
  }

  /** Accumulate the next volume (nVoxels values). */
  add(vol: VoxelData | ArrayLike<number>): void {
    const t = this.#t++;
    if (t >= this.#nT) throw new RangeError(`more than the announced ${this.#nT} volumes`);
    const n = this.#nVoxels, shift = this.#shift, s1 = this.#s1, s2 = this.#s2, sr = this.#sr;
    // The shift (first value) only helps the detrended variance; without detrending the plain
    // sum of squares is summed in the same order as the in-memory computation.
    if (t === 0 && this.#detrend) {
      for (let v = 0; v < n; v++) shift[v] = Number.isFinite(vol[v]!) ? vol[v]! : 0;
    }
    const r = this.#ramp[t]!;
    for (let v = 0; v < n; v++) {
      const y = vol[v]! - shift[v]!;
      s1[v]! += y;
      s2[v]! += y * y;
      sr[v]! += r * y;
    }
  }

  /** Mean of squares of each voxel's (detrended) series; NaN where values were not finite. */
  variances(): Float64Array {
    if (this.#t !== this.#nT) {
      throw new RangeError(`${this.#t} volumes accumulated, expected ${this.#nT}`);
    }
    const n = this.#nVoxels, T = this.#nT;
    let rampSum = 0;
    for (let t = 0; t < T; t++) rampSum += this.#ramp[t]!;
    const out = new Float64Array(n);
    for (let v = 0; v < n; v++) {
      const s1 = this.#s1[v]!, s2 = this.#s2[v]!;
      if (this.#detrend) {
        const m = s1 / T; // mean of the shifted series
        const ss = s2 - s1 * m; // Σ (y - m)²
        const slope = this.#sr[v]! - m * rampSum; // Σ r (y - m)
        out[v] = Math.max(0, ss - slope * slope) / T;
      } else {
        out[v] = s2 / T; // shift is 0: the raw mean of squares
      }
    }
    return out;
  }

  /** Indices (ascending) of the voxels above the `(100 - percentile)` percentile. */
  kept(): Int32Array {
    if (this.#kept !== null) return this.#kept;
    const variance = this.variances();
    const threshold = nanPercentile(variance, 100 - this.#percentile);
    const idx: number[] = [];
    for (let v = 0; v < variance.length; v++) if (variance[v]! > threshold) idx.push(v);
    this.#kept = Int32Array.from(idx);
    return this.#kept;
  }

  /** Collector of the kept voxels' series for the second pass ((time x kept), float64). */
  gather(): { add(vol: VoxelData | ArrayLike<number>): void; data(): Float64Array } {
    const kept = this.kept();
    const s = kept.length, T = this.#nT;
    const data = new Float64Array(T * s);
    let t = 0;
    return {
      add(vol) {
        if (t >= T) throw new RangeError(`more than the announced ${T} volumes`);
        const o = t++ * s;
        for (let i = 0; i < s; i++) data[o + i] = vol[kept[i]!]!;
      },
      data() {
        if (t !== T) throw new RangeError(`${t} volumes gathered, expected ${T}`);
        return data;
      },
    };
  }
}

/**
 * The confounds of already selected series ((rows x s), row-major): each column detrended (mean
 * and linear trend, as `highVarianceConfounds`), then the `nConfounds` left singular vectors of
 * largest singular value (eigenvectors of `X Xᵀ / rows`).
 *
 * @param series (rows x s) kept series.
 * @param rows number of time points.
 * @param s number of series.
 * @param options `nConfounds` (default 5), `detrend` (default true).
 * @returns (rows x min(nConfounds, rows)) confounds; column signs are arbitrary.
 */
export function confoundsOfKeptSeries(
  series: Float64Array,
  rows: number,
  s: number,
  options: StreamingHvcOptions = {},
): Matrix {
  const nConfounds = options.nConfounds ?? 5;
  if (!Number.isInteger(nConfounds) || nConfounds < 1) {
    throw new RangeError(`nConfounds: expected a positive integer, found ${nConfounds}`);
  }
  const X = Float64Array.from(series);
  if ((options.detrend ?? true) && rows > 1) {
    const ramp = unitRamp(rows);
    const mean = new Float64Array(s);
    const slope = new Float64Array(s);
    for (let t = 0; t < rows; t++) {
      for (let j = 0; j < s; j++) mean[j]! += X[t * s + j]!;
    }
    for (let j = 0; j < s; j++) mean[j] = mean[j]! / rows;
    for (let t = 0; t < rows; t++) {
      const w = ramp[t]!;
      for (let j = 0; j < s; j++) slope[j]! += w * (X[t * s + j]! - mean[j]!);
    }
    for (let t = 0; t < rows; t++) {
      const w = ramp[t]!;
      for (let j = 0; j < s; j++) X[t * s + j] = X[t * s + j]! - mean[j]! - slope[j]! * w;
    }
  }
  return leadingLeftSingularVectors(X, rows, s, nConfounds);
}
