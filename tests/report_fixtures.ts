/**
 * Synthesized report input for the report tests and the example in docs/: a brain-like
 * background, smooth Gaussian-blob maps (some with negative lobes) on an LAS grid (x flipped, as
 * FSL's MNI images), and sinusoidal signals.
 *
 * @module
 */
import type { MapsReportInput } from "../report/types.ts";
import { blobMaps, type GaussianBlob, mulberry32 } from "../synthetic/mod.ts";

/** A blob: centre (mm, world), width (mm) and amplitude. */
export type Blob = GaussianBlob;

/** Options of `synthReportInput`. */
export interface SynthOptions {
  /** Grid shape (default [40, 48, 40]). */
  readonly shape?: readonly [number, number, number];
  /** Voxel size (mm, default 4; z may differ via `zVoxel`). */
  readonly voxel?: number;
  /** z voxel size (mm, default = voxel). */
  readonly zVoxel?: number;
  /** Blobs of each map (default: 6 maps). */
  readonly maps?: readonly (readonly Blob[])[];
  /** Number of volumes of signals (default 120; 0 for no signals). */
  readonly nVolumes?: number;
  /** Repetition time (s, default 2; null for none). */
  readonly tR?: number | null;
  /** Include a background (default true). */
  readonly background?: boolean;
}

/** Default maps: map 0 positive on the left with a negative lobe on the right, same axial plane. */
export const DEFAULT_MAPS: readonly (readonly Blob[])[] = [
  [
    { centre: [-40, -20, 20], sigma: 10, amplitude: 1 },
    { centre: [36, -20, 20], sigma: 9, amplitude: -0.7 },
  ],
  [{ centre: [0, 40, 0], sigma: 14, amplitude: 2.5 }],
  [{ centre: [30, -60, 30], sigma: 8, amplitude: -1.5 }],
  [
    { centre: [-20, 10, -10], sigma: 12, amplitude: 0.8 },
    { centre: [20, 10, -10], sigma: 12, amplitude: 0.8 },
  ],
  [{ centre: [0, -80, 10], sigma: 10, amplitude: 1.2 }],
  [
    { centre: [0, 0, 50], sigma: 10, amplitude: 1 },
    { centre: [0, -30, 50], sigma: 8, amplitude: -1 },
  ],
];

/**
 * Build a `MapsReportInput` from synthesized data.
 *
 * @param options Grid, maps, signals.
 * @returns The input.
 */
export function synthReportInput(options: SynthOptions = {}): MapsReportInput {
  const shape = options.shape ?? [40, 48, 40];
  const vx = options.voxel ?? 4;
  const vz = options.zVoxel ?? vx;
  const maps = options.maps ?? DEFAULT_MAPS;
  const [nx, ny, nz] = shape;
  // LAS: x decreases with i. Centre the grid on world (0, -18, 10).
  const affine = Float64Array.from([
    -vx,
    0,
    0,
    ((nx - 1) / 2) * vx,
    0,
    vx,
    0,
    -18 - ((ny - 1) / 2) * vx,
    0,
    0,
    vz,
    10 - ((nz - 1) / 2) * vz,
    0,
    0,
    0,
    1,
  ]);
  const nVox = nx * ny * nz;
  const world = (i: number, j: number, k: number): [number, number, number] => [
    affine[0]! * i + affine[3]!,
    affine[5]! * j + affine[7]!,
    affine[10]! * k + affine[11]!,
  ];
  const rand = mulberry32(7);
  const background = new Float32Array(nVox);
  const mask = new Uint8Array(nVox);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const p = i + nx * (j + ny * k);
        const [x, y, z] = world(i, j, k);
        const r = Math.hypot(x / 70, (y + 18) / 90, (z - 10) / 70);
        const ventricle = Math.hypot(x / 12, (y + 10) / 30, (z - 15) / 14);
        if (r < 1) {
          mask[p] = 1;
          let v = 600 + 300 * (1 - r) + 40 * (rand() - 0.5);
          if (r > 0.85) v += 250; // cortex ring
          if (ventricle < 1) v = 150;
          background[p] = v;
        }
      }
    }
  }
  const mapsData = blobMaps({ shape, affine }, maps, { threshold: 1e-4 }).data;
  const nT = options.nVolumes ?? 120;
  const tR = options.tR === undefined ? 2 : options.tR;
  let signals: MapsReportInput["signals"] = null;
  if (nT > 0) {
    const data = new Float64Array(nT * maps.length);
    for (let t = 0; t < nT; t++) {
      for (let m = 0; m < maps.length; m++) {
        const f = (m + 1) * 0.01 + 0.005; // cycles per volume
        data[t * maps.length + m] = Math.sin(2 * Math.PI * f * t + m) * (1 + 0.2 * m) +
          0.3 * (rand() - 0.5);
      }
    }
    signals = { data, shape: [nT, maps.length] };
  }
  return {
    params: {
      mapsImg: { data: mapsData, shape: [nx, ny, nz, maps.length], affine },
      maskImg: null,
      allowOverlap: true,
      smoothingFwhm: null,
      standardize: false,
      standardizeConfounds: true,
      detrend: false,
      highVariance: false,
      lowPass: null,
      highPass: null,
      tR,
      resamplingTarget: "data",
      keepMaskedMaps: true,
      memoryLevel: 0,
      verbose: 0,
      reports: true,
      nJobs: 1,
      clean: {},
    },
    mapsImg: { data: mapsData, shape: [nx, ny, nz, maps.length], affine },
    maskImg: { data: Float32Array.from(mask), shape: [nx, ny, nz], affine },
    background: options.background === false
      ? null
      : { data: background, shape: [nx, ny, nz], affine },
    warnings: ["Resampling maps to the mask's grid (synthetic example warning)."],
    signals,
    tR,
  };
}

/** Path of the headless Chromium binary (env `CHROMIUM_BIN`, default Debian's). */
export function chromiumPath(): string {
  return Deno.env.get("CHROMIUM_BIN") ?? "/usr/bin/chromium";
}

/** Whether the Chromium binary exists. */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(chromiumPath()).isFile;
  } catch {
    return false;
  }
}

/** Headless Chromium with no GPU, sandbox, network services or first-run work (fresh profiles). */
export const CHROMIUM_HEADLESS_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--hide-scrollbars",
];

/**
 * Screenshot an HTML file with headless Chromium (fresh profile, no network services).
 *
 * @param htmlPath Absolute path of the page.
 * @param pngPath Where to write the PNG screenshot.
 * @param width Window width (px).
 * @param height Window height (px).
 */
export async function chromiumScreenshot(
  htmlPath: string,
  pngPath: string,
  width = 1200,
  height = 1600,
): Promise<void> {
  const profile = await Deno.makeTempDir({ prefix: "niimask_chromium_" });
  try {
    const out = await new Deno.Command(chromiumPath(), {
      args: [
        ...CHROMIUM_HEADLESS_ARGS,
        `--user-data-dir=${profile}`,
        `--screenshot=${pngPath}`,
        `--window-size=${width},${height}`,
        new URL(`file://${htmlPath}`).href,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    if (!out.success) {
      throw new Error(
        `chromium failed (code ${out.code}): ${new TextDecoder().decode(out.stderr).slice(-2000)}`,
      );
    }
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
