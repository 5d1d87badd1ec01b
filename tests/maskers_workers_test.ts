import assert from "node:assert/strict";
import type { Image, Matrix } from "../types.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { FittedMultiMapsMasker } from "../maskers/types.ts";
import { blobFixture, rng } from "./maskers_worker_fixtures.ts";
import { NiftiParseError } from "../image/nifti_errors.ts";
import { imgToSignalsMaps, makeMapsProjector } from "../image/maps_projection.ts";
import { SIMD_MIN_WEIGHTS } from "../image/project_simd.ts";
import { loadImg } from "../image/load.ts";

const fixture = blobFixture([9, 8, 7], [[2, 2, 2], [6, 5, 3], [3, 6, 5], [6, 2, 5]], 37);
const { maps, subject } = fixture;
const { affine } = maps();
const [nx, ny, nz] = [9, 8, 7];
const nV = nx * ny * nz;

function confounds(nt: number, seed: number): Matrix {
  const r = rng(seed);
  return { data: Float64Array.from({ length: nt * 3 }, () => r()), shape: [nt, 3] };
}

const files = (n: number) => fixture.files(n, 50);

/** The signals of `paths` with `nJobs: 1`, asserted identical to those with `nJobs: 2`. */
async function signalsWithOneAndTwoJobs(
  fitted: FittedMultiMapsMasker,
  paths: string[],
): Promise<Matrix[]> {
  const one = await fitted.transformImgs(paths, { nJobs: 1 });
  const two = await fitted.transformImgs(paths, { nJobs: 2 });
  assert.equal(two.length, one.length);
  for (let s = 0; s < one.length; s++) {
    assert.deepEqual(Array.from(two[s]!.data), Array.from(one[s]!.data), `subject ${s}`);
  }
  return one;
}

const config = {
  mapsImg: maps(),
  detrend: true,
  standardize: "zscore_sample" as const,
  highPass: 0.01,
  lowPass: 0.1,
  tR: 2,
};

