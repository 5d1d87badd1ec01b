import assert from "node:assert/strict";
import {
  imgToSignalsMaps,
  makeMapsProjector,
  projectVolume,
  signalsToImgMaps,
} from "../image/maps_projection.ts";
import type { Image } from "../types.ts";
import { lcg as rng } from "./lcg.ts";

const AFFINE = Float64Array.from([2, 0, 0, -5, 0, 2, 0, -4, 0, 0, 2, -3, 0, 0, 0, 1]);
const SHAPE = [6, 5, 4] as const;
const NV = SHAPE[0] * SHAPE[1] * SHAPE[2];

/** Smooth overlapping blobs (some negative weights), one per map. */
function blobMaps(k: number, seed = 1): Image {
  const r = rng(seed);
  const data = new Float64Array(NV * k);
  for (let m = 0; m < k; m++) {
    const cx = r() * SHAPE[0], cy = r() * SHAPE[1], cz = r() * SHAPE[2];
    for (let z = 0; z < SHAPE[2]; z++) {
      for (let y = 0; y < SHAPE[1]; y++) {
        for (let x = 0; x < SHAPE[0]; x++) {
          const d2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
          const w = Math.exp(-d2 / 4) - 0.1 * Math.exp(-d2 / 20);
          data[m * NV + x + SHAPE[0] * (y + SHAPE[1] * z)] = Math.abs(w) < 1e-3 ? 0 : w;
        }
      }
    }
  }
  return { data, shape: [...SHAPE, k], affine: AFFINE };
}

/** data = maps · signalsᵀ (each volume a weighted sum of the maps). */
function synthesize(maps: Image, signals: Float64Array, nT: number): Image {
  const k = maps.shape[3]!;
  const data = new Float64Array(NV * nT);
  for (let t = 0; t < nT; t++) {
    for (let m = 0; m < k; m++) {
      const s = signals[t * k + m]!;
      for (let v = 0; v < NV; v++) data[t * NV + v]! += s * maps.data[m * NV + v]!;
    }
  }
  return { data, shape: [...SHAPE, nT], affine: AFFINE };
}

Deno.test("projection recovers the signals of data built from the maps", () => {
  const k = 5, nT = 7;
  const maps = blobMaps(k);
  const r = rng(7);
  const truth = Float64Array.from({ length: nT * k }, () => r() * 20 - 10);
  const out = imgToSignalsMaps(synthesize(maps, truth, nT), maps, null);
  assert.deepEqual(out.shape, [nT, k]);
  for (let i = 0; i < truth.length; i++) {
    assert.ok(
      Math.abs(out.data[i]! - truth[i]!) < 1e-10,
      `entry ${i}: ${out.data[i]} vs ${truth[i]}`,
    );
  }
});

Deno.test("a map emptied by the mask gives a zero column, or is dropped", () => {
  const k = 3;
  const maps = blobMaps(k, 3);
  // Move map 2 to the slice z = 3 only, and mask out that slice.
  const data = Float64Array.from(maps.data);
  for (let v = 0; v < NV; v++) data[2 * NV + v] = v >= 3 * SHAPE[0] * SHAPE[1] ? 1 : 0;
  const m2: Image = { ...maps, data };
  const mask: Image = {
    data: Float64Array.from({ length: NV }, (_, v) => (v < 3 * SHAPE[0] * SHAPE[1] ? 1 : 0)),
    shape: [...SHAPE],
    affine: AFFINE,
  };
  const r = rng(11);
  const img: Image = {
    data: Float64Array.from({ length: NV * 4 }, () => r()),
    shape: [...SHAPE, 4],
    affine: AFFINE,
  };
  const kept = imgToSignalsMaps(img, m2, mask);
  assert.deepEqual(kept.shape, [4, 3]);
  for (let t = 0; t < 4; t++) {
    assert.equal(kept.data[t * 3 + 2], 0);
    assert.notEqual(kept.data[t * 3], 0);
  }
  const dropped = imgToSignalsMaps(img, m2, mask, { keepMaskedMaps: false });
  assert.deepEqual(dropped.shape, [4, 2]);
  for (let t = 0; t < 4; t++) {
    assert.ok(Math.abs(dropped.data[t * 2]! - kept.data[t * 3]!) < 1e-12);
    assert.ok(Math.abs(dropped.data[t * 2 + 1]! - kept.data[t * 3 + 1]!) < 1e-12);
  }
  assert.deepEqual(Array.from(makeMapsProjector(m2, mask, { keepMaskedMaps: false }).labels), [
    0,
    1,
  ]);
});

