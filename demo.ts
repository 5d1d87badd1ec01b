/**
 * Quick-start demo: `deno task demo`.
 *
 * Synthesizes a small 4D fMRI-like image and a set of brain maps (no download needed), writes
 * both as `.nii.gz` in a temporary folder, reads the image back and prints a summary.
 *
 * @module
 */
import { join } from "node:path";
import { loadImg, saveImg } from "./image/mod.ts";
import type { Image } from "./types.ts";

/** A small deterministic pseudo-random generator (mulberry32), uniform in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Synthetic data: `nMaps` Gaussian blobs and a 4D image mixing one time series per blob. */
function synthesize(): { bold: Image; maps: Image } {
  const [nx, ny, nz, nt, nMaps] = [20, 24, 18, 60, 3];
  const nVox = nx * ny * nz;
  // 3 mm voxels, origin so that the grid is roughly centred on (0, 0, 0) mm.
  const affine = Float64Array.from([3, 0, 0, -30, 0, 3, 0, -36, 0, 0, 3, -27, 0, 0, 0, 1]);
  const centres = [[6, 8, 9], [13, 8, 9], [10, 17, 8]];
  const maps = new Float32Array(nVox * nMaps);
  for (let m = 0; m < nMaps; m++) {
    const [cx, cy, cz] = centres[m]!;
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const d2 = (i - cx!) ** 2 + (j - cy!) ** 2 + (k - cz!) ** 2;
          maps[i + nx * (j + ny * k) + nVox * m] = Math.exp(-d2 / (2 * 2.5 ** 2));
        }
      }
    }
  }
  const rand = rng(42);
  const tR = 2;
  const bold = new Float32Array(nVox * nt);
  for (let t = 0; t < nt; t++) {
    // One slow oscillation per map, different frequencies (Hz) and phases.
    const s = [0.02, 0.05, 0.08].map((f, m) => Math.sin(2 * Math.PI * f * t * tR + m));
    for (let v = 0; v < nVox; v++) {
      let x = 100 + (rand() - 0.5);
      for (let m = 0; m < nMaps; m++) x += 5 * s[m]! * maps[v + nVox * m]!;
      bold[v + nVox * t] = x;
    }
  }
  return {
    bold: { data: bold, shape: [nx, ny, nz, nt], affine },
    maps: { data: maps, shape: [nx, ny, nz, nMaps], affine },
  };
}

function summarize(label: string, img: Image): void {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of img.data) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  console.log(`${label}: shape [${img.shape.join(", ")}], ${img.data.constructor.name}`);
  for (let r = 0; r < 4; r++) {
    const row = Array.from(img.affine.subarray(4 * r, 4 * r + 4), (v) => v.toFixed(1).padStart(6));
    console.log(`  affine ${row.join(" ")}`);
  }
  console.log(
    `  mean ${(sum / img.data.length).toFixed(4)}, min ${min.toFixed(4)}, max ${max.toFixed(4)}`,
  );
}

const dir = await Deno.makeTempDir({ prefix: "niimask_demo_" });
try {
  const { bold, maps } = synthesize();
  const boldPath = join(dir, "bold.nii.gz");
  const mapsPath = join(dir, "maps.nii.gz");
  await saveImg(bold, boldPath);
  await saveImg(maps, mapsPath);
  console.log(`wrote ${boldPath} (${(await Deno.stat(boldPath)).size} bytes) and ${mapsPath}`);

  const loaded = await loadImg(boldPath);
  summarize(`loaded ${boldPath} (${loaded.dtype} on disk)`, loaded);
  let maxDiff = 0;
  for (let i = 0; i < bold.data.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(loaded.data[i]! - bold.data[i]!));
  }
  console.log(`  round trip: max |loaded - written| = ${maxDiff}`);
  if (maxDiff !== 0) throw new Error(`round trip changed the data (max difference ${maxDiff})`);

  // ## Masker (extended by maskers/): extract one time series per map from bold with the maps.
} finally {
  await Deno.remove(dir, { recursive: true });
}
