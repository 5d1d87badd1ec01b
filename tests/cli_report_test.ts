/**
 * `niimask extract --report`: what the report shows (background, names, which run, connectivity)
 * and the pieces it is built from (cli/report_inputs.ts).
 */
import assert from "node:assert/strict";
import { saveImg } from "../image/save.ts";
import { decodePng } from "../report/png.ts";
import type { Image, Matrix } from "../types.ts";
import type { MapsReportInput } from "../report/types.ts";
import { synthBold } from "../synthetic/mod.ts";
import {
  completeReportInput,
  readRunReportData,
  reportBackground,
  runNameOf,
} from "../cli/report_inputs.ts";
import { NO_FIT_IMAGE_WARNING } from "../maskers/mean_image.ts";
import { formatTimeseriesTsv } from "../cli/tsv.ts";
import { gridBlobMaps, niimask } from "./cli_fixtures.ts";

const NAMES = ["Default mode", "Visual", "Motor"];

/** A run: the maps' series mixed in over a baseline of `level` (so its mean is about `level`). */
function makeBold(seed: number, level: number): Image {
  const { bold } = synthBold(gridBlobMaps(3), { nVolumes: 30, seed, amplitude: 5, noise: 1 });
  for (let i = 0; i < bold.data.length; i++) bold.data[i]! += level;
  return bold;
}

/** sub-01 is corrupt (fails), sub-02 and sub-03 are valid runs with different mean levels. */
async function fixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cli_report_" });
  await saveImg(gridBlobMaps(3), `${dir}/maps.nii.gz`);
  await Deno.writeTextFile(`${dir}/labels.tsv`, `index\tname\n0\t${NAMES.join("\n1\t")}\n`);
  await Deno.mkdir(`${dir}/func`);
  await Deno.writeTextFile(`${dir}/func/sub-01_task-rest_bold.nii.gz`, "not a nifti file");
  await saveImg(makeBold(2, 800), `${dir}/func/sub-02_task-rest_bold.nii.gz`);
  await saveImg(makeBold(3, 400), `${dir}/func/sub-03_task-rest_bold.nii.gz`);
  return dir;
}

const IMGS = ["sub-03", "sub-01", "sub-02"].map((s) => `func/${s}_task-rest_bold.nii.gz`);

/** The slice PNGs of the map figure `index`, decoded. */
function figurePngs(html: string, index: number) {
  const start = html.indexOf(`data-map-index="${index}"`);
  assert.ok(start > 0, `figure of map ${index} present`);
  const end = html.indexOf("</figure>", start);
  const part = html.slice(start, end);
  return [...part.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)].map((m) =>
    decodePng(Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0)))
  );
}

/** Pixels of a decoded PNG that are gray (background) and brighter than `min`. */
function grayPixels(png: ReturnType<typeof decodePng>, min: number): number {
  const ch = png.rgba.length / (png.width * png.height);
  let n = 0;
  for (let p = 0; p < png.width * png.height; p++) {
    const [r, g, b] = [png.rgba[ch * p]!, png.rgba[ch * p + 1]!, png.rgba[ch * p + 2]!];
    if (r === g && g === b && r > min) n++;
  }
  return n;
}

