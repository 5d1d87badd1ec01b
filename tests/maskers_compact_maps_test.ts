import assert from "node:assert/strict";
import {
  compactBytes,
  compactFiniteMaps,
  compactMaps,
  CompactMapsBuilder,
  expandMaps,
} from "../maskers/compact_maps.ts";
import { openNifti } from "../image/load.ts";
import { saveImg } from "../image/save.ts";

const affine = Float64Array.from([2, 0, 0, -10, 0, 2, 0, 5, 0, 0, 2, 1, 0, 0, 0, 1]);

function bits(a: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

Deno.test("compactMaps: sparse maps round-trip bit for bit (-0, NaN, float32 and float64)", () => {
  for (const Ctor of [Float32Array, Float64Array]) {
    const data = new Ctor(5 * 4 * 3 * 3);
    data[7] = 1.5;
    data[8] = -0;
    data[60 + 59] = -2.25;
    data[120] = NaN;
    data[121] = 1e-30;
    const img = { data, shape: [5, 4, 3, 3], affine };
    const c = compactMaps(img);
    assert.equal(c.dense, null, "5 non-zeros out of 180 are stored sparse");
    assert.equal(c.voxel.length, 5);
    assert.ok(compactBytes(c) < data.byteLength);
    const back = expandMaps(c);
    assert.ok(back.data instanceof Ctor);
    assert.deepEqual(bits(back.data as Float32Array | Float64Array), bits(data));
    assert.deepEqual([...back.shape], [5, 4, 3, 3]);
    assert.deepEqual(Array.from(back.affine), Array.from(affine));
    assert.notEqual(back.data, data, "a new array");
  }
});

Deno.test("compactMaps: dense maps keep a dense copy (not larger than the input)", () => {
  const data = Float32Array.from({ length: 24 }, (_, i) => i + 1);
  const c = compactMaps({ data, shape: [2, 3, 2, 2], affine });
  assert.notEqual(c.dense, null);
  assert.equal(compactBytes(c), data.byteLength);
  assert.deepEqual(Array.from(expandMaps(c).data), Array.from(data));
});

Deno.test("openNifti: volumes({ reuse: true }) yields one array with each volume's values", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const nV = 3 * 2 * 2, nT = 4;
    const data = Float32Array.from({ length: nV * nT }, (_, i) => i * 0.5 - 3);
    const path = `${dir}/four.nii.gz`;
    await saveImg({ data, shape: [3, 2, 2, nT], affine }, path);
    const s = await openNifti(path);
    let first: unknown = null;
    let t = 0;
    for await (const vol of s.volumes({ reuse: true })) {
      first ??= vol;
      assert.equal(vol, first, "the same array every time");
      assert.deepEqual(Array.from(vol), Array.from(data.subarray(t * nV, (t + 1) * nV)));
      t++;
    }
    assert.equal(t, nT);
    const fresh = await openNifti(path);
    const seen: unknown[] = [];
    for await (const vol of fresh.volumes()) seen.push(vol);
    assert.notEqual(seen[0], seen[1], "default: a new array per volume");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compactFiniteMaps: cast and non-finite values zeroed, sparse or dense, no dense copy first", () => {
  // The maps as a masker's fit holds them: cast to the working dtype, NaN/±Inf as +0.
  const expected = (d: ArrayLike<number>, f32: boolean) => {
    const out = f32 ? new Float32Array(d.length) : new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) if (Number.isFinite(d[i]!)) out[i] = d[i]!;
    return out;
  };
  for (const dense of [false, true]) {
    const data = new Float64Array(5 * 4 * 3 * 3);
    if (dense) { for (let i = 0; i < data.length; i++) data[i] = (i % 7) - 3.3; }
    data[7] = 1 + 2 ** -40; // rounds in float32
    data[8] = -1e-50; // -0 in float32 (kept: not +0), -1e-50 in float64
    data[9] = 1e-50; // +0 in float32 (dropped)
    data[60] = NaN;
    data[61] = -Infinity;
    data[130] = -0;
    for (const f32 of [true, false]) {
      const { compact, replaced } = compactFiniteMaps({ data, shape: [5, 4, 3, 3], affine }, f32);
      assert.equal(replaced, 2);
      assert.equal(compact.dense !== null, dense);
      const back = expandMaps(compact).data;
      assert.ok(f32 ? back instanceof Float32Array : back instanceof Float64Array);
      assert.deepEqual(bits(back as Float32Array | Float64Array), bits(expected(data, f32)));
      if (!dense) assert.equal(compact.voxel.length, f32 ? 3 : 4); // 7, 8, 130 (and 9 in f64)
    }
  }
});

