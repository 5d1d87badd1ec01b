/**
 * End-to-end tests of `niimask bids`: the CLI runs as a subprocess on small fMRIPrep-like
 * layouts built in a temp dir from the confounds files of the nilearn 0.11.1 golden cases
 * (`../shared/conformance/fmriprep/`, both file generations), and its outputs are compared
 * with the masker applied to nilearn's own confounds and sample masks from those cases.
 */
import assert from "node:assert/strict";
import { saveImg } from "../image/save.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { Matrix } from "../types.ts";
import { synthBold } from "../synthetic/mod.ts";
import denoJson from "../deno.json" with { type: "json" };
import {
  AFFINE_3MM as AFFINE,
  copyConfounds,
  fileSha256Hex,
  gridBlobMaps,
  niimask,
  setHeaderTrMs,
} from "./cli_fixtures.ts";
import { CASES, HAVE_CASES, SPACE } from "./bids_layout_fixture.ts";

interface Golden {
  columns: string[];
  confounds: Matrix;
  sampleMask: number[] | null;
  dir: string;
}

async function golden(name: string): Promise<Golden> {
  const c = JSON.parse(await Deno.readTextFile(`${CASES}/${name}/case.json`));
  const conf = c.expect.confounds as { shape: [number, number]; data: number[] };
  return {
    columns: c.expect.columns,
    confounds: { data: Float64Array.from(conf.data), shape: conf.shape },
    sampleMask: c.expect.sample_mask ?? null,
    dir: `${CASES}/${name}`,
  };
}

function parseTsv(text: string): { header: string[]; rows: number[][] } {
  const lines = text.trimEnd().split("\n");
  return {
    header: lines[0]!.split("\t"),
    rows: lines.slice(1).map((l) => l.split("\t").map(Number)),
  };
}

function assertClose(rows: number[][], expected: Matrix, what: string): void {
  const [t, k] = expected.shape;
  assert.equal(rows.length, t, `${what}: rows`);
  for (let r = 0; r < t; r++) {
    for (let c = 0; c < k; c++) {
      const want = expected.data[r * k + c]!;
      const got = rows[r]![c]!;
      // The golden confounds are nilearn's, rounded to 1e-8 relative: the signals agree closely.
      assert.ok(
        Math.abs(got - want) <= 1e-6 + 1e-6 * Math.abs(want),
        `${what} (${r}, ${c}): ${got} vs ${want}`,
      );
    }
  }
}

/**
 * fmriprep/sub-01/func: 1.x files (regressors.tsv; ICA-AROMA defaults case, with the
 *   desc-smoothAROMAnonaggr run too), sidecar TR 2.5 s, 12 volumes;
 * fmriprep/sub-02/ses-1/func: >= 20.2 files (timeseries.tsv; ICA-AROMA overrides case), TR 2 s,
 *   12 volumes;
 * fmriprep/sub-03/func: >= 20.2 files of the simple-overrides case, no sidecar, TR in the
 *   header (1500 ms), 30 volumes.
 */
