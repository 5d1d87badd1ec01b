import assert from "node:assert/strict";
import { multiMapsMasker } from "../maskers/mod.ts";
import type { SignalsTable } from "../maskers/mod.ts";
import type { Image } from "../types.ts";
import { lcg as rng } from "./lcg.ts";

const AFFINE = Float64Array.from([3, 0, 0, -9, 0, 3, 0, -6, 0, 0, 3, -6, 0, 0, 0, 1]);
const SHAPE = [7, 5, 5] as const;
const NV = SHAPE[0] * SHAPE[1] * SHAPE[2];

/** Three overlapping positive blobs. */
function maps(k = 3): Image {
  const data = new Float64Array(NV * k);
  for (let m = 0; m < k; m++) {
    const cx = 1 + 2 * m, cy = 2, cz = 2;
    for (let z = 0; z < SHAPE[2]; z++) {
      for (let y = 0; y < SHAPE[1]; y++) {
        for (let x = 0; x < SHAPE[0]; x++) {
          const d2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
          const w = Math.exp(-d2 / 3);
          data[m * NV + x + SHAPE[0] * (y + SHAPE[1] * z)] = w < 1e-3 ? 0 : w;
        }
      }
    }
  }
  return { data, shape: [...SHAPE, k], affine: AFFINE };
}

function subject(m: Image, nT: number, seed: number): { img: Image; truth: Float64Array } {
  const k = m.shape[3]!;
  const r = rng(seed);
  const truth = Float64Array.from({ length: nT * k }, () => 100 + r() * 10);
  const data = new Float64Array(NV * nT);
  for (let t = 0; t < nT; t++) {
    for (let j = 0; j < k; j++) {
      for (let v = 0; v < NV; v++) data[t * NV + v]! += truth[t * k + j]! * m.data[j * NV + v]!;
    }
  }
  return { img: { data, shape: [...SHAPE, nT], affine: AFFINE }, truth };
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)),
      `entry ${i}: ${a[i]} vs ${b[i]}`,
    );
  }
}

Deno.test("params() fills nilearn's defaults; with() returns a new masker", () => {
  const m = multiMapsMasker({ mapsImg: maps() });
  const p = m.params();
  assert.equal(p.allowOverlap, true);
  assert.equal(p.standardize, false);
  assert.equal(p.standardizeConfounds, true);
  assert.equal(p.resamplingTarget, "data");
  assert.equal(p.keepMaskedMaps, true);
  assert.equal(p.maskImg, null);
  assert.equal(p.nJobs, 1);
  assert.equal(p.memoryLevel, 0);
  assert.equal(p.reports, true);
  const m2 = m.with({ detrend: true, tR: 2 });
  assert.notEqual(m2, m);
  assert.equal(m2.params().detrend, true);
  assert.equal(m2.params().tR, 2);
  assert.equal(m.params().detrend, false, "original unchanged");
  assert.ok(Object.isFrozen(m) && Object.isFrozen(p));
});

// Values nilearn rejects only when transform uses them ("zscores", tR -2, butterworthOrder 0,
// a 2-item smoothingFwhm) are checked at transform: see tests/maskers_config_test.ts.
Deno.test("validation errors name the parameter", () => {
  const mapsImg = maps();
  const cases: [Record<string, unknown>, RegExp, ErrorConstructor][] = [
    [{}, /mapsImg/, TypeError],
    [{ mapsImg, standardize: 1 }, /standardize/, TypeError],
    [{ mapsImg, tR: "2" }, /tR/, TypeError],
    [{ mapsImg, lowPass: "0.1" }, /lowPass/, TypeError],
    [{ mapsImg, smoothingFwhm: "6" }, /smoothingFwhm/, TypeError],
    [{ mapsImg, resamplingTarget: "mask" }, /no mask/, RangeError],
    [{ mapsImg, resamplingTarget: "brain" }, /resamplingTarget/, RangeError],
    [{ mapsImg, dtype: 8 }, /dtype/, TypeError], // values ("int8", "float16") fail at fit
    [{ mapsImg, nJobs: 0 }, /nJobs/, RangeError],
    [{ mapsImg, nJobs: 1.5 }, /nJobs/, TypeError],
    [{ mapsImg, clean: { butterworthOrder: 1.5 } }, /clean\.butterworthOrder/, TypeError],
    [{ mapsImg, clean: { padding: 1 } }, /clean\.padding/, TypeError],
    [{ mapsImg, detrendd: true }, /detrendd/, TypeError],
    [{ mapsImg, allowOverlap: "no" }, /allowOverlap/, TypeError],
  ];
  for (const [config, re, cls] of cases) {
    assert.throws(
      () => multiMapsMasker(config as never),
      (err: unknown) => err instanceof cls && re.test((err as Error).message),
      `config ${JSON.stringify(Object.keys(config))}`,
    );
  }
});

