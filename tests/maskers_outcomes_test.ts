import assert from "node:assert/strict";
import type { SubjectOutcome } from "../maskers/types.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import { blobFixture } from "./maskers_worker_fixtures.ts";
import { NiftiParseError } from "../image/nifti_errors.ts";

// transformImgsSettled / transformImgs with `onOutcome` (completion-order callbacks) and
// `signal` (abort), in this thread (nJobs 1) and in web workers (nJobs 2).

const fixture = blobFixture([8, 7, 6], [[2, 2, 2], [5, 4, 3], [3, 5, 4]], 29);
const { maps, subject } = fixture;

/** `n` subject files (subject s has 30 + s volumes) and a corrupt one at index 2. */
async function files(n: number): Promise<{ dir: string; paths: string[] }> {
  const { dir, paths } = await fixture.files(n, 30);
  const bytes = await Deno.readFile(paths[0]!);
  await Deno.writeFile(`${dir}/corrupt.nii.gz`, bytes.subarray(0, bytes.length >> 1));
  paths.splice(2, 0, `${dir}/corrupt.nii.gz`);
  return { dir, paths };
}

const config = { mapsImg: maps(), detrend: true, standardize: "zscore_sample" as const, tR: 2 };

const values = (o: SubjectOutcome) => (o.ok ? Array.from(o.value.data) : o.error.message);

