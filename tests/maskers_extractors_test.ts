import assert from "node:assert/strict";
import { inThreadExtractor, workerExtractor } from "../maskers/extractors.ts";
import { type FittedState, makePlan } from "../maskers/fitted_state.ts";
import { gridOf } from "../maskers/grid_check.ts";
import { imgToSignalsMaps } from "../image/maps_projection.ts";
import { openNifti } from "../image/load.ts";
import { NiftiParseError } from "../image/nifti_errors.ts";
import { schedule, type Settled } from "../maskers/scheduler.ts";
import { blobFixture } from "./maskers_worker_fixtures.ts";
import { DEFAULT_EXTRACTION_PARAMS } from "./maskers_params_fixture.ts";

const fixture = blobFixture([7, 6, 5], [[2, 2, 2], [5, 3, 2], [3, 4, 3]], 23);
const maps = fixture.maps();

/**
 * A fitted state with the masker's default parameters: it only projects (no cleaning), so
 * signals are the least-squares fit.
 */
const state: FittedState = {
  params: DEFAULT_EXTRACTION_PARAMS,
  mapsGrid: gridOf(maps),
  maskImg: null,
  mapsFloat32: true,
  nElements: 3,
};

Deno.test("extractors: a worker opens a file once, gives its header grid, then its signals", async () => {
  const { dir, paths } = await fixture.files(2, 12);
  const pool = workerExtractor(state, 1);
  try {
    const header = await openNifti(paths[1]!);
    await header.close();
    const subject = await pool.open(paths[1]!, 1, undefined);
    assert.deepEqual([...subject.shape], [...header.shape]);
    assert.deepEqual(Array.from(subject.affine), Array.from(header.affine));
    assert.equal(subject.name, paths[1]);
    const plan = await makePlan(state, maps, gridOf(subject));
    const remote = await subject.extract(plan, { confounds: [], sampleMask: null });
    await subject.close();
    const expected = imgToSignalsMaps(fixture.subject(13, 11), maps);
    assert.deepEqual(remote.signals.shape, [13, 3]);
    for (let i = 0; i < expected.data.length; i++) {
      assert.ok(Math.abs(remote.signals.data[i]! - expected.data[i]!) < 1e-9, `value ${i}`);
    }
    // The same numbers as in this thread.
    const here = await inThreadExtractor(state).open(paths[1]!, 1, undefined);
    const local = await here.extract(plan, { confounds: [], sampleMask: null });
    await here.close();
    assert.deepEqual(Array.from(remote.signals.data), Array.from(local.signals.data));
    // A subject closed without extraction gives its (only) worker back.
    const first = await pool.open(paths[0]!, 0, undefined);
    await first.close();
    const second = await pool.open(paths[0]!, 0, undefined);
    assert.deepEqual([...second.shape], [7, 6, 5, 12]);
    await second.close();
  } finally {
    pool.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("extractors: a worker's open failure rejects at open, with the error's class", async () => {
  const pool = workerExtractor(state, 1);
  try {
    await assert.rejects(
      () => pool.open("/nonexistent/sub-x.nii.gz", 0, undefined),
      (e: unknown) =>
        e instanceof NiftiParseError && e.code === "not_found" && /sub-x/.test(e.message),
    );
    // The worker is free again.
    const img = fixture.subject(4, 1);
    const s = await pool.open(img, 0, undefined);
    assert.deepEqual([...s.shape], [7, 6, 5, 4]);
    await s.close();
  } finally {
    pool.close();
  }
});

const base = {
  stopOnFailure: false,
  keepValues: true,
  emptyValue: () => -1,
  describe: (i: number) => `item ${i}`,
};
const runner = (run: (i: number) => Promise<number>) => () => ({
  run,
  stop: () => {},
  close: () => {},
});
const values = (out: Settled<number>[]) =>
  out.map((o) => (o.status === "fulfilled" ? o.value : o.skipped ? "skipped" : "failed"));

Deno.test("scheduler: input order whatever the completion order; lanes bound concurrency", async () => {
  let running = 0, most = 0;
  const order: number[] = [];
  const out = await schedule(
    { ...base, count: 5, lanes: 2, onSettled: (i) => void order.push(i) },
    runner(async (i) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, (5 - i) * 3));
      running--;
      return i * 10;
    }),
  );
  assert.deepEqual(values(out), [0, 10, 20, 30, 40]);
  assert.equal(most, 2);
  assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4]);
});

