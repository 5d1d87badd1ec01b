/**
 * Projection of images onto maps (least squares) and back, as nilearn 0.11.1's
 * `regions.img_to_signals_maps` / `regions.signals_to_img_maps`.
 *
 * The work is split so that it can run volume by volume: {@link makeMapsProjector} builds once,
 * from the maps and the mask, a plain-data {@link MapsProjector} (structured-cloneable: typed
 * arrays only, no closures, so it can be posted to a web worker); {@link projectVolume} then turns
 * one volume into one row of region signals.
 *
 * @module
 */
import type { Affine, Image, Matrix, VoxelData } from "../types.ts";
import { type PinvInfo, symmetricPinv } from "../linalg/sym_pinv.ts";

export { type PinvInfo, symmetricPinv };

/** Largest absolute affine difference nilearn accepts between images (1000 float32 eps). */
export const AFFINE_TOLERANCE: number = 1000 * 2 ** -23;

/** Options of {@link makeMapsProjector} and {@link imgToSignalsMaps}. */
export interface MapsProjectorOptions {
  /**
   * Keep maps emptied by the mask as all-zero columns (default true, nilearn's
   * `keep_masked_maps`); when false they are dropped from the output.
   */
  keepMaskedMaps?: boolean;
}

/**
 * What projecting one volume needs, computed once from maps and mask. Plain data
 * (structured-cloneable).
 *
 * The least-squares system is restricted to `support`: the voxels inside the mask where at least
 * one (kept) map is > 0 (nilearn's rule), or, without a mask, the voxels where some map is
 * non-zero (voxels where every map is zero do not change the solution).
 *
 * The maps restricted to the support are stored sparse, in tiles of {@link PROJECTOR_TILE}
 * consecutive support voxels: within a tile, one segment per map that has weights there (maps
 * ascending), and within a segment the weights of its voxels in ascending order, each with the
 * voxel's position in the tile. A projection pass then reads each weight once and keeps a map's
 * running sums in registers for the length of a segment, while the tile's voxel values stay in
 * cache.
 */
export interface MapsProjector {
  /** Number of output columns (maps kept). */
  readonly nMaps: number;
  /** Number of voxels of one volume of the grid (nx * ny * nz). */
  readonly nVoxels: number;
  /** Index (into the maps image's map axis) of each output column. */
  readonly labels: Int32Array;
  /** Voxel indices (x fastest) of the support, ascending. */
  readonly support: Int32Array;
  /**
   * First segment of each tile (length: number of tiles + 1); tile t covers support positions
   * `t * PROJECTOR_TILE` up to the next multiple or the end.
   */
  readonly tilePtr: Int32Array;
  /** Output column (map) of each segment. */
  readonly segMap: Int32Array;
  /** First weight of each segment (length: number of segments + 1). */
  readonly segPtr: Int32Array;
  /** Position of each weight's voxel within its tile (support index = tile start + position). */
  readonly offsets: Uint8Array;
  /** Map weights, by segment: float32 when the maps are float32 (exact), else float64. */
  readonly values: Float32Array | Float64Array;
  /** Pseudo-inverse of the Gram matrix MᵀM (nMaps x nMaps, row-major). */
  readonly gramPinv: Float64Array;
  /** Number of weights of each map (output column), e.g. 0 for a map emptied by the mask. */
  readonly mapNnz: Int32Array;
  /**
   * Whether {@link projectVolume} adds one step of iterative refinement: only when the Gram
   * matrix is ill-conditioned (ratio of its largest to smallest non-zero eigenvalue above
   * {@link REFINE_ABOVE_CONDITION}); a well-conditioned solve is already accurate to ~1e-10.
   */
  readonly refine: boolean;
}

/** Support voxels per tile of a {@link MapsProjector} (positions in a tile fit a byte). */
export const PROJECTOR_TILE: number = 256;

/**
 * Gram-matrix condition number (largest / smallest kept eigenvalue) above which
 * {@link projectVolume} refines its solution once. The normal-equations solve loses about
 * `condition * 2.2e-16` relative accuracy, so below 1e6 it stays under ~1e-10.
 */
export const REFINE_ABOVE_CONDITION: number = 1e6;

/**
 * Map weights whose magnitude is at most this fraction of their map's largest weight (on the
 * support) are left out of the projector: they change the least-squares signals by about this
 * relative amount times the square root of their count, far below float64 result tolerances,
 * and they are what makes cubic-spline-resampled maps dense.
 */
export const NEGLIGIBLE_WEIGHT: number = 1e-12;

function volumeSize(shape: readonly number[]): number {
  return (shape[0] ?? 1) * (shape[1] ?? 1) * (shape[2] ?? 1);
}

function nMapsOf(maps: Image): number {
  return maps.shape.length >= 4 ? (maps.shape[3] ?? 1) : 1;
}

