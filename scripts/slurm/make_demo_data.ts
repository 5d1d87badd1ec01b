/**
 * Synthesize a small batch for trying the SLURM workflow (and for `deno task test:slurm`):
 * `N` subjects `sub-XX_task-rest_bold.nii.gz` (3 mm grid), one maps image `maps.nii.gz` of
 * Gaussian blobs on a coarser 4 mm grid (so fitting has to resample the maps: what `--cache`
 * saves), a labels file, and one confounds TSV per subject.
 *
 * Usage: `deno run --allow-write scripts/slurm/make_demo_data.ts OUT_DIR [N_SUBJECTS]`
 *
 * Deterministic: the same arguments always write the same voxel values.
 *
 * @module
 */
import { saveImg } from "../../image/save.ts";
import type { Image } from "../../types.ts";

/** Deterministic uniform [0, 1) generator (mulberry32). */
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

const MAP_CENTRES_MM: readonly (readonly [number, number, number])[] = [
  [-15, -10, 0],
  [15, -10, 0],
  [0, 15, 5],
  [0, -25, -5],
];

/** Maps: one Gaussian blob (sigma 8 mm) per centre, on a 4 mm grid. */
function synthMaps(): Image {
  const [nx, ny, nz] = [14, 16, 12];
  const affine = Float64Array.from([4, 0, 0, -26, 0, 4, 0, -32, 0, 0, 4, -22, 0, 0, 0, 1]);
  const nVox = nx * ny * nz;
  const data = new Float32Array(nVox * MAP_CENTRES_MM.length);
  MAP_CENTRES_MM.forEach(([cx, cy, cz], m) => {
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const [x, y, z] = [4 * i - 26, 4 * j - 32, 4 * k - 22];
          const d2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
          const v = Math.exp(-d2 / (2 * 8 ** 2));
          data[i + nx * (j + ny * k) + nVox * m] = v < 1e-3 ? 0 : v;
        }
      }
    }
  });
  return { data, shape: [nx, ny, nz, MAP_CENTRES_MM.length], affine };
}

/** One subject: a 3 mm 4D image mixing a random walk per blob, plus noise; and 2 confounds. */
function synthSubject(seed: number, nt: number): { bold: Image; confounds: number[][] } {
  const [nx, ny, nz] = [18, 20, 16];
  const affine = Float64Array.from([3, 0, 0, -27, 0, 3, 0, -30, 0, 0, 3, -24, 0, 0, 0, 1]);
  const nVox = nx * ny * nz;
  const rand = rng(seed);
  const walks = MAP_CENTRES_MM.map(() => {
    let w = 0;
    return Array.from({ length: nt }, () => (w += rand() - 0.5));
  });
  const confounds = Array.from({ length: nt }, (_, t) => [
    0.1 * Math.sin(t / 5 + seed),
    0.05 * (rand() - 0.5),
  ]);
  const weights = new Float64Array(nVox * MAP_CENTRES_MM.length);
  MAP_CENTRES_MM.forEach(([cx, cy, cz], m) => {
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const [x, y, z] = [3 * i - 27, 3 * j - 30, 3 * k - 24];
          const d2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
          weights[i + nx * (j + ny * k) + nVox * m] = Math.exp(-d2 / (2 * 8 ** 2));
        }
      }
    }
  });
  const data = new Float32Array(nVox * nt);
  for (let t = 0; t < nt; t++) {
    for (let v = 0; v < nVox; v++) {
      let x = 1000 + 2 * (rand() - 0.5) + 20 * confounds[t]![0]!;
      for (let m = 0; m < MAP_CENTRES_MM.length; m++) {
        x += 10 * walks[m]![t]! * weights[v + nVox * m]!;
      }
      data[v + nVox * t] = x;
    }
  }
  return { bold: { data, shape: [nx, ny, nz, nt], affine }, confounds };
}

/**
 * Write the batch into `outDir`.
 *
 * @param outDir destination (created).
 * @param nSubjects number of subjects (default 6).
 * @returns the image paths written.
 */
export async function makeDemoData(outDir: string, nSubjects = 6): Promise<string[]> {
  await Deno.mkdir(`${outDir}/confounds`, { recursive: true });
  await saveImg(synthMaps(), `${outDir}/maps.nii.gz`);
  await Deno.writeTextFile(
    `${outDir}/labels.tsv`,
    "index\tname\n" + MAP_CENTRES_MM.map((_, m) => `${m}\tblob-${m + 1}\n`).join(""),
  );
  const imgs: string[] = [];
  for (let s = 1; s <= nSubjects; s++) {
    const subject = `sub-${String(s).padStart(2, "0")}_task-rest`;
    const { bold, confounds } = synthSubject(1000 + s, 30 + 2 * s); // different lengths
    const img = `${outDir}/${subject}_bold.nii.gz`;
    await saveImg(bold, img);
    await Deno.writeTextFile(
      `${outDir}/confounds/${subject}_desc-confounds_timeseries.tsv`,
      "trans_x\ttrans_y\n" + confounds.map((r) => r.join("\t")).join("\n") + "\n",
    );
    imgs.push(img);
  }
  return imgs;
}

if (import.meta.main) {
  const [outDir, n] = Deno.args;
  if (outDir === undefined) {
    console.error("usage: make_demo_data.ts OUT_DIR [N_SUBJECTS]");
    Deno.exit(2);
  }
  const count = n === undefined ? 6 : Number(n);
  if (!Number.isInteger(count) || count < 1) {
    console.error(`make_demo_data.ts: N_SUBJECTS must be a positive integer, got "${n}"`);
    Deno.exit(2);
  }
  for (const img of await makeDemoData(outDir, count)) console.log(img);
}
