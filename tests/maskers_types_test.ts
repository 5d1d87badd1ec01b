/**
 * Type-level checks of the masker's overloads (compiled by `deno check` and `deno test`): a list
 * given to `transform` / `fitTransform` is typed `Matrix[]`, one image `Matrix`. A wrong
 * overload order makes `Assert<...>` below fail to compile. The runtime test checks the same.
 */
import assert from "node:assert/strict";
import { multiMapsMasker } from "../maskers/mod.ts";
import type { FittedMultiMapsMasker, MultiMapsMasker } from "../maskers/mod.ts";
import type { Image, Matrix } from "../types.ts";

/** true exactly when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
/** Compiles only when T is true. */
type Assert<T extends true> = T;

/** Never called: only its types matter. */
function typeChecks(f: FittedMultiMapsMasker, m: MultiMapsMasker, img: Image, paths: string[]) {
  const listPaths = f.transform(paths);
  const listImgs = f.transform([img, img]);
  const one = f.transform(img);
  const onePath = f.transform("bold.nii.gz");
  const fitList = m.fitTransform(paths);
  const fitOne = m.fitTransform(img);
  type _1 = Assert<Equal<typeof listPaths, Promise<Matrix[]>>>;
  type _2 = Assert<Equal<typeof listImgs, Promise<Matrix[]>>>;
  type _3 = Assert<Equal<typeof one, Promise<Matrix>>>;
  type _4 = Assert<Equal<typeof onePath, Promise<Matrix>>>;
  type _5 = Assert<Equal<typeof fitList, Promise<Matrix[]>>>;
  type _6 = Assert<Equal<typeof fitOne, Promise<Matrix>>>;
  return [listPaths, listImgs, one, onePath, fitList, fitOne];
}

Deno.test("transform(list) and fitTransform(list) return Matrix[] as typed", async () => {
  assert.equal(typeof typeChecks, "function");
  const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  const mapsImg: Image = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
  const bold: Image = { data: Float64Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 1, 1, 3], affine };
  const masker = multiMapsMasker({ mapsImg, reports: false });
  const list = await masker.fitTransform([bold, bold]);
  assert.ok(Array.isArray(list) && list.length === 2);
  assert.deepEqual(list[0]!.shape, [3, 2]);
  const single = await (await masker.fit()).transform(bold);
  assert.ok(!Array.isArray(single));
  assert.deepEqual(Array.from(single.data), [1, 2, 3, 4, 5, 6]);
});