/** Throw unless the first three dimensions of two shapes are equal. */
export function checkSameShape3(a: Image, b: Image, what = "Images"): void {
  for (let d = 0; d < 3; d++) {
    if ((a.shape[d] ?? 1) !== (b.shape[d] ?? 1)) {
      throw new RangeError(
        `${what} have incompatible shapes: [${a.shape.slice(0, 3).join(", ")}] vs [${
          b.shape.slice(0, 3).join(", ")
        }]`,
      );
    }
  }
}

/** Throw unless two affines agree within nilearn's tolerance ({@link AFFINE_TOLERANCE}). */
export function checkSameAffine(a: Affine, b: Affine, what = "Images"): void {
  let max = 0;
  for (let i = 0; i < 16; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  if (!(max <= AFFINE_TOLERANCE)) {
    throw new RangeError(
      `${what} have different affine matrices (largest difference ${max})`,
    );
  }
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

/**
 * Build the projector of a maps image (x, y, z, nMaps), optionally restricted to a mask on the
 * same grid, as nilearn's `img_to_signals_maps` defines the least squares. Non-finite map values
 * count as 0.
 *
 * @param maps 4D maps image (a 3D image is one map).
 * @param mask 3D mask on the maps grid (non-zero = inside), or null.
 * @param options see {@link MapsProjectorOptions}.
 * @returns the projector (plain data).
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { makeMapsProjector, projectVolume } from "./maps_projection.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
 * const p = makeMapsProjector(maps, null);
 * const out = new Float64Array(2);
 * projectVolume(p, Float64Array.from([3, 4]), out, 0);
 * deepEqual(Array.from(out), [3, 4]);
 * ```
 */
export function makeMapsProjector(
  maps: Image,
  mask: Image | null = null,
  options: MapsProjectorOptions = {},
): MapsProjector {
  const nVoxels = volumeSize(maps.shape);
  const nAll = nMapsOf(maps);
  const m = maps.data;
  if (m.length !== nVoxels * nAll) {
    throw new TypeError(
      `maps: data length ${m.length} does not match shape [${maps.shape.join(", ")}]`,
    );
  }
  if (mask !== null) checkSameShape3(maps, mask, "maps and mask");
  const columns: MapColumns = {
    nMaps: nAll,
    nVoxels,
    float32: m instanceof Float32Array,
    voxels: () => null,
    values: (j) => m.subarray(j * nVoxels, (j + 1) * nVoxels),
  };
  return projectorFromColumns(columns, mask, options);
}

/**
 * Maps (x, y, z, nMaps) stored sparse by map: the entries of map j are `start[j]` up to
 * `start[j + 1]`, each a voxel index (x fastest, ascending within a map) and a weight; voxels
 * without an entry weigh 0. (The fitted masker's compact maps have this layout.)
 */
export interface SparseMaps {
  /** `[nx, ny, nz, nMaps]`. */
  readonly shape: readonly number[];
  /** First entry of each map (length nMaps + 1). */
  readonly start: ArrayLike<number>;
  /** Voxel index of each entry. */
  readonly voxel: Int32Array;
  /** Weight of each entry (float32 maps keep float32 weights in the projector). */
  readonly values: VoxelData;
}

/**
 * {@link makeMapsProjector} for maps held sparse by map ({@link SparseMaps}): the same projector
 * as from the dense maps, bit for bit, in time and memory proportional to the stored entries
 * (plus one volume), not to nMaps x voxels.
 *
 * @param maps sparse maps.
 * @param mask 3D mask on the maps grid (non-zero = inside), or null.
 * @param options see {@link MapsProjectorOptions}.
 * @returns the projector (plain data).
 * @throws TypeError when `start`, `voxel` and `values` do not fit the shape.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { makeMapsProjectorSparse, projectVolume } from "./maps_projection.ts";
 * // Two maps on 3 voxels: map 0 on voxel 0 (weight 2), map 1 on voxel 2; voxel 1 in neither.
 * const maps = {
 *   shape: [3, 1, 1, 2],
 *   start: [0, 1, 2],
 *   voxel: Int32Array.from([0, 2]),
 *   values: Float64Array.from([2, 1]),
 * };
 * const p = makeMapsProjectorSparse(maps, null);
 * const out = new Float64Array(2);
 * projectVolume(p, Float64Array.from([6, 9, 4]), out, 0);
 * deepStrictEqual(Array.from(out), [3, 4]);
 * ```
 */
export function makeMapsProjectorSparse(
  maps: SparseMaps,
  mask: Image | null = null,
  options: MapsProjectorOptions = {},
): MapsProjector {
  const nVoxels = volumeSize(maps.shape);
  const nAll = maps.shape.length >= 4 ? (maps.shape[3] ?? 1) : 1;
  const { start, voxel, values } = maps;
  const nEntries = voxel.length;
  let ok = start.length === nAll + 1 && values.length === nEntries && start[0] === 0 &&
    start[nAll] === nEntries;
  for (let j = 0; ok && j < nAll; j++) ok = start[j]! <= start[j + 1]!;
  for (let q = 0; ok && q < nEntries; q++) ok = voxel[q]! >= 0 && voxel[q]! < nVoxels;
  if (!ok) {
    throw new TypeError(
      `maps: sparse storage does not fit shape [${maps.shape.join(", ")}] (start: ${start.length}` +
        ` values ending at ${start[start.length - 1]}, ${nEntries} voxel indices, ` +
        `${values.length} values)`,
    );
  }
  if (mask !== null && mask.shape.length >= 3) {
    checkSameShape3(
      { data: values, shape: maps.shape, affine: mask.affine },
      mask,
      "maps and mask",
    );
  }
  const columns: MapColumns = {
    nMaps: nAll,
    nVoxels,
    float32: values instanceof Float32Array,
    voxels: (j) => voxel.subarray(start[j]!, start[j + 1]!),
    values: (j) => values.subarray(start[j]!, start[j + 1]!),
  };
  return projectorFromColumns(columns, mask, options);
}

/**
 * The maps one column (map) at a time: dense (`voxels` null: value q is voxel q) or sparse
 * (value q is voxel `voxels[q]`, ascending).
 */
interface MapColumns {
  readonly nMaps: number;
  readonly nVoxels: number;
  readonly float32: boolean;
  voxels(j: number): Int32Array | null;
  values(j: number): VoxelData;
}

/** The projector of maps given column by column (see {@link makeMapsProjector}). */
function projectorFromColumns(
  cols: MapColumns,
  mask: Image | null,
  options: MapsProjectorOptions,
): MapsProjector {
  const keepMaskedMaps = options.keepMaskedMaps ?? true;
  const { nVoxels, nMaps: nAll } = cols;
  let inMask: Uint8Array | null = null;
  if (mask !== null) {
    if (mask.data.length < nVoxels) {
      throw new TypeError(`mask: data length ${mask.data.length}, expected ${nVoxels}`);
    }
    inMask = new Uint8Array(nVoxels);
    for (let v = 0; v < nVoxels; v++) {
      const x = mask.data[v]!;
      inMask[v] = Number.isFinite(x) && x !== 0 ? 1 : 0;
    }
  }
  // Which maps are kept: with a mask and keepMaskedMaps false, those with a non-zero (finite)
  // weight inside it.
  let labelsList: number[] = [];
  if (inMask !== null && !keepMaskedMaps) {
    for (let j = 0; j < nAll; j++) {
      const vox = cols.voxels(j), val = cols.values(j);
      let any = false;
      for (let q = 0; q < val.length && !any; q++) {
        if (inMask[vox === null ? q : vox[q]!] && finite(val[q]!) !== 0) any = true;
      }
      if (any) labelsList.push(j);
    }
  } else {
    labelsList = Array.from({ length: nAll }, (_, j) => j);
  }
  const labels = Int32Array.from(labelsList);
  const k = labels.length;
  // Support voxels: inside the mask where some kept map is > 0, or (no mask) where one is != 0.
  const inSupport = new Uint8Array(nVoxels);
  for (let c = 0; c < k; c++) {
    const vox = cols.voxels(labels[c]!), val = cols.values(labels[c]!);
    for (let q = 0; q < val.length; q++) {
      const w = finite(val[q]!);
      const v = vox === null ? q : vox[q]!;
      if (inMask !== null ? inMask[v] && w > 0 : w !== 0) inSupport[v] = 1;
    }
  }
  let nSupport = 0;
  for (let v = 0; v < nVoxels; v++) nSupport += inSupport[v]!;
  const support = new Int32Array(nSupport);
  // Support index of each voxel (-1 outside).
  const rowOf = new Int32Array(nVoxels).fill(-1);
  for (let v = 0, s = 0; v < nVoxels; v++) {
    if (inSupport[v]) {
      rowOf[v] = s;
      support[s++] = v;
    }
  }
  // Negligible weights: below NEGLIGIBLE_WEIGHT times the largest |weight| of their own map on
  // the support (cubic-spline resampling leaves such ringing over the whole grid; dropping it
  // makes resampled maps sparse again and changes signals by ~1e-10 relative at most).
  const floor = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const vox = cols.voxels(labels[c]!), val = cols.values(labels[c]!);
    let max = 0;
    for (let q = 0; q < val.length; q++) {
      if (rowOf[vox === null ? q : vox[q]!]! >= 0) max = Math.max(max, Math.abs(finite(val[q]!)));
    }
    floor[c] = max * NEGLIGIBLE_WEIGHT;
  }
  // CSR of M restricted to the support (mask applied: support voxels are inside it), maps
  // ascending within a voxel: counted, then filled map by map.
  const rowPtr = new Int32Array(nSupport + 1);
  for (let c = 0; c < k; c++) {
    const vox = cols.voxels(labels[c]!), val = cols.values(labels[c]!);
    const fl = floor[c]!;
    for (let q = 0; q < val.length; q++) {
      const s = rowOf[vox === null ? q : vox[q]!]!;
      const w = finite(val[q]!);
      if (s >= 0 && w !== 0 && Math.abs(w) > fl) rowPtr[s + 1]!++;
    }
  }
  for (let s = 0; s < nSupport; s++) rowPtr[s + 1]! += rowPtr[s]!;
  const nnz = rowPtr[nSupport]!;
  const colIdx = new Int32Array(nnz);
  // Float32 maps keep float32 weights: the same numbers in half the memory traffic.
  const values = cols.float32 ? new Float32Array(nnz) : new Float64Array(nnz);
  const next = rowPtr.slice(0, nSupport);
  for (let c = 0; c < k; c++) {
    const vox = cols.voxels(labels[c]!), val = cols.values(labels[c]!);
    const fl = floor[c]!;
    for (let q = 0; q < val.length; q++) {
      const s = rowOf[vox === null ? q : vox[q]!]!;
      const w = finite(val[q]!);
      if (s >= 0 && w !== 0 && Math.abs(w) > fl) {
        const p = next[s]!++;
        colIdx[p] = c;
        values[p] = w;
      }
    }
  }
  // Gram matrix MᵀM.
  const gram = new Float64Array(k * k);
  for (let s = 0; s < nSupport; s++) {
    const a = rowPtr[s]!, b = rowPtr[s + 1]!;
    for (let p = a; p < b; p++) {
      const ci = colIdx[p]!, wi = values[p]!;
      const row = ci * k;
      for (let q = p; q < b; q++) gram[row + colIdx[q]!]! += wi * values[q]!;
    }
  }
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) gram[j * k + i] = gram[i * k + j]!;
  }
  const info: PinvInfo = { condition: Infinity };
  const gramPinv = symmetricPinv(gram, k, Math.max(nSupport, k), info);
  const mapNnz = new Int32Array(k);
  for (let q = 0; q < nnz; q++) mapNnz[colIdx[q]!]!++;
  const refine = !(info.condition <= REFINE_ABOVE_CONDITION);
  return {
    nMaps: k,
    nVoxels,
    labels,
    support,
    ...tiledFromRows(rowPtr, colIdx, values, k),
    gramPinv,
    mapNnz,
    refine,
  };
}

