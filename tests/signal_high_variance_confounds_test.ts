import assert from "node:assert/strict";
import { highVarianceConfounds } from "../image/mod.ts";
import { highVarianceConfoundsOfSignals } from "../signal/mod.ts";
import type { Image, Matrix } from "../types.ts";
import { lcg } from "./lcg.ts";

/** Deterministic pseudo-random numbers in [-0.5, 0.5). */
function rng(seed: number): () => number {
  const r = lcg(seed);
  return () => r() - 0.5;
}

Deno.test("high-variance confounds find a strong shared component; columns orthonormal", () => {
  const rows = 40;
  const cols = 200;
  const r = rng(1);
  const comp = Array.from({ length: rows }, (_, t) => Math.sin(t * 0.9) + 0.3 * Math.cos(t * 2.3));
  const data = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) {
    for (let c = 0; c < cols; c++) {
      data[t * cols + c] = 0.1 * r() + (c < 10 ? 20 * comp[t]! : 0) + t * 0.5;
    }
  }
  const out = highVarianceConfoundsOfSignals({ data, shape: [rows, cols] }, {
    nConfounds: 3,
    percentile: 5,
  });
  assert.deepEqual(out.shape, [rows, 3]);
  const col = (j: number) => Array.from({ length: rows }, (_, t) => out.data[t * 3 + j]!);
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      const s = col(a).reduce((acc, v, t) => acc + v * col(b)[t]!, 0);
      assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-9);
    }
  }
  // first confound ~ the (detrended) component, up to sign
  const mu = comp.reduce((a, b) => a + b, 0) / rows;
  const c0 = comp.map((v) => v - mu);
  const dot = col(0).reduce((acc, v, t) => acc + v * c0[t]!, 0);
  const norm = Math.sqrt(c0.reduce((acc, v) => acc + v * v, 0));
  assert.ok(Math.abs(Math.abs(dot / norm) - 1) < 0.01, `correlation ${dot / norm}`);
});

Deno.test("image wrapper: masked voxels give the same confounds as their matrix", () => {
  const [nx, ny, nz, nt] = [4, 3, 2, 15];
  const nvox = nx * ny * nz;
  const r = rng(2);
  const data = Float64Array.from({ length: nvox * nt }, () => r());
  const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  const img: Image = { data, shape: [nx, ny, nz, nt], affine };
  const maskData = Float32Array.from({ length: nvox }, (_, i) => (i % 3 === 0 ? 0 : 1));
  const mask: Image = { data: maskData, shape: [nx, ny, nz], affine };
  const opts = { nConfounds: 2, percentile: 30 };
  const fromImg = highVarianceConfounds(img, { maskImg: mask, ...opts });
  const inside = Array.from({ length: nvox }, (_, i) => i).filter((i) => maskData[i] !== 0);
  const series: Matrix = {
    data: Float64Array.from({ length: nt * inside.length }, (_, k) => {
      const t = Math.floor(k / inside.length);
      return data[t * nvox + inside[k % inside.length]!]!;
    }),
    shape: [nt, inside.length],
  };
  const fromMatrix = highVarianceConfoundsOfSignals(series, opts);
  for (let j = 0; j < 2; j++) {
    let d = 0;
    for (let t = 0; t < nt; t++) d += fromImg.data[t * 2 + j]! * fromMatrix.data[t * 2 + j]!;
    assert.ok(Math.abs(Math.abs(d) - 1) < 1e-9, `column ${j}: |dot| = ${Math.abs(d)}`);
  }
  assert.throws(
    () => highVarianceConfounds(img, { maskImg: { data: maskData, shape: [4, 3, 3], affine } }),
    /maskImg: shape/,
  );
});
