/**
 * Benchmark: resample 64 synthetic maps from the 3 mm MNI grid (61x73x61) onto the 2 mm MNI
 * grid (91x109x91) with cubic B-splines ("continuous"), on one core. nilearn 0.11.1 takes
 * about 15 s for this on the project machine.
 *
 * Run: `deno run bench/resample_bench.ts [nMaps] [interpolation]`
 *
 * @module
 */
import { resampleImg } from "../image/resample.ts";
import type { Interpolation } from "../image/resample.ts";

const nMaps = Number(Deno.args[0] ?? 64);
const interpolation = (Deno.args[1] ?? "continuous") as Interpolation;
const [nx, ny, nz] = [61, 73, 61];
const src = Float64Array.from([-3, 0, 0, 90, 0, 3, 0, -126, 0, 0, 3, -72, 0, 0, 0, 1]);
const dst = Float64Array.from([-2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1]);

// smooth blobs, one per map, as probabilistic atlases look
const data = new Float32Array(nx * ny * nz * nMaps);
for (let m = 0; m < nMaps; m++) {
  const cx = 10 + ((m * 7) % 40);
  const cy = 10 + ((m * 11) % 50);
  const cz = 10 + ((m * 13) % 40);
  const base = m * nx * ny * nz;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const r2 = (i - cx) ** 2 + (j - cy) ** 2 + (k - cz) ** 2;
        data[base + i + nx * (j + ny * k)] = r2 < 200 ? Math.exp(-r2 / 40) : 0;
      }
    }
  }
}
const img = { data, shape: [nx, ny, nz, nMaps], affine: src };

const t0 = performance.now();
const out = resampleImg(img, { targetAffine: dst, targetShape: [91, 109, 91], interpolation });
const seconds = (performance.now() - t0) / 1000;
let checksum = 0;
for (let i = 0; i < out.data.length; i += 997) checksum += out.data[i]!;
console.log(
  `resampleImg ${interpolation}: ${nMaps} maps 61x73x61 (3 mm) -> 91x109x91 (2 mm): ` +
    `${seconds.toFixed(2)} s (checksum ${checksum.toFixed(6)})`,
);
