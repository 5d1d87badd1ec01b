// Compact maps resampled map by map give exactly the numbers of resampling their dense image.
import assert from "node:assert/strict";
import {
  clipCompactBelow,
  compactMaps,
  denseMaps,
  expandMaps,
  isCompactMaps,
} from "../maskers/compact_maps.ts";
import { resampleCompactMaps } from "../maskers/compact_resample.ts";
import { clipBelowEpsilon, mapsEpsilon } from "../maskers/fitted_state.ts";
import { resampleImg } from "../image/resample.ts";
import { mulberry32 } from "../synthetic/prng.ts";
import type { Image } from "../types.ts";

const affine = Float64Array.from([3, 0, 0, -12, 0, 3, 0, -9, 0, 0, 3, -6, 0, 0, 0, 1]);

/** Sparse partly negative maps with a few large values (the clip range matters). */
function maps(f32: boolean, shape: number[], density: number, seed: number): Image {
  const r = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = f32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) if (r() < density) data[i] = (r() - 0.3) * (r() < 0.05 ? 50 : 1);
  return { data, shape, affine };
}

/** What the masker did before: the dense maps resampled, cast back to float32 for float32 maps. */
function denseResampled(
  img: Image,
  grid: { shape: number[]; affine: Float64Array },
  nearest: boolean,
) {
  const r = resampleImg(img, {
    targetAffine: grid.affine,
    targetShape: grid.shape,
    interpolation: nearest ? "nearest" : "continuous",
  });
  return img.data instanceof Float32Array ? { ...r, data: Float32Array.from(r.data) } : r;
}

function bits(
  a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number },
) {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const grids = {
  // finer, shifted by a fraction of a voxel
  finer: {
    shape: [13, 11, 9],
    affine: Float64Array.from([2, 0, 0, -11.5, 0, 2, 0, -8, 0, 0, 2, -5.5, 0, 0, 0, 1]),
  },
  // oblique
  oblique: {
    shape: [8, 8, 7],
    affine: Float64Array.from([2.9, 0.4, 0, -12, -0.4, 2.9, 0, -8, 0, 0, 3.1, -6, 0, 0, 0, 1]),
  },
  // a translation by whole voxels (nilearn's crop-and-paste shortcut: the whole image's box)
  shift: {
    shape: [9, 8, 6],
    affine: Float64Array.from([3, 0, 0, -6, 0, 3, 0, -12, 0, 0, 3, -3, 0, 0, 0, 1]),
  },
};

for (const f32 of [true, false]) {
  for (const density of [0.05, 0.9]) {
    for (const [name, grid] of Object.entries(grids)) {
      for (const nearest of [false, true]) {
        Deno.test(`resampleCompactMaps = dense resampling: ${f32 ? "float32" : "float64"}, density ${density}, ${name}, ${nearest ? "nearest" : "continuous"}`, () => {
          const img = maps(f32, [9, 8, 6, 4], density, 7 + (f32 ? 1 : 0));
          const c = compactMaps(img);
          assert.equal(c.dense !== null, density > 0.5);
          const expected = denseResampled(img, grid, nearest);
          const got = resampleCompactMaps(c, grid, nearest ? "nearest" : "continuous");
          assert.deepEqual(got.shape, expected.shape);
          assert.deepEqual(Array.from(got.affine), Array.from(expected.affine));
          assert.equal(got.data.constructor, expected.data.constructor);
          assert.deepEqual(bits(got.data), bits(expected.data));
          assert.ok(expected.data.some((v) => v !== 0));
        });
      }
    }
  }
}

Deno.test("clipCompactBelow = clipBelowEpsilon of the dense maps; denseMaps expands compact maps", () => {
  for (const f32 of [true, false]) {
    for (const density of [0.05, 0.9]) {
      const img = maps(f32, [9, 8, 6, 4], density, 3);
      img.data[5] = -0;
      img.data[6] = mapsEpsilon(f32) / 2;
      const c = compactMaps(img);
      const eps = mapsEpsilon(f32);
      const clipped = expandMaps(clipCompactBelow(c, eps));
      assert.deepEqual(bits(clipped.data), bits(clipBelowEpsilon(img, f32).data));
      const clippedCompact = clipBelowEpsilon(c, f32);
      assert.ok(isCompactMaps(clippedCompact), "compact maps are clipped compact");
      assert.deepEqual(bits(denseMaps(clippedCompact).data), bits(clipped.data));
      assert.ok(isCompactMaps(c));
      assert.ok(!isCompactMaps(img));
      assert.deepEqual(bits(denseMaps(c).data), bits(img.data));
      assert.equal(denseMaps(img), img, "dense maps are given back as they are");
    }
  }
});

Deno.test("mapsImg_: the fitted maps, a new dense image on each access", async () => {
  const img = maps(true, [9, 8, 6, 4], 0.05, 11);
  const { multiMapsMasker } = await import("../maskers/multi_maps_masker.ts");
  const fitted = await multiMapsMasker({ mapsImg: img }).fit();
  const held = fitted.mapsImg_;
  assert.deepEqual(Object.keys(held).sort(), ["affine", "data", "shape"]);
  assert.deepEqual(bits(held.data as Float32Array), bits(img.data as Float32Array));
  const again = fitted.mapsImg_;
  assert.notEqual(again.data, held.data, "not shared: changing one cannot change the masker");
  assert.deepEqual(bits(again.data as Float32Array), bits(held.data as Float32Array));
});