/**
 * The tiled layout of {@link MapsProjector} from weights stored by support voxel (CSR: `rowPtr`,
 * map index `colIdx`, maps ascending within a voxel).
 */
function tiledFromRows(
  rowPtr: Int32Array,
  colIdx: Int32Array,
  values: Float32Array | Float64Array,
  k: number,
): Pick<MapsProjector, "tilePtr" | "segMap" | "segPtr" | "offsets" | "values"> {
  const nS = rowPtr.length - 1;
  const nnz = colIdx.length;
  const T = PROJECTOR_TILE;
  const nTiles = Math.ceil(nS / T);
  const count = new Int32Array(k);
  // Segments: the maps present in each tile.
  const tilePtr = new Int32Array(nTiles + 1);
  for (let t = 0; t < nTiles; t++) {
    count.fill(0);
    for (let q = rowPtr[t * T]!, e = rowPtr[Math.min(nS, (t + 1) * T)]!; q < e; q++) {
      count[colIdx[q]!]!++;
    }
    let n = 0;
    for (let j = 0; j < k; j++) if (count[j]! > 0) n++;
    tilePtr[t + 1] = tilePtr[t]! + n;
  }
  const nSeg = tilePtr[nTiles]!;
  const segMap = new Int32Array(nSeg);
  const segPtr = new Int32Array(nSeg + 1);
  const offsets = new Uint8Array(nnz);
  const tiled = values instanceof Float32Array ? new Float32Array(nnz) : new Float64Array(nnz);
  const next = new Int32Array(k);
  for (let t = 0, seg = 0; t < nTiles; t++) {
    const s0 = t * T, s1 = Math.min(nS, s0 + T);
    const start = rowPtr[s0]!, end = rowPtr[s1]!;
    count.fill(0);
    for (let q = start; q < end; q++) count[colIdx[q]!]!++;
    for (let j = 0, at = start; j < k; j++) {
      if (count[j] === 0) continue;
      segMap[seg] = j;
      segPtr[seg] = at;
      next[j] = at;
      at += count[j]!;
      segPtr[++seg] = at;
    }
    for (let s = s0; s < s1; s++) {
      for (let q = rowPtr[s]!, e = rowPtr[s + 1]!; q < e; q++) {
        const at = next[colIdx[q]!]!++;
        offsets[at] = s - s0;
        tiled[at] = values[q]!;
      }
    }
  }
  return { tilePtr, segMap, segPtr, offsets, values: tiled };
}