async function layout(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_bids_" });
  await saveImg(gridBlobMaps(2), `${dir}/maps.nii.gz`);
  await Deno.writeTextFile(`${dir}/dseg.tsv`, "index\tname\n1\tPosterior\n2\tAnterior\n");
  const runs: [string, string, string, number | null, number][] = [
    ["sub-01", "sub-01/func", "strategy_ica_aroma_defaults_v1", 2.5, 12],
    ["sub-02", "sub-02/ses-1/func", "strategy_ica_aroma_overrides_v21", 2, 12],
    ["sub-03", "sub-03/func", "strategy_simple_overrides_v21", null, 30],
  ];
  let seed = 1;
  for (const [sub, rel, name, tR, nVol] of runs) {
    const func = `${dir}/fmriprep/${rel}`;
    await Deno.mkdir(func, { recursive: true });
    const ses = rel.includes("ses-1") ? "_ses-1" : "";
    const prefix = `${sub}${ses}_task-rest`;
    const maps = gridBlobMaps(2);
    const { bold } = synthBold(maps, { nVolumes: nVol, seed: seed++, amplitude: 10, noise: 3 });
    const stem = `${func}/${prefix}_${SPACE}_desc-preproc_bold`;
    if (tR !== null) {
      await saveImg(bold, `${stem}.nii.gz`);
      await Deno.writeTextFile(`${stem}.json`, JSON.stringify({ RepetitionTime: tR }));
      if (sub !== "sub-03") {
        const aroma = stem.replace("desc-preproc", "desc-smoothAROMAnonaggr");
        await saveImg(bold, `${aroma}.nii.gz`);
        await Deno.writeTextFile(`${aroma}.json`, JSON.stringify({ RepetitionTime: tR }));
      }
    } else {
      // No sidecar: pixdim[4] = 1500 ms in the header.
      await saveImg(bold, `${stem}.nii`);
      await setHeaderTrMs(`${stem}.nii`, 1500);
    }
    await copyConfounds(`${CASES}/${name}`, func, prefix);
    // Files discovery must ignore.
    await Deno.writeTextFile(`${func}/${prefix}_${SPACE}_desc-brain_mask.nii.gz`, "");
  }
  await Deno.writeTextFile(`${dir}/fmriprep/dataset_description.json`, "{}");
  return dir;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function runPath(dir: string, sub: string, desc = "preproc"): string {
  const rel = sub === "sub-02" ? "sub-02/ses-1/func/sub-02_ses-1" : `${sub}/func/${sub}`;
  const ext = sub === "sub-03" ? ".nii" : ".nii.gz";
  return `${dir}/fmriprep/${rel}_task-rest_${SPACE}_desc-${desc}_bold${ext}`;
}

function outStem(sub: string, desc = "simple"): string {
  const rel = sub === "sub-02" ? "sub-02/ses-1/func/sub-02_ses-1" : `${sub}/func/${sub}`;
  return `out/${rel}_task-rest_${SPACE}_atlas-blobs_desc-${desc}_timeseries`;
}

const BASE = [
  "bids",
  "fmriprep",
  "out",
  "participant",
  "--atlas",
  "maps.nii.gz",
  "--atlas-name",
  "blobs",
];

Deno.test({
  name: "cli bids: both fMRIPrep generations, TR from sidecar and header, names, sidecars",
  ignore: !HAVE_CASES,
  async fn() {
    const dir = await layout();
    try {
      // 1. sub-01 (1.x files): ICA-AROMA defaults (the desc-smoothAROMAnonaggr run), labels
      //    from a BIDS dseg.tsv.
      let run = await niimask([
        ...BASE,
        "--labels",
        "dseg.tsv",
        "--participant-label",
        "01",
        "--denoise-strategy",
        "ica_aroma",
      ], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /1 subject: 1 succeeded, 0 failed/);
      const g1 = await golden("strategy_ica_aroma_defaults_v1");
      const masker = (tR: number) => multiMapsMasker({ mapsImg: `${dir}/maps.nii.gz`, tR }).fit();
      let expected = await (await masker(2.5)).transform(
        runPath(dir, "sub-01", "smoothAROMAnonaggr"),
        { confounds: g1.confounds, sampleMask: g1.sampleMask },
      );
      let tsv = parseTsv(await Deno.readTextFile(`${dir}/${outStem("sub-01", "icaaroma")}.tsv`));
      assert.deepEqual(tsv.header, ["Posterior", "Anterior"]);
      assertClose(tsv.rows, expected, "sub-01");
      let json = JSON.parse(
        await Deno.readTextFile(`${dir}/${outStem("sub-01", "icaaroma")}.json`),
      );
      assert.equal(json.SamplingFrequency, 1 / 2.5);
      assert.equal(
        json.RepetitionTimeSource,
        `fmriprep/sub-01/func/sub-01_task-rest_${SPACE}_desc-smoothAROMAnonaggr_bold.json`,
      );
      assert.deepEqual(json.Sources, [
        `fmriprep/sub-01/func/sub-01_task-rest_${SPACE}_desc-smoothAROMAnonaggr_bold.nii.gz`,
      ]);
      assert.equal(
        json.Confounds.File,
        "fmriprep/sub-01/func/sub-01_task-rest_desc-confounds_regressors.tsv",
      );
      assert.deepEqual(json.Confounds.Columns, g1.columns);
      const censored = (g: Golden, n: number) =>
        Array.from({ length: n }, (_, t) => t).filter((t) => !g.sampleMask!.includes(t));
      assert.deepEqual(json.Confounds.CensoredVolumes, censored(g1, 12));
      assert.equal(tsv.rows.length, g1.sampleMask!.length);
      assert.deepEqual(json.Denoise, { Strategy: "ica_aroma", Parameters: {} });
      assert.equal(json.Atlas, "blobs");
      assert.deepEqual(json.Maps, {
        File: "maps.nii.gz",
        Sha256: await fileSha256Hex(`${dir}/maps.nii.gz`),
        Count: 2,
      });
      assert.equal(json.GeneratedBy[0].Description, "niimask bids");
      const description = JSON.parse(
        await Deno.readTextFile(`${dir}/out/dataset_description.json`),
      );
      assert.equal(description.DatasetType, "derivative");
      assert.equal(description.GeneratedBy[0].Name, "niimask");
      assert.equal(description.GeneratedBy[0].Version, denoJson.version);

      // 2. sub-02 (>= 20.2 files, a session): the case's overrides given as flags.
      run = await niimask([
        ...BASE,
        "--session",
        "1",
        "--denoise-strategy",
        "ica_aroma",
        "--wm-csf",
        "derivatives",
        "--global-signal",
        "basic",
        "--no-demean",
      ], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /1 subject: 1 succeeded/);
      const g2 = await golden("strategy_ica_aroma_overrides_v21");
      expected = await (await masker(2)).transform(runPath(dir, "sub-02", "smoothAROMAnonaggr"), {
        confounds: g2.confounds,
        sampleMask: g2.sampleMask,
      });
      tsv = parseTsv(await Deno.readTextFile(`${dir}/${outStem("sub-02", "icaaroma")}.tsv`));
      assert.deepEqual(tsv.header, ["map-000", "map-001"]);
      assertClose(tsv.rows, expected, "sub-02");
      json = JSON.parse(await Deno.readTextFile(`${dir}/${outStem("sub-02", "icaaroma")}.json`));
      assert.equal(
        json.Confounds.File,
        "fmriprep/sub-02/ses-1/func/sub-02_ses-1_task-rest_desc-confounds_timeseries.tsv",
      );
      assert.deepEqual(json.Confounds.Columns, g2.columns);
      assert.deepEqual(json.Confounds.CensoredVolumes, censored(g2, 12));
      assert.deepEqual(json.Denoise.Parameters, {
        demean: false,
        globalSignal: "basic",
        wmCsf: "derivatives",
      });
      assert.equal(json.SamplingFrequency, 0.5);

      // 3. sub-03: simple with overrides; no sidecar: the TR is the header's 1500 ms.
      run = await niimask([
        ...BASE,
        "--participant-label",
        "sub-03",
        "--motion",
        "basic",
        "--wm-csf",
        "power2",
        "--global-signal",
        "full",
        "--no-demean",
      ], dir);
      assert.equal(run.code, 0, run.stderr);
      const g3 = await golden("strategy_simple_overrides_v21");
      expected = await (await masker(1.5)).transform(runPath(dir, "sub-03"), {
        confounds: g3.confounds,
        sampleMask: g3.sampleMask,
      });
      tsv = parseTsv(await Deno.readTextFile(`${dir}/${outStem("sub-03")}.tsv`));
      assertClose(tsv.rows, expected, "sub-03");
      json = JSON.parse(await Deno.readTextFile(`${dir}/${outStem("sub-03")}.json`));
      assert.equal(json.SamplingFrequency, 1 / 1.5);
      assert.match(json.RepetitionTimeSource, /^header of fmriprep\/sub-03\//);
      assert.deepEqual(json.Confounds.Columns, g3.columns);
      assert.deepEqual(json.Confounds.CensoredVolumes, censored(g3, 30));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli bids: --skip-existing skips same parameters, recomputes changed ones; status",
  ignore: !HAVE_CASES,
  async fn() {
    const dir = await layout();
    try {
      const args = [...BASE, "--participant-label", "01", "02"];
      let run = await niimask(args, dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /2 subjects: 2 succeeded, 0 failed/);
      const before = await Deno.readTextFile(`${dir}/${outStem("sub-01")}.tsv`);

      // Leftovers of a killed run beside the outputs: niimask's own are removed on resume, a
      // foreign file and another run's temporary are kept.
      const stem = `${dir}/${outStem("sub-01")}`;
      const ours = [
        `${stem}.tsv.niimask-99999-0123abcd.tmp`,
        `${stem}.json.niimask-1-fedcba98.tmp`,
      ];
      const kept = [
        `${stem}.tsv.tmp`,
        `${dir}/${outStem("sub-03")}.tsv.niimask-99999-0123abcd.tmp`,
      ];
      await Deno.mkdir(`${dir}/out/sub-03/func`, { recursive: true });
      for (const p of [...ours, ...kept]) await Deno.writeTextFile(p, "partial");
      run = await niimask([...args, "--skip-existing"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /2 skipped/);
      assert.match(run.stderr, /removed 2 leftover temporary file\(s\)/);
      for (const p of ours) assert.equal(await exists(p), false, p);
      for (const p of kept) assert.equal(await exists(p), true, p);
      for (const p of kept) await Deno.remove(p);

      // A changed masker parameter: recomputed, saying why.
      run = await niimask([...args, "--skip-existing", "--detrend"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /outputs exist but Parameters differ \(detrend: false, now true\): recomputing/,
      );
      assert.match(run.stderr, /2 succeeded/);
      assert.notEqual(await Deno.readTextFile(`${dir}/${outStem("sub-01")}.tsv`), before);

      // A changed strategy parameter: recomputed.
      run = await niimask([...args, "--skip-existing", "--detrend", "--motion", "basic"], dir);
      assert.match(run.stderr, /Denoise differs .*motion/);
      assert.match(run.stderr, /2 succeeded/);

      // Other maps (same name): recomputed.
      await saveImg(
        { ...gridBlobMaps(2), data: gridBlobMaps(2).data.map((x) => 2 * x) },
        `${dir}/maps.nii.gz`,
      );
      run = await niimask([...args, "--skip-existing", "--detrend", "--motion", "basic"], dir);
      assert.match(run.stderr, /Maps\.Sha256 differs/);
      assert.match(run.stderr, /2 succeeded/);

      // status sees the bids outputs (names and subfolders of bids).
      const runs = [runPath(dir, "sub-01"), runPath(dir, "sub-02"), runPath(dir, "sub-03")];
      run = await niimask(
        [
          "status",
          "--out",
          "out",
          "--atlas-name",
          "blobs",
          "--denoise-strategy",
          "simple",
          ...runs,
        ],
        dir,
      );
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /^missing\tsub-03\/func\/sub-03_task-rest_/m);
      assert.match(run.stdout, /2 done, 1 missing, 0 failed \(of 3\)/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli bids: errors name the files: no matching run, confounds, columns, atlas grid, TR",
  ignore: !HAVE_CASES,
  async fn() {
    const dir = await layout();
    try {
      // No run matches the filters: a setup error naming the folder and the filters.
      let run = await niimask([...BASE, "--task", "motor"], dir);
      assert.equal(run.code, 2);
      assert.match(
        run.stderr,
        /FMRIPREP_DIR fmriprep: no run matches --task motor \(3 runs found: /,
      );

      // A strategy parameter the strategy does not take: usage error naming both flags.
      run = await niimask([...BASE, "--fd-threshold", "0.3"], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--fd-threshold does not apply to --denoise-strategy simple/);

      // Missing confounds file: that run fails (exit 1), naming it; the others complete.
      await Deno.remove(
        `${dir}/fmriprep/sub-01/func/sub-01_task-rest_desc-confounds_regressors.tsv`,
      );
      run = await niimask([...BASE, "--participant-label", "01", "02"], dir);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /1 succeeded, 1 failed/);
      assert.match(
        run.stderr,
        /confounds of run fmriprep\/sub-01\/func\/sub-01_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold\.nii\.gz: .*could not find the associated confounds file/,
      );
      const record = JSON.parse(await Deno.readTextFile(`${dir}/${outStem("sub-01")}.failed.json`));
      assert.match(record.error, /could not find the associated confounds file/);
      // status shows the failed run with its error, the other one done.
      run = await niimask(
        [
          "status",
          "--out",
          "out",
          "--atlas-name",
          "blobs",
          runPath(dir, "sub-01"),
          runPath(dir, "sub-02"),
        ],
        dir,
      );
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stdout,
        /^failed\tsub-01\/func\/sub-01_task-rest_\S+_atlas-blobs_desc-simple\t.*could not find/m,
      );
      assert.match(run.stdout, /1 done, 0 missing, 1 failed \(of 2\)/);

      // Missing columns: the run fails naming the file and the columns.
      const tsv =
        `${dir}/fmriprep/sub-02/ses-1/func/sub-02_ses-1_task-rest_desc-confounds_timeseries.tsv`;
      const lines = (await Deno.readTextFile(tsv)).split("\n");
      const header = lines[0]!.split("\t");
      const drop = header.indexOf("csf");
      assert.ok(drop >= 0);
      await Deno.writeTextFile(
        tsv,
        lines.map((l) => l === "" ? l : l.split("\t").filter((_, i) => i !== drop).join("\t"))
          .join("\n"),
      );
      run = await niimask([...BASE, "--participant-label", "02"], dir);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /confounds of run fmriprep\/sub-02\/.*csf/);

      // An atlas whose grid cannot be resampled (singular affine): a setup error naming it.
      const flat = Float64Array.from(AFFINE);
      flat[10] = 0;
      await saveImg({ ...gridBlobMaps(2), affine: flat }, `${dir}/flat.nii.gz`);
      run = await niimask([
        "bids",
        "fmriprep",
        "out2",
        "participant",
        "--atlas",
        "flat.nii.gz",
        "--atlas-name",
        "flat",
      ], dir);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--atlas flat\.nii\.gz: .*cannot be resampled/);

      // Another grid with --resampling-target none: a setup error naming atlas and run.
      await saveImg(
        { data: new Float32Array(4 * 4 * 4), shape: [4, 4, 4], affine: AFFINE },
        `${dir}/small.nii.gz`,
      );
      run = await niimask([
        "bids",
        "fmriprep",
        "out2",
        "participant",
        "--atlas",
        "small.nii.gz",
        "--atlas-name",
        "s",
        "--resampling-target",
        "none",
      ], dir);
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        /--atlas small\.nii\.gz .*is not on the grid of run .*--resampling-target none/,
      );

      // A filter needing a TR a run does not have: that run's error says so.
      await Deno.remove(
        `${dir}/fmriprep/sub-02/ses-1/func/sub-02_ses-1_task-rest_${SPACE}_desc-preproc_bold.json`,
      );
      run = await niimask([...BASE, "--participant-label", "02", "--low-pass", "0.1"], dir);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /no repetition time .* needed by --low-pass: give --t-r S/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli bids: --shard slices the runs; the shards' outputs equal one run's, byte for byte",
  ignore: !HAVE_CASES,
  async fn() {
    const dir = await layout();
    try {
      const runs = ["sub-01", "sub-02", "sub-03"].map((s) => runPath(dir, s));
      let run = await niimask([...BASE.slice(0, 2), "whole", ...BASE.slice(3)], dir);
      assert.equal(run.code, 0, run.stderr);
      run = await niimask([...BASE, "--shard", "1/2"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /shard 1\/2: 1 of 3 runs/);
      run = await niimask(["status", "--out", "out", "--atlas-name", "blobs", ...runs], dir);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /1 done, 2 missing, 0 failed \(of 3\)/);
      run = await niimask([...BASE, "--shard", "2/2"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /shard 2\/2: 2 of 3 runs/);
      run = await niimask(["status", "--out", "out", "--atlas-name", "blobs", ...runs], dir);
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /^3 done, 0 missing, 0 failed \(of 3\)$/m);
      // The fMRIPrep folder instead of its runs: the same runs.
      run = await niimask(["status", "--out", "out", "--atlas-name", "blobs", "fmriprep"], dir);
      assert.equal(run.code, 0, run.stdout);
      assert.match(run.stdout, /^3 done, 0 missing, 0 failed \(of 3\)$/m);
      run = await niimask(
        [
          "status",
          "--out",
          "out",
          "--atlas-name",
          "blobs",
          "--denoise-strategy",
          "scrubbing",
          "fmriprep",
        ],
        dir,
      );
      assert.match(run.stdout, /^0 done, 3 missing, 0 failed \(of 3\)$/m);
      for (const sub of ["sub-01", "sub-02", "sub-03"]) {
        for (const ext of [".tsv", ".json"]) {
          const sharded = await Deno.readTextFile(`${dir}/${outStem(sub)}${ext}`);
          const whole = await Deno.readTextFile(
            `${dir}/${outStem(sub).replace(/^out/, "whole")}${ext}`,
          );
          assert.equal(sharded, whole, `${sub}${ext}`);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
