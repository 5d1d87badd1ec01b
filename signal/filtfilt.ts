/**
 * Zero-phase forward-backward filtering with second-order sections, as
 * `scipy.signal.sosfiltfilt(sos, x, padtype, padlen)` does: the series is extended at both ends
 * (odd, even or constant reflection), filtered forward then backward, each pass starting from the
 * steady state of a step of the first value (`sosfilt_zi`), and the extension is cut off.
 *
 * @module
 */

/** How the series is extended at both ends before filtering (null: no extension). */
export type PadType = "odd" | "even" | "constant" | null;

/** Number of sections of a flat SOS array (6 numbers per section). */
function sectionCount(sos: Float64Array): number {
  if (sos.length === 0 || sos.length % 6 !== 0) {
    throw new TypeError(`sos: expected 6 numbers per section, found ${sos.length} numbers`);
  }
  return sos.length / 6;
}

/**
 * Default padding length of `sosfiltfilt`: 3 × (2 × sections + 1 − the number of trailing zero
 * coefficients that first-order sections have, counted as scipy does).
 *
 * @param sos flat sections, 6 numbers each.
 * @returns the default padding length (samples).
 * @example
 * ```ts
 * import { defaultPadlen } from "./filtfilt.ts";
 * import { butterSos } from "./butter_design.ts";
 * defaultPadlen(butterSos(5, [0.01, 0.1], "band", 0.5)); // 33
 * ```
 */
export function defaultPadlen(sos: Float64Array): number {
  const n = sectionCount(sos);
  let zeroB2 = 0;
  let zeroA2 = 0;
  for (let s = 0; s < n; s++) {
    if (sos[6 * s + 2] === 0) zeroB2++;
    if (sos[6 * s + 5] === 0) zeroA2++;
  }
  return 3 * (2 * n + 1 - Math.min(zeroB2, zeroA2));
}

/**
 * Steady-state initial conditions of each section for a unit step input (`sosfilt_zi`).
 *
 * @param sos flat sections, 6 numbers each, `a0` = 1 or not (normalized here).
 * @returns `[z0, z1]` per section, flat.
 * @example
 * ```ts
 * import { sosfiltZi } from "./filtfilt.ts";
 * const zi = sosfiltZi(Float64Array.from([0.5, 0.5, 0, 1, 0, 0]));
 * ```
 */
export function sosfiltZi(sos: Float64Array): Float64Array {
  const n = sectionCount(sos);
  const zi = new Float64Array(2 * n);
  let gain = 1;
  for (let s = 0; s < n; s++) {
    const o = 6 * s;
    const a0 = sos[o + 3] as number;
    const b0 = (sos[o] as number) / a0;
    const b1 = (sos[o + 1] as number) / a0;
    const b2 = (sos[o + 2] as number) / a0;
    const a1 = (sos[o + 4] as number) / a0;
    const a2 = (sos[o + 5] as number) / a0;
    // zi = A zi + B with the companion matrix of a: solve the 2x2 system directly.
    const B0 = b1 - a1 * b0;
    const B1 = b2 - a2 * b0;
    const z0 = (B0 + B1) / (1 + a1 + a2);
    const z1 = B1 - a2 * z0;
    zi[2 * s] = gain * z0;
    zi[2 * s + 1] = gain * z1;
    gain *= (b0 + b1 + b2) / (1 + a1 + a2);
  }
  return zi;
}

/** Filter `x` in place (direct form II transposed per section), starting from `zi * x0`. */
function sosfiltInPlace(sos: Float64Array, x: Float64Array, zi: Float64Array, x0: number): void {
  const n = sos.length / 6;
  const state = new Float64Array(2 * n);
  for (let i = 0; i < state.length; i++) state[i] = (zi[i] as number) * x0;
  const len = x.length;
  for (let t = 0; t < len; t++) {
    let v = x[t] as number;
    for (let s = 0; s < n; s++) {
      const o = 6 * s;
      const a0 = sos[o + 3] as number;
      const out = ((sos[o] as number) * v) / a0 + (state[2 * s] as number);
      state[2 * s] = ((sos[o + 1] as number) * v - (sos[o + 4] as number) * out) / a0 +
        (state[2 * s + 1] as number);
      state[2 * s + 1] = ((sos[o + 2] as number) * v - (sos[o + 5] as number) * out) / a0;
      v = out;
    }
    x[t] = v;
  }
}

/** Extend `x` by `edge` samples at both ends. */
function extend(x: ArrayLike<number>, edge: number, padtype: Exclude<PadType, null>): Float64Array {
  const n = x.length;
  const out = new Float64Array(n + 2 * edge);
  const first = x[0] as number;
  const last = x[n - 1] as number;
  for (let i = 0; i < edge; i++) {
    // left: mirror of x[edge - i] around x[0]; right: mirror of x[n - 2 - i] around x[n - 1]
    const l = x[edge - i] as number;
    const r = x[n - 2 - i] as number;
    if (padtype === "odd") {
      out[i] = 2 * first - l;
      out[edge + n + i] = 2 * last - r;
    } else if (padtype === "even") {
      out[i] = l;
      out[edge + n + i] = r;
    } else {
      out[i] = first;
      out[edge + n + i] = last;
    }
  }
  for (let i = 0; i < n; i++) out[edge + i] = x[i] as number;
  return out;
}

/**
 * Zero-phase forward-backward filtering of one series (`scipy.signal.sosfiltfilt`).
 *
 * @param sos flat sections, 6 numbers each.
 * @param x the series.
 * @param padtype extension at both ends; default "odd"; null: none.
 * @param padlen extension length (samples); default {@link defaultPadlen}. Must be < x.length.
 * @returns the filtered series (new array, same length).
 * @example
 * ```ts
 * import { sosfiltfilt } from "./filtfilt.ts";
 * import { butterSos } from "./butter_design.ts";
 * const y = sosfiltfilt(butterSos(5, 0.1, "low", 0.5), new Float64Array(40).fill(1));
 * ```
 */
export function sosfiltfilt(
  sos: Float64Array,
  x: ArrayLike<number>,
  padtype: PadType = "odd",
  padlen: number | null = null,
): Float64Array {
  const edge = padtype === null ? 0 : padlen ?? defaultPadlen(sos);
  if (!Number.isInteger(edge) || edge < 0) {
    throw new RangeError(`butterworth padlen: expected a non-negative integer, found ${padlen}`);
  }
  if (x.length <= edge) {
    throw new RangeError(
      `The length of the input vector x must be greater than padlen, which is ${edge}: the ` +
        `series has ${x.length} time points (shorten the padding with butterworthPadlen or ` +
        `use a longer series)`,
    );
  }
  const ext = padtype === null || edge === 0 ? Float64Array.from(x) : extend(x, edge, padtype);
  const zi = sosfiltZi(sos);
  sosfiltInPlace(sos, ext, zi, ext[0] as number);
  ext.reverse();
  sosfiltInPlace(sos, ext, zi, ext[0] as number);
  ext.reverse();
  return edge > 0 ? ext.slice(edge, ext.length - edge) : ext;
}