Deno.test("workers: nJobs 1 and 2 give identical signals, in input order", async () => {
  const { dir, paths } = await files(4);
  try {
    const fitted = await multiMapsMasker(config).fit();
    const conf = paths.map((_, s) => confounds(50 + s, 99 + s));
    const one = await fitted.transformImgs(paths, { confounds: conf, nJobs: 1 });
    const two = await fitted.transformImgs(paths, { confounds: conf, nJobs: 2 });
    assert.equal(two.length, 4);
    for (let s = 0; s < 4; s++) {
      assert.deepEqual(two[s]!.shape, [50 + s, 4]); // order: subject s has 50 + s volumes
      assert.deepEqual(Array.from(two[s]!.data), Array.from(one[s]!.data));
      const single = await fitted.transform(paths[s]!, { confounds: conf[s]! });
      assert.deepEqual(Array.from(single.data), Array.from(one[s]!.data));
    }
    // -1: all cores; in-memory images too.
    const imgs = [subject(45, 1), subject(46, 2), subject(47, 3)];
    const a = await fitted.transformImgs(imgs, { nJobs: 1 });
    const b = await fitted.transformImgs(imgs, { nJobs: -1 });
    for (let s = 0; s < 3; s++) assert.deepEqual(Array.from(b[s]!.data), Array.from(a[s]!.data));
    // The caller's images are not detached by the transfer.
    assert.equal(imgs[0]!.data.length, nV * 45);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("workers: maps big enough for the SIMD kernel give plain projection numbers, any nJobs", async () => {
  const r = rng(5);
  const centres = Array.from(
    { length: 48 },
    () => [Math.floor(r() * 22), Math.floor(r() * 20), Math.floor(r() * 18)] as const,
  );
  const big = blobFixture([22, 20, 18], centres, 23);
  const bigMaps = big.maps();
  // The masker makes such projectors resident in WebAssembly memory (main thread and workers).
  assert.ok(makeMapsProjector(bigMaps, null).values.length >= SIMD_MIN_WEIGHTS);
  const { dir, paths } = await big.files(3, 20);
  try {
    const fitted = await multiMapsMasker({ mapsImg: bigMaps }).fit();
    const one = await signalsWithOneAndTwoJobs(fitted, paths);
    for (let s = 0; s < 3; s++) {
      // Volume by volume in plain JavaScript (no cleaning configured: the raw projection).
      const expected = imgToSignalsMaps(await loadImg(paths[s]!), bigMaps, null);
      assert.deepEqual(one[s]!.shape, [20 + s, 48]);
      assert.deepEqual(Array.from(one[s]!.data), Array.from(expected.data), `subject ${s}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("workers: high-variance confounds and smoothing give the same numbers with 2 jobs", async () => {
  const { dir, paths } = await files(3);
  try {
    const fitted = await multiMapsMasker({
      ...config,
      highVarianceConfounds: true,
      smoothingFwhm: 5,
    })
      .fit();
    await signalsWithOneAndTwoJobs(fitted, paths);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("workers: a failing subject is isolated by transformImgsSettled and rejects transformImgs", async () => {
  const { dir, paths } = await files(3);
  try {
    const corrupt = `${dir}/corrupt.nii.gz`;
    const bytes = await Deno.readFile(paths[0]!);
    await Deno.writeFile(corrupt, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const list = [paths[0]!, corrupt, paths[1]!, `${dir}/missing.nii.gz`, paths[2]!];
    const fitted = await multiMapsMasker(config).fit();
    const expected = await fitted.transformImgs(paths, { nJobs: 1 });
    for (const nJobs of [1, 2]) {
      const out = await fitted.transformImgsSettled(list, { nJobs });
      assert.deepEqual(out.map((o) => o.ok), [true, false, true, false, true], `nJobs ${nJobs}`);
      const bad = out[1]!;
      assert.ok(!bad.ok && bad.error instanceof NiftiParseError, `nJobs ${nJobs}: ${bad}`);
      assert.match(bad.error.message, /corrupt\.nii\.gz/);
      const missing = out[3]!;
      assert.ok(!missing.ok && missing.error instanceof NiftiParseError);
      assert.equal((missing.error as NiftiParseError).code, "not_found");
      const good = [out[0]!, out[2]!, out[4]!];
      for (let s = 0; s < 3; s++) {
        const o = good[s]!;
        assert.ok(o.ok);
        assert.deepEqual(Array.from(o.value.data), Array.from(expected[s]!.data));
      }
      await assert.rejects(
        () => fitted.transformImgs(list, { nJobs }),
        (e: unknown) => e instanceof NiftiParseError && /corrupt\.nii\.gz/.test(e.message),
      );
    }
    // The pool still works afterwards (no hung workers, no leaked state).
    const again = await fitted.transformImgs(paths, { nJobs: 2 });
    assert.deepEqual(Array.from(again[2]!.data), Array.from(expected[2]!.data));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("workers: a subject with the wrong number of confound rows fails alone with a RangeError", async () => {
  const { dir, paths } = await files(2);
  try {
    const fitted = await multiMapsMasker(config).fit();
    const out = await fitted.transformImgsSettled(paths, {
      nJobs: 2,
      confounds: [confounds(50, 1), confounds(5, 2)],
    });
    assert.ok(out[0]!.ok);
    assert.ok(!out[1]!.ok && out[1]!.error instanceof RangeError);
    assert.match((out[1] as { error: Error }).error.message, /confounds/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("workers: nearly collinear maps (refined projection) give identical numbers with 2 jobs", async () => {
  const { makeMapsProjector } = await import("../image/maps_projection.ts");
  const base = maps();
  const k = 5;
  const data = new Float32Array(nV * k);
  data.set(base.data);
  const r = rng(3);
  for (let v = 0; v < nV; v++) {
    const w = base.data[v]!; // map 4 ≈ map 0
    data[4 * nV + v] = w === 0 ? 0 : w + 1e-4 * (r() - 0.5);
  }
  const collinear: Image = { data, shape: [nx, ny, nz, k], affine };
  assert.equal(makeMapsProjector(collinear, null).refine, true);
  const { dir, paths } = await files(3);
  try {
    const fitted = await multiMapsMasker({ mapsImg: collinear }).fit();
    await signalsWithOneAndTwoJobs(fitted, paths);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
