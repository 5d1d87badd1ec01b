/**
 * Masker behaviours that only the golden cases used to catch, each with a unit test of its own
 * and expected values from a direct computation: smoothing on anisotropic voxels, high-variance
 * confound regression, the resampling cache keyed on the target grid's affine, and a
 * sample-mask index equal to the number of volumes rejected by validation.
 */
import assert from "node:assert/strict";
import { multiMapsMasker } from "../maskers/mod.ts";
import { highVarianceConfounds } from "../image/high_variance_confounds.ts";
import type { Image, Matrix } from "../types.ts";
import { lcg } from "./lcg.ts";
import { maxAbsDiff } from "./matrix_fixtures.ts";

// ---- smoothing on anisotropic voxels -------------------------------------------------------

// Voxel sizes 2, 3 and 4.5 mm along the array axes i, j, k; the affine permutes x and y, so
// the sizes are the affine's column norms (not its row norms).
const ANISO = Float64Array.from([0, 3, 0, -10, 2, 0, 0, -8, 0, 0, 4.5, -9, 0, 0, 0, 1]);
const GRID = [9, 7, 6] as const;
const GV = GRID[0] * GRID[1] * GRID[2];
const VOX = [2, 3, 4.5];

/** Two disjoint boxes (weights 1): the projection of a volume is each box's mean. */
function boxMaps(): { img: Image; boxes: number[][] } {
  const boxes: number[][] = [[], []];
  const data = new Float64Array(GV * 2);
  for (let k = 0; k < GRID[2]; k++) {
    for (let j = 0; j < GRID[1]; j++) {
      for (let i = 0; i < GRID[0]; i++) {
        const v = i + GRID[0] * (j + GRID[1] * k);
        const m = i >= 2 && i <= 4 && j >= 1 && j <= 3 && k >= 1 && k <= 3
          ? 0
          : i >= 5 && i <= 7 && j >= 3 && j <= 5 && k >= 2 && k <= 4
          ? 1
          : -1;
        if (m >= 0) {
          data[m * GV + v] = 1;
          boxes[m]!.push(v);
        }
      }
    }
  }
  return { img: { data, shape: [...GRID, 2], affine: ANISO }, boxes };
}

/** scipy's gaussian_filter1d along one axis (truncate 4, mode "reflect"), written directly. */
function gaussAxis(vol: Float64Array, axis: number, sigma: number): Float64Array {
  if (!(sigma > 0)) return vol;
  const radius = Math.floor(4 * sigma + 0.5);
  const w: number[] = [];
  for (let x = -radius; x <= radius; x++) w.push(Math.exp(-(x * x) / (2 * sigma * sigma)));
  const sum = w.reduce((a, b) => a + b, 0);
  const n = GRID[axis]!;
  const reflect = (p: number): number => {
    const period = 2 * n;
    let q = ((p % period) + period) % period;
    if (q >= n) q = period - 1 - q;
    return q;
  };
  const out = new Float64Array(vol.length);
  for (let k = 0; k < GRID[2]; k++) {
    for (let j = 0; j < GRID[1]; j++) {
      for (let i = 0; i < GRID[0]; i++) {
        const idx = [i, j, k];
        let acc = 0;
        for (let x = -radius; x <= radius; x++) {
          const p = [...idx];
          p[axis] = reflect(idx[axis]! + x);
          acc += (w[x + radius]! / sum) * vol[p[0]! + GRID[0] * (p[1]! + GRID[1] * p[2]!)]!;
        }
        out[i + GRID[0] * (j + GRID[1] * k)] = acc;
      }
    }
  }
  return out;
}

Deno.test("smoothing on anisotropic voxels: sigma per axis from the voxel sizes (affine column norms)", async () => {
  const { img: maps, boxes } = boxMaps();
  const nT = 3;
  const r = lcg(5);
  const data = Float64Array.from({ length: GV * nT }, () => 100 * r());
  const bold: Image = { data, shape: [...GRID, nT], affine: ANISO };
  const toSigma = (fwhm: number, axis: number) => fwhm / (Math.sqrt(8 * Math.LN2) * VOX[axis]!);
  for (const fwhm of [6, [5, 7, 0]] as const) {
    const fitted = await multiMapsMasker({ mapsImg: maps, smoothingFwhm: fwhm, reports: false })
      .fit();
    const got = await fitted.transform(bold);
    const expected = new Float64Array(nT * 2);
    for (let t = 0; t < nT; t++) {
      let vol: Float64Array = data.slice(t * GV, (t + 1) * GV);
      for (let axis = 0; axis < 3; axis++) {
        const f = typeof fwhm === "number" ? fwhm : fwhm[axis]!;
        vol = gaussAxis(vol, axis, toSigma(f, axis));
      }
      for (let m = 0; m < 2; m++) {
        expected[t * 2 + m] = boxes[m]!.reduce((a, v) => a + vol[v]!, 0) / boxes[m]!.length;
      }
    }
    assert.ok(maxAbsDiff(got.data, expected) < 1e-9, `fwhm ${JSON.stringify(fwhm)}`);
    // Isotropic sigmas (the mean voxel size) would give visibly different signals.
    const iso = new Float64Array(nT * 2);
    for (let t = 0; t < nT; t++) {
      let vol: Float64Array = data.slice(t * GV, (t + 1) * GV);
      for (let axis = 0; axis < 3; axis++) {
        const f = typeof fwhm === "number" ? fwhm : fwhm[axis]!;
        vol = gaussAxis(vol, axis, f / (Math.sqrt(8 * Math.LN2) * 3));
      }
      for (let m = 0; m < 2; m++) {
        iso[t * 2 + m] = boxes[m]!.reduce((a, v) => a + vol[v]!, 0) / boxes[m]!.length;
      }
    }
    assert.ok(maxAbsDiff(iso, expected) > 0.05);
  }
});

