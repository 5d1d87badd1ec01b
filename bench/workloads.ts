/**
 * Deterministic benchmark workloads, generated once and cached under `bench/.data/`
 * (git-ignored):
 *
 * - an MNI-like 3 mm grid (61 x 73 x 61) with an ellipsoid brain mask, 64 smooth, sparse,
 *   partly negative maps (a positive core with a negative surround, as ICA/DiFuMo-like atlases),
 *   and float32 `.nii.gz` subjects of 200 volumes (baseline + map-weighted region signals +
 *   noise, zero outside the brain);
 * - a 2 mm grid (91 x 109 x 91) subject of 150 volumes with its own ellipsoid mask, for the same
 *   3 mm maps (resampled to the 2 mm mask grid at fit);
 * - an atlas of 1024 smaller maps of the same kind on the 3 mm grid (DiFuMo-1024-like: sparse,
 *   float32, partly negative, overlapping) and its own 3 mm subjects of 200 volumes.
 *
 * Maps are defined analytically in world coordinates, so the 2 mm subject's signal follows the
 * same maps as the 3 mm ones. Everything comes from a seeded PRNG: the same files every time.
 *
 * @module
 */
import { mulberry32, normals } from "../synthetic/mod.ts";
import type { Affine, Matrix } from "../types.ts";
import { saveImg } from "../image/save.ts";

/** Bumped whenever generation changes, so stale caches are not reused. */
const VERSION = "v1";

/** A grid: shape and affine. */
export interface BenchGrid {
  readonly shape: readonly [number, number, number];
  readonly affine: Affine;
}

/** The MNI-like 3 mm grid. */
export const GRID_3MM: BenchGrid = {
  shape: [61, 73, 61],
  affine: Float64Array.from([-3, 0, 0, 90, 0, 3, 0, -126, 0, 0, 3, -72, 0, 0, 0, 1]),
};

/** The MNI-like 2 mm grid. */
export const GRID_2MM: BenchGrid = {
  shape: [91, 109, 91],
  affine: Float64Array.from([-2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1]),
};

/** Brain ellipsoid in world mm: centre and semi-axes. */
const BRAIN = { c: [0, -18, 18], r: [70, 90, 65] } as const;

function worldOf(grid: BenchGrid, i: number, j: number, k: number): [number, number, number] {
  const a = grid.affine;
  return [
    a[0]! * i + a[1]! * j + a[2]! * k + a[3]!,
    a[4]! * i + a[5]! * j + a[6]! * k + a[7]!,
    a[8]! * i + a[9]! * j + a[10]! * k + a[11]!,
  ];
}

function inBrain(x: number, y: number, z: number, scale = 1): boolean {
  const dx = (x - BRAIN.c[0]) / (BRAIN.r[0] * scale);
  const dy = (y - BRAIN.c[1]) / (BRAIN.r[1] * scale);
  const dz = (z - BRAIN.c[2]) / (BRAIN.r[2] * scale);
  return dx * dx + dy * dy + dz * dz <= 1;
}

/** Number of voxels of one volume of a grid. */
export function gridVoxels(grid: BenchGrid): number {
  return grid.shape[0] * grid.shape[1] * grid.shape[2];
}

/** The ellipsoid brain mask on a grid (1 inside, 0 outside), float32. */
export function brainMask(grid: BenchGrid): Float32Array {
  const [nx, ny, nz] = grid.shape;
  const out = new Float32Array(nx * ny * nz);
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        const [x, y, z] = worldOf(grid, i, j, k);
        out[v] = inBrain(x, y, z) ? 1 : 0;
      }
    }
  }
  return out;
}

/** One analytic map: a positive core with a wider negative surround, cut off to stay sparse. */
interface MapSpec {
  readonly c: readonly [number, number, number];
  readonly sigma: number;
  readonly neg: number;
  readonly c2: readonly [number, number, number] | null;
}

/** How an atlas's maps are drawn: PRNG seed, core sigma range (mm), where centres may fall. */
interface AtlasRecipe {
  readonly seed: number;
  readonly sigmaMin: number;
  readonly sigmaRange: number;
  /** Range of the negative surround's amplitude (relative to the core). */
  readonly negMin: number;
  readonly negRange: number;
  /** Centres fall inside the brain ellipsoid scaled by this. */
  readonly centreScale: number;
}

/** The 64-map atlas of the 3 mm and 2 mm workloads. */
const ATLAS_64: AtlasRecipe = {
  seed: 1234,
  sigmaMin: 6,
  sigmaRange: 4,
  negMin: 0.2,
  negRange: 0.3,
  centreScale: 0.75,
};
/** The 1024-map atlas: smaller maps spread over the whole brain (about 20 maps per voxel). */
const ATLAS_1024: AtlasRecipe = {
  seed: 4321,
  sigmaMin: 5,
  sigmaRange: 4,
  negMin: 0.03,
  negRange: 0.03,
  centreScale: 0.9,
};