Deno.test("fit resolves to a new fitted value; the unfitted masker stays unfitted", async () => {
  const m = multiMapsMasker({ mapsImg: maps() });
  const f = await m.fit();
  assert.notEqual(f, m);
  assert.equal(f.nElements_, 3);
  assert.deepEqual([...f.mapsImg_.shape], [...SHAPE, 3]);
  assert.equal(f.maskImg_, null);
  assert.equal("mapsImg_" in m, false);
  assert.equal("transform" in m, false);
  assert.ok(Object.isFrozen(f));
  const f2 = await m.fit();
  assert.notEqual(f2, f);
});

Deno.test("transform recovers the signals; 3D input gives one row; lists keep order", async () => {
  const mp = maps();
  const a = subject(mp, 6, 1), b = subject(mp, 4, 2);
  const f = await multiMapsMasker({ mapsImg: mp }).fit();
  const sa = await f.transform(a.img);
  assert.deepEqual(sa.shape, [6, 3]);
  close(sa.data, a.truth);
  const [la, lb] = await f.transformImgs([a.img, b.img], { nJobs: 2 });
  close(la!.data, a.truth);
  close(lb!.data, b.truth);
  const vol: Image = { data: a.img.data.subarray(0, NV), shape: [...SHAPE], affine: AFFINE };
  const one = await f.transformSingleImgs(vol);
  assert.deepEqual(one.shape, [1, 3]);
  close(one.data, a.truth.subarray(0, 3));
});

Deno.test("confounds and sample mask apply on a single image", async () => {
  const mp = maps();
  const a = subject(mp, 8, 3);
  const f = await multiMapsMasker({ mapsImg: mp }).fit();
  const confound = { data: Float64Array.from({ length: 8 }, (_, t) => t), shape: [8, 1] as const };
  const cleaned = await f.transform(a.img, { confounds: confound, sampleMask: [0, 2, 3, 5] });
  assert.deepEqual(cleaned.shape, [4, 3]);
  const raw = await f.transform(a.img, { sampleMask: [0, 2, 3, 5] });
  assert.notDeepEqual(Array.from(cleaned.data), Array.from(raw.data));
  await assert.rejects(
    () => f.transform(a.img, { confounds: { data: new Float64Array(3), shape: [3, 1] } }),
    /incorrect length/,
  );
  await assert.rejects(() => f.transform(a.img, { sampleMask: [0, 8] }), /invalid index/);
});

Deno.test("a map outside the mask gives a zero column (kept) or is dropped", async () => {
  const mp = maps();
  const mask: Image = {
    data: Float64Array.from({ length: NV }, (_, v) => (v % SHAPE[0] < 4 ? 1 : 0)),
    shape: [...SHAPE],
    affine: AFFINE,
  };
  // Map 2 lives at x >= 4 only.
  const data = Float64Array.from(mp.data);
  for (let v = 0; v < NV; v++) data[2 * NV + v] = v % SHAPE[0] >= 4 ? 1 : 0;
  const m3: Image = { ...mp, data };
  const a = subject(m3, 5, 4);
  const kept = await (await multiMapsMasker({ mapsImg: m3, maskImg: mask }).fit()).transform(a.img);
  assert.deepEqual(kept.shape, [5, 3]);
  for (let t = 0; t < 5; t++) assert.equal(kept.data[t * 3 + 2], 0);
  const fd = await multiMapsMasker({
    mapsImg: m3,
    maskImg: mask,
    keepMaskedMaps: false,
    output: "table",
  })
    .fit();
  const dropped = await fd.transform(a.img) as SignalsTable;
  assert.deepEqual(dropped.shape, [5, 2]);
  assert.deepEqual(dropped.columns, ["map_0", "map_1"]);
  assert.equal(fd.nElements_, 3);
});

