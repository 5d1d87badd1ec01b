import assert from "node:assert/strict";
import { BoundingBoxError, resampleImg } from "../image/resample.ts";
import type { Image } from "../types.ts";

function diag(sx: number, sy: number, sz: number, tx = 0, ty = 0, tz = 0): Float64Array {
  return Float64Array.from([sx, 0, 0, tx, 0, sy, 0, ty, 0, 0, sz, tz, 0, 0, 0, 1]);
}

/** Deterministic pseudo-random volume (no zeros at the border unless asked). */
function randomImg(shape: number[], affine: Float64Array, seed = 1): Image {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    data[i] = s / 2147483647 - 0.3;
  }
  return { data, shape, affine };
}

const at = (img: Image, i: number, j: number, k: number, t = 0) =>
  img.data[i + img.shape[0]! * (j + img.shape[1]! * (k + img.shape[2]! * t))]!;

Deno.test("resampleImg: same grid is the identity (shortcut and forced interpolation)", () => {
  const img = randomImg([6, 7, 5], diag(3, 3, 3, -9, -9, -6));
  for (const interpolation of ["continuous", "linear", "nearest"] as const) {
    const same = resampleImg(img, {
      targetAffine: img.affine,
      targetShape: [6, 7, 5],
      interpolation,
    });
    assert.deepEqual(Array.from(same.data), Array.from(img.data));
    const forced = resampleImg(img, {
      targetAffine: img.affine,
      targetShape: [6, 7, 6],
      interpolation,
      forceResample: true,
    });
    for (let k = 0; k < 5; k++) {
      for (let j = 0; j < 7; j++) {
        for (let i = 0; i < 6; i++) {
          assert.ok(Math.abs(at(forced, i, j, k) - at(img, i, j, k)) < 1e-12, interpolation);
        }
      }
    }
    // the extra z slice lies outside the input: fill value 0
    for (let j = 0; j < 7; j++) assert.equal(at(forced, 2, j, 5), 0);
  }
});

Deno.test("resampleImg: nearest keeps label values on an oblique grid", () => {
  const labels = [0, 3, 7, 12];
  const img = randomImg([8, 8, 6], diag(2, 2, 2));
  const data = img.data.map((v) => labels[Math.floor((v + 0.3) * 4) % 4]!);
  const th = 0.4;
  const target = Float64Array.from([
    1.5 * Math.cos(th),
    -1.5 * Math.sin(th),
    0,
    3,
    1.5 * Math.sin(th),
    1.5 * Math.cos(th),
    0,
    -1,
    0,
    0,
    1.7,
    0.4,
    0,
    0,
    0,
    1,
  ]);
  const out = resampleImg({ ...img, data }, {
    targetAffine: target,
    targetShape: [9, 10, 7],
    interpolation: "nearest",
  });
  const seen = new Set(out.data);
  for (const v of seen) assert.ok(labels.includes(v), `unexpected value ${v}`);
  assert.ok(seen.size >= 3);
});

Deno.test("resampleImg: a translation by whole voxels shifts data exactly", () => {
  // data with a zero border so nilearn's crop-and-paste shortcut applies cleanly
  const src = randomImg([8, 9, 7], diag(2, 2, 2, -8, -8, -6));
  const data = src.data.slice();
  for (let k = 0; k < 7; k++) {
    for (let j = 0; j < 9; j++) {
      for (let i = 0; i < 8; i++) {
        if (i === 0 || j === 0 || k === 0 || i === 7 || j === 8 || k === 6) {
          data[i + 8 * (j + 9 * k)] = 0;
        }
      }
    }
  }
  const img = { ...src, data };
  // target origin 1 voxel further along x, -2 along y, 0 along z: out(i,j,k) = in(i+1, j-2, k)
  const targetAffine = diag(2, 2, 2, -6, -12, -6);
  for (const forceResample of [false, true]) {
    for (const interpolation of ["continuous", "linear", "nearest"] as const) {
      const out = resampleImg(img, {
        targetAffine,
        targetShape: [8, 9, 7],
        interpolation,
        forceResample,
      });
      for (let k = 0; k < 7; k++) {
        for (let j = 0; j < 9; j++) {
          for (let i = 0; i < 8; i++) {
            const si = i + 1;
            const sj = j - 2;
            const expected = si < 8 && sj >= 0 ? at(img, si, sj, k) : 0;
            assert.ok(
              Math.abs(at(out, i, j, k) - expected) < 1e-12,
              `${interpolation} ${forceResample} ${i},${j},${k}`,
            );
          }
        }
      }
    }
  }
});

