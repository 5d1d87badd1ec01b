import assert from "node:assert/strict";
import type { Image } from "../types.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import { resampleImg } from "../image/resample.ts";
import { smoothImg } from "../image/smooth.ts";
import { imgToSignalsMaps } from "../image/maps_projection.ts";
import { saveImg } from "../image/save.ts";
import { lcg as rng } from "./lcg.ts";

// Data on a 2 mm grid, maps and mask on a 3 mm grid: resamplingTarget "maps" resamples the data
// volume by volume; spline overshoots at the sharp brain edge get clipped to the whole image's
// range, which the streaming pipeline only knows at the end.
const dataAffine = Float64Array.from([2, 0, 0, -10, 0, 2, 0, -10, 0, 0, 2, -8, 0, 0, 0, 1]);
const mapsAffine = Float64Array.from([3, 0, 0, -9, 0, 3, 0, -9, 0, 0, 3, -6, 0, 0, 0, 1]);
const D = [11, 11, 9];
const M = [7, 7, 6];

function data(nt: number): Image {
  const r = rng(5);
  const nV = D[0]! * D[1]! * D[2]!;
  const out = new Float64Array(nV * nt);
  for (let t = 0; t < nt; t++) {
    // Each volume has its own maximum: overshoots above one volume's maximum may stay below the
    // whole image's maximum (not clipped) or not.
    const gain = 1 + 0.5 * Math.sin(t);
    for (let z = 0, v = 0; z < D[2]!; z++) {
      for (let y = 0; y < D[1]!; y++) {
        for (let x = 0; x < D[0]!; x++, v++) {
          const inside = (x - 5) ** 2 + (y - 5) ** 2 + (z - 4) ** 2 < 14;
          out[t * nV + v] = inside ? gain * (100 + 30 * r()) : 0;
        }
      }
    }
  }
  return { data: out, shape: [...D, nt], affine: dataAffine };
}

function maps(): Image {
  const nV = M[0]! * M[1]! * M[2]!;
  const k = 3;
  const out = new Float64Array(nV * k);
  const c = [[2, 3, 2], [4, 3, 3], [3, 4, 3]];
  for (let m = 0; m < k; m++) {
    for (let z = 0, v = 0; z < M[2]!; z++) {
      for (let y = 0; y < M[1]!; y++) {
        for (let x = 0; x < M[0]!; x++, v++) {
          const d2 = (x - c[m]![0]!) ** 2 + (y - c[m]![1]!) ** 2 + (z - c[m]![2]!) ** 2;
          out[m * nV + v] = Math.exp(-d2 / 3) - 0.2;
        }
      }
    }
  }
  return { data: out, shape: [...M, k], affine: mapsAffine };
}

function mask(): Image {
  const nV = M[0]! * M[1]! * M[2]!;
  return { data: new Float64Array(nV).fill(1), shape: M, affine: mapsAffine };
}

function reference(img: Image, fwhm: number | null): Float64Array {
  let r = resampleImg(img, {
    targetAffine: mapsAffine,
    targetShape: M,
    interpolation: "continuous",
  });
  if (fwhm !== null) r = smoothImg(r, fwhm);
  return imgToSignalsMaps(r, maps(), mask()).data;
}

function close(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length);
  let max = 0, diff = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  assert.ok(diff <= 1e-10 * max, `${what}: max difference ${diff} (max ${max})`);
}

Deno.test("streaming data resampling matches resampling the whole image (clip to its range)", async () => {
  const img = data(12);
  // The test only means something when clipping changes values.
  const unclipped = resampleImg(img, {
    targetAffine: mapsAffine,
    targetShape: M,
    interpolation: "continuous",
    clip: false,
  });
  let clipped = 0;
  for (const v of unclipped.data) if (v < 0) clipped++;
  assert.ok(clipped > 0, "no overshoot to clip: the test data are too smooth");
  const dir = await Deno.makeTempDir({ prefix: "niimask_stream_" });
  try {
    const path = `${dir}/bold.nii.gz`;
    await saveImg(img, path, { dtype: "float64" });
    for (const fwhm of [null, 5]) {
      const fitted = await multiMapsMasker({
        mapsImg: maps(),
        maskImg: mask(),
        resamplingTarget: "maps",
        smoothingFwhm: fwhm,
      }).fit();
      const expected = reference(img, fwhm);
      close((await fitted.transform(path)).data, expected, `file, fwhm ${fwhm}`);
      close((await fitted.transform(img)).data, expected, `in memory, fwhm ${fwhm}`);
      const two = await fitted.transformImgs([path, img], { nJobs: 2 });
      close(two[0]!.data, expected, `worker, file, fwhm ${fwhm}`);
      close(two[1]!.data, expected, `worker, in memory, fwhm ${fwhm}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