// ---- high-variance confounds --------------------------------------------------------------

Deno.test("highVarianceConfounds: the subject's own high-variance confounds are regressed out", async () => {
  const { img: maps } = boxMaps();
  const nT = 30;
  const r = lcg(9);
  // Smooth signals plus a few noisy voxels with large, structured variance.
  const data = new Float64Array(GV * nT);
  for (let t = 0; t < nT; t++) {
    for (let v = 0; v < GV; v++) {
      const loud = v % 37 === 0 ? 40 * Math.sin(0.9 * t + v) + 30 * (r() - 0.5) : 0;
      data[t * GV + v] = 50 + Math.sin(0.2 * t + v / 50) + loud + 0.5 * (r() - 0.5);
    }
  }
  const bold: Image = { data, shape: [...GRID, nT], affine: ANISO };
  const withHv = await multiMapsMasker({
    mapsImg: maps,
    highVarianceConfounds: true,
    reports: false,
  })
    .fit();
  const got = await withHv.transform(bold);
  // Direct computation: the image-level high-variance confounds (nilearn defaults: 5, 2 %,
  // detrended) given as explicit confounds to a masker without the option.
  const hv: Matrix = highVarianceConfounds(bold);
  assert.deepEqual(hv.shape, [nT, 5]);
  const plain = await multiMapsMasker({ mapsImg: maps, reports: false }).fit();
  const expected = await plain.transform(bold, { confounds: hv });
  assert.ok(maxAbsDiff(got.data, expected.data) < 1e-9, `${maxAbsDiff(got.data, expected.data)}`);
  // The residuals are orthogonal to each (centred) confound: they were regressed out.
  for (let c = 0; c < 5; c++) {
    const col = Array.from({ length: nT }, (_, t) => hv.data[t * 5 + c]!);
    const mu = col.reduce((a, b) => a + b, 0) / nT;
    for (let m = 0; m < 2; m++) {
      let dot = 0, norm = 0;
      for (let t = 0; t < nT; t++) {
        dot += got.data[t * 2 + m]! * (col[t]! - mu);
        norm += got.data[t * 2 + m]! ** 2;
      }
      assert.ok(Math.abs(dot) < 1e-8 * Math.max(1, Math.sqrt(norm)), `confound ${c} map ${m}`);
    }
  }
  // Without the option, the signals differ (the confounds matter here).
  assert.ok(maxAbsDiff((await plain.transform(bold)).data, got.data) > 1e-3);
});

// ---- resampling cache keyed on the target affine ------------------------------------------

Deno.test("memory: subjects with the same shape but shifted affines do not share resampled maps", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cache_key_" });
  try {
    const { img: maps } = boxMaps();
    const nT = 4;
    const r = lcg(3);
    const data = Float64Array.from({ length: GV * nT }, () => 10 + r());
    const shifted = (dx: number): Image => {
      const affine = Float64Array.from(ANISO);
      affine[3] = affine[3]! + dx;
      return { data, shape: [...GRID, nT], affine };
    };
    const a = shifted(1.5), b = shifted(-1.5);
    const config = { mapsImg: maps, resamplingTarget: "data" as const, reports: false };
    const reference = await multiMapsMasker(config).fit();
    const refA = await reference.transform(a);
    const refB = await reference.transform(b);
    assert.ok(maxAbsDiff(refA.data, refB.data) > 1e-3, "the shift changes the signals");
    // One masker fills the cache with subject A's grid; fresh maskers read it.
    const cached = { ...config, memory: dir, memoryLevel: 1 };
    const first = await multiMapsMasker(cached).fit();
    assert.deepEqual((await first.transform(a)).data, refA.data);
    const second = await multiMapsMasker(cached).fit();
    assert.deepEqual((await second.transform(b)).data, refB.data);
    assert.deepEqual((await second.transform(a)).data, refA.data);
    let entries = 0;
    for await (const _ of Deno.readDir(dir)) entries++;
    assert.ok(entries > 0, "the cache was used");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- sample mask validation ----------------------------------------------------------------

Deno.test("masker: a sample-mask index equal to the number of volumes fails validation (with and without Butterworth)", async () => {
  const { img: maps } = boxMaps();
  const nT = 24;
  const r = lcg(4);
  const bold: Image = {
    data: Float64Array.from({ length: GV * nT }, () => r()),
    shape: [...GRID, nT],
    affine: ANISO,
  };
  const keep = [0, 2, 3, 5, 8, 13, 21, 24];
  for (const filter of [{}, { lowPass: 0.1, tR: 2 }]) {
    const fitted = await multiMapsMasker({ mapsImg: maps, reports: false, ...filter }).fit();
    await assert.rejects(
      fitted.transform(bold, { sampleMask: keep }),
      (e: Error) =>
        e instanceof RangeError &&
        e.message ===
          "sampleMask for image #0: invalid index 24 at position 7, out of range; the signal " +
            "has 24 time points (valid indices -24..23)",
      JSON.stringify(filter),
    );
    const ok = await fitted.transform(bold, { sampleMask: [...keep.slice(0, -1), 23] });
    assert.equal(ok.shape[0], 8);
  }
});
