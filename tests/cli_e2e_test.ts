/**
 * End-to-end tests of `niimask extract`: the CLI runs as a subprocess (`deno run cli.ts`) on
 * synthesized data, and its outputs are compared with the library's results.
 */
import assert from "node:assert/strict";
import { saveImg } from "../image/save.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { Image, Matrix } from "../types.ts";
import { mulberry32, synthBold } from "../synthetic/mod.ts";
import denoJson from "../deno.json" with { type: "json" };
import { CLI, fileSha256Hex, gridBlobMaps, listDir, niimask } from "./cli_fixtures.ts";

const N_VOL = 24;

/** A subject: one known series per map, plus noise. */
function makeBold(seed: number, nVol = N_VOL): Image {
  return synthBold(gridBlobMaps(3), { nVolumes: nVol, seed, amplitude: 10, noise: 3 }).bold;
}

/** Confounds TSV (fMRIPrep-like) and the matrix of trans_x, trans_y, plus the kept volumes. */
function makeConfounds(seed: number, nVol = N_VOL, outliers: number[] = []) {
  const r = mulberry32(seed * 7 + 1);
  const lines = ["trans_x\ttrans_y\ttrans_x_derivative1\tmotion_outlier00\tmotion_outlier01"];
  const sel: number[] = [];
  let prev = 0;
  for (let t = 0; t < nVol; t++) {
    const tx = r() - 0.5;
    const ty = r() * 0.25;
    sel.push(tx, ty);
    const deriv = t === 0 ? "n/a" : String(tx - prev);
    prev = tx;
    const o0 = outliers[0] === t ? 1 : 0;
    const o1 = outliers[1] === t ? 1 : 0;
    lines.push(`${tx}\t${ty}\t${deriv}\t${o0}\t${o1}`);
  }
  const kept = Array.from({ length: nVol }, (_, t) => t).filter((t) => !outliers.includes(t));
  const matrix: Matrix = { data: Float64Array.from(sel), shape: [nVol, 2] };
  return { text: lines.join("\n") + "\n", matrix, kept };
}

function parseTsv(text: string): { header: string[]; rows: number[][] } {
  assert.ok(text.endsWith("\n"), "TSV ends with a newline");
  const lines = text.slice(0, -1).split("\n");
  return {
    header: lines[0]!.split("\t"),
    rows: lines.slice(1).map((l) => l.split("\t").map(Number)),
  };
}

function assertSameSignals(rows: number[][], expected: Matrix, what: string): void {
  const [t, k] = expected.shape;
  assert.equal(rows.length, t, `${what}: rows`);
  for (let r = 0; r < t; r++) {
    assert.equal(rows[r]!.length, k, `${what}: columns of row ${r}`);
    for (let c = 0; c < k; c++) {
      // Exact: the TSV holds the shortest round-trip representation of each float64.
      assert.equal(rows[r]![c], expected.data[r * k + c], `${what}: value (${r}, ${c})`);
    }
  }
}

/** A temp dir with maps, labels, three subjects and their confounds. */
async function fixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cli_" });
  await Deno.mkdir(`${dir}/func`);
  await Deno.mkdir(`${dir}/conf`);
  await saveImg(gridBlobMaps(3), `${dir}/maps.nii.gz`);
  await Deno.writeTextFile(`${dir}/labels.tsv`, "index\tname\n1\tDMN\n2\tVisual\n3\tMotor\n");
  const outliers: Record<string, number[]> = { "sub-01": [3, 10], "sub-02": [], "sub-03": [0] };
  let seed = 1;
  for (const s of ["sub-01", "sub-02", "sub-03"]) {
    await saveImg(makeBold(seed), `${dir}/func/${s}_task-rest_bold.nii.gz`);
    const c = makeConfounds(seed, N_VOL, outliers[s]);
    await Deno.writeTextFile(`${dir}/conf/${s}_task-rest_desc-confounds_timeseries.tsv`, c.text);
    seed++;
  }
  return dir;
}

