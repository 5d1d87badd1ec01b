import assert from "node:assert/strict";
import { confoundsOfKeptSeries, HighVarianceSelector } from "../image/streaming_hvc.ts";
import { highVarianceConfounds } from "../image/high_variance_confounds.ts";
import { lcg as rng } from "./lcg.ts";

const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);

/** A 4D float32 image with trends, offsets and a few high-variance voxels. */
function image(nx: number, ny: number, nz: number, nt: number, seed: number) {
  const r = rng(seed);
  const nV = nx * ny * nz;
  const data = new Float32Array(nV * nt);
  const scale = Float64Array.from({ length: nV }, () => (r() < 0.1 ? 20 : 1) * r());
  const offset = Float64Array.from({ length: nV }, () => 500 * r());
  for (let t = 0; t < nt; t++) {
    for (let v = 0; v < nV; v++) {
      data[t * nV + v] = v % 7 === 0 ? 0 : offset[v]! + 0.3 * t + scale[v]! * (r() - 0.5) * 10;
    }
  }
  return { data, shape: [nx, ny, nz, nt], affine, nV };
}

function streamed(
  img: { data: Float32Array; nV: number; shape: number[] },
  options: { percentile?: number; detrend?: boolean; nConfounds?: number },
) {
  const nt = img.shape[3]!;
  const vols = Array.from(
    { length: nt },
    (_, t) => img.data.subarray(t * img.nV, (t + 1) * img.nV),
  );
  const sel = new HighVarianceSelector(img.nV, nt, options);
  for (const v of vols) sel.add(v);
  const kept = sel.kept();
  const g = sel.gather();
  for (const v of vols) g.add(v);
  return { kept, conf: confoundsOfKeptSeries(g.data(), nt, kept.length, options) };
}

for (const detrend of [true, false]) {
  Deno.test(`streaming high-variance confounds equal the in-memory ones (detrend ${detrend})`, () => {
    const img = image(9, 8, 7, 40, detrend ? 3 : 4);
    for (const percentile of [2, 10, 30]) {
      const options = { percentile, detrend, nConfounds: 4 };
      const ref = highVarianceConfounds(img, options);
      const { kept, conf } = streamed(img, options);
      assert.ok(kept.length > 0 && kept.length < img.nV);
      assert.deepEqual(conf.shape, ref.shape);
      for (let i = 0; i < ref.data.length; i++) {
        assert.ok(
          Math.abs(conf.data[i]! - ref.data[i]!) <= 1e-10,
          `percentile ${percentile}: entry ${i}: ${conf.data[i]} vs ${ref.data[i]}`,
        );
      }
    }
  });
}

Deno.test("streaming high-variance selector: NaN voxels are never kept; volume count checked", () => {
  const sel = new HighVarianceSelector(3, 2, { percentile: 50 });
  sel.add(Float64Array.from([NaN, 1, 2]));
  sel.add(Float64Array.from([1, 5, 2.5]));
  assert.deepEqual(Array.from(sel.kept()), [1]);
  assert.throws(() => sel.add(Float64Array.from([0, 0, 0])), RangeError);
  const short = new HighVarianceSelector(3, 4);
  short.add(new Float64Array(3));
  assert.throws(() => short.kept(), /1 volumes accumulated, expected 4/);
  assert.throws(() => new HighVarianceSelector(3, 4, { percentile: 120 }), RangeError);
});

Deno.test("projectBatch gives exactly projectVolume's numbers, for full and partial batches", async () => {
  const {
    batchStride,
    makeMapsProjector,
    projectVolume,
    projectBatch,
    gatherSupport,
    PROJECT_BATCH,
  } = await import("../image/maps_projection.ts");
  const r = rng(11);
  const nV = 6 * 5 * 4, k = 3;
  const maps = new Float64Array(nV * k).map(() => (r() < 0.4 ? 0 : r() - 0.3));
  const p = makeMapsProjector({ data: maps, shape: [6, 5, 4, k], affine }, null);
  assert.equal(p.refine, false);
  const nT = PROJECT_BATCH + 3;
  const vols = Array.from({ length: nT }, () => new Float64Array(nV).map(() => 10 * r()));
  vols[2]![p.support[0]!] = NaN; // non-finite counts as 0 in both
  const expected = new Float64Array(nT * k);
  for (let t = 0; t < nT; t++) projectVolume(p, vols[t]!, expected, t * k);
  const got = new Float64Array(nT * k);
  const batch = new Float64Array(batchStride(p) * PROJECT_BATCH);
  let inBatch = 0;
  for (let t = 0; t < nT; t++) {
    gatherSupport(p, vols[t]!, batch, inBatch++);
    if (inBatch === PROJECT_BATCH) {
      projectBatch(p, batch, inBatch, got, t + 1 - inBatch);
      inBatch = 0;
    }
  }
  projectBatch(p, batch, inBatch, got, nT - inBatch);
  assert.deepEqual(Array.from(got), Array.from(expected));
});