Deno.test("cli report: names, the first run extracted (sorted) over its mean, its heatmaps", async () => {
  const dir = await fixture();
  try {
    const run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--labels",
      "labels.tsv",
      "--connectivity",
      "correlation,tangent",
      "--t-r",
      "2",
      "--jobs",
      "2",
      "--report",
      "report.html",
      "--out",
      "o",
      ...IMGS,
    ], dir);
    assert.equal(run.code, 1, `sub-01 fails: ${run.stderr}`);
    assert.match(run.stderr, /report written to report\.html/);
    const html = await Deno.readTextFile(`${dir}/report.html`);
    // Names in headings and legends.
    for (const [m, name] of NAMES.entries()) {
      assert.ok(html.includes(`<h3>${name} (map ${m})</h3>`), `heading of ${name}`);
    }
    assert.ok(!/<h3>Map \d/.test(html), "no map is called by its index only");
    // Which run: sub-02, the first in sorted order that succeeded (sub-01 failed).
    assert.ok(html.includes("Signals of sub-02_task-rest"), "the signals name their run");
    assert.ok(!html.includes("last transform"));
    // One heatmap per kind, of that run, named after the regions.
    const kinds = [...html.matchAll(/class="heatmap-figure" data-kind="([^"]+)"/g)].map((m) =>
      m[1]
    );
    assert.deepEqual(kinds, ["correlation", "tangent"]);
    assert.ok(html.includes("correlation — sub-02_task-rest"));
    const heatmap = html.slice(html.indexOf('data-kind="correlation"'));
    assert.ok(heatmap.indexOf("Visual") < heatmap.indexOf("</figure>"), "rows named");
    // The background is the run's mean image, not black: gray pixels around the maps.
    assert.ok(!html.includes(NO_FIT_IMAGE_WARNING));
    assert.ok(html.includes("mean of sub-02_task-rest"), "parameters say what is drawn");
    for (const png of figurePngs(html, 0)) {
      assert.ok(grayPixels(png, 40) > png.width * png.height / 4, "mostly gray background");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli report: --report-background draws a template resampled to the maps grid", async () => {
  const dir = await fixture();
  try {
    // A 2 mm template (another grid) with a left-right ramp.
    const shape = [12, 10, 9];
    const data = new Float32Array(shape[0]! * shape[1]! * shape[2]!);
    for (let v = 0; v < data.length; v++) data[v] = 100 + 50 * (v % shape[0]!);
    const affine = Float64Array.from([2, 0, 0, -10, 0, 2, 0, -10, 0, 0, 2, -10, 0, 0, 0, 1]);
    await saveImg({ data, shape, affine }, `${dir}/template.nii.gz`);
    const run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--report",
      "report.html",
      "--report-background",
      "template.nii.gz",
      "--out",
      "o",
      "func/sub-02_task-rest_bold.nii.gz",
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    const html = await Deno.readTextFile(`${dir}/report.html`);
    assert.ok(html.includes("template.nii.gz (template)"));
    assert.ok(html.includes("<h3>Map 0</h3>"), "no --labels: maps called by index");
    // Axial slice of map 0: the ramp runs left to right, so gray levels vary along a row.
    const axial = figurePngs(html, 0)[2]!;
    const ch = axial.rgba.length / (axial.width * axial.height);
    const levels = new Set<number>();
    for (let x = 0; x < axial.width; x++) levels.add(axial.rgba[ch * x]!);
    assert.ok(levels.size > 3, `gray levels of the template's ramp: ${[...levels]}`);

    const missing = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--report",
      "r.html",
      "--report-background",
      "nope.nii.gz",
      "--out",
      "o2",
      "func/sub-02_task-rest_bold.nii.gz",
    ], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--report-background nope\.nii\.gz/);
    const noReport = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--report-background",
      "template.nii.gz",
      "--out",
      "o3",
      "func/sub-02_task-rest_bold.nii.gz",
    ], dir);
    assert.equal(noReport.code, 2);
    assert.match(noReport.stderr, /--report-background needs --report/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const GRID_AFFINE = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

function baseInput(nMaps: number, warnings: string[]): MapsReportInput {
  return {
    params: { tR: 2 },
    mapsImg: { data: new Float64Array(8 * nMaps), shape: [2, 2, 2, nMaps], affine: GRID_AFFINE },
    maskImg: null,
    background: null,
    warnings,
    signals: null,
    tR: 2,
  };
}

Deno.test("report inputs: the run's mean on the maps grid, else the mask, else none", async () => {
  // A 4D run whose volumes are 1 and 3 everywhere on the grid: its mean is 2.
  const run: Image = {
    data: Float64Array.from([...new Array(8).fill(1), ...new Array(8).fill(3)]),
    shape: [2, 2, 2, 2],
    affine: GRID_AFFINE,
  };
  const dir = await Deno.makeTempDir({ prefix: "niimask_report_inputs_" });
  try {
    await saveImg(run, `${dir}/run.nii.gz`);
    const grid = { shape: [2, 2, 2, 3], affine: GRID_AFFINE };
    const mask: Image = {
      data: new Float64Array(8).fill(1),
      shape: [2, 2, 2],
      affine: GRID_AFFINE,
    };
    const bg = await reportBackground(
      { kind: "run", path: `${dir}/run.nii.gz`, name: "sub-01" },
      grid,
      mask,
    );
    assert.equal(bg.source, "image");
    assert.deepEqual([...bg.image!.data], new Array(8).fill(2));
    const fallback = await reportBackground(
      { kind: "run", path: `${dir}/missing.nii.gz`, name: "sub-01" },
      grid,
      mask,
    );
    assert.equal(fallback.source, "mask");
    assert.equal(fallback.image, mask);
    assert.match(fallback.warnings[0]!, /missing\.nii\.gz/);
    const none = await reportBackground({ kind: "mask" }, grid, null);
    assert.equal(none.image, null);
    await assert.rejects(
      reportBackground({ kind: "template", path: `${dir}/missing.nii.gz` }, grid, null),
      /--report-background .*missing\.nii\.gz/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report inputs: a run read back from its files; a missing matrix is a warning", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_report_inputs_" });
  try {
    const signals: Matrix = { data: Float64Array.from([1, 2, 3, 5, 4, 4]), shape: [3, 2] };
    const corr: Matrix = { data: Float64Array.from([1, 0.25, 0.25, 1]), shape: [2, 2] };
    await Deno.writeTextFile(
      `${dir}/sub-01_timeseries.tsv`,
      formatTimeseriesTsv(signals, ["A", "B"]),
    );
    await Deno.writeTextFile(
      `${dir}/sub-01_meas-Correlation_relmat.tsv`,
      formatTimeseriesTsv(corr, ["A", "B"]),
    );
    const got = await readRunReportData(`${dir}/sub-01_timeseries.tsv`, [
      "correlation",
      "tangent",
    ]);
    assert.equal(got.name, "sub-01");
    assert.deepEqual([...got.signals.data], [...signals.data]);
    assert.deepEqual(got.columns, ["A", "B"]);
    assert.equal(got.connectivity.length, 1);
    assert.deepEqual([...got.connectivity[0]!.matrix.data], [...corr.data]);
    assert.deepEqual(got.connectivity[0]!.labels, ["A", "B"]);
    assert.equal(got.warnings.length, 1);
    assert.match(got.warnings[0]!, /tangent matrix of sub-01 not shown/);
    await assert.rejects(readRunReportData(`${dir}/nope_timeseries.tsv`, []), /nope_timeseries/);
    assert.equal(runNameOf("a/b/sub-02_task-x_timeseries.tsv"), "sub-02_task-x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report inputs: completed input names the run; no fit-image warning with a background", () => {
  const signals: Matrix = { data: Float64Array.from([1, 2, 3, 4]), shape: [2, 2] };
  const run = { name: "sub-01", signals, columns: ["A", "B"], connectivity: [], warnings: [] };
  const image: Image = { data: new Float64Array(8).fill(3), shape: [2, 2, 2], affine: GRID_AFFINE };
  const withBg = completeReportInput(baseInput(2, [NO_FIT_IMAGE_WARNING, "other"]), {
    background: { image, source: "image", description: "mean of sub-01 (x)", warnings: [] },
    labels: ["A", "B"],
    run,
  });
  assert.deepEqual(withBg.warnings, ["other"]);
  assert.equal(withBg.background, image);
  assert.equal(withBg.signals, signals);
  assert.equal(withBg.signalsSource, "sub-01");
  assert.deepEqual(withBg.labels, ["A", "B"]);
  assert.equal(withBg.params.reportBackground, "mean of sub-01 (x)");
  // No background: the warning stays. Columns not one per map: no plot, a warning.
  const noBg = completeReportInput(baseInput(3, [NO_FIT_IMAGE_WARNING]), {
    background: { image: null, source: "image", description: "none", warnings: [] },
    labels: null,
    run,
  });
  assert.equal(noBg.signals, null);
  assert.equal(noBg.warnings[0], NO_FIT_IMAGE_WARNING);
  assert.match(noBg.warnings[1]!, /2 columns for 3 maps/);
  const noRun = completeReportInput(baseInput(2, []), {
    background: { image, source: "image", description: "t", warnings: [] },
    labels: null,
    run: null,
  });
  assert.equal(noRun.signals, null);
  assert.equal(noRun.signalsSource, undefined);
  assert.match(noRun.warnings[0]!, /No run was extracted/);
});
