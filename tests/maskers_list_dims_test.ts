import assert from "node:assert/strict";
import type { Image } from "../types.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";

// nilearn 0.11.1 (iter_check_niimg): the first image of a list sets the list's dimensionality; a
// later image with another one raises DimensionError "input data has incompatible
// dimensionality". A list of 3D images only is accepted (one row per image), as is one 3D image.

const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
const S = [4, 4, 3];
const nV = 48;

function maps(): Image {
  const d = new Float64Array(nV * 2);
  for (let v = 0; v < nV; v++) {
    d[v] = v % 3 === 0 ? 1 : 0;
    d[nV + v] = v % 3 === 1 ? 1 : 0;
  }
  return { data: d, shape: [...S, 2], affine };
}

function image(nt: number | null): Image {
  const n = nt ?? 1;
  const d = new Float64Array(nV * n);
  for (let i = 0; i < d.length; i++) d[i] = (i * 7) % 11;
  return { data: d, shape: nt === null ? [...S] : [...S, nt], affine };
}

Deno.test("transform: a list mixing 3D and 4D images fails (nilearn DimensionError)", async () => {
  const vol = image(null);
  const func = image(5);
  const fitted = await multiMapsMasker({ mapsImg: maps() }).fit();
  const dims = (err: unknown) =>
    err instanceof TypeError && /incompatible dimensionality/.test(err.message) &&
    /imgs: image #1/.test(err.message);
  await assert.rejects(fitted.transform([vol, func]), dims);
  await assert.rejects(fitted.transform([func, vol]), dims);
  await assert.rejects(fitted.transformImgs([vol, func]), dims);
  await assert.rejects(fitted.transformImgs([func, vol], { nJobs: 2 }), dims);
  await assert.rejects(multiMapsMasker({ mapsImg: maps() }).fitTransform([func, vol]), dims);
  // the settled variant keeps the good subject
  const settled = await fitted.transformImgsSettled([func, vol]);
  assert.equal(settled[0]!.ok, true);
  assert.equal(settled[1]!.ok, false);
});

Deno.test("transform: one 3D image, or a list of 3D images only, gives one row per image", async () => {
  const vol = image(null);
  const fitted = await multiMapsMasker({ mapsImg: maps() }).fit();
  assert.deepEqual((await fitted.transform(vol)).shape, [1, 2]);
  assert.deepEqual((await fitted.transformSingleImgs(vol)).shape, [1, 2]);
  const two = await fitted.transformImgs([vol, vol]);
  assert.deepEqual(two.map((m) => m.shape), [[1, 2], [1, 2]]);
});

Deno.test("5D images (read as nibabel does) are refused by the masker with a clear TypeError", async () => {
  const five: Image = { ...image(6), shape: [...S, 2, 3] };
  const fitted = await multiMapsMasker({ mapsImg: maps() }).fit();
  const fiveD = (what: string) => (err: unknown) =>
    err instanceof TypeError && err.message.includes(what) &&
    err.message.includes("[4, 4, 3, 2, 3]");
  await assert.rejects(fitted.transform(five), fiveD("3D or 4D"));
  await assert.rejects(fitted.transformImgs([image(6), five], { nJobs: 2 }), TypeError);
  await assert.rejects(
    multiMapsMasker({ mapsImg: { ...maps(), data: new Float64Array(nV * 6), shape: [...S, 2, 3] } })
      .fit(),
    fiveD("mapsImg"),
  );
  await assert.rejects(
    multiMapsMasker({ mapsImg: maps(), maskImg: five }).fit(),
    fiveD("maskImg"),
  );
});