/**
 * Project one volume onto the maps: writes `nMaps` least-squares coefficients to
 * `out[outOffset ..]`. Non-finite voxel values count as 0. One step of iterative refinement
 * (residual re-projected) keeps float64 accuracy for ill-conditioned maps.
 *
 * @param p the projector.
 * @param volume one volume (nVoxels values, x fastest); only support voxels are read.
 * @param out destination.
 * @param outOffset index of the first coefficient in `out`.
 * @param scratch optional work space of length >= 3 * nMaps + support.length.
 * @example
 * ```ts
 * import { makeMapsProjector, projectVolume } from "./maps_projection.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const p = makeMapsProjector({ data: Float64Array.from([1, 1]), shape: [2, 1, 1, 1], affine }, null);
 * const out = new Float64Array(1);
 * projectVolume(p, Float64Array.from([1, 3]), out, 0);
 * console.log(out[0]); // 2
 * ```
 */
export function projectVolume(
  p: MapsProjector,
  volume: VoxelData | ArrayLike<number>,
  out: Float64Array,
  outOffset: number,
  scratch?: Float64Array,
): void {
  const k = p.nMaps;
  const nS = p.support.length;
  const work = scratch !== undefined && scratch.length >= 3 * k + nS
    ? scratch
    : new Float64Array(3 * k + nS);
  const c = work.subarray(0, k);
  const x = work.subarray(k, 2 * k);
  const dx = work.subarray(2 * k, 3 * k);
  const r = work.subarray(3 * k, 3 * k + nS);
  const { support, gramPinv } = p;
  for (let s = 0; s < nS; s++) {
    const y = volume[support[s]!]!;
    r[s] = Number.isFinite(y) ? y : 0;
  }
  mapsTransposeTimes(p, r, c);
  symMatVec(gramPinv, c, x, k);
  if (!p.refine) {
    for (let i = 0; i < k; i++) out[outOffset + i] = x[i]!;
    return;
  }
  // Refinement: residual r = y - M x (each voxel's weights in map order), then x += G⁺ Mᵀ r.
  addMapsTimes(p, x, 0, -1, r);
  mapsTransposeTimes(p, r, c);
  symMatVec(gramPinv, c, dx, k);
  for (let i = 0; i < k; i++) out[outOffset + i] = x[i]! + dx[i]!;
}

