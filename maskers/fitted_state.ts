/**
 * The fitted state of a maps masker as plain data (typed arrays, numbers, strings; no closures),
 * so it can be posted to web workers with `structuredClone` semantics, and the per-grid
 * extraction plan derived from it.
 *
 * @module
 */
import type { Image } from "../types.ts";
import type { MultiMapsMaskerParams } from "./config.ts";
import { type ExtractionParamName, MASKER_PARAMS } from "./param_table.ts";
import type { MapsProjector } from "../image/maps_projection.ts";
import { makeMapsProjector, makeMapsProjectorSparse } from "../image/maps_projection.ts";
import { residentProjector } from "../image/project_simd.ts";
import {
  clipCompactBelow,
  type CompactMaps,
  denseMaps,
  isCompactMaps,
  type MapsSource,
} from "./compact_maps.ts";
import { resampleImg } from "../image/resample.ts";
import { describeGrid, gridOf } from "./grid_check.ts";
import { type Grid, sameGrid } from "../image/grid.ts";

/**
 * The masker parameters the per-subject extraction reads (posted to workers with the state):
 * the entries of the parameter table (`param_table.ts`) marked `extraction`.
 */
export const EXTRACTION_PARAM_NAMES: readonly ExtractionParamName[] = MASKER_PARAMS
  .filter((p) => p.extraction)
  .map((p) => p.name as ExtractionParamName);

/** The parameters the per-subject extraction needs (plain values): the masker's, picked. */
export type ExtractionParams = Pick<
  MultiMapsMaskerParams,
  ExtractionParamName
>;

/** The extraction parameters of a masker's parameters. */
export function extractionParams(p: MultiMapsMaskerParams): ExtractionParams {
  return Object.fromEntries(EXTRACTION_PARAM_NAMES.map((k) => [k, p[k]])) as ExtractionParams;
}

/**
 * What every subject's extraction needs from a fitted masker, as plain data (posted once to each
 * worker). `maskImg` is nilearn's `mask_img_` (resampled to the maps grid for `"maps"`). The maps
 * themselves are not here: a plan carries their projector, and the masker keeps them compact
 * (`maskers/compact_maps.ts`), passing them densely to {@link makePlan} only while a plan is made.
 */
export interface FittedState {
  /** Extraction parameters. */
  readonly params: ExtractionParams;
  /** Grid of `maps_img_` (its shape with the number of maps, and affine). */
  readonly mapsGrid: Grid;
  /** `mask_img_`, or null. */
  readonly maskImg: Image | null;
  /** The maps are float32 (their machine epsilon is the overlap check's threshold). */
  readonly mapsFloat32: boolean;
  /** Number of maps (`n_elements_`). */
  readonly nElements: number;
}

/** How a subject's data meet the projector's grid. */
export type DataPolicy =
  /** Data are on the plan's grid (checked; the plan was made for the data grid). */
  | "same"
  /** Data are resampled (cubic spline, clipped) to the plan's grid when on another grid. */
  | "resample"
  /** Data must already be on the plan's grid, else an error (`resamplingTarget: null`). */
  | "require-same";

/** What extracting data on one grid needs: the grid, the projector, and the overlap verdict. */
export interface ExtractionPlan {
  /** The grid the projector works on. */
  readonly grid: Grid;
  /** How subject data reach that grid. */
  readonly dataPolicy: DataPolicy;
  /** Least-squares projector of the (resampled, overlap-clipped) maps inside the mask. */
  readonly projector: MapsProjector;
  /** When `allowOverlap` is false and the maps overlap on this grid: the error to raise. */
  readonly overlapError: string | null;
  /** Notes for the report (e.g. resampling happened). */
  readonly notes: readonly string[];
}

/** Machine epsilon of the maps' dtype. */
export function mapsEpsilon(float32: boolean): number {
  return float32 ? 2 ** -23 : 2 ** -52;
}

/**
 * The maps with every weight below their machine epsilon (every negative weight included) set
 * to 0, as nilearn 0.11.1's allow_overlap check does (in place, there). Compact maps are clipped
 * compact, their dense data not built.
 */
export function clipBelowEpsilon(maps: Image, float32: boolean): Image;
export function clipBelowEpsilon(maps: CompactMaps, float32: boolean): CompactMaps;
export function clipBelowEpsilon(maps: MapsSource, float32: boolean): MapsSource;
export function clipBelowEpsilon(maps: MapsSource, float32: boolean): MapsSource {
  const eps = mapsEpsilon(float32);
  if (isCompactMaps(maps)) return clipCompactBelow(maps, eps);
  const src = maps.data;
  const data = float32 ? new Float32Array(src.length) : new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    data[i] = v < eps ? 0 : v;
  }
  return { data, shape: maps.shape, affine: maps.affine };
}

