/**
 * Synthetic BOLD-like 4D images: a baseline, one known time series per map weighted by that map,
 * and Gaussian noise. The true time series are returned with the image, so extraction results
 * can be checked against them.
 *
 * @module
 */
import type { Image, Matrix } from "../types.ts";
import { mulberry32, normals } from "./prng.ts";

/** Options of {@link synthBold}. */
export interface SynthBoldOptions {
  /** Number of volumes (time points), a positive integer. */
  readonly nVolumes: number;
  /** Seed of the pseudo-random generator (default 1): same seed, same image. */
  readonly seed?: number;
  /** Repetition time (s, default 2): sets the time axis of the `"sines"` series. */
  readonly tR?: number;
  /**
   * The true series, one column per map: `"sines"` (default; map `m` oscillates at
   * `0.01 + 0.08 (m + 1) / (nMaps + 1)` Hz, random phase), `"randomWalk"` (cumulative sums of
   * uniform steps in [-0.5, 0.5)), or an explicit (nVolumes x nMaps) matrix.
   */
  readonly signals?: "sines" | "randomWalk" | Matrix;
  /** Constant added to every voxel (default 100). */
  readonly baseline?: number;
  /** Scale of the signals: voxel value += amplitude · map weight · series (default 5). */
  readonly amplitude?: number;
  /** Standard deviation of the voxel-wise Gaussian noise (default 1; 0 for none). */
  readonly noise?: number;
  /** A per-volume value added to every voxel (e.g. a global confound), `nVolumes` long. */
  readonly global?: ArrayLike<number> | null;
}

/** What {@link synthBold} returns: the image and the series mixed into it. */
export interface SyntheticBold {
  /** The 4D image (float32), on the maps' grid: shape `[nx, ny, nz, nVolumes]`. */
  readonly bold: Image;
  /** The true series (nVolumes x nMaps, float64, row-major), before scaling by `amplitude`. */
  readonly signals: Matrix;
}

function trueSignals(
  kind: "sines" | "randomWalk",
  nT: number,
  nMaps: number,
  tR: number,
  rand: () => number,
): Matrix {
  const data = new Float64Array(nT * nMaps);
  for (let m = 0; m < nMaps; m++) {
    if (kind === "sines") {
      const f = 0.01 + (0.08 * (m + 1)) / (nMaps + 1);
      const phase = 2 * Math.PI * rand();
      for (let t = 0; t < nT; t++) data[t * nMaps + m] = Math.sin(2 * Math.PI * f * t * tR + phase);
    } else {
      let w = 0;
      for (let t = 0; t < nT; t++) data[t * nMaps + m] = w += rand() - 0.5;
    }
  }
  return { data, shape: [nT, nMaps] };
}

/**
 * Synthesize a 4D image on the grid of `maps`: for each volume `t` and voxel `v`,
 * `baseline + global[t] + amplitude · Σ_m maps[v, m] · signals[t, m] + noise · N(0, 1)`.
 * Deterministic: the series are drawn first, then the noise, from one seeded generator.
 *
 * @param maps 4D (or 3D: one map) weights on the output grid, e.g. from `blobMaps`.
 * @param options length, seed, series, scales (see {@link SynthBoldOptions}).
 * @returns the image (float32) and the true series.
 * @throws {RangeError} on a bad `nVolumes`, `tR`, `global` length or `signals` shape.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { blobMaps, synthBold } from "@niimask/niimask/synthetic";
 * const grid = {
 *   shape: [8, 8, 8] as const,
 *   affine: Float64Array.from([3, 0, 0, -12, 0, 3, 0, -12, 0, 0, 3, -12, 0, 0, 0, 1]),
 * };
 * const maps = blobMaps(grid, [[{ centre: [-5, 0, 0], sigma: 5 }], [{ centre: [5, 0, 0], sigma: 5 }]]);
 * const { bold, signals } = synthBold(maps, { nVolumes: 30, seed: 7 });
 * deepEqual(bold.shape, [8, 8, 8, 30]);
 * deepEqual(signals.shape, [30, 2]);
 * ```
 */
export function synthBold(maps: Image, options: SynthBoldOptions): SyntheticBold {
  const nT = options.nVolumes;
  if (!Number.isInteger(nT) || nT < 1) {
    throw new RangeError(`nVolumes: expected a positive integer, got ${nT}`);
  }
  const tR = options.tR ?? 2;
  if (!(tR > 0)) throw new RangeError(`tR: expected > 0 (s), got ${tR}`);
  const [nx = 1, ny = 1, nz = 1] = maps.shape;
  const nMaps = maps.shape[3] ?? 1;
  const nVox = nx * ny * nz;
  const rand = mulberry32(options.seed ?? 1);
  const spec = options.signals ?? "sines";
  let signals: Matrix;
  if (typeof spec === "string") {
    signals = trueSignals(spec, nT, nMaps, tR, rand);
  } else {
    if (spec.shape[0] !== nT || spec.shape[1] !== nMaps) {
      throw new RangeError(
        `signals: expected a ${nT} x ${nMaps} matrix (nVolumes x maps), got ${
          spec.shape.join(" x ")
        }`,
      );
    }
    signals = { data: Float64Array.from(spec.data), shape: [nT, nMaps] };
  }
  const global = options.global ?? null;
  if (global !== null && global.length !== nT) {
    throw new RangeError(`global: expected ${nT} values (one per volume), got ${global.length}`);
  }
  const baseline = options.baseline ?? 100;
  const amplitude = options.amplitude ?? 5;
  const noise = options.noise ?? 1;
  const normal = normals(rand);
  const w = maps.data;
  const s = signals.data;
  const out = new Float32Array(nVox * nT);
  const vol = new Float64Array(nVox);
  for (let t = 0; t < nT; t++) {
    const level = baseline + (global === null ? 0 : global[t]!);
    if (noise === 0) vol.fill(level);
    else for (let v = 0; v < nVox; v++) vol[v] = level + noise * normal();
    for (let m = 0; m < nMaps; m++) {
      const a = amplitude * s[t * nMaps + m]!;
      const off = m * nVox;
      for (let v = 0; v < nVox; v++) vol[v]! += a * w[off + v]!;
    }
    out.set(vol, t * nVox);
  }
  return {
    bold: { data: out, shape: [nx, ny, nz, nT], affine: Float64Array.from(maps.affine) },
    signals,
  };
}