Deno.test("scheduler: stopOnFailure skips the rest; keepValues false releases reported values", async () => {
  const out = await schedule(
    { ...base, count: 4, lanes: 1, stopOnFailure: true },
    runner((i) => i === 1 ? Promise.reject(new RangeError("bad")) : Promise.resolve(i)),
  );
  assert.deepEqual(values(out), [0, "failed", "skipped", "skipped"]);
  const released = await schedule(
    { ...base, count: 3, lanes: 2, keepValues: false, onSettled: () => {} },
    runner((i) => Promise.resolve(i + 1)),
  );
  assert.deepEqual(values(released), [-1, -1, -1]);
});

Deno.test("scheduler: abort stops new items and stops the runner; the rest are AbortErrors", async () => {
  const ac = new AbortController();
  let stopped = 0, closed = 0;
  const out = await schedule({ ...base, count: 4, lanes: 1, signal: ac.signal }, () => ({
    run: (i) => {
      if (i === 1) ac.abort(new Error("enough"));
      return new Promise<number>((r) => setTimeout(() => r(i), 5));
    },
    stop: () => void stopped++,
    close: () => void closed++,
  }));
  assert.equal(stopped, 1);
  assert.equal(closed, 1);
  assert.equal(values(out)[0], 0);
  for (const o of out.slice(1)) {
    assert.ok(o.status === "rejected" && o.skipped === true);
    assert.equal((o.reason as Error).name, "AbortError");
  }
  // Already aborted: the runner is not even set up.
  let setUp = false;
  const none = await schedule({ ...base, count: 2, lanes: 1, signal: ac.signal }, () => {
    setUp = true;
    return runner((i) => Promise.resolve(i))();
  });
  assert.equal(setUp, false);
  assert.deepEqual(values(none), ["skipped", "skipped"]);
});

Deno.test("sample masks: one check for the masker and clean; a wrong-length boolean mask is a RangeError", async () => {
  const { multiMapsMasker } = await import("../maskers/multi_maps_masker.ts");
  const { clean } = await import("../signal/clean.ts");
  const fitted = await multiMapsMasker({ mapsImg: maps }).fit();
  const img = fixture.subject(5, 3);
  await assert.rejects(
    () => fitted.transform(img, { sampleMask: [true, false, true] }),
    (e: unknown) =>
      e instanceof RangeError &&
      /sampleMask for image #0: a boolean mask.*\(5\), found 3/.test(e.message),
  );
  const signals = { data: Float64Array.from({ length: 5 }, (_, i) => i), shape: [5, 1] as [5, 1] };
  assert.throws(
    () => clean(signals, { sampleMask: [true, false], detrend: false, standardize: false }),
    (e: unknown) => e instanceof RangeError && /boolean mask.*\(5\), found 2/.test(e.message),
  );
  // Negative indices count from the end in the masker: [0, -1] keeps the first and last volumes.
  const all = await fitted.transform(img);
  const ends = await fitted.transform(img, { sampleMask: [0, -1] });
  assert.deepEqual(ends.shape, [2, 3]);
  assert.deepEqual(Array.from(ends.data), [...all.data.slice(0, 3), ...all.data.slice(12, 15)]);
});

Deno.test("workers: a subject refused after its worker opened it (other field of view) gives the worker back", async () => {
  const { multiMapsMasker } = await import("../maskers/multi_maps_masker.ts");
  const fitted = await multiMapsMasker({ mapsImg: maps }).fit();
  const good = (seed: number) => fixture.subject(6, seed);
  const shifted = { ...good(9), affine: Float64Array.from(maps.affine).fill(-30, 3, 4) };
  const imgs = [good(1), shifted, good(2), good(3), good(4)];
  const expected = await fitted.transformImgs([good(1), good(2), good(3), good(4)], { nJobs: 1 });
  const out = await fitted.transformImgsSettled(imgs, { nJobs: 2 });
  assert.deepEqual(out.map((o) => o.ok), [true, false, true, true, true]);
  const bad = out[1]!;
  assert.ok(!bad.ok && bad.error instanceof RangeError);
  assert.match(bad.error.message, /Field of view of image #1/);
  const fine = [out[0]!, out[2]!, out[3]!, out[4]!];
  for (let s = 0; s < 4; s++) {
    const o = fine[s]!;
    assert.ok(o.ok);
    assert.deepEqual(Array.from(o.value.data), Array.from(expected[s]!.data), `subject ${s}`);
  }
});