function mapSpecs(n: number, recipe: AtlasRecipe = ATLAS_64): MapSpec[] {
  const rand = mulberry32(recipe.seed);
  const specs: MapSpec[] = [];
  const point = (): [number, number, number] => {
    for (;;) {
      const p: [number, number, number] = [
        BRAIN.c[0] + (2 * rand() - 1) * BRAIN.r[0],
        BRAIN.c[1] + (2 * rand() - 1) * BRAIN.r[1],
        BRAIN.c[2] + (2 * rand() - 1) * BRAIN.r[2],
      ];
      if (inBrain(p[0], p[1], p[2], recipe.centreScale)) return p;
    }
  };
  for (let m = 0; m < n; m++) {
    specs.push({
      c: point(),
      sigma: recipe.sigmaMin + recipe.sigmaRange * rand(),
      neg: recipe.negMin + recipe.negRange * rand(),
      c2: rand() < 0.4 ? point() : null,
    });
  }
  return specs;
}

function mapValue(s: MapSpec, x: number, y: number, z: number): number {
  const blob = (c: readonly [number, number, number], amp: number) => {
    const dx = x - c[0], dy = y - c[1], dz = z - c[2];
    const d2 = dx * dx + dy * dy + dz * dz;
    const s1 = s.sigma * s.sigma, s2 = 4 * s1;
    if (d2 > 9 * s2) return 0; // sparse: nothing beyond 3 surround sigmas
    return amp * (Math.exp(-d2 / (2 * s1)) - s.neg * Math.exp(-d2 / (2 * s2)));
  };
  let v = blob(s.c, 1);
  if (s.c2 !== null) v += blob(s.c2, 0.7);
  return Math.abs(v) < 0.01 ? 0 : v;
}

/** Sparse maps sampled on a grid: per map, voxel indices and weights. */
interface SparseMaps {
  readonly idx: Int32Array[];
  readonly w: Float32Array[];
}

/**
 * Voxel index range [lo, hi] along axis `d` of a diagonal-affine grid that holds world
 * coordinates within `r` mm of the coordinate `c` (whole axis for other affines).
 */
function axisRange(grid: BenchGrid, d: 0 | 1 | 2, c: number, r: number): [number, number] {
  const a = grid.affine;
  const n = grid.shape[d];
  const scale = a[d * 5]!, offset = a[d * 4 + 3]!;
  const diagonal = [0, 1, 2].every((e) => e === d || a[d * 4 + e] === 0);
  if (!diagonal || scale === 0) return [0, n - 1];
  const u = (c - r - offset) / scale, v = (c + r - offset) / scale;
  const lo = Math.max(0, Math.floor(Math.min(u, v)) - 1);
  const hi = Math.min(n - 1, Math.ceil(Math.max(u, v)) + 1);
  return [lo, hi];
}

function sampleMaps(grid: BenchGrid, specs: readonly MapSpec[]): SparseMaps {
  const [nx, ny] = grid.shape;
  const idx: Int32Array[] = [], w: Float32Array[] = [];
  for (const s of specs) {
    const is: number[] = [], ws: number[] = [];
    // Only the box around the blobs can be non-zero (nothing beyond 6 core sigmas).
    const reach = 6 * s.sigma;
    const centres = s.c2 === null ? [s.c] : [s.c, s.c2];
    const box = ([0, 1, 2] as const).map((d) => {
      const ranges = centres.map((c) => axisRange(grid, d, c[d], reach));
      return [Math.min(...ranges.map((q) => q[0])), Math.max(...ranges.map((q) => q[1]))];
    });
    for (let k = box[2]![0]!; k <= box[2]![1]!; k++) {
      for (let j = box[1]![0]!; j <= box[1]![1]!; j++) {
        for (let i = box[0]![0]!; i <= box[0]![1]!; i++) {
          const v = i + nx * (j + ny * k);
          const [x, y, z] = worldOf(grid, i, j, k);
          if (!inBrain(x, y, z)) continue;
          const val = mapValue(s, x, y, z);
          if (val !== 0) {
            is.push(v);
            ws.push(val);
          }
        }
      }
    }
    idx.push(Int32Array.from(is));
    w.push(Float32Array.from(ws));
  }
  return { idx, w };
}