Deno.test("output table names columns from labels", async () => {
  const mp = maps();
  const f = await multiMapsMasker({ mapsImg: mp, output: "table", labels: ["a", "b", "c"] }).fit();
  const t = await f.transform(subject(mp, 3, 5).img) as SignalsTable;
  assert.deepEqual(t.columns, ["a", "b", "c"]);
});

Deno.test("inverseTransform: 1D gives 3D, 2D gives 4D, wrong width throws", async () => {
  const mp = maps();
  const f = await multiMapsMasker({ mapsImg: mp }).fit();
  const img3 = f.inverseTransform(Float64Array.from([1, 0, 0]));
  assert.deepEqual([...img3.shape], [...SHAPE]);
  close(img3.data, mp.data.subarray(0, NV), 1e-12);
  const img4 = f.inverseTransform({ data: new Float64Array(6), shape: [2, 3] });
  assert.deepEqual([...img4.shape], [...SHAPE, 2]);
  assert.throws(() => f.inverseTransform(Float64Array.from([1, 2])), /not aligned/);
  // Round trip: transform of the inverse gives the signals back.
  const signals = { data: Float64Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] as const };
  close((await f.transform(f.inverseTransform(signals))).data, signals.data);
});

Deno.test("transformImgsSettled isolates a failing subject", async () => {
  const mp = maps();
  const f = await multiMapsMasker({ mapsImg: mp }).fit();
  const a = subject(mp, 4, 6), c = subject(mp, 5, 7);
  const out = await f.transformImgsSettled([a.img, "/nonexistent/sub-02_bold.nii.gz", c.img], {
    nJobs: 2,
  });
  assert.equal(out.length, 3);
  assert.ok(out[0]!.ok && out[2]!.ok);
  assert.equal(out[1]!.ok, false);
  if (out[2]!.ok) close(out[2]!.value.data, c.truth);
  await assert.rejects(() => f.transformImgs([a.img, "/nonexistent/sub-02_bold.nii.gz"]));
});

Deno.test("subjects of one list must share the first image's field of view", async () => {
  const mp = maps();
  const f = await multiMapsMasker({ mapsImg: mp }).fit();
  const a = subject(mp, 3, 8);
  const moved: Image = { ...a.img, affine: Float64Array.from(AFFINE).fill(0, 3, 4) };
  await assert.rejects(() => f.transform([a.img, moved]), /[Ff]ield of view/);
});

Deno.test("allowOverlap false: overlapping maps fail at transform, not at fit", async () => {
  const mp = maps();
  const f = await multiMapsMasker({ mapsImg: mp, allowOverlap: false }).fit();
  await assert.rejects(() => f.transform(subject(mp, 2, 9).img), /overlap/);
});

