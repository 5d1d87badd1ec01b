import assert from "node:assert/strict";
import type { Image } from "../types.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import { loadImg } from "../image/load.ts";
import { resampleImg } from "../image/resample.ts";
import { smoothImg } from "../image/smooth.ts";
import { imgToSignalsMaps } from "../image/maps_projection.ts";
import { synthNifti } from "./image_io_fixtures.ts";
import { lcg } from "./lcg.ts";

// Unsigned-integer data in the masker: with dtype null, nilearn keeps unscaled uint8/uint16 data
// in that dtype, so resampling rounds to integers and smoothing truncates each axis pass. The
// expected values come from resampleImg/smoothImg on loaded uint8 images (verified against
// nilearn 0.11.1 by the conformance cases), chained as nilearn chains them.

const D = [9, 9, 7]; // data grid, 2 mm
const M = [6, 6, 5]; // maps grid, 3 mm
const NT = 5;
const dataAffine = Float64Array.from([2, 0, 0, -8, 0, 2, 0, -8, 0, 0, 2, -6, 0, 0, 0, 1]);
const mapsAffine = Float64Array.from([3, 0, 0, -8, 0, 3, 0, -8, 0, 0, 3, -6, 0, 0, 0, 1]);

function values(): number[] {
  const r = lcg(7);
  const out: number[] = [];
  for (let t = 0; t < NT; t++) {
    // a sharp-edged blob (spline overshoots) whose maximum differs between volumes
    const top = t === 2 ? 250 : 120 + 20 * t;
    for (let z = 0; z < D[2]!; z++) {
      for (let y = 0; y < D[1]!; y++) {
        for (let x = 0; x < D[0]!; x++) {
          const inside = (x - 4) ** 2 + (y - 4) ** 2 + (z - 3) ** 2 < 8;
          out.push(inside ? Math.round(top - 30 * r()) : Math.floor(10 * r()));
        }
      }
    }
  }
  return out;
}

/** A uint8 NIfTI file's bytes (datatype 2, unscaled), on the data grid or the maps grid. */
function uint8Bytes(onMapsGrid: boolean): Uint8Array {
  const vals = values();
  const a = onMapsGrid ? mapsAffine : dataAffine;
  const shape = onMapsGrid ? M : D;
  const nV = shape[0]! * shape[1]! * shape[2]!;
  const nD = D[0]! * D[1]! * D[2]!;
  // on the maps grid: the first nV values of each volume
  const v: number[] = [];
  for (let t = 0; t < NT; t++) v.push(...vals.slice(t * nD, t * nD + nV));
  return synthNifti({
    datatype: 2,
    dims: [...shape, NT],
    values: v,
    sformCode: 1,
    srow: Array.from(a.slice(0, 12)),
    pixdim: [1, a[0]!, a[5]!, a[10]!, 1, 0, 0, 0],
  });
}

function maps(): Image {
  const nV = M[0]! * M[1]! * M[2]!;
  const out = new Float64Array(nV * 3);
  const c = [[2, 2, 2], [3, 3, 2], [2, 3, 3]];
  for (let m = 0; m < 3; m++) {
    for (let z = 0, v = 0; z < M[2]!; z++) {
      for (let y = 0; y < M[1]!; y++) {
        for (let x = 0; x < M[0]!; x++, v++) {
          const d2 = (x - c[m]![0]!) ** 2 + (y - c[m]![1]!) ** 2 + (z - c[m]![2]!) ** 2;
          out[m * nV + v] = Math.exp(-d2 / 2);
        }
      }
    }
  }
  return { data: out, shape: [...M, 3], affine: mapsAffine };
}

function close(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, what);
  let max = 0, diff = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  assert.ok(diff <= 1e-9 * max, `${what}: max difference ${diff} (max ${max})`);
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

Deno.test("masker: uint8 data smoothed on the maps grid are truncated as nilearn keeps uint8", async () => {
  const bytes = uint8Bytes(true);
  const loaded = await loadImg(bytes);
  assert.equal((loaded as { dtype?: string }).dtype, "uint8");
  const expected = imgToSignalsMaps(smoothImg(loaded, 6), maps()).data;
  // the float path (no truncation) differs: the test can tell them apart
  const asFloat = {
    data: Float64Array.from(loaded.data),
    shape: loaded.shape,
    affine: loaded.affine,
  };
  const floatSignals = imgToSignalsMaps(smoothImg(asFloat, 6), maps()).data;
  assert.ok(maxDiff(expected, floatSignals) > 1e-3);

  const fitted = await multiMapsMasker({ mapsImg: maps(), smoothingFwhm: 6 }).fit();
  close((await fitted.transform(bytes)).data, expected, "file bytes");
  close((await fitted.transform(loaded)).data, expected, "in-memory uint8 image");
  const two = await fitted.transformImgs([bytes, loaded], { nJobs: 2 });
  close(two[0]!.data, expected, "worker, file bytes");
  close(two[1]!.data, expected, "worker, in-memory image");
  // dtype "float32" casts the data first (no truncation), and the maps
  const f32 = await multiMapsMasker({ mapsImg: maps(), smoothingFwhm: 6, dtype: "float32" })
    .fit();
  const want32 = imgToSignalsMaps(
    smoothImg({ ...asFloat, data: Float32Array.from(loaded.data) }, 6),
    { ...maps(), data: Float32Array.from(maps().data) },
  ).data;
  close((await f32.transform(bytes)).data, want32, "dtype float32");
  // dtype "auto" makes unsigned data float32 too
  const auto = await multiMapsMasker({ mapsImg: maps(), smoothingFwhm: 6, dtype: "auto" }).fit();
  close((await auto.transform(bytes)).data, want32, "dtype auto");
});

Deno.test("masker: uint8 data resampled to the maps grid stay integers (then truncated when smoothed)", async () => {
  const bytes = uint8Bytes(false);
  const loaded = await loadImg(bytes);
  const resampled = resampleImg(loaded, {
    targetAffine: mapsAffine,
    targetShape: M,
    interpolation: "continuous",
  });
  assert.ok(resampled.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 250));
  // spline overshoots beyond the whole image's maximum (250) get clipped: the test covers it
  const unclipped = resampleImg(loaded, {
    targetAffine: mapsAffine,
    targetShape: M,
    interpolation: "continuous",
    clip: false,
  });
  assert.ok(unclipped.data.some((v) => v > 250));
  // resample_img keeps uint8: smoothing then truncates
  const asUint8 = { ...resampled, dtype: "uint8" } as Image;
  for (const fwhm of [null, 5]) {
    const r = fwhm === null ? resampled : smoothImg(asUint8, fwhm);
    const expected = imgToSignalsMaps(r, maps()).data;
    const fitted = await multiMapsMasker({
      mapsImg: maps(),
      resamplingTarget: "maps",
      smoothingFwhm: fwhm,
    }).fit();
    close((await fitted.transform(bytes)).data, expected, `file, fwhm ${fwhm}`);
    close((await fitted.transform(loaded)).data, expected, `in memory, fwhm ${fwhm}`);
    const two = await fitted.transformImgs([bytes, loaded], { nJobs: 2 });
    close(two[0]!.data, expected, `worker, file, fwhm ${fwhm}`);
    close(two[1]!.data, expected, `worker, in memory, fwhm ${fwhm}`);
  }
});
