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
import { blobMaps, type GaussianBlob, mulberry32, synthBold } from "../../synthetic/mod.ts";

const MAP_CENTRES_MM: readonly (readonly [number, number, number])[] = [
  [-15, -10, 0],
  [15, -10, 0],
  [0, 15, 5],
  [0, -25, -5],
];

/** One Gaussian blob (sigma 8 mm) per centre. */
const BLOBS: readonly (readonly GaussianBlob[])[] = MAP_CENTRES_MM.map((centre) => [
  { centre, sigma: 8 },
]);

/** Maps: the blobs on a 4 mm grid, values below 1e-3 set to 0. */
function synthMaps(): Image {
  const grid = {
    shape: [14, 16, 12] as const,
    affine: Float64Array.from([4, 0, 0, -26, 0, 4, 0, -32, 0, 0, 4, -22, 0, 0, 0, 1]),
  };
  return blobMaps(grid, BLOBS, { threshold: 1e-3 });
}

/** One subject: a 3 mm 4D image mixing a random walk per blob, plus noise; and 2 confounds. */
function synthSubject(seed: number, nt: number): { bold: Image; confounds: number[][] } {
  const grid = {
    shape: [18, 20, 16] as const,
    affine: Float64Array.from([3, 0, 0, -27, 0, 3, 0, -30, 0, 0, 3, -24, 0, 0, 0, 1]),
  };
  const rand = mulberry32(seed ^ 0x5bd1e995);
  const confounds = Array.from({ length: nt }, (_, t) => [
    0.1 * Math.sin(t / 5 + seed),
    0.05 * (rand() - 0.5),
  ]);
  const { bold } = synthBold(blobMaps(grid, BLOBS), {
    nVolumes: nt,
    seed,
    signals: "randomWalk",
    baseline: 1000,
    amplitude: 10,
    noise: 0.6,
    global: confounds.map((c) => 20 * c[0]!),
  });
  return { bold, confounds };
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