/** Smooth region signals (nT x nMaps): slow sinusoids in 0.01-0.1 Hz plus AR(1) noise. */
function regionSignals(nT: number, nMaps: number, tR: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const g = normals(rand);
  const out = new Float64Array(nT * nMaps);
  for (let m = 0; m < nMaps; m++) {
    const f1 = 0.01 + 0.09 * rand(), f2 = 0.01 + 0.09 * rand();
    const p1 = 2 * Math.PI * rand(), p2 = 2 * Math.PI * rand();
    let ar = 0;
    for (let t = 0; t < nT; t++) {
      ar = 0.8 * ar + 0.3 * g();
      const s = t * tR;
      out[t * nMaps + m] = Math.sin(2 * Math.PI * f1 * s + p1) +
        0.5 * Math.sin(2 * Math.PI * f2 * s + p2) + ar;
    }
  }
  return out;
}

/** A 4D float32 subject on `grid`: baseline + Σ map · signal · 20 + noise (σ 8), 0 outside. */
function subjectData(
  grid: BenchGrid,
  maps: SparseMaps,
  nT: number,
  seed: number,
  mask: Float32Array,
): Float32Array {
  const nV = gridVoxels(grid);
  const nMaps = maps.idx.length;
  const sig = regionSignals(nT, nMaps, 2, seed);
  const rand = mulberry32(seed ^ 0x9e3779b9);
  const g = normals(rand);
  // Smooth baseline intensity inside the brain.
  const [nx, ny] = grid.shape;
  const base = new Float32Array(nV);
  for (let v = 0; v < nV; v++) {
    if (!mask[v]) continue;
    const i = v % nx, j = Math.floor(v / nx) % ny, k = Math.floor(v / (nx * ny));
    base[v] = 600 + 150 * Math.sin(i / 9) * Math.cos(j / 11) + 100 * Math.sin(k / 7);
  }
  const inside = Int32Array.from({ length: nV }, (_, v) => v).filter((v) => mask[v] !== 0);
  const data = new Float32Array(nV * nT);
  for (let t = 0; t < nT; t++) {
    const vol = data.subarray(t * nV, (t + 1) * nV);
    for (let q = 0; q < inside.length; q++) {
      const v = inside[q]!;
      vol[v] = base[v]! + 8 * g();
    }
    for (let m = 0; m < nMaps; m++) {
      const a = 20 * sig[t * nMaps + m]!;
      const idx = maps.idx[m]!, w = maps.w[m]!;
      for (let q = 0; q < idx.length; q++) vol[idx[q]!]! += a * w[q]!;
    }
  }
  return data;
}

/** Dense 4D maps (x, y, z, nMaps) from sparse ones. */
function denseMaps(grid: BenchGrid, maps: SparseMaps): Float32Array {
  const nV = gridVoxels(grid);
  const out = new Float32Array(nV * maps.idx.length);
  for (let m = 0; m < maps.idx.length; m++) {
    const idx = maps.idx[m]!, w = maps.w[m]!;
    for (let q = 0; q < idx.length; q++) out[m * nV + idx[q]!] = w[q]!;
  }
  return out;
}

/**
 * The bench's masker cleaning (with {@link synthConfounds} as confounds): detrend,
 * `zscore_sample`, band-pass 0.01–0.1 Hz at tR 2 s.
 */
export const BENCH_CLEANING = {
  detrend: true,
  standardize: "zscore_sample",
  lowPass: 0.1,
  highPass: 0.01,
  tR: 2,
} as const;

/**
 * Eight deterministic confounds (nT x 8): motion-like random walks and slow drifts, like
 * fMRIPrep's six motion parameters plus white-matter and CSF signals.
 */
