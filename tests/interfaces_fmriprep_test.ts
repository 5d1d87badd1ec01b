import assert from "node:assert/strict";
import {
  confoundsFromText,
  findConfoundsFile,
  type FmriprepConfounds,
  FmriprepFileError,
  loadConfounds,
  loadConfoundsStrategy,
  MissingConfoundsError,
} from "../interfaces/mod.ts";
import { multiMapsMasker, saveImg } from "../mod.ts";

const IMG = "sub-01_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz";
const AROMA_IMG = "sub-01_task-rest_space-MNI152NLin2009cAsym_desc-smoothAROMAnonaggr_bold.nii.gz";
const TS = "sub-01_task-rest_desc-confounds_timeseries";
const REG = "sub-01_task-rest_desc-confounds_regressors";
const DATA = new URL("../../shared/data/", import.meta.url);
const quiet = { onWarning: () => {} };

/** A temp folder with the given files; the callback's folder is removed afterwards. */
async function withLayout(
  files: Record<string, string>,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_fmriprep_" });
  try {
    for (const [name, text] of Object.entries(files)) {
      const path = `${dir}/${name}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(path, text);
    }
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const tsv = (rows: readonly (readonly (string | number)[])[]): string =>
  rows.map((r) => r.join("\t")).join("\n") + "\n";

const MOTION = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"];

/** A small table: 6 motion columns, csf, white_matter, cosine00, FD, std_dvars, 1 NSS volume. */
function smallTable(n = 8): string {
  const header = [...MOTION, "white_matter", "csf", "cosine00", "framewise_displacement"];
  const rows = Array.from({ length: n }, (_, t) => [
    ...MOTION.map((_, j) => (t * (j + 1)) % 5 - 1.5),
    100 + t * t,
    50 - 2 * t,
    Math.cos(t),
    t === 0 ? "n/a" : 0.1 * t,
  ]);
  return tsv([
    [...header, "std_dvars", "non_steady_state_outlier00"],
    ...rows.map((r, t) => [
      ...r,
      t === 0 ? "n/a" : 1,
      t === 0 ? 1 : 0,
    ]),
  ]);
}

/** Naive, independent reading of a TSV: header and columns of numbers (`n/a` -> NaN). */
function naiveTable(text: string): Map<string, number[]> {
  const [head, ...lines] = text.trim().split("\n");
  const names = (head as string).split("\t");
  const cols = new Map(names.map((n) => [n, [] as number[]]));
  for (const line of lines) {
    line.split("\t").forEach((f, i) => cols.get(names[i]!)!.push(f === "n/a" ? NaN : Number(f)));
  }
  return cols;
}

/** Independent expectation: row-0 NaN from row 1, minus the mean over `kept` volumes. */
function expectedColumn(raw: readonly number[], kept: readonly number[] | null): number[] {
  const v = [...raw];
  if (Number.isNaN(v[0])) v[0] = v[1]!;
  const rows = kept ?? v.map((_, i) => i);
  const mean = rows.reduce((s, i) => s + v[i]!, 0) / rows.length;
  return v.map((x) => x - mean);
}

function column(out: FmriprepConfounds, name: string): number[] {
  const m = out.confounds!;
  const j = m.columns!.indexOf(name);
  assert.ok(j >= 0, `column ${name} in ${m.columns}`);
  return Array.from({ length: m.shape[0] }, (_, t) => m.data[t * m.shape[1] + j]!);
}

function assertClose(actual: readonly number[], expected: readonly number[], what: string) {
  assert.equal(actual.length, expected.length, what);
  const scale = Math.max(1, ...expected.map(Math.abs));
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]!) <= 1e-10 * scale, `${what}[${i}]: ${a} vs ${expected[i]}`)
  );
}

Deno.test("loadConfounds: fMRIPrep >= 20.2 (_timeseries.tsv) and 1.x (_regressors.tsv) files give the same result", async () => {
  const text = smallTable();
  const results: FmriprepConfounds[] = [];
  for (const stem of [TS, REG]) {
    await withLayout({ [`${stem}.tsv`]: text }, async (dir) => {
      const found = await findConfoundsFile(`${dir}/${IMG}`);
      assert.equal(found.tsv, `${dir}/${stem}.tsv`);
      assert.equal(found.json, null);
      results.push(await loadConfounds(`${dir}/${IMG}`, { ...quiet, motion: "basic" }));
    });
  }
  const [a, b] = results as [FmriprepConfounds, FmriprepConfounds];
  assert.deepEqual(a.confounds!.columns, [
    "cosine00",
    "csf",
    "rot_x",
    "rot_y",
    "rot_z",
    "trans_x",
    "trans_y",
    "trans_z",
    "white_matter",
  ]);
  assert.deepEqual(a.sampleMask, [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(Array.from(b.confounds!.data), Array.from(a.confounds!.data));
  const raw = naiveTable(text);
  assertClose(
    column(a, "white_matter"),
    expectedColumn(raw.get("white_matter")!, a.sampleMask),
    "wm",
  );
});

Deno.test("findConfoundsFile: entity subsets, other runs ignored, the JSON beside it", async () => {
  const img =
    "sub-01_ses-1_task-rest_acq-mb_run-2_space-MNI152NLin2009cAsym_res-2_desc-preproc_bold.nii.gz";
  await withLayout({
    "func/sub-01_ses-1_task-rest_acq-mb_run-2_desc-confounds_timeseries.tsv": smallTable(),
    "func/sub-01_ses-1_task-rest_acq-mb_run-2_desc-confounds_timeseries.json": "{}",
    "func/sub-01_ses-1_task-rest_acq-mb_run-1_desc-confounds_timeseries.tsv": smallTable(),
  }, async (dir) => {
    const found = await findConfoundsFile(`${dir}/func/${img}`);
    assert.equal(
      found.tsv,
      `${dir}/func/sub-01_ses-1_task-rest_acq-mb_run-2_desc-confounds_timeseries.tsv`,
    );
    assert.equal(found.json, found.tsv.replace(/\.tsv$/, ".json"));
  });
});

Deno.test("findConfoundsFile: the JSON path replaces every 'tsv' of the path, folders included (nilearn's rule)", async () => {
  await withLayout({
    [`tsvfolder/${TS}.tsv`]: smallTable(),
    [`tsvfolder/${TS}.json`]: "{}",
  }, async (dir) => {
    const found = await findConfoundsFile(`${dir}/tsvfolder/${IMG}`);
    assert.equal(found.json, null); // looked for in jsonfolder/
    await Deno.mkdir(`${dir}/jsonfolder`);
    await Deno.writeTextFile(`${dir}/jsonfolder/${TS}.json`, "{}");
    assert.equal(
      (await findConfoundsFile(`${dir}/tsvfolder/${IMG}`)).json,
      `${dir}/jsonfolder/${TS}.json`,
    );
  });
});

Deno.test("loadConfounds: a list of runs gives one result per run, in order; a list of one gives a list", async () => {
  await withLayout({
    "sub-01_task-rest_run-1_desc-confounds_timeseries.tsv": smallTable(8),
    "sub-01_task-rest_run-2_desc-confounds_timeseries.tsv": smallTable(5),
  }, async (dir) => {
    const imgs = [1, 2].map((r) =>
      `${dir}/sub-01_task-rest_run-${r}_space-MNI_desc-preproc_bold.nii.gz`
    );
    const runs = await loadConfounds(imgs, { ...quiet, strategy: ["wm_csf"] });
    assert.equal(runs.length, 2);
    assert.deepEqual(runs.map((r) => r.confounds!.shape), [[8, 2], [5, 2]]);
    assert.deepEqual(runs[1]!.sampleMask, [1, 2, 3, 4]);
    const one = await loadConfounds([imgs[1]!], { ...quiet, strategy: ["wm_csf"] });
    assert.ok(Array.isArray(one) && one.length === 1);
    assert.deepEqual(one[0], runs[1]);
  });
});

Deno.test("loadConfounds: errors name the files", async () => {
  await withLayout({ "other.txt": "x" }, async (dir) => {
    await assert.rejects(
      () => loadConfounds(`${dir}/${IMG}`, quiet),
      (e: Error) => e instanceof FmriprepFileError && e.message.includes(`${dir}/${IMG}`),
    );
  });
  await withLayout({ [`${TS}.tsv`]: smallTable(), [`${REG}.tsv`]: smallTable() }, async (dir) => {
    await assert.rejects(
      () => loadConfounds(`${dir}/${IMG}`, quiet),
      (e: Error) =>
        e instanceof FmriprepFileError && e.message.includes(`${dir}/${TS}.tsv`) &&
        e.message.includes(`${dir}/${REG}.tsv`) && /more than one/.test(e.message),
    );
  });
  await withLayout({ [`${TS}.tsv`]: smallTable() }, async (dir) => {
    // motion full: the derivative columns are missing; global_signal: no column at all
    await assert.rejects(
      () => loadConfounds(`${dir}/${IMG}`, { ...quiet, strategy: ["motion", "global_signal"] }),
      (e: Error) =>
        e instanceof MissingConfoundsError && e.message.includes(`${dir}/${TS}.tsv`) &&
        e.columns.includes("trans_x_derivative1") && e.columns.length === 18 &&
        e.keywords.length === 1 && e.keywords[0] === "global_signal",
    );
    // anatomical CompCor needs the JSON: the error names it
    await assert.rejects(
      () => loadConfounds(`${dir}/${IMG}`, { ...quiet, strategy: ["high_pass", "compcor"] }),
      (e: Error) => e instanceof FmriprepFileError && e.message.includes(`${dir}/${TS}.json`),
    );
    // ICA-AROMA full needs the smoothAROMAnonaggr image
    await assert.rejects(
      () => loadConfounds(`${dir}/${IMG}`, { ...quiet, strategy: ["ica_aroma"] }),
      (e: Error) => e instanceof FmriprepFileError && e.message.includes(IMG),
    );
    // ... and that image is no input for other strategies
    await assert.rejects(
      () => loadConfounds(`${dir}/${AROMA_IMG}`, { ...quiet, strategy: ["motion"] }),
      (e: Error) => e instanceof FmriprepFileError && e.message.includes(AROMA_IMG),
    );
  });
  await withLayout({ [`${TS}.tsv`]: smallTable(), [`${TS}.json`]: "{not json" }, async (dir) => {
    await assert.rejects(
      () => loadConfounds(`${dir}/${IMG}`, quiet),
      (e: Error) => e instanceof FmriprepFileError && e.message.includes(`${dir}/${TS}.json`),
    );
  });
  const camel = tsv([["csfCsf", "whiteMatter"], [1, 2]]);
  const noHeader = tsv([[1.5, 2], [1, 2]]);
  const badValue = tsv([["csf", "white_matter"], [1, 2], [3, "oops"]]);
  for (
    const [text, pattern] of [[camel, /camel case/], [noHeader, /no header/], [
      badValue,
      /line 3.*white_matter.*oops/,
    ]] as const
  ) {
    await withLayout({ [`${TS}.tsv`]: text }, async (dir) => {
      await assert.rejects(
        () => loadConfounds(`${dir}/${IMG}`, { ...quiet, strategy: ["wm_csf"] }),
        (e: Error) =>
          e instanceof FmriprepFileError && e.message.includes(`${dir}/${TS}.tsv`) &&
          pattern.test(e.message),
      );
    });
  }
});

Deno.test("loadConfounds: option errors (TypeError for types, RangeError for values), checked when used", async () => {
  await withLayout({ [`${TS}.tsv`]: smallTable() }, async (dir) => {
    const img = `${dir}/${IMG}`;
    const bad = (o: object) => loadConfounds(img, { ...quiet, ...o } as never);
    await assert.rejects(() => bad({ strategy: "motion" }), TypeError);
    await assert.rejects(
      () => bad({ strategy: ["motion", "spam"] }),
      (e: Error) => e instanceof RangeError && /spam/.test(e.message),
    );
    await assert.rejects(
      () => bad({ strategy: ["compcor"] }),
      (e: Error) => e instanceof RangeError && /high_pass/.test(e.message),
    );
    await assert.rejects(
      () => bad({ strategy: ["motion"], motion: "blah" }),
      (e: Error) => e instanceof RangeError && /motion.*blah/.test(e.message),
    );
    await assert.rejects(() => bad({ strategy: ["ica_aroma"], icaAroma: "half" }), RangeError);
    await assert.rejects(
      () => bad({ strategy: ["high_pass", "compcor"], compcor: "blah" }),
      RangeError,
    );
    await assert.rejects(() => bad({ demean: "yes" }), TypeError);
    await assert.rejects(() => loadConfounds(42 as never, quiet), TypeError);
    // null is nilearn's None, not "the default"
    await assert.rejects(
      () => bad({ strategy: null }),
      (e: Error) => e instanceof TypeError && /NoneType/.test(e.message),
    );
    await assert.rejects(() => bad({ strategy: ["motion"], motion: null }), RangeError);
    await assert.rejects(
      () => bad({ wm_csf: "full" }),
      (e: Error) => e instanceof TypeError && /wm_csf/.test(e.message),
    );
    await assert.rejects(
      () => loadConfoundsStrategy(img, { fdTreshold: 0.5 } as never),
      (e: Error) => e instanceof TypeError && /fdTreshold/.test(e.message),
    );
    await assert.rejects(
      () => loadConfoundsStrategy(img, { denoiseStrategy: "blah" as never }),
      (e: Error) => e instanceof RangeError && /blah/.test(e.message),
    );
    // a level of a component that is not in the strategy is not used, nor checked (as nilearn)
    const ok = await bad({ strategy: ["motion"], motion: "basic", wmCsf: "blah" });
    assert.equal(ok.confounds!.shape[1], 6);
  });
});

Deno.test("loadConfounds: scrubbing removes FD/DVARS outliers and short segments; warnings reach onWarning", async () => {
  // FD above 0.5 mm at volumes 3 and 9 of 14: segments 1-2 (after the NSS volume 0), 4-8, 10-13
  const n = 14;
  const fd = Array.from(
    { length: n },
    (_, t) => (t === 0 ? "n/a" : t === 3 || t === 9 ? 0.9 : 0.5),
  );
  const text = tsv([
    [...MOTION, "framewise_displacement", "std_dvars", "non_steady_state_outlier00"],
    ...fd.map((f, t) => [...MOTION.map((_, j) => t + j), f, t === 0 ? "n/a" : 1, t === 0 ? 1 : 0]),
  ]);
  await withLayout({ [`${TS}.tsv`]: text }, async (dir) => {
    const warnings: string[] = [];
    const opts = {
      strategy: ["motion", "scrub"] as const,
      motion: "basic" as const,
      fdThreshold: 0.5,
      onWarning: (m: string) => warnings.push(m),
    };
    const s4 = await loadConfounds(`${dir}/${IMG}`, { ...opts, scrub: 4 });
    // head 0-2 (first outlier 3 < 4) removed; 4-8 (5 volumes) kept; tail 10-13 (4 volumes) kept
    assert.deepEqual(s4.sampleMask, [4, 5, 6, 7, 8, 10, 11, 12, 13]);
    const s5 = await loadConfounds(`${dir}/${IMG}`, { ...opts, scrub: 5 });
    assert.deepEqual(s5.sampleMask, [4, 5, 6, 7, 8]);
    const s0 = await loadConfounds(`${dir}/${IMG}`, { ...opts, scrub: 0 });
    assert.deepEqual(s0.sampleMask, [1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13]);
    // demeaned over the kept volumes only
    assertClose(
      column(s5, "trans_x"),
      expectedColumn(Array.from({ length: n }, (_, t) => t), s5.sampleMask),
      "trans_x",
    );
    assert.ok(warnings.some((w) => /std_dvars_threshold/.test(w))); // nilearn's default 3 kept
    assert.ok(!warnings.some((w) => /fd_threshold/.test(w))); // 0.5 given
    // every volume above the threshold: empty mask, NaN confounds, a warning
    const all = await loadConfounds(`${dir}/${IMG}`, { ...opts, fdThreshold: 0.1 });
    assert.deepEqual(all.sampleMask, []);
    assert.ok(Array.from(all.confounds!.data).every(Number.isNaN));
    assert.ok(warnings.some((w) => /All volumes were marked as motion outliers/.test(w)));
  });
});

Deno.test("loadConfounds: CompCor columns follow the JSON masks; dropped_N entries are not counted", async () => {
  const names = [
    "a_comp_cor_00",
    "a_comp_cor_01",
    "a_comp_cor_02",
    "a_comp_cor_03",
    "t_comp_cor_00",
    "t_comp_cor_01",
  ];
  const masks = ["combined", "combined", "WM", "CSF"];
  const json = Object.fromEntries([
    ...masks.map((m, i) => [`a_comp_cor_0${i}`, { Mask: m, Method: "aCompCor", Retained: true }]),
    ["t_comp_cor_00", { Method: "tCompCor", Retained: true }],
    ["t_comp_cor_01", { Method: "tCompCor", Retained: true }],
    ["dropped_0", { Mask: "combined", Method: "aCompCor", Retained: false }],
  ]);
  const text = tsv([
    [...names, "cosine00", "cosine01"],
    ...[0, 1, 2, 3].map((t) => [...names.map((_, j) => t * j), t, -t]),
  ]);
  await withLayout({ [`${TS}.tsv`]: text, [`${TS}.json`]: JSON.stringify(json) }, async (dir) => {
    const load = (o: object) =>
      loadConfounds(`${dir}/${IMG}`, { ...quiet, strategy: ["high_pass", "compcor"], ...o });
    assert.deepEqual((await load({})).confounds!.columns, [
      "a_comp_cor_00",
      "a_comp_cor_01",
      "cosine00",
      "cosine01",
    ]);
    assert.deepEqual((await load({ compcor: "anat_separated" })).confounds!.columns, [
      "a_comp_cor_02",
      "a_comp_cor_03",
      "cosine00",
      "cosine01",
    ]);
    assert.deepEqual(
      (await load({ compcor: "temporal_anat_combined", nCompcor: 1 })).confounds!.columns,
      ["a_comp_cor_00", "cosine00", "cosine01", "t_comp_cor_00"],
    );
    assert.deepEqual((await load({ compcor: "temporal" })).confounds!.columns, [
      "cosine00",
      "cosine01",
      "t_comp_cor_00",
      "t_comp_cor_01",
    ]);
  });
});

Deno.test("loadConfoundsStrategy: presets, overrides, ignored parameters warned about", async () => {
  const text = smallTable();
  await withLayout({ [`${TS}.tsv`]: text }, async (dir) => {
    const warnings: string[] = [];
    const onWarning = (m: string) => warnings.push(m);
    const simple = await loadConfoundsStrategy(`${dir}/${IMG}`, {
      onWarning,
      motion: "basic",
      scrub: 2,
    });
    assert.equal(simple.confounds!.shape[1], 9); // cosine00 + csf + white_matter + 6 motion
    assert.ok(warnings.some((w) => /not needed.*'simple'.*'scrub'/.test(w)));
    const icaWarn: string[] = [];
    await loadConfoundsStrategy(`${dir}/${AROMA_IMG}`, {
      denoiseStrategy: "ica_aroma",
      icaAroma: "basic",
      onWarning: (m) => icaWarn.push(m),
    });
    assert.ok(icaWarn.some((w) => /'icaAroma'/.test(w)));
    const withGs = loadConfoundsStrategy(`${dir}/${IMG}`, { ...quiet, globalSignal: "basic" });
    await assert.rejects(
      () => withGs,
      (e: Error) => e instanceof MissingConfoundsError && e.keywords.includes("global_signal"),
    );
  });
});

Deno.test("loadConfounds: the result goes straight into a fitted masker's transform", async () => {
  const n = 6;
  const affine = Float64Array.from([3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1]);
  const maps = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
  const bold = {
    data: Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(i) * 10 + i),
    shape: [2, 1, 1, n],
    affine,
  };
  const text = tsv([
    ["csf", "white_matter", "non_steady_state_outlier00"],
    ...Array.from({ length: n }, (_, t) => [Math.cos(t), t % 3, t === 0 ? 1 : 0]),
  ]);
  await withLayout({ [`${TS}.tsv`]: text }, async (dir) => {
    await saveImg(bold, `${dir}/${IMG}`);
    const { confounds, sampleMask } = await loadConfounds(`${dir}/${IMG}`, {
      ...quiet,
      strategy: ["wm_csf"],
    });
    const fitted = await multiMapsMasker({ mapsImg: maps }).fit();
    const signals = await fitted.transform(`${dir}/${IMG}`, { confounds, sampleMask });
    assert.deepEqual(signals.shape, [n - 1, 2]);
  });
});

Deno.test("loadConfounds on nilearn's real fMRIPrep >= 21 confounds (simple preset)", async () => {
  const dir = new URL("fmriprep_confounds_nilearn/", DATA);
  let text: string;
  let json: string;
  try {
    text = await Deno.readTextFile(new URL("test-v21_desc-confounds_timeseries.tsv", dir));
    json = await Deno.readTextFile(new URL("test-v21_desc-confounds_timeseries.json", dir));
  } catch {
    console.log("skipped: ../shared/data/fmriprep_confounds_nilearn is absent");
    return;
  }
  await withLayout({ [`${TS}.tsv`]: text, [`${TS}.json`]: json }, async (layout) => {
    const out = await loadConfoundsStrategy(`${layout}/${IMG}`, {
      ...quiet,
      denoiseStrategy: "simple",
    });
    const raw = naiveTable(text);
    const motion = MOTION.flatMap((
      m,
    ) => [m, `${m}_derivative1`, `${m}_derivative1_power2`, `${m}_power2`]);
    const expectedNames = ["cosine00", "csf", ...motion, "white_matter"].sort();
    assert.deepEqual(out.confounds!.columns, expectedNames);
    const kept = Array.from({ length: raw.get("csf")!.length - 3 }, (_, i) => i + 3); // 3 NSS volumes
    assert.deepEqual(out.sampleMask, kept);
    for (const name of expectedNames) {
      assertClose(column(out, name), expectedColumn(raw.get(name)!, kept), name);
    }
    // compcor preset: the combined anatomical components (JSON Mask) and the cosine
    const cc = await loadConfoundsStrategy(`${layout}/${IMG}`, {
      ...quiet,
      denoiseStrategy: "compcor",
      motion: "basic",
    });
    const meta = JSON.parse(json) as Record<string, { Mask?: string }>;
    const combined = Object.keys(meta).filter((k) =>
      k.startsWith("a_comp_cor") && meta[k]!.Mask === "combined"
    );
    assert.deepEqual(cc.confounds!.columns, [...combined, "cosine00", ...MOTION].sort());
  });
});

Deno.test("loadConfounds on a full-length real fMRIPrep 1.x file (scrubbing preset)", async () => {
  let text: string;
  try {
    text = await Deno.readTextFile(
      new URL("fmriprep_confounds_load_confounds/test_desc-confounds_regressors.tsv", DATA),
    );
  } catch {
    console.log("skipped: ../shared/data/fmriprep_confounds_load_confounds is absent");
    return;
  }
  await withLayout({ [`${REG}.tsv`]: text }, async (layout) => {
    const fdThreshold = 0.2;
    const stdDvarsThreshold = 1.5;
    const scrub = 5;
    const out = await loadConfoundsStrategy(`${layout}/${IMG}`, {
      ...quiet,
      denoiseStrategy: "scrubbing",
      fdThreshold,
      stdDvarsThreshold,
      scrub,
    });
    const raw = naiveTable(text);
    const fd = raw.get("framewise_displacement")!;
    const dvars = raw.get("std_dvars")!;
    const n = fd.length;
    // independent: flag outliers, then drop every run of kept volumes shorter than `scrub`
    const out_ = fd.map((f, i) => f > fdThreshold || dvars[i]! > stdDvarsThreshold);
    const removed = [...out_];
    if (out_.some(Boolean)) {
      let start = 0;
      for (let i = 0; i <= n; i++) {
        if (i === n || out_[i]) {
          if (i - start < scrub) { for (let j = start; j < i; j++) removed[j] = true; }
          start = i + 1;
        }
      }
    }
    const kept = removed.flatMap((r, i) => (r ? [] : [i]));
    assert.ok(kept.length < n && kept.length > 0, "the file has outliers and kept volumes");
    assert.deepEqual(out.sampleMask, kept);
    assert.equal(out.confounds!.shape[0], n);
    assert.equal(out.confounds!.shape[1], 24 + 8 + 8); // motion full, wm_csf full, cosine00-07
    for (const name of ["csf_derivative1", "rot_z_power2", "cosine07"]) {
      assertClose(column(out, name), expectedColumn(raw.get(name)!, kept), name);
    }
  });
});

Deno.test("confoundsFromText: the same result as loadConfounds from the files' contents", async () => {
  const names = ["a_comp_cor_00", "a_comp_cor_01"];
  const json = { a_comp_cor_00: { Mask: "CSF" }, a_comp_cor_01: { Mask: "combined" } };
  const text = tsv([
    [...names, "cosine00", "csf", "white_matter"],
    ...[0, 1, 2, 3, 4].map((t) => [t, t * t, Math.sin(t), 2 * t, 1 - t]),
  ]);
  const options = { ...quiet, strategy: ["high_pass", "compcor", "wm_csf"] as const };
  await withLayout({ [`${TS}.tsv`]: text, [`${TS}.json`]: JSON.stringify(json) }, async (dir) => {
    const fromFiles = await loadConfounds(`${dir}/${IMG}`, options);
    const fromText = confoundsFromText({ tsv: text, json }, options);
    assert.deepEqual(fromText, fromFiles);
    assert.deepEqual(fromText.confounds!.columns, [
      "a_comp_cor_01",
      "cosine00",
      "csf",
      "white_matter",
    ]);
    assert.throws(
      () => confoundsFromText({ tsv: text }, options),
      (e: Error) => e instanceof FmriprepFileError && /confounds\.json/.test(e.message),
    );
  });
});
