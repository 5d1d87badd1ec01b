/**
 * Unit tests of the pure pieces of `niimask bids`: BIDS names and output stems, run discovery and
 * filters, flags, repetition time from sidecars and headers, skip-existing comparison, labels.
 */
import assert from "node:assert/strict";
import { bidsOutputStem, bidsOutputStems, parseBidsName } from "../cli/bids_naming.ts";
import { describeFilters, findPreprocRuns, selectRuns } from "../cli/bids_discover.ts";
import { gatherMultiValueFlags, parseBidsArgs } from "../cli/bids_args.ts";
import { sidecarPathOf, tRFromHeader, tRFromSidecar } from "../cli/bids_tr.ts";
import { sidecarDifference } from "../cli/skip_existing.ts";
import { parseFslAtlasXml, parseLabelsText, readLabelsFile } from "../cli/labels.ts";
import { withFlagNames } from "../cli/flag_names.ts";
import { taskWorkingDirectory } from "../cli/task_cwd.ts";
import { checkAtlasGrid } from "../cli/bids_grid.ts";
import { UsageError } from "../cli/errors.ts";
import { SHARED_DATA } from "./real_data_fixtures.ts";

const SPACE = "space-MNI152NLin2009cAsym";

Deno.test("cli bids naming: entities kept in source order without desc; folders; clashes", () => {
  const n = parseBidsName(
    `d/sub-01_ses-2_task-rest_acq-mb_run-03_${SPACE}_res-2_desc-preproc_bold.nii.gz`,
  );
  assert.deepEqual(n.entities.map(([k]) => k), [
    "sub",
    "ses",
    "task",
    "acq",
    "run",
    "space",
    "res",
    "desc",
  ]);
  assert.equal(n.suffix, "bold");
  assert.equal(n.extension, ".nii.gz");
  assert.equal(
    bidsOutputStem(
      `d/sub-01_ses-2_task-rest_acq-mb_run-03_${SPACE}_res-2_desc-preproc_bold.nii.gz`,
      "difumo64",
      "scrubbing",
    ),
    `sub-01/ses-2/func/sub-01_ses-2_task-rest_acq-mb_run-03_${SPACE}_res-2_atlas-difumo64_desc-scrubbing`,
  );
  assert.equal(
    bidsOutputStem(`sub-02_task-rest_${SPACE}_desc-smoothAROMAnonaggr_bold.nii`, "a", "ica_aroma"),
    `sub-02/func/sub-02_task-rest_${SPACE}_atlas-a_desc-icaaroma`,
  );
  assert.throws(() => parseBidsName("bold.nii.gz"), /not a BIDS file name/);
  assert.throws(
    () => parseBidsName("sub-01_task_rest_bold.nii.gz"),
    /"task" is not a BIDS key-value entity/,
  );
  assert.throws(
    () =>
      bidsOutputStems(
        [`a/sub-01_task-x_desc-preproc_bold.nii.gz`, `b/sub-01_task-x_desc-preproc_bold.nii.gz`],
        "a",
        "simple",
      ),
    /runs "a\/sub-01_task-x_desc-preproc_bold\.nii\.gz" and "b\/.*" both give the output sub-01\/func\/sub-01_task-x_atlas-a_desc-simple_timeseries\.tsv/,
  );
});

