import assert from "node:assert/strict";
import { smoothImg } from "../image/smooth.ts";
import type { Image } from "../types.ts";

// 5 x 3 x 1 uint8 image (x fastest): 200 at (2, 1, 0), 7 at (0, 0, 0); 1 mm voxels; fwhm giving
// sigma = 1 voxel along x and y, none along z.
function uint8Image(extra: Record<string, unknown> = {}): Image {
  const data = new Float64Array(15);
  data[2 + 5 * 1] = 200;
  data[0] = 7;
  return {
    data,
    shape: [5, 3, 1],
    affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
    dtype: "uint8",
    ...extra,
  } as Image;
}
const FWHM = Math.sqrt(8 * Math.log(2));

Deno.test("smoothImg: unscaled uint8 data are truncated after each axis pass (nilearn keeps uint8)", () => {
  const out = smoothImg(uint8Image(), [FWHM, FWHM, 0]);
  // nilearn 0.11.1 smooth_img on this uint8 image (scipy writes each pass into the uint8 array)
  assert.deepEqual(Array.from(out.data), [5, 15, 23, 14, 3, 5, 20, 32, 19, 4, 3, 14, 23, 14, 3]);
});

Deno.test("smoothImg: scaled or float unsigned data are not truncated", () => {
  const scaled = smoothImg(uint8Image({ header: { scaling: { slope: 1, inter: 1 } } }), [
    FWHM,
    FWHM,
    0,
  ]);
  const plain = smoothImg({ ...uint8Image(), dtype: undefined } as unknown as Image, [
    FWHM,
    FWHM,
    0,
  ]);
  // float64 reference values (nilearn on the same data as float64), 4 decimals
  const want = [6.3352, 15.6651, 23.8873, 14.3578, 3.4604];
  for (const out of [scaled, plain]) {
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(out.data[i]! - want[i]!) < 1e-4);
  }
});

Deno.test("smoothImg: uint8 truncation follows scipy's summation order (centre, then outer pairs in)", () => {
  // 7 x 1 x 1 uint8 line, 3 mm voxels, fwhm 6 mm along x (sigma 0.849 voxel). scipy's
  // gaussian_filter1d into uint8 (nilearn 0.11.1 smooth_img) gives 99 at the last voxel, where
  // summing the taps left to right would give 98.
  const img = {
    data: Float64Array.from([102, 205, 221, 54, 80, 192, 65]),
    shape: [7, 1, 1],
    affine: Float64Array.from([3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1]),
    dtype: "uint8",
  } as Image;
  const out = smoothImg(img, [6, 0, 0]);
  assert.deepEqual(Array.from(out.data), [132, 176, 170, 107, 103, 128, 99]);
});
