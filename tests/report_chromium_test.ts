import assert from "node:assert/strict";
import { generateReport } from "../report/mod.ts";
import { decodePng } from "../report/png.ts";
import {
  chromiumPath,
  chromiumScreenshot,
  hasChromium,
  synthReportInput,
} from "./report_fixtures.ts";

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
