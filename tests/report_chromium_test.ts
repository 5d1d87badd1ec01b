import assert from "node:assert/strict";
import { generateReport } from "../report/mod.ts";
import { decodePng } from "../report/png.ts";
import {
  chromiumPath,
  chromiumScreenshot,
  hasChromium,
  synthReportInput,
} from "./report_fixtures.ts";
import { niimask as runCli } from "./cli_fixtures.ts";
import { rdbuColour } from "../report/heatmap.ts";
import {
  BIDS_SOURCES,
  buildBidsFromSharedData,
  haveSharedData,
  SHARED_DATA,
  sharedData,
} from "./real_data_fixtures.ts";

const available = hasChromium();
if (!available) {
  console.log(
    `SKIP report_chromium_test: ${chromiumPath()} not found (install Debian's chromium; CI does).`,
  );
}

type Kind = "hot" | "cold";

function kindOf(r: number, b: number): Kind | null {
  // The colour map's hues have exactly 0 blue (hot) or 0 red (cold); page chrome does not.
  if (r > 180 && b < 40) return "hot"; // red to yellow
  if (b > 180 && r < 40) return "cold"; // blue to cyan
  return null;
}

Deno.test({
  name: "report e2e: headless Chromium renders the first map's slices (pixel statistics)",
  ignore: !available,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "niimask_report_" });
    try {
      // Map 0: positive blob in the left hemisphere, negative lobe on the right in the same axial
      // plane. Map 2: negative only. Shown in the order [0, 2].
      const { html } = generateReport(synthReportInput(), { displayedMaps: [0, 2] });
      const htmlPath = `${dir}/report.html`;
      const pngPath = `${dir}/shot.png`;
      await Deno.writeTextFile(htmlPath, html);
      await chromiumScreenshot(htmlPath, pngPath, 1200, 1600);
      const shot = decodePng(await Deno.readFile(pngPath));
      assert.equal(shot.width, 1200);
      assert.equal(shot.height, 1600);
      const { width, height, rgba } = shot;

      // Not blank: luminance varies.
      let sum = 0;
      let sum2 = 0;
      for (let p = 0; p < width * height; p++) {
        const l = 0.299 * rgba[4 * p]! + 0.587 * rgba[4 * p + 1]! + 0.114 * rgba[4 * p + 2]!;
        sum += l;
        sum2 += l * l;
      }
      const mean = sum / (width * height);
      const variance = sum2 / (width * height) - mean * mean;
      assert.ok(
        variance > 200,
        `screenshot is not blank (luminance variance ${variance.toFixed(1)})`,
      );

      // Rows holding colour-map colours; the first band of them (until 12 colourless rows) is
      // where the first figure's slices are.
      const rowHas = (y: number): boolean => {
        for (let x = 0; x < width; x++) {
          const o = 4 * (y * width + x);
          if (kindOf(rgba[o]!, rgba[o + 2]!) !== null) return true;
        }
        return false;
      };
      let y0 = -1;
      for (let y = 0; y < height && y0 < 0; y++) if (rowHas(y)) y0 = y;
      assert.ok(
        y0 > 0 && y0 < height / 2,
        `first map's colours appear in the top half (row ${y0})`,
      );
      let y1 = y0;
      for (let y = y0, gap = 0; y < height && gap < 12; y++) {
        if (rowHas(y)) {
          y1 = y;
          gap = 0;
        } else gap++;
      }
      assert.ok(y1 - y0 > 15, `band of coloured rows ${y0}-${y1}`);

      // Column clusters of colour in the band, left to right, with their kind.
      const colKind: (Kind | null)[] = new Array(width).fill(null);
      const counts = { hot: 0, cold: 0, gray: 0 };
      for (let y = y0; y <= y1; y++) {
        for (let x = 0; x < width; x++) {
          const o = 4 * (y * width + x);
          const [r, g, b] = [rgba[o]!, rgba[o + 1]!, rgba[o + 2]!];
          const k = kindOf(r, b);
          if (k !== null) {
            colKind[x] = colKind[x] ?? k;
            counts[k]++;
          } else if (Math.abs(r - g) < 6 && Math.abs(g - b) < 6 && r > 60 && r < 250) {
            counts.gray++;
          }
        }
      }
      const clusters: { kind: Kind; from: number; to: number }[] = [];
      let gap = Infinity;
      for (let x = 0; x < width; x++) {
        const k = colKind[x];
        if (k === null || k === undefined) {
          gap++;
          continue;
        }
        const last = clusters[clusters.length - 1];
        if (last !== undefined && gap < 4 && last.kind === k) last.to = x;
        else clusters.push({ kind: k, from: x, to: x });
        gap = 0;
      }
      // Sagittal: the positive blob; coronal and axial: positive (left) then negative (right),
      // as the neurological convention puts the subject's left on the viewer's left.
      assert.deepEqual(
        clusters.map((c) => c.kind),
        ["hot", "hot", "cold", "hot", "cold"],
        `clusters: ${JSON.stringify(clusters)}`,
      );
      assert.ok(clusters[4]!.to - clusters[0]!.from > 300, "three panels side by side");
      assert.ok(counts.hot > 300 && counts.cold > 100, `colour pixels ${JSON.stringify(counts)}`);
      assert.ok(counts.gray > 2000, `grayscale background around the maps: ${counts.gray}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// ---- Reports made by the commands on real data ----

const ATLAS = "fsl_atlases_freeroi/HarvardOxford-cort-prob-2mm.nii.gz";
const ATLAS_XML = "fsl_atlases_freeroi/Harvard-Oxford_Cortical_Structural_Atlas.xml";
const SUB_ATLAS = "fsl_atlases_freeroi/HarvardOxford-sub-prob-2mm.nii.gz";
const SUB_ATLAS_XML = "fsl_atlases_freeroi/Harvard-Oxford_Subcortical_Structural_Atlas.xml";
const RUNS = ["gift_lowres_fmri/sub-007_lowres.nii", "gift_lowres_fmri/sub-018_lowres.nii"];
const haveExtractData = haveSharedData([ATLAS, ATLAS_XML, ...RUNS]);
const haveBidsData = haveSharedData([SUB_ATLAS, SUB_ATLAS_XML, ...BIDS_SOURCES]);
if (available && (!haveExtractData || !haveBidsData)) {
  console.log(`SKIP report_chromium_test (commands on real data): files missing in ${SHARED_DATA}`);
}

async function niimask(args: string[], cwd: string): Promise<string> {
  const out = await runCli(args, cwd);
  assert.equal(out.code, 0, out.stderr);
  return out.stderr;
}

type Shot = ReturnType<typeof decodePng>;

/** The blue-white-red scale, sampled finely (heatmap cells are these colours exactly). */
const RDBU = Array.from({ length: 401 }, (_, i) => rdbuColour(i / 200 - 1));

/** A heatmap colour: on the blue-white-red scale, not gray/white (page chrome, slices). */
function isHeatmapColour(r: number, g: number, b: number): boolean {
  if (Math.max(r, g, b) - Math.min(r, g, b) < 24) return false;
  return RDBU.some(([R, G, B]) => (r - R) ** 2 + (g - G) ** 2 + (b - B) ** 2 < 20);
}

/** Rows of the screenshot and how many pixels of each row pass `test`. */
function rowCounts(shot: Shot, test: (r: number, g: number, b: number) => boolean): number[] {
  const counts = new Array(shot.height).fill(0);
  for (let y = 0; y < shot.height; y++) {
    for (let x = 0; x < shot.width; x++) {
      const o = 4 * (y * shot.width + x);
      if (test(shot.rgba[o]!, shot.rgba[o + 1]!, shot.rgba[o + 2]!)) counts[y]++;
    }
  }
  return counts;
}

/**
 * The first band of at least `minRows` rows with `minPerRow` hits each (gaps up to `maxGap` rows
 * allowed), or null.
 */
function firstBand(
  counts: number[],
  minPerRow: number,
  minRows: number,
  from = 0,
  maxGap = 6,
) {
  let start = -1;
  let gap = 0;
  for (let y = from; y < counts.length; y++) {
    if (counts[y]! >= minPerRow) {
      if (start < 0) start = y;
      gap = 0;
    } else if (start >= 0 && ++gap > maxGap) {
      if (y - gap - start + 1 >= minRows) return { from: start, to: y - gap };
      start = -1;
      gap = 0;
    }
  }
  return start >= 0 && counts.length - start >= minRows
    ? { from: start, to: counts.length - 1 }
    : null;
}

const isMapColour = (r: number, _g: number, b: number) =>
  (r > 180 && b < 40) || (b > 180 && r < 40);
const isGray = (r: number, g: number, b: number) =>
  Math.abs(r - g) < 4 && Math.abs(g - b) < 4 && r > 40 && r < 235;

/** Gray (background) pixels in the rows of the first map figure (slices and colour bar). */
function grayInFirstFigure(shot: Shot): number {
  // The slices of a figure are side by side, their overlays at different heights: rows with map
  // colours less than 40 rows apart belong to the same figure.
  const band = firstBand(rowCounts(shot, isMapColour), 1, 15, 0, 40);
  assert.ok(band !== null, "the first map's colours are on the page");
  const counts = rowCounts(shot, isGray);
  let n = 0;
  for (let y = band.from; y <= band.to; y++) n += counts[y]!;
  return n;
}

Deno.test({
  name: "report e2e: niimask extract --report on real data shows names, the mean image, a heatmap",
  ignore: !available || !haveExtractData,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "niimask_report_cli_" });
    try {
      const stderr = await niimask([
        "extract",
        "--maps",
        sharedData(ATLAS),
        "--labels",
        sharedData(ATLAS_XML),
        "--standardize",
        "zscore_sample",
        "--detrend",
        "--connectivity",
        "correlation",
        "--report",
        `${dir}/report.html`,
        "--out",
        `${dir}/out`,
        ...RUNS.map(sharedData),
      ], dir);
      assert.match(stderr, /report written/);
      const html = await Deno.readTextFile(`${dir}/report.html`);
      assert.ok(html.includes("<h3>Frontal Pole (map 0)</h3>"), "names in the headings");
      assert.ok(html.includes("Signals of sub-007_lowres"), "the signals say whose they are");
      assert.ok(html.includes('data-kind="correlation"'), "a correlation heatmap");
      await chromiumScreenshot(`${dir}/report.html`, `${dir}/shot.png`, 1200, 6400);
      const shot = decodePng(await Deno.readFile(`${dir}/shot.png`));
      // The maps are drawn over the run's mean image, not over black.
      const gray = grayInFirstFigure(shot);
      assert.ok(gray > 5000, `gray background pixels around the first map: ${gray}`);
      // A heatmap below the maps: a square block of blue-white-red cells, 48 rows.
      const maps = firstBand(rowCounts(shot, isMapColour), 1, 15)!;
      const heat = firstBand(rowCounts(shot, isHeatmapColour), 100, 150, maps.to + 1);
      assert.ok(heat !== null, "a block of heatmap colours below the maps");
      assert.ok(heat.to - heat.from < 800, `heatmap band ${JSON.stringify(heat)}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "report e2e: niimask bids --report writes sub-01.html with the run over its mean image",
  ignore: !available || !haveBidsData,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "niimask_report_bids_" });
    try {
      const fmriprep = await buildBidsFromSharedData(dir);
      await niimask([
        "bids",
        fmriprep,
        `${dir}/out`,
        "participant",
        "--atlas",
        sharedData(SUB_ATLAS),
        "--atlas-name",
        "HOsub",
        "--labels",
        sharedData(SUB_ATLAS_XML),
        "--motion",
        "basic",
        "--wm-csf",
        "basic",
        "--standardize",
        "zscore_sample",
        "--connectivity",
        "correlation,partial_correlation",
        "--report",
      ], dir);
      const html = await Deno.readTextFile(`${dir}/out/sub-01.html`);
      assert.match(html, /<title>sub-01<\/title>/);
      assert.ok(html.includes("<h3>Left Thalamus (map 3)</h3>"), "names in the headings");
      assert.ok(html.includes("Signals of sub-01_task-rest_space-MNI152NLin2009cAsym"));
      assert.ok(html.includes('data-kind="partial correlation"'));
      await chromiumScreenshot(`${dir}/out/sub-01.html`, `${dir}/shot.png`, 1200, 7000);
      const shot = decodePng(await Deno.readFile(`${dir}/shot.png`));
      // The run is an axial slab (z 0 to 16 mm): its mean shows as a gray strip in the slices.
      const gray = grayInFirstFigure(shot);
      assert.ok(gray > 1500, `gray pixels of the run's mean around the first map: ${gray}`);
      const maps = firstBand(rowCounts(shot, isMapColour), 1, 15)!;
      const heat = firstBand(rowCounts(shot, isHeatmapColour), 60, 100, maps.to + 1);
      assert.ok(heat !== null, "a block of heatmap colours below the maps");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