/** Number of volumes {@link projectBatch} projects per pass over the weights. */
export const PROJECT_BATCH: number = 16;

/**
 * Copy the support values of one volume into column `b` of a batch (`batch[b * stride + s]`,
 * `stride` = {@link batchStride}: each volume's values contiguous, written in order), non-finite
 * values as 0, for {@link projectBatch}.
 *
 * @param p the projector.
 * @param volume one volume (nVoxels values).
 * @param batch `batchStride(p) * PROJECT_BATCH` values.
 * @param b column (0 <= b < PROJECT_BATCH).
 * @example
 * ```ts
 * import { batchStride, gatherSupport, makeMapsProjector, PROJECT_BATCH } from "./maps_projection.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const p = makeMapsProjector({ data: Float64Array.from([0, 1]), shape: [2, 1, 1, 1], affine }, null);
 * const batch = new Float64Array(batchStride(p) * PROJECT_BATCH);
 * gatherSupport(p, Float64Array.from([7, NaN]), batch, 1); // support: voxel 1 only
 * console.log(batch[batchStride(p)]); // 0 (non-finite values count as 0)
 * ```
 */
export function gatherSupport(
  p: MapsProjector,
  volume: VoxelData | ArrayLike<number>,
  batch: Float64Array,
  b: number,
): void {
  const support = p.support;
  const at = b * batchStride(p);
  for (let s = 0; s < support.length; s++) {
    const y = volume[support[s]!]!;
    // y - y is 0 exactly for finite y (NaN for NaN and ±Infinity): the same test as
    // Number.isFinite, but one V8 keeps inlined here; the call left in this per-voxel loop made
    // later extractions about 3x slower once the function was tiered up a certain way.
    batch[at + s] = y - y === 0 ? y : 0;
  }
}

/**
 * Values per volume (column) of a batch: the support's length rounded up to whole tiles.
 *
 * @param p the projector.
 * @returns the column stride of {@link gatherSupport}'s batch.
 * @example
 * ```ts
 * import { batchStride, makeMapsProjector } from "./maps_projection.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const p = makeMapsProjector({ data: Float64Array.from([1, 1]), shape: [2, 1, 1, 1], affine }, null);
 * console.log(batchStride(p)); // 256
 * ```
 */
export function batchStride(p: MapsProjector): number {
  return (p.tilePtr.length - 1) * PROJECTOR_TILE;
}

