import assert from "node:assert/strict";
import {
  makeMapsProjector,
  makeMapsProjectorSparse,
  type MapsProjector,
} from "../image/maps_projection.ts";
import { compactMaps } from "../maskers/compact_maps.ts";
import type { Image } from "../types.ts";
import { lcg } from "./lcg.ts";

const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);

/** Sparse, partly negative maps with NaN, -0, tiny weights and one map empty inside the mask. */
function testMaps(float32: boolean, seed: number): { maps: Image; mask: Image } {
  const shape = [7, 6, 5];
  const nV = 7 * 6 * 5, nM = 9;
  const r = lcg(seed);
  const data = float32 ? new Float32Array(nV * nM) : new Float64Array(nV * nM);
  for (let j = 0; j < nM; j++) {
    for (let v = 0; v < nV; v++) {
      const u = r();
      if (u < 0.6) continue;
      data[j * nV + v] = u < 0.62 ? -0 : u < 0.63 ? NaN : u < 0.65 ? 1e-14 : r() - 0.3;
    }
  }
  const mask = new Float64Array(nV);
  for (let v = 0; v < nV; v++) mask[v] = v % 7 < 5 ? 1 : 0;
  // Map 4 only outside the mask (emptied by it).
  for (let v = 0; v < nV; v++) data[4 * nV + v] = v % 7 >= 5 && r() < 0.5 ? 0.7 : 0;
  return {
    maps: { data, shape: [...shape, nM], affine },
    mask: { data: mask, shape, affine },
  };
}

function assertSameProjector(a: MapsProjector, b: MapsProjector): void {
  assert.equal(a.nMaps, b.nMaps);
  assert.equal(a.nVoxels, b.nVoxels);
  assert.equal(a.refine, b.refine);
  for (
    const key of [
      "labels",
      "support",
      "tilePtr",
      "segMap",
      "segPtr",
      "offsets",
      "values",
      "gramPinv",
      "mapNnz",
    ] as const
  ) {
    assert.equal(a[key].constructor, b[key].constructor, key);
    assert.deepEqual(Array.from(a[key]), Array.from(b[key]), key);
  }
}

Deno.test("makeMapsProjectorSparse: the dense maps' projector, bit for bit", () => {
  for (const float32 of [true, false]) {
    const { maps, mask } = testMaps(float32, float32 ? 5 : 6);
    const sparse = compactMaps(maps);
    assert.equal(sparse.dense, null);
    for (const m of [null, mask]) {
      for (const keepMaskedMaps of [true, false]) {
        const dense = makeMapsProjector(maps, m, { keepMaskedMaps });
        const fromSparse = makeMapsProjectorSparse(sparse, m, { keepMaskedMaps });
        assertSameProjector(dense, fromSparse);
        if (m !== null && !keepMaskedMaps) assert.ok(!Array.from(dense.labels).includes(4));
      }
    }
  }
});

Deno.test("makeMapsProjectorSparse: rejects storage that does not fit the shape", () => {
  const ok = {
    shape: [3, 1, 1, 2],
    start: [0, 1, 2],
    voxel: Int32Array.from([0, 2]),
    values: Float64Array.from([1, 1]),
  };
  assert.equal(makeMapsProjectorSparse(ok).nMaps, 2);
  assert.throws(
    () => makeMapsProjectorSparse({ ...ok, voxel: Int32Array.from([0, 3]) }),
    TypeError,
  );
  assert.throws(() => makeMapsProjectorSparse({ ...ok, start: [0, 2] }), TypeError);
  assert.throws(
    () => makeMapsProjectorSparse({ ...ok, values: Float64Array.from([1]) }),
    TypeError,
  );
  const mask = { data: new Float64Array(4), shape: [4, 1, 1], affine };
  assert.throws(() => makeMapsProjectorSparse(ok, mask), RangeError);
});
