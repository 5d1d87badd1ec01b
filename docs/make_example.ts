/**
 * Regenerate docs/example_report.html and its screenshot docs/example_report.png (needs
 * /usr/bin/chromium or CHROMIUM_BIN) from a real masker run on synthesized data: 6 maps (some with
 * negative lobes) on a 4 mm grid, one subject on a 3 mm grid (so the maps are resampled to the
 * data, as nilearn's default `resamplingTarget: "data"`), band-pass filtering and z-scoring.
 *
 *   deno run --allow-read --allow-write --allow-env --allow-run docs/make_example.ts
 *
 * @module
 */
import { multiMapsMasker } from "../maskers/mod.ts";
import { blobMaps, type GaussianBlob, synthBold } from "../synthetic/mod.ts";
import { chromiumScreenshot, hasChromium } from "../tests/report_fixtures.ts";

const here = new URL(".", import.meta.url).pathname;
const htmlPath = `${here}example_report.html`;
const pngPath = `${here}example_report.png`;

const grid4 = {
  shape: [36, 44, 36] as const,
  affine: Float64Array.from([4, 0, 0, -70, 0, 4, 0, -100, 0, 0, 4, -60, 0, 0, 0, 1]),
};
// Six maps (two with negative lobes), in world mm: sampled on the maps' 4 mm grid and, to mix the
// subject's signals, on the subject's 3 mm grid.
const BLOBS: GaussianBlob[][] = [
  [{ centre: [-30, -20, 10], sigma: 8 }, { centre: [30, -20, 10], sigma: 8 }],
  [{ centre: [0, 40, 0], sigma: 10 }, { centre: [0, 10, 0], sigma: 6, amplitude: -0.4 }],
  [{ centre: [25, -60, 25], sigma: 7, amplitude: -1 }],
  [{ centre: [-25, -60, 25], sigma: 7 }],
  [{ centre: [0, -40, 40], sigma: 9 }],
  [{ centre: [0, -10, -20], sigma: 6 }],
];
const maps = blobMaps(grid4, BLOBS, { threshold: 1e-3 });

// The subject: 3 mm grid, the maps' series mixed in, over a brain-shaped (ellipsoid) intensity.
const grid3 = {
  shape: [48, 58, 48] as const,
  affine: Float64Array.from([3, 0, 0, -71, 0, 3, 0, -101, 0, 0, 3, -61, 0, 0, 0, 1]),
};
const mapsOn3 = blobMaps(grid3, BLOBS);
const nT = 120;
const { bold } = synthBold(mapsOn3, { nVolumes: nT, seed: 7, tR: 2, baseline: 0, noise: 2 });
const [nx, ny, nz] = grid3.shape;
const nV = nx * ny * nz;
for (let k = 0; k < nz; k++) {
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const [x, y, z] = [3 * i - 71, 3 * j - 101, 3 * k - 61];
      const r = (x / 68) ** 2 + ((y + 18) / 88) ** 2 + ((z - 8) / 62) ** 2;
      const base = r < 1 ? 600 + 300 * (1 - r) : 20;
      const v = i + nx * (j + ny * k);
      for (let t = 0; t < nT; t++) bold.data[v + nV * t]! += base;
    }
  }
}

const fitted = await multiMapsMasker({
  mapsImg: maps,
  standardize: "zscore_sample",
  detrend: true,
  lowPass: 0.1,
  highPass: 0.01,
  tR: 2,
}).fit(bold);
await fitted.transform(bold);
const { html, warnings } = await fitted.generateReport([0, 1, 2]);
for (const w of warnings) console.warn(`warning: ${w}`);
const tmp = `${htmlPath}.tmp`;
await Deno.writeTextFile(tmp, html);
await Deno.rename(tmp, htmlPath);
console.log(`wrote ${htmlPath} (${html.length} bytes)`);
if (hasChromium()) {
  await chromiumScreenshot(htmlPath, pngPath, 1200, 2300);
  console.log(`wrote ${pngPath}`);
} else {
  console.warn("chromium not found: screenshot not updated");
}