Deno.test("outcomes: onOutcome reports each subject once, awaited; results stay in input order, same with 1 and 2 jobs", async () => {
  const { dir, paths } = await files(5);
  try {
    const fitted = await multiMapsMasker(config).fit();
    const results: SubjectOutcome[][] = [];
    for (const nJobs of [1, 2]) {
      const seen: number[] = [];
      const reported = new Map<number, SubjectOutcome>();
      let callbacksDone = 0;
      const out = await fitted.transformImgsSettled(paths, {
        nJobs,
        onOutcome: async (i, o) => {
          seen.push(i);
          reported.set(i, o);
          await new Promise((r) => setTimeout(r, 5)); // an async write: awaited by the call
          callbacksDone++;
        },
      });
      assert.equal(callbacksDone, paths.length, `nJobs ${nJobs}: every callback settled`);
      assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5], `nJobs ${nJobs}: once each`);
      assert.equal(out.length, paths.length);
      for (let i = 0; i < out.length; i++) {
        assert.equal(reported.get(i), out[i], `nJobs ${nJobs}: subject ${i} reported as returned`);
      }
      assert.deepEqual(out.map((o) => o.ok), [true, true, false, true, true, true]);
      const bad = out[2]!;
      assert.ok(!bad.ok && bad.error instanceof NiftiParseError);
      // Input order: subject s (skipping the corrupt one) has 30 + s volumes.
      const shapes = out.filter((o) => o.ok).map((o) => (o.ok ? o.value.shape[0] : -1));
      assert.deepEqual(shapes, [30, 31, 32, 33, 34]);
      results.push(out);
    }
    assert.deepEqual(results[1]!.map(values), results[0]!.map(values));
    // transformImgs reports too (the failure rejects the call; later subjects are not reported).
    const good = paths.filter((p) => !p.includes("corrupt"));
    const seen: number[] = [];
    const list = await fitted.transformImgs(good, {
      nJobs: 2,
      onOutcome: (i) => void seen.push(i),
    });
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(list.map((m) => m.shape[0]), [30, 31, 32, 33, 34]);
    // keepValues: false — the callback gets the signals, the returned array holds none.
    const kept: number[] = [];
    const light = await fitted.transformImgsSettled(paths, {
      nJobs: 2,
      keepValues: false,
      onOutcome: (i, o) => void (o.ok && kept.push(i, o.value.shape[0])),
    });
    assert.deepEqual(light.map((o) => o.ok), [true, true, false, true, true, true]);
    assert.ok(light.every((o) => !o.ok || (o.value.shape[0] === 0 && o.value.data.length === 0)));
    assert.equal(kept.length, 10);
    assert.ok(!light[2]!.ok && light[2]!.error instanceof NiftiParseError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("outcomes: abort stops scheduling; finished subjects keep their outcomes, the rest are AbortErrors", async () => {
  const { dir, paths } = await files(5);
  try {
    const fitted = await multiMapsMasker(config).fit();
    const expected = await fitted.transformImgsSettled(paths, { nJobs: 1 });
    for (const nJobs of [1, 2]) {
      const controller = new AbortController();
      const seen: number[] = [];
      const out = await fitted.transformImgsSettled(paths, {
        nJobs,
        signal: controller.signal,
        onOutcome: (i) => {
          seen.push(i);
          controller.abort("stop please");
        },
      });
      assert.equal(out.length, paths.length);
      // The first finished subject aborts: with 2 lanes, at most the other one in flight may
      // have finished first; nothing else starts.
      assert.ok(seen.length >= 1 && seen.length <= nJobs, `nJobs ${nJobs}: reported ${seen}`);
      const abortedIdx = out.flatMap((o, i) => (!o.ok && o.error.name === "AbortError" ? [i] : []));
      assert.ok(abortedIdx.length >= paths.length - nJobs, `nJobs ${nJobs}: ${abortedIdx}`);
      for (let i = 0; i < out.length; i++) {
        const o = out[i]!;
        if (seen.includes(i)) {
          assert.deepEqual(values(o), values(expected[i]!), `nJobs ${nJobs}: subject ${i}`);
        } else {
          assert.ok(!o.ok && o.error.name === "AbortError", `nJobs ${nJobs}: subject ${i}`);
          assert.equal(o.error.cause, "stop please");
          assert.match(o.error.message, /aborted/);
        }
      }
    }
    // Already aborted: nothing runs; transformImgs and transform reject with an AbortError.
    const signal = AbortSignal.abort();
    let called = 0;
    const none = await fitted.transformImgsSettled(paths, {
      signal,
      onOutcome: () => void called++,
    });
    assert.equal(called, 0);
    assert.ok(none.every((o) => !o.ok && o.error.name === "AbortError"));
    const good = paths.filter((p) => !p.includes("corrupt"));
    await assert.rejects(
      () => fitted.transformImgs(good, { signal, nJobs: 2 }),
      (e: unknown) => e instanceof Error && e.name === "AbortError",
    );
    await assert.rejects(
      () => fitted.transform(good[0]!, { signal }),
      (e: unknown) => e instanceof Error && e.name === "AbortError",
    );
    // An abort while a subject is extracted in this thread: the call resolves at once and the
    // extraction stops at its next volume (it never completes: the report's signals stay unset).
    const fresh = await multiMapsMasker(config).fit();
    const controller = new AbortController();
    const big = subject(400, 5);
    const stopped = fresh.transformImgsSettled([big, big], {
      nJobs: 1,
      signal: controller.signal,
    });
    queueMicrotask(() => controller.abort());
    const r = await stopped;
    assert.ok(r.every((o) => !o.ok && o.error.name === "AbortError"));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fresh.reportInput()!.signals, null);
    await fresh.transformImgsSettled([big], { nJobs: 1 }); // (the check above can fail)
    assert.notEqual(fresh.reportInput()!.signals, null);
    // The masker still works afterwards, with workers.
    const again = await fitted.transformImgsSettled(good, { nJobs: 2 });
    assert.ok(again.every((o) => o.ok));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("outcomes: a throwing onOutcome stops scheduling and rejects the call with its error", async () => {
  const { dir, paths } = await files(4);
  try {
    const fitted = await multiMapsMasker(config).fit();
    for (const nJobs of [1, 2]) {
      let calls = 0;
      await assert.rejects(
        () =>
          fitted.transformImgsSettled(paths, {
            nJobs,
            onOutcome: () => {
              calls++;
              throw new Error("disk full");
            },
          }),
        /disk full/,
      );
      assert.ok(calls >= 1 && calls <= nJobs, `nJobs ${nJobs}: ${calls} callbacks`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
