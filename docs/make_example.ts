/**
 * Regenerate docs/example_report.html (synthesized data) and its screenshot
 * docs/example_report.png (needs /usr/bin/chromium or CHROMIUM_BIN):
 *
 *   deno run --allow-read --allow-write --allow-env --allow-run docs/make_example.ts
 *
 * @module
 */
import { generateReport } from "../report/mod.ts";
import { chromiumScreenshot, hasChromium, synthReportInput } from "../tests/report_fixtures.ts";

const here = new URL(".", import.meta.url).pathname;
const htmlPath = `${here}example_report.html`;
const pngPath = `${here}example_report.png`;

const { html, warnings } = generateReport(synthReportInput(), {
  displayedMaps: [0, 1, 2],
  title: "MultiNiftiMapsMasker report (synthetic example)",
});
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