/**
 * Project up to {@link PROJECT_BATCH} gathered volumes in one pass over the weights (each weight
 * read once for all of them: the pass is bound by memory traffic on large maps). The numbers are
 * exactly those of {@link projectVolume} (same sums in the same order). Projectors that need
 * refinement (`refine`) must use {@link projectVolume}.
 *
 * @param p the projector (`refine` false).
 * @param batch gathered support values (see {@link gatherSupport}).
 * @param n number of volumes in the batch (columns 0..n-1).
 * @param out destination: volume b's coefficients go to `out[(outRow + b) * nMaps ..]`.
 * @param outRow row of the first volume.
 * @example
 * ```ts
 * import {
 *   batchStride,
 *   gatherSupport,
 *   makeMapsProjector,
 *   PROJECT_BATCH,
 *   projectBatch,
 * } from "./maps_projection.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
 * const p = makeMapsProjector(maps, null);
 * const batch = new Float64Array(batchStride(p) * PROJECT_BATCH);
 * gatherSupport(p, Float64Array.from([3, 4]), batch, 0);
 * gatherSupport(p, Float64Array.from([5, 6]), batch, 1);
 * const out = new Float64Array(2 * p.nMaps);
 * projectBatch(p, batch, 2, out, 0);
 * console.log(out); // [3, 4, 5, 6]
 * ```
 */
export function projectBatch(
  p: MapsProjector,
  batch: Float64Array,
  n: number,
  out: Float64Array,
  outRow: number,
): void {
  if (p.refine) throw new RangeError("projectBatch: this projector needs projectVolume (refine)");
  const k = p.nMaps;
  const { tilePtr, segMap, segPtr, offsets, values, gramPinv } = p;
  const B = PROJECT_BATCH, T = PROJECTOR_TILE, H = 8;
  const stride = batchStride(p);
  // c = Mᵀ Y for the batch's columns, tile by tile: the tile's values are first laid out voxel by
  // voxel (its B volumes side by side, in cache), then each map segment adds its weights, 8
  // volumes at a time with the sums in local variables. Each map's sums run over the voxels in
  // ascending order, as in projectVolume.
  const c = new Float64Array(k * B);
  const tile = new Float64Array(T * B);
  for (let t = 0, nTiles = tilePtr.length - 1; t < nTiles; t++) {
    for (let b = 0; b < B; b++) {
      for (let s = 0, from = b * stride + t * T; s < T; s++) tile[s * B + b] = batch[from + s]!;
    }
    for (let h = 0; h < B; h += H) {
      for (let seg = tilePtr[t]!, segEnd = tilePtr[t + 1]!; seg < segEnd; seg++) {
        const j = segMap[seg]! * B + h;
        let c0 = c[j]!, c1 = c[j + 1]!, c2 = c[j + 2]!, c3 = c[j + 3]!;
        let c4 = c[j + 4]!, c5 = c[j + 5]!, c6 = c[j + 6]!, c7 = c[j + 7]!;
        for (let q = segPtr[seg]!, e = segPtr[seg + 1]!; q < e; q++) {
          const w = values[q]!;
          const o = offsets[q]! * B + h;
          c0 += w * tile[o]!;
          c1 += w * tile[o + 1]!;
          c2 += w * tile[o + 2]!;
          c3 += w * tile[o + 3]!;
          c4 += w * tile[o + 4]!;
          c5 += w * tile[o + 5]!;
          c6 += w * tile[o + 6]!;
          c7 += w * tile[o + 7]!;
        }
        c[j] = c0;
        c[j + 1] = c1;
        c[j + 2] = c2;
        c[j + 3] = c3;
        c[j + 4] = c4;
        c[j + 5] = c5;
        c[j + 6] = c6;
        c[j + 7] = c7;
      }
    }
  }
  solveBatch(gramPinv, c, k, n, out, outRow);
}

/**
 * Second step of {@link projectBatch}: the coefficients `G⁺ c` of each volume of a batch from its
 * accumulated `c = Mᵀ y` (map j's value for volume b at `c[j * PROJECT_BATCH + b]`).
 *
 * @param gramPinv the projector's `gramPinv` (k x k).
 * @param c accumulators (at least k * PROJECT_BATCH values).
 * @param k number of maps.
 * @param n number of volumes in the batch.
 * @param out destination: volume b's coefficients go to `out[(outRow + b) * k ..]`.
 * @param outRow row of the first volume.
 * @example
 * ```ts
 * import { PROJECT_BATCH, solveBatch } from "./maps_projection.ts";
 * const c = new Float64Array(PROJECT_BATCH); // one map: c[b] = Mᵀ y of volume b
 * c[0] = 6;
 * const out = new Float64Array(1);
 * solveBatch(Float64Array.from([0.5]), c, 1, 1, out, 0);
 * console.log(out[0]); // 3
 * ```
 */
