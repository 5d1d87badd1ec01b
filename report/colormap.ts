/**
 * Colour maps for the report: a signed diverging map ("cold-hot": cyan-blue for negative values,
 * red-yellow for positive values, symmetric around 0 and transparent near 0) and a grayscale ramp
 * for backgrounds. Pure functions over numbers and typed arrays.
 *
 * @module
 */

/** Number of entries of the diverging lookup table. */
export const LUT_SIZE = 256;

/** Default fraction of the colour range (|value| / vmax) below which overlays are transparent. */
export const DEFAULT_THRESHOLD_FRACTION = 0.1;

/** Anchor colours (RGB 0-255) of the positive half, from just above the threshold to vmax. */
const HOT: readonly (readonly [number, number, number, number])[] = [
  [0, 150, 0, 0],
  [0.5, 255, 0, 0],
  [1, 255, 255, 0],
];
/** Anchor colours of the negative half, by |value| / vmax. */
const COLD: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 0, 170],
  [0.5, 0, 70, 255],
  [1, 0, 255, 255],
];

function interpolateAnchors(
  anchors: readonly (readonly [number, number, number, number])[],
  s: number,
): [number, number, number] {
  for (let a = 1; a < anchors.length; a++) {
    const hi = anchors[a]!;
    const lo = anchors[a - 1]!;
    if (s <= hi[0] || a === anchors.length - 1) {
      const w = Math.min(1, Math.max(0, (s - lo[0]) / (hi[0] - lo[0])));
      return [
        Math.round(lo[1] + w * (hi[1] - lo[1])),
        Math.round(lo[2] + w * (hi[2] - lo[2])),
        Math.round(lo[3] + w * (hi[3] - lo[3])),
      ];
    }
  }
  const last = anchors[anchors.length - 1]!;
  return [last[1], last[2], last[3]];
}

/**
 * Colour of a signed value on the diverging map, or null where it is transparent.
 *
 * @param t Value divided by vmax, in [-1, 1] (clipped outside).
 * @param threshold Fraction of vmax below which |t| is transparent (default 0.1).
 * @returns `[r, g, b]` (0-255) or null when `|t| < threshold` or t is not finite.
 *
 * @example
 * ```ts
 * import { divergingColor } from "./colormap.ts";
 * divergingColor(1); // [255, 255, 0] (yellow)
 * divergingColor(-1); // [0, 255, 255] (cyan)
 * divergingColor(0.01); // null (transparent)
 * ```
 */
export function divergingColor(
  t: number,
  threshold: number = DEFAULT_THRESHOLD_FRACTION,
): [number, number, number] | null {
  if (!Number.isFinite(t)) return null;
  const a = Math.min(1, Math.abs(t));
  if (a < threshold || a === 0) return null;
  const s = threshold >= 1 ? 1 : (a - threshold) / (1 - threshold);
  return interpolateAnchors(t > 0 ? HOT : COLD, s);
}

/**
 * Lookup table of the diverging map: `LUT_SIZE` entries spanning [-vmax, vmax], 4 bytes each
 * (RGBA; alpha 0 where transparent).
 *
 * @param threshold Fraction of vmax below which values are transparent (default 0.1).
 * @returns RGBA bytes, length `4 * LUT_SIZE`; entry i stands for `t = -1 + 2 * i / (LUT_SIZE - 1)`.
 *
 * @example
 * ```ts
 * import { divergingLut } from "./colormap.ts";
 * const lut = divergingLut();
 * console.log(lut.length); // 1024
 * ```
 */
export function divergingLut(threshold: number = DEFAULT_THRESHOLD_FRACTION): Uint8Array {
  const lut = new Uint8Array(4 * LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = -1 + (2 * i) / (LUT_SIZE - 1);
    const c = divergingColor(t, threshold);
    if (c !== null) {
      lut[4 * i] = c[0];
      lut[4 * i + 1] = c[1];
      lut[4 * i + 2] = c[2];
      lut[4 * i + 3] = 255;
    }
  }
  return lut;
}

/**
 * Index into a diverging LUT for a value.
 *
 * @param value The value (any unit).
 * @param vmax Half-width of the symmetric colour range (> 0).
 * @returns Entry index in `[0, LUT_SIZE - 1]`.
 *
 * @example
 * ```ts
 * import { lutIndex } from "./colormap.ts";
 * lutIndex(0, 1); // 128
 * ```
 */
export function lutIndex(value: number, vmax: number): number {
  const t = Math.min(1, Math.max(-1, value / vmax));
  return Math.round(((t + 1) / 2) * (LUT_SIZE - 1));
}

/**
 * Robust display range of a background: the 2nd and 99.5th percentiles of its finite non-zero
 * values (min/max of all finite values when fewer than 10 are non-zero).
 *
 * @param data Background voxel values.
 * @returns `[low, high]` with `high > low`.
 *
 * @example
 * ```ts
 * import { backgroundRange } from "./colormap.ts";
 * backgroundRange(Float64Array.from([0, 1, 2, 3])); // [0, 3]
 * ```
 */
export function backgroundRange(data: ArrayLike<number>): [number, number] {
  const values: number[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v !== 0) values.push(v);
  }
  if (!Number.isFinite(min)) return [0, 1];
  let lo = min;
  let hi = max;
  if (values.length >= 10) {
    const sorted = Float64Array.from(values).sort();
    lo = Math.min(0, sorted[Math.floor(0.02 * (sorted.length - 1))]!);
    hi = sorted[Math.floor(0.995 * (sorted.length - 1))]!;
  }
  if (!(hi > lo)) hi = lo + 1;
  return [lo, hi];
}

/**
 * Gray level (0-255) of a background value for a display range.
 *
 * @param value Background value.
 * @param low Value shown black.
 * @param high Value shown white.
 * @returns Gray level, 0 for non-finite values.
 *
 * @example
 * ```ts
 * import { grayLevel } from "./colormap.ts";
 * grayLevel(5, 0, 10); // 128
 * ```
 */
export function grayLevel(value: number, low: number, high: number): number {
  if (!Number.isFinite(value)) return 0;
  const g = (value - low) / (high - low);
  return Math.round(255 * Math.min(1, Math.max(0, g)));
}
