import assert from "node:assert/strict";
import { loadImg, NiftiParseError, openNifti, saveImg } from "../image/mod.ts";
import type { Image } from "../types.ts";
import { ramp, tempDir } from "./image_io_fixtures.ts";

const AFFINE = Float64Array.from([-2.5, 0, 0, 30, 0, 2.5, 0, -40, 0, 0, 3, -20, 0, 0, 0, 1]);

function image(shape: number[], f32: boolean, affine: Float64Array = AFFINE): Image {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = ramp(n, shape.length + (f32 ? 7 : 3));
  values[3] = NaN;
  values[5] = -Infinity;
  return { data: f32 ? Float32Array.from(values) : Float64Array.from(values), shape, affine };
}

function assertSameValues(a: ArrayLike<number>, b: ArrayLike<number>): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`value ${i}: ${a[i]} !== ${b[i]}`);
  }
}

for (const ext of [".nii", ".nii.gz"]) {
  for (const f32 of [true, false]) {
    for (const shape of [[7, 8, 6], [7, 8, 6, 5], [7, 8, 6, 1, 3], [4, 3, 2, 2, 3]]) {
      Deno.test(`saveImg/loadImg round trip ${ext} ${f32 ? "float32" : "float64"} ${shape.length}D`, async () => {
        const dir = await tempDir();
        try {
          const img = image(shape, f32);
          const before = img.data.slice();
          const path = `${dir}/img${ext}`;
          await saveImg(img, path);
          assertSameValues(img.data, before); // input untouched
          const back = await loadImg(path);
          assert.deepEqual(back.shape, shape);
          assert.equal(back.dtype, f32 ? "float32" : "float64");
          assert.ok(f32 ? back.data instanceof Float32Array : back.data instanceof Float64Array);
          assertSameValues(back.data, img.data);
          assert.deepEqual(Array.from(back.affine), Array.from(AFFINE));
          assert.equal(back.source, path);
          assert.equal(back.header?.sformCode, 2);
          assert.equal(back.header?.voxOffset, 352);
          // nothing but the file in the directory (temp file renamed away)
          const names = [...Deno.readDirSync(dir)].map((e) => e.name);
          assert.deepEqual(names, [`img${ext}`]);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      });
    }
  }
}

Deno.test("saveImg dtype float32 from Float64Array rounds to float32", async () => {
  const dir = await tempDir();
  try {
    const img = image([4, 3, 2, 2], false);
    await saveImg(img, `${dir}/x.nii.gz`, { dtype: "float32" });
    const back = await loadImg(`${dir}/x.nii.gz`);
    assert.equal(back.dtype, "float32");
    assertSameValues(back.data, Float32Array.from(img.data));
    await saveImg({ ...img, data: Float32Array.from(img.data) }, `${dir}/y.nii`, {
      dtype: "float64",
    });
    const y = await loadImg(`${dir}/y.nii`);
    assert.equal(y.dtype, "float64");
    assertSameValues(y.data, Float32Array.from(img.data));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveImg writes a qform matching a rotated affine; sform stored as float32", async () => {
  const dir = await tempDir();
  try {
    const c = Math.cos(0.4), s = Math.sin(0.4);
    // rotation about z, left-handed (negative z column): exercises qfac = -1
    const affine = Float64Array.from([
      2 * c,
      -2 * s,
      0,
      10.3,
      2 * s,
      2 * c,
      0,
      -5.1,
      0,
      0,
      -3,
      7,
      0,
      0,
      0,
      1,
    ]);
    const path = `${dir}/rot.nii`;
    await saveImg(image([3, 4, 5], true, affine), path);
    const bytes = await Deno.readFile(path);
    const back = await loadImg(bytes);
    assert.deepEqual(Array.from(back.affine), Array.from(affine, (x) => Math.fround(x)));
    // Same file with sform_code 0: the affine now comes from the qform.
    new DataView(bytes.buffer).setInt16(254, 0, true);
    const q = await loadImg(bytes);
    for (let i = 0; i < 16; i++) {
      assert.ok(Math.abs(q.affine[i]! - affine[i]!) < 1e-5, `qform affine[${i}]`);
    }
    const view = new DataView(bytes.buffer);
    assert.equal(view.getFloat32(76, true), -1); // qfac
    assert.equal(view.getFloat32(108, true), 352); // vox_offset
    assert.equal(view.getInt16(252, true), 2); // qform_code
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveImg replaces an existing file and leaves nothing on failure", async () => {
  const dir = await tempDir();
  try {
    const path = `${dir}/a.nii.gz`;
    await saveImg(image([2, 2, 2], true), path);
    const img2 = image([3, 3, 3], false);
    await saveImg(img2, path);
    assert.deepEqual((await loadImg(path)).shape, [3, 3, 3]);
    await assert.rejects(
      saveImg(img2, `${dir}/missing_dir/b.nii`),
      (e: Error) => e.message.includes(`${dir}/missing_dir/b.nii`),
    );
    await assert.rejects(saveImg(img2, `${dir}/b.img`), RangeError);
    await assert.rejects(saveImg({ ...img2, shape: [3, 3] }, `${dir}/b.nii`), TypeError);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.nii.gz"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("5D and 6D images: read as nibabel does (trailing singletons beyond the 4th dropped)", async () => {
  const dir = await tempDir();
  try {
    // [5, 4, 3, 2, 1, 1] has trailing singletons: read as 4D; [5, 4, 3, 1, 2, 3] keeps 6 axes.
    for (const [shape, read] of [[[5, 4, 3, 2, 1, 1], [5, 4, 3, 2]], [[5, 4, 3, 1, 2, 3], null]]) {
      const img = image(shape!, true);
      const path = `${dir}/img.nii.gz`;
      await saveImg(img, path);
      const back = await loadImg(path);
      assert.deepEqual(back.shape, read ?? shape);
      assertSameValues(back.data, img.data);
      // Streaming: one 3D volume per combination of the further axes, in file order (x fastest).
      const s = await openNifti(path);
      let t = 0;
      for await (const v of s.volumes()) {
        assertSameValues(v, img.data.subarray(60 * t, 60 * (t + 1)));
        t++;
      }
      assert.equal(t, img.data.length / 60);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streaming yields the same volumes as loading whole, gz and plain", async () => {
  const dir = await tempDir();
  try {
    const img = image([5, 4, 3, 6], true);
    for (const ext of [".nii", ".nii.gz"]) {
      const path = `${dir}/s${ext}`;
      await saveImg(img, path);
      const whole = await loadImg(path);
      const s = await openNifti(path);
      assert.deepEqual(s.shape, [5, 4, 3, 6]);
      assert.equal(s.dtype, "float32");
      const vols: Float32Array[] = [];
      for await (const v of s.volumes()) vols.push(v as Float32Array);
      assert.equal(vols.length, 6);
      for (let t = 0; t < 6; t++) {
        assertSameValues(vols[t]!, whole.data.subarray(60 * t, 60 * (t + 1)));
      }
      // A second iteration is refused.
      await assert.rejects(async () => {
        for await (const _ of s.volumes()) { /* nothing */ }
      }, /only once/);
      // Breaking early releases the file (no leak reported by the test sanitizer).
      const s2 = await openNifti(path);
      for await (const _ of s2.volumes()) break;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("NiftiParseError is exported and carries file and code", async () => {
  const err = await loadImg("/nonexistent/dir/x.nii.gz").catch((e) => e);
  assert.ok(err instanceof NiftiParseError);
  assert.equal(err.code, "not_found");
  assert.equal(err.file, "/nonexistent/dir/x.nii.gz");
  assert.match(err.message, /\/nonexistent\/dir\/x\.nii\.gz/);
});