Deno.test("memory caches resampled maps on disk and reuses them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const mp = maps();
    const maskAffine = Float64Array.from([2, 0, 0, -9, 0, 2, 0, -6, 0, 0, 2, -6, 0, 0, 0, 1]);
    const mask: Image = {
      data: new Float64Array(10 * 7 * 7).fill(1),
      shape: [10, 7, 7],
      affine: maskAffine,
    };
    const config = {
      mapsImg: mp,
      maskImg: mask,
      resamplingTarget: "mask" as const,
      memory: dir,
      memoryLevel: 1,
    };
    const f1 = await multiMapsMasker(config).fit();
    const files: string[] = [];
    for await (const e of Deno.readDir(`${dir}/niimask-v1`)) files.push(e.name);
    assert.equal(files.length, 1);
    assert.ok(files[0]!.endsWith(".img"));
    const f2 = await multiMapsMasker(config).fit();
    assert.deepEqual(Array.from(f2.mapsImg_.data), Array.from(f1.mapsImg_.data));
    assert.deepEqual([...f2.mapsImg_.shape], [10, 7, 7, 3]);
    const after: string[] = [];
    for await (const e of Deno.readDir(`${dir}/niimask-v1`)) after.push(e.name);
    assert.deepEqual(after, files, "no new entry, no temp files left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("memory with memoryLevel 0 caches as level 1 and warns, as nilearn", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const maskAffine = Float64Array.from([2, 0, 0, -9, 0, 2, 0, -6, 0, 0, 2, -6, 0, 0, 0, 1]);
    const mask: Image = {
      data: new Float64Array(10 * 7 * 7).fill(1),
      shape: [10, 7, 7],
      affine: maskAffine,
    };
    const f = await multiMapsMasker({
      mapsImg: maps(),
      maskImg: mask,
      resamplingTarget: "mask",
      memory: dir,
    }).fit();
    const files: string[] = [];
    for await (const e of Deno.readDir(`${dir}/niimask-v1`)) files.push(e.name);
    assert.equal(files.length, 1);
    assert.ok(f.reportInput()!.warnings.some((w) => /memoryLevel 1/.test(w)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateReport throws clearly when reports is false", async () => {
  const f = await multiMapsMasker({ mapsImg: maps(), reports: false }).fit();
  assert.equal(f.reportInput(), null);
  await assert.rejects(() => f.generateReport(), /reports: false/);
  const g = await multiMapsMasker({ mapsImg: maps() }).fit();
  const input = g.reportInput();
  assert.ok(input !== null);
  assert.equal(input.signals, null);
  await g.transform(subject(maps(), 3, 1).img);
  assert.deepEqual(g.reportInput()!.signals!.shape, [3, 3]);
});

Deno.test("allowOverlap false: weights below eps are clipped in the maps used (nilearn)", async () => {
  const mp = maps(2);
  // Separate the two blobs, then give map 1 a negative lobe where map 0 is positive.
  const data = new Float64Array(NV * 2);
  for (let v = 0; v < NV; v++) {
    const x = v % SHAPE[0];
    data[v] = x < 3 ? 1 : 0;
    data[NV + v] = x >= 4 ? 1 : x < 3 ? -0.5 : 0;
  }
  const m2: Image = { ...mp, data };
  const f = await multiMapsMasker({ mapsImg: m2, allowOverlap: false }).fit();
  // As nilearn: a bare fit keeps the maps as given; the first transform clips them.
  assert.equal(Math.min(...f.mapsImg_.data), -0.5);
  const a = subject(m2, 3, 12);
  await f.transform(a.img);
  assert.equal(Math.min(...f.mapsImg_.data), 0);
  // Extraction used the clipped maps: projecting the clipped maps' own mixture recovers it.
  const clipped = subject(f.mapsImg_, 3, 13);
  close((await f.transform(clipped.img)).data, clipped.truth);
});

Deno.test("cleaning warnings reach the report once, in-process and from workers", async () => {
  const mp = maps();
  const a = subject(mp, 12, 21);
  const b = subject(mp, 12, 22);
  const fitted = await multiMapsMasker({ mapsImg: mp, standardize: "zscore" }).fit();
  await fitted.transform(a.img);
  await fitted.transform(b.img);
  const inProcess = fitted.reportInput()!.warnings.filter((w) => /zscore/.test(w));
  assert.equal(inProcess.length, 1, "the deprecation warning of standardize 'zscore', once");

  const { saveImg } = await import("../image/mod.ts");
  const dir = await Deno.makeTempDir();
  try {
    const paths = [`${dir}/a.nii`, `${dir}/b.nii`];
    await saveImg(a.img, paths[0]!);
    await saveImg(b.img, paths[1]!);
    const pooled = await multiMapsMasker({ mapsImg: mp, standardize: "zscore", nJobs: 2 }).fit();
    await pooled.transformImgs(paths);
    const fromWorkers = pooled.reportInput()!.warnings.filter((w) => /zscore/.test(w));
    assert.deepEqual(fromWorkers, inProcess);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
