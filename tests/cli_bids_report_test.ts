/**
 * `niimask bids --report` (one `OUTPUT_DIR/sub-L.html` per participant) and `--connectivity`
 * under `bids`: a small fMRIPrep-like layout built in a temp dir, the CLI run as a subprocess.
 */
import assert from "node:assert/strict";
import { saveImg } from "../image/save.ts";
import { decodePng } from "../report/png.ts";
import type { Image } from "../types.ts";
import { blobMaps, mulberry32, synthBold } from "../synthetic/mod.ts";
import { participantOfStem, runsByParticipant } from "../cli/bids_report.ts";
import { parseTimeseriesTsv } from "../cli/timeseries_read.ts";
import { connectivityMeasure } from "../connectome/connectivity_measure.ts";
import { AFFINE_3MM as AFFINE, niimask, SHAPE_7x6x5 as SHAPE } from "./cli_fixtures.ts";

const NAMES = ["Default mode", "Visual", "Motor"];
const SPACE = "space-MNI152NLin2009cAsym";
const N_VOL = 40;

function makeMaps(): Image {
  const c = (i: number, j: number, k: number): [number, number, number] => [
    3 * i - 9,
    3 * j - 9,
    3 * k - 9,
  ];
  const sigma = 3;
  return blobMaps({ shape: SHAPE, affine: AFFINE }, [
    [{ centre: c(1, 1, 1), sigma }],
    [{ centre: c(5, 4, 3), sigma }],
    [{ centre: c(3, 2, 4), sigma }],
  ], { threshold: 0.05 });
}

/** sub-01 run-1 and run-2, sub-02 (one run), sub-03 (a corrupt run that fails). */
const RUNS = [["01", "_run-1"], ["01", "_run-2"], ["02", ""], ["03", ""]] as const;

async function fixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_bids_report_" });
  const maps = makeMaps();
  await saveImg(maps, `${dir}/maps.nii.gz`);
  await Deno.writeTextFile(`${dir}/labels.tsv`, `index\tname\n0\t${NAMES.join("\n1\t")}\n`);
  let seed = 1;
  for (const [sub, run] of RUNS) {
    const func = `${dir}/fmriprep/sub-${sub}/func`;
    await Deno.mkdir(func, { recursive: true });
    const base = `sub-${sub}_task-rest${run}`;
    const bold = `${func}/${base}_${SPACE}_desc-preproc_bold.nii.gz`;
    seed++;
    if (sub === "03") {
      await Deno.writeTextFile(bold, "not a nifti file");
    } else {
      const img = synthBold(maps, { nVolumes: N_VOL, seed, amplitude: 5, noise: 1 }).bold;
      // A left-right ramp under the signals: the mean image is not flat.
      const nV = SHAPE[0] * SHAPE[1] * SHAPE[2];
      for (let t = 0; t < N_VOL; t++) {
        for (let v = 0; v < nV; v++) img.data[t * nV + v]! += 200 + 100 * (v % SHAPE[0]);
      }
      await saveImg(img, bold);
    }
    await Deno.writeTextFile(
      bold.replace(/\.nii\.gz$/, ".json"),
      JSON.stringify({ RepetitionTime: 2 }),
    );
    const r = mulberry32(seed);
    const cols = [
      "trans_x",
      "trans_y",
      "trans_z",
      "rot_x",
      "rot_y",
      "rot_z",
      "white_matter",
      "csf",
    ];
    const lines = [cols.join("\t")];
    for (let t = 0; t < N_VOL; t++) lines.push(cols.map(() => (r() - 0.5).toFixed(6)).join("\t"));
    await Deno.writeTextFile(
      `${func}/${base}_desc-confounds_timeseries.tsv`,
      lines.join("\n") + "\n",
    );
  }
  return dir;
}

const ARGS = [
  "bids",
  "fmriprep",
  "out",
  "participant",
  "--atlas",
  "maps.nii.gz",
  "--atlas-name",
  "Blobs",
  "--labels",
  "labels.tsv",
  "--motion",
  "basic",
  "--wm-csf",
  "basic",
  "--connectivity",
  "correlation,tangent",
  "--report",
];

/** The images of a run's section of a participant page, decoded (slices then heatmaps). */
function sectionOf(html: string, runName: string): string {
  const start = html.indexOf(`<section class="run" id="${runName}">`);
  assert.ok(start >= 0, `section of ${runName}`);
  const next = html.indexOf(`<section class="run"`, start + 1);
  return html.slice(start, next < 0 ? undefined : next);
}

function pngsOf(part: string) {
  return [...part.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)].map((m) =>
    decodePng(Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0)))
  );
}

