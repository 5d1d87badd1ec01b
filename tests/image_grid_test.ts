import assert from "node:assert/strict";
import {
  allClose,
  invertAffine,
  multiplyAffines,
  sameGrid,
  voxelSizes,
  voxelToWorld,
  worldToVoxel,
} from "../image/grid.ts";
import { concatImgs, indexImg, meanImg, volumeCount } from "../image/volumes.ts";

const mni2 = Float64Array.from([-2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1]);
const oblique = Float64Array.from([
  1.9,
  -0.4,
  0.1,
  3,
  0.45,
  2.1,
  -0.2,
  -5,
  0.05,
  0.3,
  2.5,
  7,
  0,
  0,
  0,
  1,
]);

Deno.test("invertAffine: inverse times matrix is the identity; singular matrices throw", () => {
  for (const a of [mni2, oblique]) {
    const p = multiplyAffines(invertAffine(a), a);
    for (let i = 0; i < 16; i++) assert.ok(Math.abs(p[i]! - (i % 5 === 0 ? 1 : 0)) < 1e-12);
  }
  const singular = Float64Array.from([1, 2, 3, 0, 2, 4, 6, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  assert.throws(
    () => invertAffine(singular, "maskAffine"),
    (e: Error) => e instanceof RangeError && /maskAffine/.test(e.message),
  );
  assert.throws(() => invertAffine([1, 2, 3]), TypeError);
  // exact for scale + translation, like LAPACK: 1/3 scale, whole-voxel shift stays integral
  const inv = invertAffine(
    Float64Array.from([4, 0, 0, -18, 0, 4, 0, -28, 0, 0, 4, -14, 0, 0, 0, 1]),
  );
  assert.equal(inv[3], 4.5);
});

Deno.test("voxelToWorld / worldToVoxel round trip; MNI centre", () => {
  assert.deepEqual(voxelToWorld(mni2, 45, 63, 36), [0, 0, 0]);
  const [i, j, k] = worldToVoxel(oblique, ...voxelToWorld(oblique, 3.5, -2, 10));
  assert.ok(Math.abs(i - 3.5) < 1e-12 && Math.abs(j + 2) < 1e-12 && Math.abs(k - 10) < 1e-12);
});

Deno.test("sameGrid uses np.allclose tolerance on affines and compares spatial shapes", () => {
  const near = mni2.slice();
  near[3] = 90 * (1 + 5e-6);
  const far = mni2.slice();
  far[3] = 90.01;
  assert.ok(
    sameGrid({ shape: [91, 109, 91, 20], affine: mni2 }, { shape: [91, 109, 91], affine: near }),
  );
  assert.ok(
    !sameGrid({ shape: [91, 109, 91], affine: mni2 }, { shape: [91, 109, 91], affine: far }),
  );
  assert.ok(
    !sameGrid({ shape: [91, 109, 90], affine: mni2 }, { shape: [91, 109, 91], affine: mni2 }),
  );
  assert.ok(allClose([0], [1e-9]) && !allClose([0], [1e-7]));
});

Deno.test("voxelSizes are the norms of the affine columns", () => {
  assert.deepEqual(voxelSizes(mni2), [2, 2, 2]);
  const [sx] = voxelSizes(oblique);
  assert.ok(Math.abs(sx - Math.hypot(1.9, 0.45, 0.05)) < 1e-15);
});

Deno.test("indexImg, concatImgs, meanImg, volumeCount", () => {
  const affine = mni2;
  const four = { data: Float64Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 1, 1, 3], affine };
  assert.equal(volumeCount(four), 3);
  assert.deepEqual(Array.from(indexImg(four, -1).data), [5, 6]);
  assert.deepEqual(indexImg(four, 1).shape, [2, 1, 1]);
  const picked = indexImg(four, [2, 0]);
  assert.deepEqual(picked.shape, [2, 1, 1, 2]);
  assert.deepEqual(Array.from(picked.data), [5, 6, 1, 2]);
  assert.throws(() => indexImg(four, 3), RangeError);
  const cat = concatImgs([four, indexImg(four, 0)]);
  assert.deepEqual(cat.shape, [2, 1, 1, 4]);
  assert.deepEqual(Array.from(cat.data), [1, 2, 3, 4, 5, 6, 1, 2]);
  assert.throws(() => concatImgs([four, { ...four, affine: oblique }]), TypeError);
  assert.throws(() => concatImgs([]), TypeError);
  assert.deepEqual(Array.from(meanImg(four).data), [3, 4]);
});
