/**
 * Extraction plans made at fit: with `resamplingTarget: "data"` the plan depends on the data
 * grid, known only at transform; but when the mask (if any) is on the maps grid, data on that
 * same grid are the usual case, so fit makes that plan then and the first transform on the maps
 * grid finds it ready (targets "maps" and "mask" already have their single plan made at fit).
 *
 * @module
 */
import type { Image } from "../types.ts";
import {
  type ExtractionPlan,
  type FittedState,
  makePlan,
  type ResampleFn,
} from "./fitted_state.ts";
import { gridKey, gridOf, sameFov } from "./grid_check.ts";

/** Plans made at fit, by fitted state (released with it). */
const madeAtFit = new WeakMap<FittedState, { key: string; plan: ExtractionPlan }>();

/**
 * At fit, for `resamplingTarget: "data"` with no mask or a mask on the maps grid: make the plan
 * for data on the maps grid now (what the first transform of such data would make). A failure is
 * left for the transform that needs the plan to report, as without this step.
 *
 * @param state the fitted state.
 * @param mapsImg the maps the transform would plan with (maps_img_, unclipped).
 * @param resample the fitted masker's resampling function.
 */
export async function makePlanAtFit(
  state: FittedState,
  mapsImg: Image,
  resample: ResampleFn,
): Promise<void> {
  if (state.params.resamplingTarget !== "data") return;
  if (state.maskImg !== null && !sameFov(state.maskImg, state.mapsGrid)) return;
  const grid = gridOf(state.mapsGrid);
  try {
    const plan = await makePlan(state, mapsImg, grid, resample);
    madeAtFit.set(state, { key: gridKey(grid), plan });
  } catch {
    // The transform that needs this plan makes it again and reports the error.
  }
}

/**
 * A fitted masker's plan memo (grid key → plan), holding the plan {@link makePlanAtFit} made for
 * `state`, if any, under the key of data on the maps grid before any overlap clipping.
 *
 * @param state the fitted state.
 * @returns a new memo.
 */
export function planMemo(state: FittedState): Map<string, Promise<ExtractionPlan>> {
  const memo = new Map<string, Promise<ExtractionPlan>>();
  const made = madeAtFit.get(state);
  if (made !== undefined) memo.set(made.key, Promise.resolve(made.plan));
  return memo;
}
