import assert from "node:assert/strict";
import { makePlanAtFit } from "../maskers/plan_at_fit.ts";
import type { ExtractionParams, FittedState, ResampleFn } from "../maskers/fitted_state.ts";
import { gridKey, gridOf } from "../maskers/grid_check.ts";
import { imgToSignalsMaps, makeMapsProjector } from "../image/maps_projection.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { Image } from "../types.ts";
import { lcg } from "./lcg.ts";
import { DEFAULT_EXTRACTION_PARAMS } from "./maskers_params_fixture.ts";

const affine = Float64Array.from([3, 0, 0, -10, 0, 3, 0, -20, 0, 0, 3, -5, 0, 0, 0, 1]);
const shape3 = [6, 5, 4];
const nV = 6 * 5 * 4;

function maps(nM: number, seed: number): Image {
  const r = lcg(seed);
  const data = new Float32Array(nV * nM);
  for (let i = 0; i < data.length; i++) data[i] = r() < 0.5 ? 0 : r() - 0.2;
  return { data, shape: [...shape3, nM], affine };
}

const params: ExtractionParams = DEFAULT_EXTRACTION_PARAMS;

const noResample: ResampleFn = () => {
  throw new Error("no resampling expected");
};

function stateOf(m: Image, mask: Image | null, target: ExtractionParams["resamplingTarget"]) {
  const state: FittedState = {
    params: { ...params, resamplingTarget: target },
    mapsGrid: { shape: [...m.shape], affine: m.affine },
    maskImg: mask,
    mapsFloat32: true,
    nElements: m.shape[3]!,
  };
  return state;
}

Deno.test("makePlanAtFit: target data, mask on the maps grid: the maps grid's plan is ready", async () => {
  const m = maps(5, 1);
  const mask = {
    data: Float64Array.from({ length: nV }, (_, v) => v % 3 ? 1 : 0),
    shape: shape3,
    affine,
  };
  for (const mk of [null, mask]) {
    const state = stateOf(m, mk, "data");
    const made = await makePlanAtFit(state, m, noResample);
    assert.ok(made !== null);
    assert.equal(made.key, gridKey(gridOf(m)));
    const plan = made.plan;
    assert.equal(plan.dataPolicy, "same");
    const ref = makeMapsProjector(m, mk, { keepMaskedMaps: true });
    assert.deepEqual(Array.from(plan.projector.support), Array.from(ref.support));
    assert.deepEqual(Array.from(plan.projector.gramPinv), Array.from(ref.gramPinv));
  }
});

Deno.test("makePlanAtFit: nothing made when the data grid cannot be guessed or is fixed", async () => {
  const m = maps(3, 2);
  const otherGrid = { data: new Float64Array(8).fill(1), shape: [2, 2, 2], affine };
  for (
    const state of [
      stateOf(m, otherGrid, "data"), // mask on another grid: data probably there
      stateOf(m, null, "maps"), // fixed plan made by fit itself
      stateOf(m, null, null),
    ]
  ) {
    assert.equal(await makePlanAtFit(state, m, noResample), null);
  }
});

Deno.test("fitted masker (target data): signals on the maps grid as imgToSignalsMaps", async () => {
  const m = maps(4, 3);
  const r = lcg(4);
  const bold = {
    data: Float64Array.from({ length: nV * 7 }, () => r() * 10),
    shape: [...shape3, 7],
    affine,
  };
  const fitted = await multiMapsMasker({ mapsImg: m, resamplingTarget: "data" }).fit();
  const expected = imgToSignalsMaps(bold, m, null);
  for (let rep = 0; rep < 2; rep++) {
    const got = await fitted.transform(bold);
    assert.deepEqual(got.shape, expected.shape);
    let d = 0;
    for (let i = 0; i < got.data.length; i++) {
      d = Math.max(d, Math.abs(got.data[i]! - expected.data[i]!));
    }
    assert.ok(d < 1e-12, `max diff ${d}`);
  }
});