Deno.test("cli bids discovery: sub-*/[ses-*/]func/*_desc-preproc_bold, nothing else; filters", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_disc_" });
  try {
    const files = [
      `sub-01/func/sub-01_task-rest_run-1_${SPACE}_desc-preproc_bold.nii.gz`,
      `sub-01/func/sub-01_task-rest_run-2_${SPACE}_desc-preproc_bold.nii.gz`,
      `sub-01/func/sub-01_task-rest_run-2_space-T1w_desc-preproc_bold.nii.gz`,
      `sub-01/func/sub-01_task-rest_run-1_${SPACE}_desc-brain_mask.nii.gz`,
      `sub-01/func/sub-01_task-rest_run-1_${SPACE}_desc-preproc_bold.json`,
      `sub-01/func/sub-01_task-rest_run-1_desc-confounds_timeseries.tsv`,
      `sub-01/anat/sub-01_desc-preproc_T1w.nii.gz`,
      `sub-02/ses-A/func/sub-02_ses-A_task-motor_${SPACE}_desc-preproc_bold.nii.gz`,
      `sub-02/ses-B/func/sub-02_ses-B_task-rest_${SPACE}_desc-preproc_bold.nii`,
      `sub-02/ses-B/func/sub-02_ses-B_task-rest_${SPACE}_desc-smoothAROMAnonaggr_bold.nii.gz`,
      `sourcedata/sub-03/func/sub-03_task-rest_desc-preproc_bold.nii.gz`,
    ];
    for (const f of files) {
      await Deno.mkdir(`${dir}/${f.slice(0, f.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${f}`, "");
    }
    const runs = await findPreprocRuns(dir);
    const rel = (paths: string[]) => paths.map((p) => p.slice(dir.length + 1));
    assert.deepEqual(rel(runs), [
      `sub-01/func/sub-01_task-rest_run-1_${SPACE}_desc-preproc_bold.nii.gz`,
      `sub-01/func/sub-01_task-rest_run-2_${SPACE}_desc-preproc_bold.nii.gz`,
      `sub-01/func/sub-01_task-rest_run-2_space-T1w_desc-preproc_bold.nii.gz`,
      `sub-02/ses-A/func/sub-02_ses-A_task-motor_${SPACE}_desc-preproc_bold.nii.gz`,
      `sub-02/ses-B/func/sub-02_ses-B_task-rest_${SPACE}_desc-preproc_bold.nii`,
    ]);
    assert.deepEqual(rel(await findPreprocRuns(dir, "smoothAROMAnonaggr")), [
      `sub-02/ses-B/func/sub-02_ses-B_task-rest_${SPACE}_desc-smoothAROMAnonaggr_bold.nii.gz`,
    ]);
    assert.equal(selectRuns(runs, { participantLabels: ["02"] }).length, 2);
    assert.equal(selectRuns(runs, { participantLabels: ["sub-01", "02"] }).length, 5);
    assert.deepEqual(rel(selectRuns(runs, { sessions: ["ses-B"] })), [files[8]]);
    assert.equal(selectRuns(runs, { task: "rest" }).length, 4);
    assert.equal(selectRuns(runs, { run: "02" }).length, 2);
    assert.equal(selectRuns(runs, { run: "2", space: "T1w" }).length, 1);
    assert.equal(selectRuns(runs, { space: "MNI152NLin2009cAsym", task: "motor" }).length, 1);
    assert.deepEqual(selectRuns(runs, { participantLabels: ["03"] }), []);
    assert.equal(
      describeFilters({ participantLabels: ["01", "02"], run: "1" }),
      "--participant-label 01 02 --run 1",
    );
    await assert.rejects(
      findPreprocRuns(`${dir}/nothere`),
      /FMRIPREP_DIR .*nothere: cannot read it/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli bids args: BIDS-App positionals, multi-value filters, strategy parameters", () => {
  const base = ["in", "out", "participant", "--atlas", "m.nii.gz", "--atlas-name", "difumo"];
  assert.deepEqual(
    gatherMultiValueFlags([
      "--participant-label",
      "01",
      "sub-02",
      "--session",
      "A",
      "--participant_label=03",
      "in",
    ]),
    ["--participant-label=01,sub-02,03", "--session=A", "in"],
  );
  const o = parseBidsArgs([
    ...base,
    "--participant-label",
    "01",
    "02",
    "--denoise-strategy",
    "compcor",
    "--n-compcor",
    "5",
    "--motion",
    "basic",
    "--t-r",
    "2",
    "--detrend",
  ]);
  assert.ok(!("help" in o));
  assert.deepEqual(o.filters, { participantLabels: ["01", "02"] });
  assert.equal(o.strategy, "compcor");
  assert.deepEqual(o.strategyParams, { motion: "basic", nCompcor: 5 });
  assert.equal(o.tR, 2);
  assert.equal(o.masker.detrend, true);
  assert.equal("tR" in o.masker, false, "the TR is set per run");
  const d = parseBidsArgs(base);
  assert.ok(!("help" in d) && d.strategy === "simple" && d.jobs === 1);
  assert.deepEqual(parseBidsArgs([...base, "--help"]), { help: true });
  const bad: [string[], RegExp][] = [
    [
      ["in", "out", "--atlas", "m", "--atlas-name", "a"],
      /expected three arguments, FMRIPREP_DIR OUTPUT_DIR participant; got 2/,
    ],
    [
      ["in", "out", "group", "--atlas", "m", "--atlas-name", "a"],
      /analysis level "group": only "participant"/,
    ],
    [
      [...base.slice(0, 5), "--atlas-name", "di_fumo"],
      /--atlas-name: expected letters and digits only/,
    ],
    [
      [...base, "--scrub", "3"],
      /--scrub does not apply to --denoise-strategy simple \(it applies to scrubbing\)/,
    ],
    [
      [...base, "--denoise-strategy", "ica_aroma", "--motion", "full"],
      /--motion does not apply to --denoise-strategy ica_aroma/,
    ],
    [
      [...base, "--denoise-strategy", "compcor", "--n-compcor", "0"],
      /--n-compcor: expected a positive integer or all, got "0"/,
    ],
    [[...base, "--confounds", "x.tsv"], /unknown flag "--confounds"/],
    [
      [...base, "--low-pass", "0.01", "--high-pass", "0.1"],
      /--high-pass \(0\.1 Hz\) must be below --low-pass/,
    ],
    [["in", "out", "participant", "--atlas-name", "a"], /--atlas is required/],
  ];
  for (const [args, re] of bad) {
    assert.throws(
      () => parseBidsArgs(args),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
      args.join(" "),
    );
  }
});

Deno.test("cli bids TR: sidecar RepetitionTime; header pixdim[4] in s, ms, us; none", () => {
  assert.equal(sidecarPathOf("a/sub-01_desc-preproc_bold.nii"), "a/sub-01_desc-preproc_bold.json");
  assert.equal(tRFromSidecar('{"RepetitionTime": 0.8, "TaskName": "rest"}', "x.json"), 0.8);
  assert.equal(tRFromSidecar('{"TaskName": "rest"}', "x.json"), null);
  assert.throws(() => tRFromSidecar("{", "x.json"), /sidecar x\.json: not valid JSON/);
  assert.throws(
    () => tRFromSidecar('{"RepetitionTime": "2"}', "x.json"),
    /x\.json: RepetitionTime must be a positive number/,
  );
  const nifti1 = (pixdim4: number, units: number, le = true) => {
    const v = new DataView(new ArrayBuffer(352));
    v.setInt32(0, 348, le);
    v.setFloat32(92, pixdim4, le);
    v.setUint8(123, units);
    return new Uint8Array(v.buffer);
  };
  assert.equal(tRFromHeader(nifti1(2, 2 | 8)), 2);
  assert.equal(tRFromHeader(nifti1(2000, 2 | 16)), 2);
  assert.equal(tRFromHeader(nifti1(720000, 2 | 24)), 0.72);
  assert.equal(tRFromHeader(nifti1(2, 2 | 8, false)), 2, "big-endian");
  assert.equal(tRFromHeader(nifti1(1, 2)), null, "no time unit: pixdim[4] not trusted");
  assert.equal(tRFromHeader(nifti1(0, 8)), null);
  assert.equal(tRFromHeader(nifti1(2, 32)), null, "Hz is not a time");
  const v2 = new DataView(new ArrayBuffer(544));
  v2.setInt32(0, 540, true);
  v2.setFloat64(136, 1.5, true);
  v2.setInt32(500, 2 | 8, true);
  assert.equal(tRFromHeader(new Uint8Array(v2.buffer)), 1.5, "NIfTI-2");
  assert.throws(() => tRFromHeader(new Uint8Array(348)), /bad sizeof_hdr/);
});

Deno.test("cli skip-existing: the first differing key, objects compared by content", () => {
  const old = {
    Maps: { File: "a.nii.gz", Sha256: "aa" },
    Mask: null,
    Parameters: { detrend: false, lowPass: null, tR: 2 },
    Denoise: { Strategy: "simple", Parameters: {} },
  };
  const same = {
    "Maps.Sha256": "aa",
    "Mask.Sha256": null,
    Parameters: { tR: 2, lowPass: null, detrend: false },
    Denoise: { Parameters: {}, Strategy: "simple" },
  };
  assert.equal(sidecarDifference(old, same), null);
  assert.equal(
    sidecarDifference(old, { ...same, Parameters: { tR: 2.5, lowPass: 0.1, detrend: false } }),
    "Parameters differ (lowPass: null, now 0.1; tR: 2, now 2.5)",
  );
  assert.equal(
    sidecarDifference(old, { ...same, Denoise: { Strategy: "scrubbing", Parameters: {} } }),
    'Denoise differs (Strategy: "simple", now "scrubbing")',
  );
  assert.equal(
    sidecarDifference(old, { ...same, "Mask.Sha256": "bb" }),
    'Mask.Sha256 differs (recorded null, now "bb")',
  );
  assert.match(sidecarDifference({}, same)!, /^Maps\.Sha256 differs/);
});

Deno.test("cli labels: FSL atlas XML, label TSV, dseg TSV", async () => {
  assert.deepEqual(parseLabelsText("index\tname\n1\tA\n2\tB\n", "atlas_dseg.tsv", 2), ["A", "B"]);
  assert.deepEqual(parseLabelsText("index\tlabel\tnetwork\n1\tA\tx\n", "l.tsv", 1), ["A"]);
  assert.throws(
    () =>
      parseFslAtlasXml(
        '<atlas><label index="0">A</label><label index="2">C</label></atlas>',
        "a.xml",
      ),
    /expected indices 0 to 1, but 1 is missing/,
  );
  assert.throws(() => parseFslAtlasXml("<atlas></atlas>", "a.xml"), /no <label index/);
  assert.throws(
    () => parseFslAtlasXml('<atlas><label index="0">A</label></atlas>', "a.xml", 2),
    /a\.xml: 1 labels for 2 maps/,
  );
  const dir = `${SHARED_DATA}/fsl_atlases_freeroi`;
  if (!await Deno.stat(dir).then(() => true, () => false)) {
    console.log(`skipped the real FSL XML files: ${SHARED_DATA} is absent`);
    return;
  }
  const ho = await readLabelsFile(`${dir}/Harvard-Oxford_Cortical_Structural_Atlas.xml`, 48);
  assert.equal(ho[0], "Frontal Pole");
  assert.equal(ho[4], "Inferior Frontal Gyrus, pars triangularis");
  const ju = await readLabelsFile(`${dir}/Juelich_Histological_Atlas.xml`, 121);
  assert.equal(ju[0], "GM Anterior intra-parietal sulcus hIP1 L");
  assert.equal(ju.length, 121);
  assert.equal((await readLabelsFile(`${dir}/MNI_Structural_Atlas.xml`, 9))[1], "Cerebellum");
});

Deno.test("cli: library fields shown as flags; deno task folder; atlas grid check", () => {
  assert.equal(
    withFlagNames("lowPass must be below the Nyquist frequency"),
    "--low-pass must be below the Nyquist frequency",
  );
  assert.equal(withFlagNames("mapsImg: bad", "atlas"), "--atlas: bad");
  assert.equal(withFlagNames("nothing to detrend"), "nothing to detrend");
  assert.equal(
    withFlagNames("smoothingFwhm and butterworthOrder"),
    "--smoothing-fwhm and --butterworth-order",
  );
  assert.equal(taskWorkingDirectory({ NIIMASK_DENO_TASK: "1", INIT_CWD: "/u" }, "/repo"), "/u");
  assert.equal(taskWorkingDirectory({ NIIMASK_DENO_TASK: "1", INIT_CWD: "/repo" }, "/repo"), null);
  assert.equal(taskWorkingDirectory({ NIIMASK_DENO_TASK: "1" }, "/repo"), null);
  assert.equal(taskWorkingDirectory({ INIT_CWD: "/u" }, "/repo"), null, "INIT_CWD of another tool");
  const eye = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  const run = { path: "run.nii.gz", shape: [4, 4, 4, 10], affine: eye };
  checkAtlasGrid({ path: "a.nii.gz", shape: [8, 8, 8, 3], affine: eye }, run, "data");
  assert.throws(
    () => checkAtlasGrid({ path: "a.nii.gz", shape: [8, 8, 8, 3], affine: eye }, run, null),
    /--atlas a\.nii\.gz \(shape 8x8x8, .*\) is not on the grid of run run\.nii\.gz/,
  );
  const singular = Float64Array.from(eye);
  singular[0] = 0;
  assert.throws(
    () => checkAtlasGrid({ path: "a.nii.gz", shape: [8, 8, 8], affine: singular }, run, "data"),
    /--atlas a\.nii\.gz: its affine is singular/,
  );
});
