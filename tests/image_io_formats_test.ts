import assert from "node:assert/strict";
import { loadImg, openNifti, saveImg } from "../image/mod.ts";
import type { Image } from "../types.ts";
import { gzipBytes, ramp, synthNifti, tempDir } from "./image_io_fixtures.ts";

const SROW = [-2.5, 0, 0, 30, 0, 2.5, 0, -40, 0, 0, 3, -20];
const AFFINE = [...SROW, 0, 0, 0, 1];

function assertSameValues(a: ArrayLike<number>, b: ArrayLike<number>): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`value ${i}: ${a[i]} !== ${b[i]}`);
  }
}

Deno.test("big-endian and little-endian NIfTI-1 and NIfTI-2 read identically", async () => {
  const values = ramp(4 * 3 * 2 * 3).map(Math.fround);
  for (const version of [1, 2] as const) {
    for (const littleEndian of [true, false]) {
      for (const gz of [false, true]) {
        let bytes = synthNifti({ version, littleEndian, dims: [4, 3, 2, 3], values, srow: SROW });
        if (gz) bytes = await gzipBytes(bytes);
        const img = await loadImg(bytes);
        const label = `v${version} ${littleEndian ? "LE" : "BE"} ${gz ? "gz" : ""}`;
        assert.deepEqual(img.shape, [4, 3, 2, 3], label);
        assert.deepEqual(Array.from(img.affine), AFFINE, label);
        assert.equal(img.dtype, "float32");
        assertSameValues(img.data, values);
      }
    }
  }
});

Deno.test("integer datatypes: values, array types, int64 range check", async () => {
  const cases: [number, string, number[], "f32" | "f64"][] = [
    [2, "uint8", [0, 1, 255, 7], "f32"],
    [256, "int8", [-128, 127, 0, -1], "f32"],
    [4, "int16", [-32768, 32767, 5, -5], "f32"],
    [512, "uint16", [0, 65535, 9, 1], "f32"],
    [8, "int32", [-2147483648, 2147483647, 3, -3], "f64"],
    [768, "uint32", [0, 4294967295, 2, 8], "f64"],
    [1024, "int64", [-(2 ** 53), 2 ** 53 - 1, -7, 7], "f64"],
    [1280, "uint64", [0, 2 ** 53, 1, 2], "f64"],
  ];
  for (const [datatype, dtype, values, kind] of cases) {
    for (const littleEndian of [true, false]) {
      const img = await loadImg(
        synthNifti({ datatype, littleEndian, dims: [2, 2, 1], values, srow: SROW }),
      );
      assert.equal(img.dtype, dtype);
      assert.ok(
        kind === "f32" ? img.data instanceof Float32Array : img.data instanceof Float64Array,
        `${dtype} array type`,
      );
      assertSameValues(img.data, values);
    }
  }
  await assert.rejects(
    loadImg(
      synthNifti({ datatype: 1024, dims: [2, 1, 1], values: [1n, 2n ** 60n], srow: SROW }),
    ),
    (e: Error) => e.name === "NiftiParseError" && /2\^53/.test(e.message),
  );
});

Deno.test("scl_slope/scl_inter applied as nibabel: float64 raw*slope+inter with float32 factors", async () => {
  const raw = [-215, 0, 1, 1000];
  const slope = 0.01, inter = 0.5;
  const img = await loadImg(
    synthNifti({ datatype: 4, dims: [4, 1, 1], values: raw, sclSlope: slope, sclInter: inter }),
  );
  assert.ok(img.data instanceof Float64Array);
  assert.equal(img.dtype, "int16");
  assertSameValues(img.data, raw.map((r) => r * Math.fround(slope) + Math.fround(inter)));
  // slope 0 or NaN: no scaling (nibabel ignores the intercept then)
  for (const s of [0, NaN]) {
    const u = await loadImg(
      synthNifti({ datatype: 4, dims: [4, 1, 1], values: raw, sclSlope: s, sclInter: 3 }),
    );
    assert.ok(u.data instanceof Float32Array);
    assertSameValues(u.data, raw);
  }
  // NIfTI-2 keeps float64 factors
  const v2 = await loadImg(
    synthNifti({
      version: 2,
      datatype: 16,
      dims: [4, 1, 1],
      values: raw,
      sclSlope: slope,
      sclInter: inter,
    }),
  );
  assertSameValues(v2.data, raw.map((r) => r * slope + inter));
});