export function solveBatch(
  gramPinv: Float64Array,
  c: Float64Array,
  k: number,
  n: number,
  out: Float64Array,
  outRow: number,
): void {
  if (n <= 0) return;
  // Row i of G⁺ is read once per 8 volumes of the batch: eight running sums, each over j
  // ascending (the order of projectVolume's product).
  const B = PROJECT_BATCH;
  for (let h = 0; h < n; h += 8) {
    const row0 = (outRow + h) * k;
    const m = Math.min(8, n - h);
    for (let i = 0; i < k; i++) {
      const g = i * k;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      for (let j = 0, o = h; j < k; j++, o += B) {
        const w = gramPinv[g + j]!;
        a0 += w * c[o]!;
        a1 += w * c[o + 1]!;
        a2 += w * c[o + 2]!;
        a3 += w * c[o + 3]!;
        a4 += w * c[o + 4]!;
        a5 += w * c[o + 5]!;
        a6 += w * c[o + 6]!;
        a7 += w * c[o + 7]!;
      }
      const at = row0 + i;
      out[at] = a0;
      if (m > 1) out[at + k] = a1;
      if (m > 2) out[at + 2 * k] = a2;
      if (m > 3) out[at + 3 * k] = a3;
      if (m > 4) out[at + 4 * k] = a4;
      if (m > 5) out[at + 5 * k] = a5;
      if (m > 6) out[at + 6 * k] = a6;
      if (m > 7) out[at + 7 * k] = a7;
    }
  }
}

/** `c = Mᵀ r` (r: one value per support voxel): each map's sum runs over voxels in order. */
function mapsTransposeTimes(p: MapsProjector, r: Float64Array, c: Float64Array): void {
  const { tilePtr, segMap, segPtr, offsets, values } = p;
  c.fill(0, 0, p.nMaps);
  for (let t = 0, nTiles = tilePtr.length - 1; t < nTiles; t++) {
    const base = t * PROJECTOR_TILE;
    for (let seg = tilePtr[t]!, segEnd = tilePtr[t + 1]!; seg < segEnd; seg++) {
      let acc = c[segMap[seg]!]!;
      for (let q = segPtr[seg]!, e = segPtr[seg + 1]!; q < e; q++) {
        acc += values[q]! * r[base + offsets[q]!]!;
      }
      c[segMap[seg]!] = acc;
    }
  }
}

/**
 * `r += sign · M x` (r: one value per support voxel; x: `nMaps` values from `x[xOff]`; sign ±1,
 * so each term is exact before its rounding add): each voxel's terms are added in map order.
 */
function addMapsTimes(
  p: MapsProjector,
  x: ArrayLike<number>,
  xOff: number,
  sign: 1 | -1,
  r: Float64Array,
): void {
  const { tilePtr, segMap, segPtr, offsets, values } = p;
  for (let t = 0, nTiles = tilePtr.length - 1; t < nTiles; t++) {
    const base = t * PROJECTOR_TILE;
    for (let seg = tilePtr[t]!, segEnd = tilePtr[t + 1]!; seg < segEnd; seg++) {
      const xj = sign * x[xOff + segMap[seg]!]!;
      for (let q = segPtr[seg]!, e = segPtr[seg + 1]!; q < e; q++) {
        r[base + offsets[q]!]! += values[q]! * xj;
      }
    }
  }
}

function symMatVec(a: Float64Array, x: Float64Array, y: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) {
    let acc = 0;
    const row = i * k;
    for (let j = 0; j < k; j++) acc += a[row + j]! * x[j]!;
    y[i] = acc;
  }
}

/**
 * Least-squares signals of maps, as nilearn's `regions.img_to_signals_maps`: for each volume,
 * the coefficients of the voxel values on the maps (inside the mask, on voxels where some map is
 * > 0). Non-finite values (data and maps) count as 0.
 *
 * @param imgs 4D image (x, y, z, time; same grid as maps). A 3D image is rejected, as nilearn
 *   does (a single volume is a 4D image with one volume).
 * @param maps 4D maps image (x, y, z, nMaps).
 * @param mask optional 3D mask on the same grid (non-zero = inside).
 * @param options see {@link MapsProjectorOptions}.
 * @returns (time x maps) signals.
 * @throws TypeError when `imgs` or `maps` is not 4D, or for incompatible grids.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { imgToSignalsMaps } from "./maps_projection.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
 * const img = { data: Float64Array.from([1, 2, 3, 4]), shape: [2, 1, 1, 2], affine };
 * const signals = imgToSignalsMaps(img, maps, null); // one row per volume, one column per map
 * deepEqual(signals.shape, [2, 2]);
 * deepEqual(Array.from(signals.data), [1, 2, 3, 4]);
 * ```
 */
