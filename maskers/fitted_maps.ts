/**
 * The maps of a fitted masker: the raw and overlap-clipped maps (built on demand), the extraction
 * plan of each grid (memoized), nilearn's overlap-clipping history, and the inverse projector.
 *
 * nilearn's overlap check (allowOverlap false) clips map weights below eps *in place* on the maps
 * it extracts with; when those are `maps_img_` itself (no resampling needed), `maps_img_` stays
 * clipped for later resampling, `inverse_transform` and the attribute. {@link OverlapHistory}
 * replicates that: `clipped` says whether `maps_img_` is clipped, `resampledGrid` is the grid of
 * nilearn's `_resampled_maps_img_` once it became a separate copy (target "data" on another
 * grid). Before any transform (`clipped` null) `maps_img_` is the unclipped maps, as after
 * nilearn's bare fit; the first transform on the maps' grid clips them.
 *
 * @module
 */
import type { Image, Matrix } from "../types.ts";
import type { PlanAtFit } from "./plan_at_fit.ts";
import {
  makeMapsProjector,
  type MapsProjector,
  projectorToVoxels,
  signalsToImgMaps,
} from "../image/maps_projection.ts";
import {
  clipBelowEpsilon,
  type ExtractionPlan,
  type FittedState,
  makePlan,
  type ResampleFn,
} from "./fitted_state.ts";
import { type CompactMaps, denseMaps, type MapsSource } from "./compact_maps.ts";
import { resampleCompactMaps } from "./compact_resample.ts";
import { gridKey } from "./grid_check.ts";
import { type Grid, sameGrid } from "../image/grid.ts";
import { isMatrix } from "./type_guards.ts";

/** Where nilearn's in-place overlap clipping has left the masker's maps. */
export interface OverlapHistory {
  /** Whether `maps_img_` is clipped (null: no transform yet, so not clipped). */
  clipped: boolean | null;
  /** Grid of the separate resampled copy of the maps, once there is one. */
  resampledGrid: Grid | null;
}

/** What {@link FittedMaps} is made from (all fixed at fit). */
export interface FittedMapsInit {
  /** The fitted state (maps grid, mask, dtype, extraction parameters). */
  readonly state: FittedState;
  /** The maps as fit loaded them (cast, non-finite values zeroed), compact. */
  readonly compact: CompactMaps;
  /**
   * The grid fit resampled the maps to (target "mask"), or null: `maps_img_` is then the compact
   * maps resampled to it, again each time it is needed (the same deterministic computation, so
   * the same values), rather than held densely.
   */
  readonly resampledTo: Grid | null;
  /** The plan of every subject when it does not depend on the data grid (targets other than "data"). */
  readonly fixedPlan: ExtractionPlan | null;
  /** The plan fit made for data on the maps grid (target "data"), if any. */
  readonly planAtFit?: PlanAtFit | null;
  /** Resampling (with the masker's cache). */
  readonly resample: ResampleFn;
}

/** The maps of a fitted masker and their overlap history (see the module doc). */
export class FittedMaps {
  /** The masker's own history (a transform in this thread advances it). */
  readonly history: OverlapHistory = { clipped: null, resampledGrid: null };
  readonly #state: FittedState;
  readonly #fixedPlan: ExtractionPlan | null;
  readonly #resample: ResampleFn;
  readonly #compact: CompactMaps;
  readonly #resampledTo: Grid | null;
  /** The compact maps clipped (made once, when first needed). */
  #clippedCompact: CompactMaps | null = null;
  readonly #plans = new Map<string, Promise<ExtractionPlan>>();
  readonly #inverseProjectors = new Map<boolean, MapsProjector>();

  /** @param init see {@link FittedMapsInit}. */
  constructor(init: FittedMapsInit) {
    this.#state = init.state;
    this.#fixedPlan = init.fixedPlan;
    this.#resample = init.resample;
    this.#compact = init.compact;
    this.#resampledTo = init.resampledTo;
    const made = init.planAtFit ?? null;
    if (made !== null) this.#plans.set(made.key, Promise.resolve(made.plan));
  }

  /**
   * `maps_img_` as the history has left it: a new dense image each call (the masker holds the
   * maps compact).
   */
  current(): Image {
    return denseMaps(this.#maps(this.history.clipped === true));
  }

  /** The maps, clipped or not; held compact unless fit resampled them. */
  #maps(clipped: boolean): MapsSource {
    const float32 = this.#state.mapsFloat32;
    if (this.#resampledTo === null) {
      if (!clipped) return this.#compact;
      return this.#clippedCompact ??= clipBelowEpsilon(this.#compact, float32);
    }
    const resampled = resampleCompactMaps(this.#compact, this.#resampledTo, "continuous");
    return clipped ? clipBelowEpsilon(resampled, float32) : resampled;
  }

  /**
   * A copy of the masker's history, for a subject run as a separate job: nilearn runs
   * n_jobs > 1 in separate processes, on copies of the masker, so the history then neither
   * carries over between subjects nor comes back.
   */
  snapshot(): OverlapHistory {
    return { ...this.history };
  }

  /**
   * The plan for data on `grid`, then `h` advanced past this transform. The plan is chosen from
   * the clipped state read *before* the history advances (nilearn clips during this transform).
   *
   * @param grid the subject's grid.
   * @param h the history this subject runs with (the masker's, or a snapshot).
   */
  planFor(grid: Grid, h: OverlapHistory): Promise<ExtractionPlan> {
    const clipped = h.clipped === true;
    this.#advance(h, grid);
    if (this.#fixedPlan !== null) return Promise.resolve(this.#fixedPlan);
    const key = gridKey(grid) + (clipped ? "|clipped" : "");
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      plan = makePlan(this.#state, this.#maps(clipped), grid, this.#resample);
      plan.catch(() => this.#plans.delete(key));
      this.#plans.set(key, plan);
    }
    return plan;
  }

  /** Advance `h` past a transform of data on `grid`. */
  #advance(h: OverlapHistory, grid: Grid): void {
    if (this.#state.params.allowOverlap) return;
    if (this.#fixedPlan !== null) {
      h.clipped = true;
    } else if (h.resampledGrid === null) {
      if (sameGrid(grid, this.#state.mapsGrid)) {
        h.clipped = true;
      } else {
        h.resampledGrid = grid;
        h.clipped ??= false;
      }
    } else if (!sameGrid(grid, h.resampledGrid)) {
      h.resampledGrid = grid;
    }
  }

  /**
   * The image of region signals on the maps grid (nilearn's `inverse_transform`), with the maps
   * as the history has left them.
   *
   * @param regionSignals a vector (nMaps: 3D result) or a (time x nMaps) matrix (4D result).
   */
  inverseTransform(regionSignals: Matrix | ArrayLike<number>): Image {
    const { maskImg, mapsGrid } = this.#state;
    if (maskImg !== null) {
      // Same checks (and messages) as signalsToImgMaps.
      return signalsToImgMaps(regionSignals, this.current(), maskImg);
    }
    const clippedKey = this.history.clipped === true;
    let projector = this.#inverseProjectors.get(clippedKey);
    if (projector === undefined) {
      projector = makeMapsProjector(this.current(), null, { keepMaskedMaps: true });
      this.#inverseProjectors.set(clippedKey, projector);
    }
    const { data, nVolumes } = projectorToVoxels(regionSignals, projector);
    const shape3 = mapsGrid.shape.slice(0, 3);
    return {
      data,
      shape: isMatrix(regionSignals) ? [...shape3, nVolumes] : shape3,
      affine: Float64Array.from(mapsGrid.affine),
    };
  }
}