Deno.test("affine: sform, else qform, else pixdim fallback; 5D singleton dims dropped", async () => {
  const values = ramp(24);
  // qform only: 180 deg about z (b=c=0, d=1), qfac -1
  const q = await loadImg(synthNifti({
    dims: [4, 3, 2],
    values,
    sformCode: 0,
    qformCode: 1,
    quatern: [0, 0, 1],
    qoffset: [30, -40, -20],
    pixdim: [-1, 2.5, 2.5, 3, 1, 1, 1, 1],
  }));
  assert.deepEqual(Array.from(q.affine, (x) => x + 0), [
    -2.5,
    0,
    0,
    30,
    0,
    -2.5,
    0,
    -40,
    0,
    0,
    -3,
    -20,
    0,
    0,
    0,
    1,
  ]);
  // neither: nibabel's shape_zoom_affine with x flipped, centered
  const p = await loadImg(synthNifti({
    dims: [4, 3, 2],
    values,
    sformCode: 0,
    qformCode: 0,
    pixdim: [1, 2, 3, 4, 1, 1, 1, 1],
  }));
  assert.deepEqual(Array.from(p.affine, (x) => x + 0), [
    -2,
    0,
    0,
    3,
    0,
    3,
    0,
    -3,
    0,
    0,
    4,
    -2,
    0,
    0,
    0,
    1,
  ]);
  // data after header extensions: vox_offset beyond 352 is honoured
  const ext = await loadImg(synthNifti({ dims: [4, 3, 2], values, srow: SROW, voxOffset: 480 }));
  assertSameValues(ext.data, values.map(Math.fround));
  // 5D with singleton 4th and 5th dims: a 4D image with one volume
  const f = await loadImg(synthNifti({ dims: [4, 3, 2, 1, 1], values, srow: SROW }));
  assert.deepEqual(f.shape, [4, 3, 2, 1]);
  // 6D [.., 2, 1, 1] -> 4D with 2 volumes
  const g = await loadImg(synthNifti({ dims: [2, 3, 2, 2, 1, 1], values, srow: SROW }));
  assert.deepEqual(g.shape, [2, 3, 2, 2]);
  assertSameValues(g.data, values.map(Math.fround));
});

function img3d(seed: number, f32 = true): Image {
  const values = ramp(24, seed);
  return {
    data: f32 ? Float32Array.from(values) : Float64Array.from(values),
    shape: [4, 3, 2],
    affine: Float64Array.from(AFFINE),
  };
}

