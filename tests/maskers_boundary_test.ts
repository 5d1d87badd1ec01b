/**
 * Boundary checks of the masker: in-memory images with plain-Array data or bad shapes, per-call
 * `nJobs`, the number of `labels`, and `transformSingleImgs` given a list of runs. Each fails
 * with a message naming the parameter, before any extraction.
 */
import assert from "node:assert/strict";
import { multiMapsMasker } from "../maskers/mod.ts";
import type { Image } from "../types.ts";

const AFFINE = Float64Array.from([3, 0, 0, -9, 0, 3, 0, -6, 0, 0, 3, -6, 0, 0, 0, 1]);
const SHAPE = [6, 5, 4] as const;
const NV = SHAPE[0] * SHAPE[1] * SHAPE[2];
const K = 3;

/** Three disjoint box maps (weights 1) along x. */
function maps(): Image {
  const data = new Float64Array(NV * K);
  for (let m = 0; m < K; m++) {
    for (let z = 0; z < SHAPE[2]; z++) {
      for (let y = 0; y < SHAPE[1]; y++) {
        for (let x = 2 * m; x < 2 * m + 2; x++) {
          data[m * NV + x + SHAPE[0] * (y + SHAPE[1] * z)] = 1;
        }
      }
    }
  }
  return { data, shape: [...SHAPE, K], affine: AFFINE };
}

/** A run whose every voxel of map m holds `base + 10 m + t` in volume t. */
function run(nT: number, base = 0): Image {
  const data = new Float64Array(NV * nT);
  for (let t = 0; t < nT; t++) {
    for (let v = 0; v < NV; v++) data[t * NV + v] = base + 10 * Math.floor((v % SHAPE[0]) / 2) + t;
  }
  return { data, shape: [...SHAPE, nT], affine: AFFINE };
}

const MAPS = maps();

async function fitted() {
  return await multiMapsMasker({ mapsImg: MAPS, reports: false }).fit();
}

Deno.test("an image whose data is a plain Array is rejected at the boundary, naming the parameter", async () => {
  const f = await fitted();
  const good = run(4);
  const plain = { ...good, data: Array.from(good.data) } as unknown as Image;
  await assert.rejects(
    f.transform(plain),
    (e: Error) =>
      e instanceof TypeError &&
      /^imgs: image #0: data must be a Float32Array or Float64Array, got an array/.test(e.message),
  );
  // Maps and mask: at creation, where the masker checks its parameters' types.
  assert.throws(
    () => multiMapsMasker({ mapsImg: { ...MAPS, data: Array.from(MAPS.data) } as never }),
    (e: Error) => e instanceof TypeError && /^mapsImg: data must be a Float32Array/.test(e.message),
  );
  const mask = { data: [1, 1], shape: [...SHAPE], affine: AFFINE } as never;
  assert.throws(
    () => multiMapsMasker({ mapsImg: MAPS, maskImg: mask }),
    /^TypeError: maskImg: data must be a Float32Array/,
  );
  // In a list, only that subject fails; the others are extracted.
  const outcomes = await f.transformImgsSettled([good, plain, good]);
  assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true]);
  const bad = outcomes[1]!;
  assert.ok(!bad.ok && /imgs: image #1: data must be/.test(bad.error.message), String(bad));
  // The same with web workers: checked in this thread before the subject is posted.
  const onWorkers = await f.transformImgsSettled([good, plain, good], { nJobs: 2 });
  assert.deepEqual(onWorkers.map((o) => o.ok), [true, false, true]);
  const badOnWorkers = onWorkers[1]!;
  assert.ok(
    !badOnWorkers.ok && badOnWorkers.error instanceof TypeError &&
      /^imgs: image #1: data must be/.test(badOnWorkers.error.message),
    String(badOnWorkers),
  );
});

Deno.test("an image shape with a negative or non-integer entry is rejected at the boundary", async () => {
  const f = await fitted();
  for (const shape of [[6, 5, 4, -40], [6, 5, 4, 2.5], [6, -5, 4, 2]]) {
    const img = { data: new Float64Array(NV * 2), shape, affine: AFFINE };
    await assert.rejects(
      f.transform(img),
      (e: Error) =>
        e instanceof TypeError &&
        /^imgs: image #0: shape must be 3 to 7 positive integers, got \[/.test(e.message),
      JSON.stringify(shape),
    );
  }
  assert.throws(
    () => multiMapsMasker({ mapsImg: { ...MAPS, shape: [...SHAPE, -3] } }),
    /^TypeError: mapsImg: shape must be 3 to 7 positive integers/,
  );
});

Deno.test("a per-call nJobs is checked as at creation (0, 1.5, 'two' rejected)", async () => {
  const f = await fitted();
  const imgs = [run(4), run(4, 1)];
  for (const [nJobs, type] of [[0, RangeError], [1.5, TypeError], ["two", TypeError]] as const) {
    assert.throws(() => multiMapsMasker({ mapsImg: MAPS, nJobs: nJobs as number }), type);
    const check = (e: Error) => e instanceof type && /^nJobs: expected/.test(e.message);
    await assert.rejects(f.transformImgs(imgs, { nJobs: nJobs as number }), check);
    await assert.rejects(f.transformImgsSettled(imgs, { nJobs: nJobs as number }), check);
  }
  // A valid per-call value still works.
  assert.equal((await f.transformImgs(imgs, { nJobs: 1 })).length, 2);
});

Deno.test("labels with fewer or more names than maps fail at fit", async () => {
  for (const labels of [["a", "b"], ["a", "b", "c", "d"]]) {
    await assert.rejects(
      multiMapsMasker({ mapsImg: MAPS, labels, output: "table" }).fit(),
      (e: Error) =>
        e instanceof RangeError &&
        e.message ===
          `labels: expected one name per map (3 maps in mapsImg), found ${labels.length} names`,
    );
  }
  const ok = await multiMapsMasker({ mapsImg: MAPS, labels: ["a", "b", "c"], output: "table" })
    .fit();
  const table = await ok.transform(run(2)) as unknown as { columns: string[] };
  assert.deepEqual(table.columns, ["a", "b", "c"]);
});

Deno.test("transformSingleImgs of a list of 4D images is a DimensionError; transform of it is not", async () => {
  const f = await fitted();
  const runs = [run(4), run(3, 100)];
  await assert.rejects(
    f.transformSingleImgs(runs),
    (e: Error) =>
      e instanceof TypeError &&
      /Input data has incompatible dimensionality: Expected dimension is 4D and you provided a list of 4D images \(5D\)/
        .test(e.message),
  );
  // transform (and transformImgs) of the same list: one matrix per run.
  const each = await f.transform(runs);
  assert.deepEqual(each.map((m) => m.shape), [[4, 3], [3, 3]]);
  assert.deepEqual(Array.from(each[1]!.data.subarray(0, 3)), [100, 110, 120]);
  // A list of 3D volumes is one run, as in nilearn; so is a list of one-volume 4D images.
  const vol = (t: number): Image => ({
    data: run(4).data.slice(t * NV, (t + 1) * NV),
    shape: [...SHAPE],
    affine: AFFINE,
  });
  const one = await f.transformSingleImgs([vol(0), vol(1), vol(2)]);
  assert.deepEqual(one.shape, [3, 3]);
  assert.deepEqual(Array.from(one.data), [0, 10, 20, 1, 11, 21, 2, 12, 22]);
  const oneVol4d = { ...vol(2), shape: [...SHAPE, 1] };
  assert.deepEqual((await f.transformSingleImgs([vol(0), oneVol4d])).shape, [2, 3]);
});