Deno.test("resampleImg: linear interpolation at half voxels is the mean of neighbours", () => {
  const img = randomImg([5, 4, 4], diag(2, 2, 2));
  const out = resampleImg(img, {
    targetAffine: diag(2, 2, 2, 1, 0, 0),
    targetShape: [4, 4, 4],
    interpolation: "linear",
  });
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(at(out, i, 1, 2) - (at(img, i, 1, 2) + at(img, i + 1, 1, 2)) / 2) < 1e-12);
  }
});

Deno.test("resampleImg: fill value outside the field of view, clip to the input range", () => {
  const img = randomImg([5, 5, 5], diag(2, 2, 2));
  const out = resampleImg(img, {
    targetAffine: diag(1, 1, 1, -3, 0, 0),
    targetShape: [14, 9, 9],
    interpolation: "continuous",
    fillValue: -7,
    clip: false,
  });
  assert.equal(at(out, 0, 0, 0), -7); // x = -3 mm is outside the input
  // x = 0 mm is input voxel 0: the spline reproduces the sample
  assert.ok(Math.abs(at(out, 3, 0, 0) - at(img, 0, 0, 0)) < 1e-12);
  let lo = 0;
  let hi = 0;
  for (const v of img.data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const clipped = resampleImg(img, {
    targetAffine: diag(0.7, 0.7, 0.7),
    targetShape: [12, 12, 12],
  });
  for (const v of clipped.data) assert.ok(v >= lo && v <= hi);
  const unclipped = resampleImg(img, {
    targetAffine: diag(0.7, 0.7, 0.7),
    targetShape: [12, 12, 12],
    clip: false,
  });
  assert.ok(unclipped.data.some((v) => v < lo || v > hi), "cubic overshoot expected without clip");
});

Deno.test("resampleImg: 4D resampled volume by volume, 3x3 target affine computes the grid", () => {
  const a = randomImg([5, 6, 4], diag(3, 3, 3), 3);
  const b = randomImg([5, 6, 4], diag(3, 3, 3), 5);
  const four: Image = {
    data: Float64Array.from([...a.data, ...b.data]),
    shape: [5, 6, 4, 2],
    affine: a.affine,
  };
  const opts = { targetAffine: diag(2, 2, 2), targetShape: [7, 8, 6] };
  const out = resampleImg(four, opts);
  assert.deepEqual(out.shape, [7, 8, 6, 2]);
  const unclipped = { ...opts, clip: false };
  const out4 = resampleImg(four, unclipped);
  const ra = resampleImg(a, unclipped);
  const rb = resampleImg(b, unclipped);
  const n = ra.data.length;
  for (let i = 0; i < n; i++) {
    assert.equal(out4.data[i], ra.data[i]);
    assert.equal(out4.data[n + i], rb.data[i]);
  }
  const auto = resampleImg(a, { targetAffine: [2, 0, 0, 0, 2, 0, 0, 0, 2] });
  // bounds 0..12, 0..15, 0..9 mm on a 2 mm grid: ceil(max/2) + 1 voxels
  assert.deepEqual(auto.shape, [7, 9, 6]);
  assert.deepEqual(Array.from(auto.affine), Array.from(diag(2, 2, 2)));
});

Deno.test("resampleImg: non-finite inputs come back as NaN where they map", () => {
  const img = randomImg([6, 6, 6], diag(2, 2, 2));
  const data = img.data.slice();
  data[3 + 6 * (3 + 6 * 3)] = NaN;
  const out = resampleImg({ ...img, data }, {
    targetAffine: diag(2, 2, 2, 0.4, 0, 0),
    targetShape: [6, 6, 6],
  });
  assert.ok(Number.isNaN(at(out, 3, 3, 3)));
  assert.ok(Number.isFinite(at(out, 1, 1, 1)));
  assert.equal(out.data.filter((v) => Number.isNaN(v)).length, 1);
});

Deno.test("resampleImg: clear errors", () => {
  const img = randomImg([4, 4, 4], diag(2, 2, 2));
  const singular = Float64Array.from([1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.throws(
    () => resampleImg(img, { targetAffine: singular, targetShape: [4, 4, 4] }),
    (e: Error) => e instanceof RangeError && /targetAffine/.test(e.message),
  );
  assert.throws(
    () =>
      resampleImg({ ...img, affine: singular }, {
        targetAffine: diag(1, 1, 1),
        targetShape: [4, 4, 4],
      }),
    (e: Error) => e instanceof RangeError && /img\.affine/.test(e.message),
  );
  assert.throws(
    () => resampleImg(img, { targetAffine: diag(1, 1, 1), targetShape: [4, 4] }),
    (e: Error) => e instanceof TypeError && /targetShape/.test(e.message),
  );
  assert.throws(
    () => resampleImg(img, { targetAffine: [1, 0, 0, 0, 1, 0, 0, 0, 1], targetShape: [4, 4, 4] }),
    TypeError,
  );
  assert.throws(
    () => resampleImg(img, { targetAffine: [1, 2, 3] }),
    (e: Error) => e instanceof TypeError && /targetAffine/.test(e.message),
  );
  assert.throws(
    () =>
      resampleImg(img, {
        targetAffine: diag(1, 1, 1),
        targetShape: [4, 4, 4],
        interpolation: "cubic" as "linear",
      }),
    RangeError,
  );
  assert.throws(
    () =>
      resampleImg({ ...img, data: new Float64Array(10) }, {
        targetAffine: diag(1, 1, 1),
        targetShape: [4, 4, 4],
      }),
    (e: Error) => e instanceof TypeError && /64/.test(e.message),
  );
  assert.throws(
    () => resampleImg(img, { targetAffine: diag(1, 1, 1, 100, 100, 100) }),
    BoundingBoxError,
  );
});

Deno.test("resampleImg and smoothImg: a 5D image is processed 3D volume by volume, extra axes kept", async () => {
  const { smoothImg } = await import("../image/smooth.ts");
  const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  const n = 5 * 4 * 3 * 6;
  const data = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 10);
  const as4d: Image = { data, shape: [5, 4, 3, 6], affine };
  const as5d: Image = { data, shape: [5, 4, 3, 2, 3], affine };
  const target = {
    targetAffine: Float64Array.from([1.5, 0, 0, 0.5, 0, 1.5, 0, 0, 0, 0, 1.5, 0.25, 0, 0, 0, 1]),
    targetShape: [6, 5, 4],
  };
  const r4 = resampleImg(as4d, target);
  const r5 = resampleImg(as5d, target);
  assert.deepEqual(r5.shape, [6, 5, 4, 2, 3]);
  assert.deepEqual(Array.from(r5.data), Array.from(r4.data));
  assert.ok(r4.data.some((v) => v !== 0));
  const s4 = smoothImg(as4d, 3);
  const s5 = smoothImg(as5d, 3);
  assert.deepEqual(s5.shape, [5, 4, 3, 2, 3]);
  assert.deepEqual(Array.from(s5.data), Array.from(s4.data));
});
