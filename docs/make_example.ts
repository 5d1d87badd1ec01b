/**
 * Regenerate docs/example_report.html, its screenshot docs/example_report.png and the participant
 * report screenshot docs/example_participant_report.png, by running the commands on real data
 * with a clear licence (NIIMASK_SHARED_DATA, default ../shared/data beside the repository):
 *
 * - `niimask extract` on nipy's MNI functional slab (BSD-3-Clause; 20 volumes, TR 2 s, z 0 to
 *   16 mm) with the Harvard-Oxford subcortical probabilistic atlas (FSL; 21 maps, names from its
 *   FSL .xml), correlation and partial correlation, the maps drawn over nilearn's copy of the
 *   MNI152 2009a T1 template (`--report-background`; the run covers only a slab, so its mean
 *   would cover only three axial slices);
 * - `niimask bids --report` on a one-run fMRIPrep-like folder made of the same run and nilearn's
 *   BSD fMRIPrep test confounds (truncated to 20 rows, paired for illustration only), where each
 *   run's maps are drawn over that run's mean image.
 *
 * The HTML is the report as written. The screenshots (needs /usr/bin/chromium or CHROMIUM_BIN)
 * hide the map figures after the second so that the names, the background and the connectivity
 * section fit in one picture.
 *
 *   deno run --allow-read --allow-write --allow-env --allow-run docs/make_example.ts
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { chromiumScreenshot, hasChromium } from "../tests/report_fixtures.ts";
import { buildBidsFromSharedData, sharedData } from "../tests/real_data_fixtures.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
const ATLAS = sharedData("fsl_atlases_freeroi/HarvardOxford-sub-prob-2mm.nii.gz");
const LABELS = sharedData("fsl_atlases_freeroi/Harvard-Oxford_Subcortical_Structural_Atlas.xml");
const TEMPLATE = sharedData("nilearn_mni152/mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz");
const RUN = sharedData("nipy_testing/functional.nii.gz");
/** Screenshot-only style: the first two map figures of each section. */
const FIRST_TWO_MAPS = "<style>.map-figure:nth-of-type(n+3){display:none}</style>";

async function niimask(args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", cli, ...args],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`niimask ${args[0]} failed (exit ${out.code})`);
}

async function screenshot(html: string, png: string, height: number, tmp: string) {
  if (!hasChromium()) {
    console.warn(`chromium not found: ${png} not updated`);
    return;
  }
  const page = `${tmp}/screenshot.html`;
  const text = await Deno.readTextFile(html);
  await Deno.writeTextFile(page, text.replace("</head>", `${FIRST_TWO_MAPS}</head>`));
  await chromiumScreenshot(page, `${tmp}/shot.png`, 1200, height);
  await Deno.copyFile(`${tmp}/shot.png`, `${png}.tmp`);
  await Deno.rename(`${png}.tmp`, png);
  console.log(`wrote ${png}`);
}

const tmp = await Deno.makeTempDir({ prefix: "niimask_docs_" });
try {
  await Deno.copyFile(RUN, `${tmp}/sub-01_task-rest_bold.nii.gz`);
  const report = `${here}example_report.html`;
  await niimask([
    "extract",
    "--maps",
    ATLAS,
    "--labels",
    LABELS,
    "--t-r",
    "2",
    "--standardize",
    "zscore_sample",
    "--detrend",
    "--connectivity",
    "correlation,partial_correlation",
    "--report",
    report,
    "--report-background",
    TEMPLATE,
    "--out",
    `${tmp}/extract`,
    `${tmp}/sub-01_task-rest_bold.nii.gz`,
  ]);
  await screenshot(report, `${here}example_report.png`, 2900, tmp);

  const fmriprep = await buildBidsFromSharedData(tmp);
  await niimask([
    "bids",
    fmriprep,
    `${tmp}/bids`,
    "participant",
    "--atlas",
    ATLAS,
    "--atlas-name",
    "HOsub",
    "--labels",
    LABELS,
    "--motion",
    "basic",
    "--wm-csf",
    "basic",
    "--standardize",
    "zscore_sample",
    "--connectivity",
    "correlation,partial_correlation",
    "--report",
  ]);
  await screenshot(
    `${tmp}/bids/sub-01.html`,
    `${here}example_participant_report.png`,
    2900,
    tmp,
  );
} finally {
  await Deno.remove(tmp, { recursive: true });
}