const SUBJECTS = ["sub-01", "sub-02", "sub-03"];
const imgsOf = (subjects: string[]) => subjects.map((s) => `func/${s}_task-rest_bold.nii.gz`);

Deno.test("cli e2e: outputs equal the library's results exactly; TSV and JSON content", async () => {
  const dir = await fixture();
  try {
    const run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--labels",
      "labels.tsv",
      "--confounds",
      "conf/{subject}_desc-confounds_timeseries.tsv",
      "--confound-columns",
      "trans_x,trans_y",
      "--sample-mask-from-confounds",
      "motion_outlier*",
      "--detrend",
      "--standardize",
      "zscore_sample",
      "--t-r",
      "2",
      "--high-pass",
      "0.02",
      "--out",
      "out",
      ...imgsOf(SUBJECTS),
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /3 subjects: 3 succeeded, 0 failed/);
    // Not a terminal: plain log lines.
    assert.match(run.stderr, /\[1\/3\] sub-0\d_task-rest done/);
    assert.ok(!run.stderr.includes("\x1b["), "no terminal escapes when not a TTY");

    const fitted = await multiMapsMasker({
      mapsImg: `${dir}/maps.nii.gz`,
      detrend: true,
      standardize: "zscore_sample",
      tR: 2,
      highPass: 0.02,
    }).fit();
    const mapsSha = await fileSha256Hex(`${dir}/maps.nii.gz`);
    const outliers: Record<string, number[]> = { "sub-01": [3, 10], "sub-02": [], "sub-03": [0] };
    let seed = 1;
    for (const s of SUBJECTS) {
      const c = makeConfounds(seed++, N_VOL, outliers[s]);
      const expected = await fitted.transform(`${dir}/func/${s}_task-rest_bold.nii.gz`, {
        confounds: c.matrix,
        sampleMask: outliers[s]!.length > 0 ? c.kept : null,
      });
      const tsv = parseTsv(await Deno.readTextFile(`${dir}/out/${s}_task-rest_timeseries.tsv`));
      assert.deepEqual(tsv.header, ["DMN", "Visual", "Motor"]);
      assertSameSignals(tsv.rows, expected, s);
      assert.equal(tsv.rows.length, N_VOL - outliers[s]!.length);

      const json = JSON.parse(
        await Deno.readTextFile(`${dir}/out/${s}_task-rest_timeseries.json`),
      );
      assert.equal(json.SamplingFrequency, 0.5);
      assert.deepEqual(json.Columns, ["DMN", "Visual", "Motor"]);
      assert.equal(json.NumberOfVolumes, N_VOL - outliers[s]!.length);
      assert.deepEqual(json.Maps, { File: "maps.nii.gz", Sha256: mapsSha, Count: 3 });
      assert.equal(json.GeneratedBy[0].Name, "niimask");
      assert.equal(json.GeneratedBy[0].Version, denoJson.version);
      assert.deepEqual(json.Sources, [`func/${s}_task-rest_bold.nii.gz`]);
      assert.equal(json.Labels, "labels.tsv");
      assert.deepEqual(json.Confounds, {
        File: `conf/${s}_task-rest_desc-confounds_timeseries.tsv`,
        Columns: ["trans_x", "trans_y"],
        CensorColumns: ["motion_outlier00", "motion_outlier01"],
        CensoredVolumes: outliers[s],
      });
      assert.equal(json.Parameters.detrend, true);
      assert.equal(json.Parameters.standardize, "zscore_sample");
      assert.equal(json.Parameters.tR, 2);
      assert.equal(json.Parameters.highPass, 0.02);
      assert.equal(json.Parameters.lowPass, null);
      assert.ok(!("nJobs" in json.Parameters));
    }
    assert.deepEqual(await listDir(`${dir}/out`), [
      "dataset_description.json",
      "sub-01_task-rest_timeseries.json",
      "sub-01_task-rest_timeseries.tsv",
      "sub-02_task-rest_timeseries.json",
      "sub-02_task-rest_timeseries.tsv",
      "sub-03_task-rest_timeseries.json",
      "sub-03_task-rest_timeseries.tsv",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli e2e: default map names, no confounds, --report, --quiet prints nothing on success", async () => {
  const dir = await fixture();
  try {
    const run = await niimask(
      [
        "extract",
        "--maps",
        "maps.nii.gz",
        "--out",
        "o",
        "--quiet",
        "--jobs",
        "2",
        "--report",
        "report.html",
        ...imgsOf(SUBJECTS),
      ],
      dir,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    const fitted = await multiMapsMasker({ mapsImg: `${dir}/maps.nii.gz` }).fit();
    const expected = await fitted.transform(`${dir}/func/sub-02_task-rest_bold.nii.gz`);
    const tsv = parseTsv(await Deno.readTextFile(`${dir}/o/sub-02_task-rest_timeseries.tsv`));
    assert.deepEqual(tsv.header, ["map-000", "map-001", "map-002"]);
    assertSameSignals(tsv.rows, expected, "sub-02");
    const json = JSON.parse(await Deno.readTextFile(`${dir}/o/sub-02_task-rest_timeseries.json`));
    assert.ok(!("SamplingFrequency" in json), "no SamplingFrequency without --t-r");
    assert.equal(json.Confounds, null);
    const html = await Deno.readTextFile(`${dir}/report.html`);
    assert.match(html, /<html/i);
    assert.match(html, /MultiNiftiMapsMasker/);
    // The output folder is a BIDS derivatives dataset: described once, never overwritten.
    const desc = JSON.parse(await Deno.readTextFile(`${dir}/o/dataset_description.json`));
    assert.equal(desc.DatasetType, "derivative");
    assert.equal(desc.GeneratedBy[0].Name, "niimask");
    await Deno.writeTextFile(`${dir}/o/dataset_description.json`, '{"Name": "mine"}');
    const again = await niimask(
      ["extract", "--maps", "maps.nii.gz", "--out", "o", "--quiet", ...imgsOf(SUBJECTS)],
      dir,
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await Deno.readTextFile(`${dir}/o/dataset_description.json`), '{"Name": "mine"}');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli e2e: a corrupt image and wrong confounds rows fail alone; exit 1 with a summary", async () => {
  const dir = await fixture();
  try {
    // sub-02: corrupt file; sub-03: confounds with the wrong number of rows; sub-04: no confounds.
    await Deno.writeFile(
      `${dir}/func/sub-02_task-rest_bold.nii.gz`,
      new TextEncoder().encode("not a nifti file"),
    );
    await Deno.writeTextFile(
      `${dir}/conf/sub-03_task-rest_desc-confounds_timeseries.tsv`,
      makeConfounds(3, N_VOL - 4).text,
    );
    await saveImg(makeBold(4), `${dir}/func/sub-04_task-rest_bold.nii.gz`);
    await saveImg(makeBold(5), `${dir}/func/sub-05_task-rest_bold.nii.gz`);
    await Deno.writeTextFile(
      `${dir}/conf/sub-05_task-rest_desc-confounds_timeseries.tsv`,
      makeConfounds(5).text,
    );
    const subjects = ["sub-01", "sub-02", "sub-03", "sub-04", "sub-05"];
    const args = [
      "extract",
      "--maps",
      "maps.nii.gz",
      "--confounds",
      "conf/{subject}_desc-confounds_timeseries.tsv",
      "--confound-columns",
      "trans_?",
      "--out",
      "out",
      ...imgsOf(subjects),
    ];
    const run = await niimask(args, dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /5 subjects: 2 succeeded, 3 failed/);
    const summary = run.stderr.slice(run.stderr.indexOf("Failed subjects:"));
    assert.match(summary, /sub-02_task-rest \(func\/sub-02_task-rest_bold\.nii\.gz\): /);
    assert.match(summary, /sub-03_task-rest \(func\/sub-03_task-rest_bold\.nii\.gz\): /);
    assert.match(
      summary,
      /sub-04_task-rest .*confounds file conf\/sub-04_task-rest_desc-confounds_timeseries\.tsv.*no such file/,
    );
    assert.ok(!/sub-0[15]_task-rest \(/.test(summary), "successful subjects are not listed");
    const all = await listDir(`${dir}/out`);
    assert.deepEqual(all.filter((n) => n.endsWith(".failed.json")), [
      "sub-02_task-rest_timeseries.failed.json",
      "sub-03_task-rest_timeseries.failed.json",
      "sub-04_task-rest_timeseries.failed.json",
    ]);
    const record = JSON.parse(
      await Deno.readTextFile(`${dir}/out/sub-04_task-rest_timeseries.failed.json`),
    );
    assert.equal(record.image, "func/sub-04_task-rest_bold.nii.gz");
    assert.match(record.error, /no such file/);
    const names = all.filter((n) => !n.endsWith(".failed.json"));
    assert.deepEqual(names, [
      "dataset_description.json",
      "sub-01_task-rest_timeseries.json",
      "sub-01_task-rest_timeseries.tsv",
      "sub-05_task-rest_timeseries.json",
      "sub-05_task-rest_timeseries.tsv",
    ]);
    // The successful subjects' outputs are complete and correct.
    const fitted = await multiMapsMasker({ mapsImg: `${dir}/maps.nii.gz` }).fit();
    const expected = await fitted.transform(`${dir}/func/sub-05_task-rest_bold.nii.gz`, {
      confounds: makeConfounds(5).matrix,
    });
    const tsv = parseTsv(await Deno.readTextFile(`${dir}/out/sub-05_task-rest_timeseries.tsv`));
    assertSameSignals(tsv.rows, expected, "sub-05");

    // Fix sub-04 and resume: it succeeds and its failure record is removed.
    await Deno.writeTextFile(
      `${dir}/conf/sub-04_task-rest_desc-confounds_timeseries.tsv`,
      makeConfounds(4).text,
    );
    const rerun = await niimask([...args, "--skip-existing"], dir);
    assert.equal(rerun.code, 1, rerun.stderr);
    assert.match(rerun.stderr, /5 subjects: 1 succeeded, 2 skipped \(outputs existed\), 2 failed/);
    const after = await listDir(`${dir}/out`);
    assert.ok(after.includes("sub-04_task-rest_timeseries.tsv"));
    assert.ok(!after.includes("sub-04_task-rest_timeseries.failed.json"));
    assert.ok(after.includes("sub-02_task-rest_timeseries.failed.json"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli e2e: --skip-existing resumes a batch; without it outputs are redone", async () => {
  const dir = await fixture();
  try {
    const args = ["extract", "--maps", "maps.nii.gz", "--out", "out", ...imgsOf(SUBJECTS)];
    assert.equal((await niimask(args, dir)).code, 0);
    const tsv1 = `${dir}/out/sub-01_task-rest_timeseries.tsv`;
    const original = await Deno.readTextFile(tsv1);
    await Deno.writeTextFile(tsv1, "sentinel\n");
    // sub-02 "interrupted": only its TSV exists, so it is not complete and is redone.
    await Deno.remove(`${dir}/out/sub-02_task-rest_timeseries.json`);
    await Deno.remove(`${dir}/out/sub-03_task-rest_timeseries.tsv`);
    await Deno.remove(`${dir}/out/sub-03_task-rest_timeseries.json`);

    const resumed = await niimask([...args, "--skip-existing"], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /2 subjects to process \(1 skipped: outputs exist\)/);
    assert.match(resumed.stderr, /2 succeeded, 1 skipped \(outputs existed\), 0 failed/);
    assert.equal(await Deno.readTextFile(tsv1), "sentinel\n", "skipped subject untouched");
    assert.equal((await listDir(`${dir}/out`)).length, 7); // and dataset_description.json
    assert.ok((await Deno.stat(`${dir}/out/sub-02_task-rest_timeseries.json`)).isFile);

    const redo = await niimask(args, dir);
    assert.equal(redo.code, 0, redo.stderr);
    assert.equal(await Deno.readTextFile(tsv1), original, "rerun without --skip-existing redoes");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli e2e: bad flags exit 2 with a clear message; --help documents the flags", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cli_" });
  try {
    const base = ["extract", "--maps", "m.nii.gz", "--out", "o"];
    const cases: [string[], RegExp][] = [
      [
        [...base, "--lowpass", "0.1", "a.nii"],
        /unknown flag "--lowpass" \(did you mean --low-pass\?\)/,
      ],
      [[...base, "--t-r", "fast", "a.nii"], /--t-r: expected a positive number, got "fast"/],
      [[...base, "--standardize", "maybe", "a.nii"], /--standardize: expected one of false, /],
      [[...base, "--jobs", "0", "a.nii"], /--jobs/],
      [["extract", "--out", "o", "a.nii"], /--maps is required/],
      [[...base], /no input images/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [[...base, "a.nii"], /--maps m\.nii\.gz: cannot read the file/],
    ];
    for (const [args, pattern] of cases) {
      const run = await niimask(args, dir);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
    }
    assert.deepEqual(await listDir(dir), [], "nothing written on a usage error");

    const help = await niimask(["extract", "--help"], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--low-pass HZ/);
    assert.match(help.stdout, /--sample-mask-from-confounds COLUMN-PATTERN/);
    assert.match(help.stdout, /Default: data\./);
    const top = await niimask(["--help"], dir);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /extract/);
    const version = await niimask(["--version"], dir);
    assert.equal(version.stdout, `niimask ${denoJson.version}\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "cli e2e: SIGINT stops cleanly — whole outputs only, summary, exit 130 (1 and 2 jobs)",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    for (const jobs of ["1", "2"]) await sigintRun(jobs);
  },
});

async function sigintRun(jobs: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cli_" });
  try {
    await saveImg(gridBlobMaps(3), `${dir}/maps.nii.gz`);
    await saveImg(makeBold(1, 400), `${dir}/bold.nii.gz`);
    const n = 40;
    const imgs: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = `sub-${String(i).padStart(2, "0")}_bold.nii.gz`;
      await Deno.symlink(`${dir}/bold.nii.gz`, `${dir}/${name}`);
      imgs.push(name);
    }
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        CLI,
        "extract",
        "--maps",
        "maps.nii.gz",
        "--detrend",
        "--jobs",
        jobs,
        "--out",
        "out",
        ...imgs,
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const names = await listDir(`${dir}/out`).catch(() => [] as string[]);
      if (names.some((x) => x.endsWith("_timeseries.json")) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGINT");
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 130, stderr);
    assert.match(stderr, /interrupted; 40 subjects: \d+ succeeded, 0 failed, \d+ not run/);
    const names = await listDir(`${dir}/out`);
    assert.ok(!names.some((x) => x.endsWith(".tmp")), `no temporary files: ${names}`);
    const tsvs = names.filter((x) => x.endsWith(".tsv"));
    assert.ok(tsvs.length >= 1 && tsvs.length < n, `${tsvs.length} outputs`);
    for (const t of tsvs) {
      assert.ok(names.includes(t.replace(/\.tsv$/, ".json")), `${t} has its JSON`);
      const rows = parseTsv(await Deno.readTextFile(`${dir}/out/${t}`)).rows;
      assert.equal(rows.length, 400, `${t} is complete`);
    }
    const done = Number(/(\d+) succeeded/.exec(stderr)![1]);
    assert.equal(done, tsvs.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
