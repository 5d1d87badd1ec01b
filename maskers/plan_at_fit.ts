/**
 * Extraction plans made at fit: with `resamplingTarget: "data"` the plan depends on the data
 * grid, known only at transform; but when the mask (if any) is on the maps grid, data on that
 * same grid are the usual case, so fit makes that plan then and the first transform on the maps
 * grid finds it ready (targets "maps" and "mask" already have their single plan made at fit).
 *
 * @module
 */
import {
  type ExtractionPlan,
  type FittedState,
  makePlan,
  type ResampleFn,
} from "./fitted_state.ts";
import type { MapsSource } from "./compact_maps.ts";
import { gridKey, gridOf } from "./grid_check.ts";
import { sameGrid } from "../image/grid.ts";

/** A plan made at fit, under the plan memo's key of data on the maps grid (unclipped maps). */
export interface PlanAtFit {
  readonly key: string;
  readonly plan: ExtractionPlan;
}

/**
 * At fit, for `resamplingTarget: "data"` with no mask or a mask on the maps grid: make the plan
 * for data on the maps grid now (what the first transform of such data would make). A failure is
 * left for the transform that needs the plan to report, as without this step.
 *
 * @param state the fitted state.
 * @param maps the maps the transform would plan with (maps_img_, unclipped).
 * @param resample the fitted masker's resampling function.
 * @returns the plan and its memo key, or null when none is made at fit.
 */
export async function makePlanAtFit(
  state: FittedState,
  maps: MapsSource,
  resample: ResampleFn,
): Promise<PlanAtFit | null> {
  if (state.params.resamplingTarget !== "data") return null;
  if (state.maskImg !== null && !sameGrid(state.maskImg, state.mapsGrid)) return null;
  const grid = gridOf(state.mapsGrid);
  try {
    return { key: gridKey(grid), plan: await makePlan(state, maps, grid, resample) };
  } catch {
    return null; // the transform that needs this plan makes it again and reports the error
  }
}
