/**
 * Non-finite values in a subject's data or in the mask: treated as 0 / outside, with nilearn
 * 0.11.1's warning "Non-finite values detected. These values will be replaced with zeros."
 * through the masker's warning channel (kept for the report, printed once).
 */
import assert from "node:assert/strict";
import { multiMapsMasker } from "../maskers/mod.ts";
import type { Image } from "../types.ts";

const MESSAGE = "Non-finite values detected. These values will be replaced with zeros.";
const AFFINE = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
// 4 voxels along x; map 0 covers voxels 0-1, map 1 voxels 2-3 (weights 1).
const MAPS: Image = {
  data: Float64Array.from([1, 1, 0, 0, 0, 0, 1, 1]),
  shape: [4, 1, 1, 2],
  affine: AFFINE,
};

function bold(values: number[][]): Image {
  return {
    data: Float64Array.from(values.flat()),
    shape: [4, 1, 1, values.length],
    affine: AFFINE,
  };
}

Deno.test("NaN/Inf in the data: counted as 0, with nilearn's warning in the report", async () => {
  const f = await multiMapsMasker({ mapsImg: MAPS }).fit();
  const clean = await f.transform(bold([[2, 2, 5, 5], [3, 3, 7, 7]]));
  assert.ok(!f.reportInput()!.warnings.includes(MESSAGE), "no warning for finite data");
  assert.deepEqual(Array.from(clean.data), [2, 5, 3, 7]);
  // Voxel 1 NaN in volume 0, voxel 3 +Inf in volume 1: least squares with those voxels at 0.
  const dirty = await f.transform(bold([[2, NaN, 5, 5], [3, 3, 7, Infinity]]));
  assert.deepEqual(Array.from(dirty.data), [1, 5, 3, 3.5]);
  const warnings = f.reportInput()!.warnings;
  assert.equal(warnings.filter((w) => w === MESSAGE).length, 1, warnings.join("\n"));
});

Deno.test("NaN in the mask: outside, with the same warning; also from web workers", async () => {
  const mask: Image = { data: Float64Array.from([1, NaN, 1, 1]), shape: [4, 1, 1], affine: AFFINE };
  const f = await multiMapsMasker({ mapsImg: MAPS, maskImg: mask }).fit();
  const out = await f.transform(bold([[2, 4, 5, 5], [3, 9, 7, 7]]));
  assert.deepEqual(Array.from(out.data), [2, 5, 3, 7]); // voxel 1 is outside the mask
  assert.ok(f.reportInput()!.warnings.includes(MESSAGE));

  const g = await multiMapsMasker({ mapsImg: MAPS, nJobs: 2 }).fit();
  const both = await g.transformImgs([bold([[NaN, 2, 5, 5]]), bold([[2, 2, 5, 5]])]);
  assert.deepEqual(both.map((m) => Array.from(m.data)), [[1, 5], [2, 5]]);
  assert.ok(g.reportInput()!.warnings.includes(MESSAGE));
});