export function synthConfounds(nT: number, seed: number): Matrix {
  const rand = mulberry32(seed);
  const g = normals(rand);
  const k = 8;
  const data = new Float64Array(nT * k);
  for (let c = 0; c < k; c++) {
    let walk = 0;
    const f = 0.002 + 0.02 * rand();
    for (let t = 0; t < nT; t++) {
      walk += 0.05 * g();
      data[t * k + c] = c < 6 ? walk : Math.sin(2 * Math.PI * f * t * 2) + 0.2 * g();
    }
  }
  return { data, shape: [nT, k] };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The files of a workload. */
export interface WorkloadFiles {
  /** Workload name. */
  readonly name: string;
  /** Maps image path. */
  readonly maps: string;
  /** Mask image path, or null. */
  readonly mask: string | null;
  /** Subject image paths. */
  readonly subjects: readonly string[];
  /** Masker parameters beyond maps/mask specific to the workload. */
  readonly resamplingTarget: "data" | "mask" | "maps" | null;
}

/** Where cached files live: `bench/.data/` next to this module. */
export function dataDir(): string {
  return new URL("./.data/", import.meta.url).pathname;
}

/** Maps of the atlas with `nMaps` maps (64: the 3 mm/2 mm workloads' atlas; 1024). */
function atlasRecipe(nMaps: number): AtlasRecipe {
  return nMaps === 1024 ? ATLAS_1024 : ATLAS_64;
}

async function ensureMaps(dir: string, nMaps: number, log: (m: string) => void): Promise<string> {
  const path = `${dir}/maps_3mm_${nMaps}.nii.gz`;
  if (!(await exists(path))) {
    log(`generating ${path}`);
    const sparse = sampleMaps(GRID_3MM, mapSpecs(nMaps, atlasRecipe(nMaps)));
    await saveImg(
      {
        data: denseMaps(GRID_3MM, sparse),
        shape: [...GRID_3MM.shape, nMaps],
        affine: GRID_3MM.affine,
      },
      path,
    );
  }
  return path;
}

async function ensureMask(dir: string, grid: BenchGrid, tag: string, log: (m: string) => void) {
  const path = `${dir}/mask_${tag}.nii.gz`;
  if (!(await exists(path))) {
    log(`generating ${path}`);
    await saveImg({ data: brainMask(grid), shape: [...grid.shape], affine: grid.affine }, path);
  }
  return path;
}

/** One workload's recipe: its subjects' grid, length and seeds, and the resampling target. */
interface WorkloadSpec {
  readonly name: "3mm" | "2mm" | "1024";
  /** Number of maps of the atlas (on the 3 mm grid). */
  readonly nMaps: number;
  readonly grid: BenchGrid;
  readonly nVolumes: number;
  readonly seedBase: number;
  readonly resamplingTarget: "data" | "mask";
}

/** The maps, the mask on `spec.grid` and `nSubjects` subjects (each generated if absent). */
async function workload(
  spec: WorkloadSpec,
  nSubjects: number,
  log: (m: string) => void,
): Promise<WorkloadFiles> {
  const dir = `${dataDir()}${VERSION}`;
  await Deno.mkdir(dir, { recursive: true });
  const maps = await ensureMaps(dir, spec.nMaps, log);
  const gridTag = spec.grid === GRID_2MM ? "2mm" : "3mm";
  const mask = await ensureMask(dir, spec.grid, gridTag, log);
  const subjects: string[] = [];
  let sparse: SparseMaps | null = null;
  let maskData: Float32Array | null = null;
  for (let s = 0; s < nSubjects; s++) {
    const path = `${dir}/sub-${String(s + 1).padStart(2, "0")}_${spec.name}_bold.nii.gz`;
    if (!(await exists(path))) {
      log(`generating ${path}`);
      sparse ??= sampleMaps(spec.grid, mapSpecs(spec.nMaps, atlasRecipe(spec.nMaps)));
      maskData ??= brainMask(spec.grid);
      const data = subjectData(spec.grid, sparse, spec.nVolumes, spec.seedBase + s, maskData);
      const shape = [...spec.grid.shape, spec.nVolumes];
      await saveImg({ data, shape, affine: spec.grid.affine }, path);
    }
    subjects.push(path);
  }
  return { name: spec.name, maps, mask, subjects, resamplingTarget: spec.resamplingTarget };
}

/**
 * The 3 mm workload: maps, mask and `nSubjects` subjects of 200 volumes (generated if absent).
 *
 * @param nSubjects number of subjects.
 * @param log progress messages.
 */
export function workload3mm(
  nSubjects: number,
  log: (m: string) => void = () => {},
): Promise<WorkloadFiles> {
  const spec = { name: "3mm", nMaps: 64, grid: GRID_3MM, nVolumes: 200, seedBase: 1000 } as const;
  return workload({ ...spec, resamplingTarget: "data" }, nSubjects, log);
}

/**
 * The 2 mm workload: the 3 mm maps, a 2 mm mask and `nSubjects` 2 mm subjects of 150 volumes;
 * the maps are resampled to the mask grid at fit (`resamplingTarget: "mask"`).
 *
 * @param nSubjects number of subjects.
 * @param log progress messages.
 */
export function workload2mm(
  nSubjects: number,
  log: (m: string) => void = () => {},
): Promise<WorkloadFiles> {
  const spec = { name: "2mm", nMaps: 64, grid: GRID_2MM, nVolumes: 150, seedBase: 2000 } as const;
  return workload({ ...spec, resamplingTarget: "mask" }, nSubjects, log);
}

/**
 * The 1024-map workload: a DiFuMo-1024-like atlas (1024 sparse, partly negative, overlapping
 * float32 maps on the 3 mm grid), the 3 mm mask and `nSubjects` 3 mm subjects of 200 volumes
 * mixing those maps' signals; `resamplingTarget: "data"` (data, maps and mask share the grid).
 *
 * @param nSubjects number of subjects.
 * @param log progress messages.
 */
export function workload1024(
  nSubjects: number,
  log: (m: string) => void = () => {},
): Promise<WorkloadFiles> {
  const spec = {
    name: "1024",
    nMaps: 1024,
    grid: GRID_3MM,
    nVolumes: 200,
    seedBase: 3000,
  } as const;
  return workload({ ...spec, resamplingTarget: "data" }, nSubjects, log);
}