Deno.test("fit streams a maps file into the compact copy: same maps as from the loaded image, named errors", async () => {
  const { multiMapsMasker } = await import("../maskers/multi_maps_masker.ts");
  const { loadImg } = await import("../image/load.ts");
  const dir = await Deno.makeTempDir({ prefix: "niimask_maps_" });
  try {
    const nV = 6 * 5 * 4;
    const data = new Float32Array(nV * 3);
    for (let i = 0; i < data.length; i++) data[i] = i % 5 === 0 ? (i % 7) - 2 : 0;
    data[3] = NaN;
    data[nV + 4] = Infinity;
    const path = `${dir}/maps.nii.gz`;
    await saveImg({ data, shape: [6, 5, 4, 3], affine }, path);
    for (const dtype of [null, "float64"] as const) {
      const fromFile = await multiMapsMasker({ mapsImg: path, dtype }).fit();
      const fromImage = await multiMapsMasker({ mapsImg: await loadImg(path), dtype }).fit();
      assert.deepEqual(
        bits(fromFile.mapsImg_.data as Float32Array),
        bits(fromImage.mapsImg_.data as Float32Array),
      );
      assert.equal(fromFile.mapsImg_.data instanceof Float32Array, dtype === null);
      assert.equal(fromFile.mapsImg_.data[3], 0, "non-finite values zeroed");
      assert.deepEqual(fromFile.mapsImg_.shape, [6, 5, 4, 3]);
    }
    // Errors name the parameter: a 5D file, a truncated file.
    await saveImg(
      { data: new Float32Array(nV * 6), shape: [6, 5, 4, 2, 3], affine },
      `${dir}/five.nii`,
    );
    await assert.rejects(
      multiMapsMasker({ mapsImg: `${dir}/five.nii` }).fit(),
      (e: unknown) => e instanceof TypeError && /mapsImg: expected a 4D image/.test(e.message),
    );
    const bytes = await Deno.readFile(`${dir}/five.nii`);
    await Deno.writeFile(`${dir}/cut.nii`, bytes.subarray(0, bytes.length - 100));
    await assert.rejects(
      multiMapsMasker({ mapsImg: `${dir}/cut.nii` }).fit(),
      (e: unknown) => e instanceof Error && /^mapsImg: .*truncated/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CompactMapsBuilder: dense exactly from the size where sparse is not smaller, even mid-map", () => {
  // 3 maps of 60 voxels, float64: sparse costs 12 bytes an entry, dense 8 a value, so 120 or
  // more entries of 180 values are stored dense.
  for (const [nnz, dense] of [[118, false], [119, true], [150, true]] as const) {
    const data = new Float64Array(180);
    for (let i = 0; i < nnz; i++) data[(i * 7) % 180] = i + 1;
    data[(nnz * 7) % 180] = -0; // an entry too (kept as -0 either way): nnz + 1 entries
    const img = { data, shape: [5, 4, 3, 3], affine };
    const c = compactMaps(img);
    assert.equal(c.dense !== null, dense, `${nnz} entries`);
    assert.deepEqual(bits(expandMaps(c).data as Float64Array), bits(data));
    // The same through the builder fed map by map, cast to float32.
    const b = new CompactMapsBuilder([5, 4, 3, 3], affine, true, true);
    for (let j = 0; j < 3; j++) b.add(data.subarray(60 * j, 60 * (j + 1)));
    const { compact } = b.finish();
    assert.deepEqual(bits(expandMaps(compact).data as Float32Array), bits(Float32Array.from(data)));
  }
  const b = new CompactMapsBuilder([5, 4, 3, 2], affine, false, true);
  b.add(new Float64Array(60));
  assert.throws(() => b.finish(), RangeError);
  assert.throws(() => b.add(new Float64Array(59)), RangeError);
});