Deno.test("list of 3D images/paths and glob pattern become one 4D image in sorted order", async () => {
  const dir = await tempDir();
  try {
    const imgs = [img3d(1), img3d(2), img3d(3)];
    // written in an order that differs from sorted order
    await saveImg(imgs[2]!, `${dir}/sub-10.nii.gz`);
    await saveImg(imgs[0]!, `${dir}/sub-01.nii`);
    await saveImg(imgs[1]!, `${dir}/sub-02.nii.gz`);
    await Deno.writeTextFile(`${dir}/notes.txt`, "not an image");
    const expected = new Float32Array(72);
    imgs.forEach((im, t) => expected.set(im.data, 24 * t));

    const fromList = await loadImg([
      `${dir}/sub-01.nii`,
      imgs[1]!,
      new URL(`file://${dir}/sub-10.nii.gz`),
    ]);
    assert.deepEqual(fromList.shape, [4, 3, 2, 3]);
    assert.ok(fromList.data instanceof Float32Array);
    assertSameValues(fromList.data, expected);
    assert.deepEqual(Array.from(fromList.affine), AFFINE);

    const fromGlob = await loadImg(`${dir}/sub-*.nii*`);
    assert.deepEqual(fromGlob.shape, [4, 3, 2, 3]);
    assertSameValues(fromGlob.data, expected);
    const one = await loadImg(`${dir}/sub-0[2].nii.gz`);
    assert.deepEqual(one.shape, [4, 3, 2, 1]);

    await assert.rejects(loadImg(`${dir}/nothing-*.nii`), /no files match/);
    const moved = { ...img3d(4), affine: Float64Array.from(AFFINE).fill(99, 3, 4) };
    await assert.rejects(
      loadImg([imgs[0]!, moved]),
      (e: Error) => e instanceof TypeError && /image #1/.test(e.message),
    );
    await assert.rejects(loadImg([]), TypeError);
    // 4D images are joined in time
    const four = await loadImg([fromGlob, fromList]);
    assert.deepEqual(four.shape, [4, 3, 2, 6]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("~ is expanded to HOME for loadImg, openNifti and saveImg", async () => {
  const dir = await tempDir();
  const home = Deno.env.get("HOME");
  try {
    Deno.env.set("HOME", dir);
    await saveImg(img3d(5), "~/t.nii.gz");
    const a = await loadImg("~/t.nii.gz");
    assertSameValues(a.data, img3d(5).data);
    assert.equal(a.source, `${dir}/t.nii.gz`);
    const s = await openNifti("~/t.nii.gz");
    assert.deepEqual(s.shape, [4, 3, 2]);
    await s.close();
    assert.deepEqual((await loadImg("~/t*.nii.gz")).shape, [4, 3, 2, 1]);
  } finally {
    if (home === undefined) Deno.env.delete("HOME");
    else Deno.env.set("HOME", home);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("in-memory image is returned as is (validated)", async () => {
  const im = img3d(6, false);
  const out = await loadImg(im);
  assert.equal(out.data, im.data);
  assert.equal(out.affine, im.affine);
  assert.equal(out.dtype, "float64");
  await assert.rejects(loadImg({ ...im, shape: [4, 3, 3] }), TypeError);
  await assert.rejects(loadImg({ ...im, affine: new Float64Array(9) }), TypeError);
  // deno-lint-ignore no-explicit-any
  await assert.rejects(loadImg(42 as any), TypeError);
});

const DATA = "../shared/data";
const REAL = `${DATA}/nilearn_canica/canica_resting_state.nii.gz`;
const CASE =
  "../shared/conformance/functions/io_real_nilearn_canica_canica_resting_state/case.json";
let haveReal = false;
try {
  haveReal = Deno.statSync(REAL).isFile && Deno.statSync(CASE).isFile;
} catch {
  haveReal = false;
}
if (!haveReal) console.warn(`skipping real-data smoke test: ${REAL} not found`);

Deno.test({
  name: "real data smoke: canica_resting_state streams and loads as nibabel reads it",
  ignore: !haveReal,
  fn: async () => {
    const expect = JSON.parse(await Deno.readTextFile(CASE)).expect;
    const s = await openNifti(REAL);
    assert.deepEqual(s.shape, expect.shape);
    assert.deepEqual(Array.from(s.affine), expect.affine.flat());
    let sum = 0, n = 0;
    for await (const v of s.volumes()) {
      for (let i = 0; i < v.length; i++) sum += v[i]!;
      n++;
    }
    assert.equal(n, expect.shape[3]);
    assert.ok(Math.abs(sum - expect.sum) <= 1e-7 * Math.abs(expect.sum));
    const img = await loadImg(REAL);
    assert.equal(img.dtype, "float64");
    assert.equal(img.data.length, expect.shape.reduce((a: number, b: number) => a * b, 1));
  },
});