Deno.test("duplicate maps get the minimum-norm answer (half each), as lstsq", () => {
  const one = blobMaps(1, 5);
  const maps: Image = {
    data: Float64Array.from([...one.data, ...one.data]),
    shape: [...SHAPE, 2],
    affine: AFFINE,
  };
  const img = synthesize(one, Float64Array.from([4]), 1);
  const p = makeMapsProjector(maps, null);
  const out = new Float64Array(2);
  projectVolume(p, img.data, out, 0);
  assert.ok(Math.abs(out[0]! - 2) < 1e-9 && Math.abs(out[1]! - 2) < 1e-9, `got ${out}`);
});

Deno.test("non-finite data and map values count as zero", () => {
  const maps = blobMaps(2, 9);
  const r = rng(2);
  const img: Image = {
    data: Float64Array.from({ length: NV }, () => r()),
    shape: [...SHAPE, 1],
    affine: AFFINE,
  };
  const withNan = { ...img, data: Float64Array.from(img.data) };
  const zeroed = { ...img, data: Float64Array.from(img.data) };
  withNan.data[3] = NaN;
  withNan.data[10] = Infinity;
  zeroed.data[3] = 0;
  zeroed.data[10] = 0;
  assert.deepEqual(imgToSignalsMaps(withNan, maps).data, imgToSignalsMaps(zeroed, maps).data);
});

Deno.test("signalsToImgMaps: 1D gives 3D, 2D gives 4D; zero outside the mask support", () => {
  const maps = blobMaps(3, 4);
  const mask: Image = {
    data: Float64Array.from({ length: NV }, (_, v) => (v % 2 === 0 ? 1 : 0)),
    shape: [...SHAPE],
    affine: AFFINE,
  };
  const img3 = signalsToImgMaps(Float64Array.from([1, 2, 3]), maps, mask);
  assert.deepEqual(img3.shape, [...SHAPE]);
  const img4 = signalsToImgMaps(
    { data: Float64Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] },
    maps,
    mask,
  );
  assert.deepEqual(img4.shape, [...SHAPE, 2]);
  assert.deepEqual(Array.from(img4.affine), Array.from(AFFINE));
  for (let v = 0; v < NV; v++) {
    let expected = 0;
    const anyPositive = [0, 1, 2].some((m) => maps.data[m * NV + v]! > 0);
    if (v % 2 === 0 && anyPositive) {
      for (let m = 0; m < 3; m++) expected += (m + 1) * maps.data[m * NV + v]!;
    }
    assert.ok(Math.abs(img3.data[v]! - expected) < 1e-12, `voxel ${v}`);
    assert.ok(Math.abs(img4.data[v]! - expected) < 1e-12);
  }
  assert.throws(
    () => signalsToImgMaps({ data: new Float64Array(4), shape: [2, 2] }, maps, mask),
    /not aligned/,
  );
});

Deno.test("imgToSignalsMaps rejects data on another grid", () => {
  const maps = blobMaps(2);
  const img: Image = { data: new Float64Array(NV), shape: [...SHAPE, 1], affine: AFFINE };
  const shifted = { ...img, affine: Float64Array.from(AFFINE).fill(1, 3, 4) };
  assert.throws(() => imgToSignalsMaps(shifted, maps), /different affine/);
  const other: Image = { data: new Float64Array(8), shape: [2, 2, 2, 1], affine: AFFINE };
  assert.throws(() => imgToSignalsMaps(other, maps), /incompatible shapes/);
});

Deno.test("imgToSignalsMaps rejects a 3D image (nilearn: DimensionError), naming it", () => {
  const maps = blobMaps(2);
  const img3: Image = { data: new Float64Array(NV), shape: [...SHAPE], affine: AFFINE };
  assert.throws(
    () => imgToSignalsMaps(img3, maps),
    (e: unknown) =>
      e instanceof TypeError && /^imgs: expected a 4D image/.test(e.message) &&
      /incompatible dimensionality/.test(e.message),
  );
  // the same volume as a 4D image of one volume is accepted
  assert.deepEqual(imgToSignalsMaps({ ...img3, shape: [...SHAPE, 1] }, maps).shape, [1, 2]);
  // 3D maps are rejected too (nilearn checks maps_img as 4D)
  const oneMap: Image = { data: maps.data.slice(0, NV), shape: [...SHAPE], affine: AFFINE };
  assert.throws(
    () => imgToSignalsMaps({ ...img3, shape: [...SHAPE, 1] }, oneMap),
    /^TypeError: maps:/,
  );
});