/**
 * The allow_overlap check as nilearn 0.11.1 makes it: the maps clipped by
 * {@link clipBelowEpsilon}, then a voxel where more than one map is > 0 is an overlap. Returns the
 * clipped maps (dense) and the error message (or null).
 */
export function clipAndCheckOverlap(
  maps: MapsSource,
  float32: boolean,
): { maps: Image; error: string | null } {
  const clipped = denseMaps(clipBelowEpsilon(maps, float32));
  const data = clipped.data;
  const nV = (maps.shape[0] ?? 1) * (maps.shape[1] ?? 1) * (maps.shape[2] ?? 1);
  const nM = data.length / nV;
  const count = new Uint8Array(nV);
  let overlap = -1;
  for (let m = 0; m < nM && overlap < 0; m++) {
    const base = m * nV;
    for (let v = 0; v < nV; v++) {
      if (data[base + v]! > 0) {
        if (count[v]! >= 1) {
          overlap = v;
          break;
        }
        count[v] = 1;
      }
    }
  }
  return {
    maps: clipped,
    error: overlap < 0 ? null : "allowOverlap is false but an overlap was detected in the maps " +
      `(first at voxel index ${overlap}). The overlap may be due to the atlas itself or ` +
      "possibly introduced by resampling.",
  };
}

/** Resampling hook (so the masker can cache results on disk). */
export type ResampleFn = (
  img: MapsSource,
  grid: Grid,
  interpolation: "continuous" | "nearest",
) => Image | Promise<Image>;

/** Default {@link ResampleFn}: `image/`'s `resampleImg` (of the dense maps). */
export const plainResample: ResampleFn = (img, grid, interpolation) =>
  resampleImg(denseMaps(img), {
    targetAffine: grid.affine,
    targetShape: grid.shape.slice(0, 3),
    interpolation,
  });

/**
 * The projector of maps inside a mask; maps held compact and sparse are used as they are (their
 * dense array is not built: the same projector, bit for bit, in time proportional to their
 * entries).
 */
function projectorOf(maps: MapsSource, mask: Image | null, keepMaskedMaps: boolean): MapsProjector {
  return isCompactMaps(maps) && maps.dense === null
    ? makeMapsProjectorSparse(maps, mask, { keepMaskedMaps })
    : makeMapsProjector(denseMaps(maps), mask, { keepMaskedMaps });
}

/**
 * Build the extraction plan of a fitted state for subjects on `dataGrid` (used for
 * `resamplingTarget: "data"`) or for the fixed grid of the maps (other targets, `dataGrid`
 * null): maps resampled "continuous" and mask "nearest" to the target grid when needed, the
 * overlap check, the projector.
 *
 * @param state fitted state.
 * @param mapsImg nilearn's `maps_img_` (x, y, z, nMaps), dense or compact: maps cast to the
 *   working dtype, non-finite values zeroed, resampled to the mask grid for
 *   `resamplingTarget: "mask"` (clipped when the overlap history says so).
 * @param dataGrid the subject data grid for target "data"; null for the other targets.
 * @param resample resampling function (default {@link plainResample}).
 */
export async function makePlan(
  state: FittedState,
  mapsImg: MapsSource,
  dataGrid: Grid | null,
  resample: ResampleFn = plainResample,
): Promise<ExtractionPlan> {
  const p = state.params;
  const notes: string[] = [];
  let maps: MapsSource = mapsImg;
  let mask = state.maskImg;
  let grid: Grid;
  let dataPolicy: DataPolicy;
  if (p.resamplingTarget === "data") {
    if (dataGrid === null) throw new TypeError("makePlan: a data grid is needed for target data");
    grid = gridOf(dataGrid);
    dataPolicy = "same";
    if (!sameGrid(grid, maps)) {
      notes.push(`maps resampled (cubic spline) to the data grid: ${describeGrid(grid)}`);
      maps = await resample(maps, grid, "continuous");
    }
    if (mask !== null && !sameGrid(grid, mask)) {
      notes.push(`mask resampled (nearest) to the data grid: ${describeGrid(grid)}`);
      mask = await resample(mask, grid, "nearest");
    }
  } else {
    grid = gridOf(maps);
    dataPolicy = p.resamplingTarget === null ? "require-same" : "resample";
  }
  let overlapError: string | null = null;
  let planned: MapsSource = maps;
  if (!p.allowOverlap) {
    const r = clipAndCheckOverlap(maps, state.mapsFloat32);
    planned = r.maps;
    overlapError = r.error;
  }
  // The weights move into the SIMD kernel's memory once (the plain arrays are dropped here);
  // that memory is shared, so workers receive the plan without a copy of them.
  const projector = residentProjector(projectorOf(planned, mask, p.keepMaskedMaps));
  return { grid, dataPolicy, projector, overlapError, notes };
}