Deno.test("cli bids --report: one page per participant, each run over its mean, names, heatmaps", async () => {
  const dir = await fixture();
  try {
    const run = await niimask(ARGS, dir);
    assert.equal(run.code, 1, `sub-03 fails, the others succeed: ${run.stderr}`);
    assert.match(run.stderr, /3 participant report\(s\) written/);
    const stem = (sub: string, r: string) =>
      `sub-${sub}_task-rest${r}_${SPACE}_atlas-Blobs_desc-simple`;
    const page1 = await Deno.readTextFile(`${dir}/out/sub-01.html`);
    const page2 = await Deno.readTextFile(`${dir}/out/sub-02.html`);
    const page3 = await Deno.readTextFile(`${dir}/out/sub-03.html`);
    assert.match(page1, /<title>sub-01<\/title>/);
    // sub-01's page covers its two runs and only them.
    assert.ok(page1.includes(`Signals of ${stem("01", "_run-1")}`));
    assert.ok(page1.includes(`Signals of ${stem("01", "_run-2")}`));
    assert.ok(!page1.includes(stem("02", "")));
    assert.ok(page2.includes(`Signals of ${stem("02", "")}`));
    assert.match(page3, /Extraction failed/);
    for (const [m, name] of NAMES.entries()) {
      assert.ok(page1.includes(`<h3>${name} (map ${m})</h3>`), `heading of ${name}`);
    }
    for (const r of ["_run-1", "_run-2"]) {
      const part = sectionOf(page1, stem("01", r));
      const kinds = [...part.matchAll(/class="heatmap-figure" data-kind="([^"]+)"/g)].map((m) =>
        m[1]
      );
      assert.deepEqual(kinds, ["correlation", "tangent"], `heatmaps of run ${r}`);
      // The slices are drawn over the run's mean image (a left-right ramp): gray pixels of
      // several levels, not black.
      const slices = pngsOf(part).slice(0, 9);
      const grays = new Set<number>();
      for (const png of slices) {
        const ch = png.rgba.length / (png.width * png.height);
        for (let p = 0; p < png.width * png.height; p++) {
          const [a, b, c] = [png.rgba[ch * p]!, png.rgba[ch * p + 1]!, png.rgba[ch * p + 2]!];
          if (a === b && b === c && a > 30) grays.add(a);
        }
      }
      assert.ok(grays.size >= 3, `gray levels of the mean image in run ${r}: ${[...grays]}`);
    }
    // The correlation written for a run (bids --connectivity) is the library's on its signals.
    const out = `${dir}/out/sub-02/func/${stem("02", "")}`;
    const ts = parseTimeseriesTsv(await Deno.readTextFile(`${out}_timeseries.tsv`), "ts");
    const rel = parseTimeseriesTsv(
      await Deno.readTextFile(`${out}_meas-Correlation_relmat.tsv`),
      "rel",
    );
    assert.deepEqual(rel.names, NAMES);
    const want = connectivityMeasure({ kind: "correlation", onWarning: () => {} }).fitTransform([
      ts.signals,
    ])
      .connectivities[0]!;
    for (let i = 0; i < 9; i++) {
      assert.ok(Math.abs(rel.signals.data[i]! - want.data[i]!) < 1e-9, `correlation entry ${i}`);
    }
    await Deno.stat(`${dir}/out/atlas-Blobs_desc-simple_meas-Tangent_stat-mean_relmat.tsv`);

    // A resumed batch (outputs skipped, read back) writes the same page for sub-01.
    const again = await niimask([...ARGS, "--skip-existing"], dir);
    assert.equal(again.code, 1, again.stderr);
    assert.equal(await Deno.readTextFile(`${dir}/out/sub-01.html`), page1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli bids --report under --shard: a participant's page gathers its runs of every shard", async () => {
  const dir = await fixture();
  try {
    const args = ARGS.map((a) => a === "correlation,tangent" ? "correlation" : a);
    const signalsOf = (r: string) =>
      `Signals of sub-01_task-rest${r}_${SPACE}_atlas-Blobs_desc-simple`;
    // Four runs, four shards: sub-01's run-1 is shard 1, its run-2 shard 2.
    const first = await niimask([...args, "--shard", "1/4"], dir);
    assert.equal(first.code, 0, first.stderr);
    const page1 = await Deno.readTextFile(`${dir}/out/sub-01.html`);
    assert.ok(page1.includes(signalsOf("_run-1")) && !page1.includes(signalsOf("_run-2")));
    const second = await niimask([...args, "--shard", "2/4"], dir);
    assert.equal(second.code, 0, second.stderr);
    const page2 = await Deno.readTextFile(`${dir}/out/sub-01.html`);
    assert.ok(page2.includes(signalsOf("_run-1")), "run-1 (shard 1) read back on the page");
    assert.ok(page2.includes(signalsOf("_run-2")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli bids: tangent with one run is refused before any run", async () => {
  const dir = await fixture();
  try {
    const run = await niimask([...ARGS, "--participant-label", "02"], dir);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /tangent needs at least two runs/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bids report: participants from output stems, runs sorted", () => {
  assert.equal(participantOfStem("sub-ab12/ses-1/func/sub-ab12_ses-1_task-x"), "ab12");
  assert.throws(() => participantOfStem("func/x"), RangeError);
  const g = runsByParticipant([
    { image: "3", stem: "sub-10/func/sub-10_task-a", tR: 2 },
    { image: "2", stem: "sub-02/func/sub-02_task-b", tR: 2, error: "boom" },
    { image: "1", stem: "sub-02/func/sub-02_task-a", tR: 2 },
  ]);
  assert.deepEqual([...g.keys()], ["02", "10"]);
  assert.deepEqual(g.get("02")!.map((r) => r.image), ["1", "2"]);
});
