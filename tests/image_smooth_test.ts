import assert from "node:assert/strict";
import { smoothImg } from "../image/smooth.ts";
import { gaussianKernel1d } from "../image/gaussian.ts";
import type { Image } from "../types.ts";

function diag(sx: number, sy: number, sz: number): Float64Array {
  return Float64Array.from([sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1]);
}

function impulse(shape: number[], at: [number, number, number], affine: Float64Array): Image {
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  data[at[0] + shape[0]! * (at[1] + shape[1]! * at[2])] = 1;
  return { data, shape, affine };
}

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

Deno.test("smoothImg: a centred impulse keeps its sum away from edges", () => {
  const img = impulse([31, 31, 31], [15, 15, 15], diag(2, 2.5, 3));
  const out = smoothImg(img, 6);
  assert.ok(Math.abs(sum(out.data) - 1) < 1e-12);
  // spread out: the peak dropped, neighbours received mass symmetrically
  const v = (i: number, j: number, k: number) => out.data[i + 31 * (j + 31 * k)]!;
  assert.ok(v(15, 15, 15) < 0.1);
  assert.ok(Math.abs(v(14, 15, 15) - v(16, 15, 15)) < 1e-15);
  assert.ok(Math.abs(v(15, 13, 15) - v(15, 17, 15)) < 1e-15);
  // wider along x (2 mm voxels) than along z (3 mm voxels) for the same fwhm in mm
  assert.ok(v(16, 15, 15) > v(15, 15, 16));
});

Deno.test("smoothImg: the 1D profile is scipy's normalized gaussian (sigma from fwhm and voxel size)", () => {
  const img = impulse([41, 1, 1], [20, 0, 0], diag(2, 2, 2));
  const out = smoothImg(img, [5, 0, 0]);
  const sigma = 5 / (Math.sqrt(8 * Math.log(2)) * 2);
  const k = gaussianKernel1d(sigma);
  assert.equal(k.length, 2 * Math.floor(4 * sigma + 0.5) + 1);
  const r = (k.length - 1) / 2;
  for (let i = 0; i < 41; i++) {
    const expected = Math.abs(i - 20) <= r ? k[i - 20 + r]! : 0;
    assert.ok(Math.abs(out.data[i]! - expected) < 1e-15);
  }
});

Deno.test("smoothImg: fwhm 0 on an axis leaves that axis alone; null/0 smooth nothing but zero non-finite", () => {
  const img = impulse([9, 9, 9], [4, 4, 4], diag(2, 2, 2));
  const out = smoothImg(img, [4, 0, 0]);
  for (let i = 0; i < out.data.length; i++) {
    const j = Math.floor(i / 9) % 9;
    const k = Math.floor(i / 81);
    if (j !== 4 || k !== 4) assert.equal(out.data[i], 0);
  }
  const data = img.data.slice();
  data[0] = NaN;
  data[1] = -Infinity;
  for (const fwhm of [null, 0]) {
    const same = smoothImg({ ...img, data }, fwhm);
    assert.equal(same.data[0], 0);
    assert.equal(same.data[1], 0);
    assert.equal(same.data[4 + 9 * (4 + 9 * 4)], 1);
  }
});

Deno.test("smoothImg: 4D volumes are smoothed independently along space only", () => {
  const a = impulse([11, 11, 11], [5, 5, 5], diag(2, 2, 2));
  const data = new Float64Array(a.data.length * 2);
  data.set(a.data, a.data.length); // volume 0 empty, volume 1 impulse
  const out = smoothImg({ data, shape: [11, 11, 11, 2], affine: a.affine }, 4);
  const single = smoothImg(a, 4);
  assert.ok(out.data.subarray(0, a.data.length).every((v) => v === 0));
  assert.deepEqual(Array.from(out.data.subarray(a.data.length)), Array.from(single.data));
});

Deno.test("smoothImg: fwhm='fast' keeps a uniform interior uniform", () => {
  const data = new Float64Array(5 * 5 * 5).fill(2);
  const out = smoothImg({ data, shape: [5, 5, 5], affine: diag(1, 1, 1) }, "fast");
  assert.ok(Math.abs(out.data[2 + 5 * (2 + 5 * 2)]! - 2) < 1e-12);
  // a corner voxel has 3 neighbours: (1 + 3 * 0.2) / 2.2 of the value
  assert.ok(Math.abs(out.data[0]! - 2 * 1.6 / 2.2) < 1e-12);
});

Deno.test("smoothImg: a zero or negative fwhm leaves that axis unsmoothed (nilearn)", () => {
  const img = impulse([7, 7, 7], [3, 3, 3], diag(2, 2, 2));
  assert.deepEqual(Array.from(smoothImg(img, -1).data), Array.from(img.data));
  const neg = smoothImg(img, [4, -1, 4]);
  const zero = smoothImg(img, [4, 0, 4]);
  assert.deepEqual(Array.from(neg.data), Array.from(zero.data));
  assert.notDeepEqual(Array.from(neg.data), Array.from(img.data));
});

Deno.test("smoothImg: clear errors for bad fwhm and images", () => {
  const img = impulse([5, 5, 5], [2, 2, 2], diag(2, 2, 2));
  assert.throws(
    () => smoothImg(img, [1, 2]),
    (e: Error) => e instanceof TypeError && /fwhm/.test(e.message),
  );
  assert.throws(() => smoothImg(img, [1, 2, NaN]), RangeError);
  assert.throws(() => smoothImg(img, "slow" as "fast"), TypeError);
  assert.throws(() => smoothImg({ ...img, shape: [5, 5] }, 2), TypeError);
  assert.throws(() => smoothImg({ ...img, data: new Float64Array(3) }, 2), TypeError);
});
