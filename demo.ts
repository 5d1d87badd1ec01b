/**
 * Quick-start demo: `deno task demo`.
 *
 * Synthesizes a small 4D fMRI-like image and a set of brain maps with `synthetic/` (no download
 * needed), writes both as `.nii.gz` in a temporary folder, reads the image back and prints a
 * summary.
 *
 * @module
 */
import { join } from "node:path";
import { loadImg, saveImg } from "./image/mod.ts";
import type { Image } from "./types.ts";
import { multiMapsMasker, type SignalsTable } from "./maskers/mod.ts";
import { blobMaps, synthBold } from "./synthetic/mod.ts";

/** Synthetic data: `nMaps` Gaussian blobs and a 4D image mixing one time series per blob. */
function synthesize(): { bold: Image; maps: Image } {
  // 3 mm voxels, origin so that the grid is roughly centred on (0, 0, 0) mm.
  const grid = {
    shape: [20, 24, 18] as const,
    affine: Float64Array.from([3, 0, 0, -30, 0, 3, 0, -36, 0, 0, 3, -27, 0, 0, 0, 1]),
  };
  const maps = blobMaps(grid, [
    [{ centre: [-12, -12, 0], sigma: 7.5 }],
    [{ centre: [9, -12, 0], sigma: 7.5 }],
    [{ centre: [0, 15, -3], sigma: 7.5 }],
  ]);
  const { bold } = synthBold(maps, { nVolumes: 60, seed: 42, tR: 2, noise: 0.3 });
  return { bold, maps };
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

  // ## Masker: one time series per map for a few subjects.
  await runMasker(dir, mapsPath, maps);
} finally {
  await Deno.remove(dir, { recursive: true });
}

/** A subject: `nt` volumes mixing one known time series per map, plus noise. */
function subject(maps: Image, nt: number, seed: number): { bold: Image; truth: Float64Array } {
  const { bold, signals } = synthBold(maps, { nVolumes: nt, seed, tR: 2, noise: 0.15 });
  return { bold, truth: signals.data };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! / n;
    mb += b[i]! / n;
  }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

function column(m: { data: ArrayLike<number>; shape: readonly number[] }, c: number): number[] {
  const [rows, cols] = m.shape as [number, number];
  return Array.from({ length: rows }, (_, r) => m.data[r * cols + c]!);
}

async function runMasker(dir: string, mapsPath: string, maps: Image): Promise<void> {
  const outDir = Deno.args[0] ?? await Deno.makeTempDir({ prefix: "niimask_demo_signals_" });
  await Deno.mkdir(outDir, { recursive: true });
  const lengths = [60, 45, 80];
  const subjects = lengths.map((nt, i) => subject(maps, nt, 100 + i));
  const paths: string[] = [];
  for (let i = 0; i < subjects.length; i++) {
    const p = join(dir, `sub-0${i + 1}_bold.nii.gz`);
    await saveImg(subjects[i]!.bold, p);
    paths.push(p);
  }
  const labels = ["left_blob", "right_blob", "posterior_blob"];
  const fitted = await multiMapsMasker({
    mapsImg: mapsPath,
    detrend: true,
    standardize: "zscore_sample",
    tR: 2,
    nJobs: 2,
    output: "table",
    labels,
  }).fit(paths[0]);
  console.log(
    `masker fitted: ${fitted.nElements_} maps, grid [${fitted.mapsImg_.shape.join(", ")}]`,
  );
  const outcomes = await fitted.transformImgsSettled(paths);
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i]!;
    const name = `sub-0${i + 1}`;
    if (!o.ok) {
      console.log(`${name}: FAILED ${o.error.message}`);
      continue;
    }
    const signals = o.value as SignalsTable;
    const [rows, cols] = signals.shape;
    const lines = [signals.columns.join("\t")];
    for (let r = 0; r < rows; r++) {
      lines.push(Array.from(signals.data.subarray(r * cols, (r + 1) * cols), String).join("\t"));
    }
    const tsv = join(outDir, `${name}_timeseries.tsv`);
    const tmp = `${tsv}.tmp`;
    await Deno.writeTextFile(tmp, lines.join("\n") + "\n");
    await Deno.rename(tmp, tsv);
    const truth = { data: subjects[i]!.truth, shape: [lengths[i]!, cols] };
    const r = Array.from(
      { length: cols },
      (_, c) => correlation(column(signals, c), column(truth, c)),
    );
    console.log(
      `${name}: ${rows} x ${cols} signals -> ${tsv}; correlation with the true series: ${
        r.map((x) => x.toFixed(3)).join(", ")
      }`,
    );
  }
  const report = await fitted.generateReport("all");
  const reportPath = join(outDir, "report.html");
  await Deno.writeTextFile(reportPath, report.html);
  console.log(`report: ${reportPath} (${report.html.length} characters)`);
}