export function imgToSignalsMaps(
  imgs: Image,
  maps: Image,
  mask: Image | null = null,
  options: MapsProjectorOptions = {},
): Matrix {
  // nilearn (check_niimg_4d on maps_img, then imgs): DimensionError for 3D images.
  for (const [name, img] of [["maps", maps], ["imgs", imgs]] as const) {
    if (img?.shape?.length !== 4) {
      throw new TypeError(
        `${name}: expected a 4D image, found ${
          img?.shape === undefined ? String(img) : `shape [${img.shape.join(", ")}]`
        } (input data has incompatible dimensionality; give a 3D volume a 4th axis of 1)`,
      );
    }
  }
  checkSameShape3(imgs, maps, "data and maps");
  checkSameAffine(imgs.affine, maps.affine, "data and maps");
  if (mask !== null) {
    checkSameShape3(imgs, mask, "data and mask");
    checkSameAffine(imgs.affine, mask.affine, "data and mask");
  }
  const p = makeMapsProjector(maps, mask, options);
  const nV = p.nVoxels;
  const nT = imgs.shape.length >= 4 ? (imgs.shape[3] ?? 1) : 1;
  const out = new Float64Array(nT * p.nMaps);
  const scratch = new Float64Array(3 * p.nMaps + p.support.length);
  for (let t = 0; t < nT; t++) {
    projectVolume(p, imgs.data.subarray(t * nV, (t + 1) * nV), out, t * p.nMaps, scratch);
  }
  return { data: out, shape: [nT, p.nMaps] };
}

/**
 * Voxel values from region signals and maps: `signals · mapsᵀ` on the projector's support, zero
 * elsewhere. The projector must keep every map (`keepMaskedMaps` true).
 *
 * @param regionSignals (time x nMaps) signals, or one row as a vector.
 * @param p projector of the maps (all maps kept).
 * @returns voxel data, volume by volume (time x nVoxels), and the number of volumes.
 */
export function projectorToVoxels(
  regionSignals: Matrix | ArrayLike<number>,
  p: MapsProjector,
): { data: Float64Array; nVolumes: number } {
  const isMatrix = "shape" in regionSignals && "data" in regionSignals;
  const nT = isMatrix ? (regionSignals as Matrix).shape[0] : 1;
  const nC = isMatrix ? (regionSignals as Matrix).shape[1] : (regionSignals as ArrayLike<number>)
    .length;
  const sig: ArrayLike<number> = isMatrix
    ? (regionSignals as Matrix).data
    : regionSignals as ArrayLike<number>;
  if (nC !== p.nMaps) {
    throw new RangeError(
      `region signals have ${nC} columns but there are ${p.nMaps} maps: shapes not aligned`,
    );
  }
  const nV = p.nVoxels;
  const out = new Float64Array(nT * nV);
  const { support } = p;
  const acc = new Float64Array(support.length);
  for (let t = 0; t < nT; t++) {
    acc.fill(0);
    addMapsTimes(p, sig, t * nC, 1, acc);
    const base = t * nV;
    for (let s = 0; s < support.length; s++) out[base + support[s]!] = acc[s]!;
  }
  return { data: out, nVolumes: nT };
}

/**
 * Image from region signals and maps, as nilearn's `regions.signals_to_img_maps`: voxel values
 * `signals · mapsᵀ` inside the mask where some map is > 0 (everywhere without a mask), zero
 * elsewhere; affine and grid of the maps.
 *
 * @param regionSignals (time x maps) signals; a vector (one value per map) gives a 3D image.
 * @param maps 4D maps image.
 * @param mask optional 3D mask on the same grid.
 * @returns a 4D image (x, y, z, time), or 3D for a vector.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { signalsToImgMaps } from "./maps_projection.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
 * const img = signalsToImgMaps({ data: Float64Array.from([5, 6]), shape: [1, 2] }, maps, null);
 * deepEqual(img.shape, [2, 1, 1, 1]);
 * deepEqual(Array.from(img.data), [5, 6]);
 * ```
 */
export function signalsToImgMaps(
  regionSignals: Matrix | ArrayLike<number>,
  maps: Image,
  mask: Image | null = null,
): Image {
  if (mask !== null) {
    checkSameShape3(maps, mask, "maps and mask");
    checkSameAffine(maps.affine, mask.affine, "maps and mask");
  }
  const p = makeMapsProjector(maps, mask, { keepMaskedMaps: true });
  const { data, nVolumes } = projectorToVoxels(regionSignals, p);
  const isMatrix = "shape" in regionSignals && "data" in regionSignals;
  const shape3 = [maps.shape[0] ?? 1, maps.shape[1] ?? 1, maps.shape[2] ?? 1];
  return {
    data,
    shape: isMatrix ? [...shape3, nVolumes] : shape3,
    affine: Float64Array.from(maps.affine),
  };
}
