/**
 * `--connectivity` in `niimask extract`: flag parsing and refusals, the per-run and group output
 * functions, and end-to-end runs (files next to the time series, tangent under --jobs 2 equal to
 * --jobs 1, refusal under --shard).
 */
import assert from "node:assert/strict";
import { connectivityMeasure, ledoitWolf } from "../connectome/mod.ts";
import { type ExtractOptions, parseExtractArgs } from "../cli/extract_args.ts";
import { UsageError } from "../cli/errors.ts";
import {
  groupTangentFiles,
  groupTangentStem,
  relmatPaths,
  runConnectivityFiles,
} from "../cli/connectivity_outputs.ts";
import { parseTimeseriesTsv } from "../cli/timeseries_read.ts";
import { saveImg } from "../image/save.ts";
import { standardize } from "../signal/standardize.ts";
import { synthBold } from "../synthetic/mod.ts";
import type { Matrix } from "../types.ts";
import { lcg } from "./lcg.ts";
import { gridBlobMaps, niimask } from "./cli_fixtures.ts";

function parse(...args: string[]): ExtractOptions {
  return parseExtractArgs(["--maps", "m.nii.gz", "--out", "o", ...args]) as ExtractOptions;
}

function signals(t: number, n: number, seed: number): Matrix {
  const r = lcg(seed);
  const data = new Float64Array(t * n);
  for (let i = 0; i < t; i++) {
    const common = r() - 0.5;
    for (let j = 0; j < n; j++) data[i * n + j] = j + (j + 1) * common + (r() - 0.5);
  }
  return { data, shape: [t, n] };
}

Deno.test("cli connectivity args: kinds in CLI spelling, estimator, errors", () => {
  const o = parse("--connectivity", "tangent,partial_correlation", "a.nii", "b.nii");
  assert.deepEqual(o.connectivity, {
    kinds: ["partial correlation", "tangent"],
    estimator: "ledoit_wolf",
  });
  assert.equal(parse("a.nii").connectivity, null);
  assert.equal(
    parse("--connectivity", "covariance", "--cov-estimator", "empirical", "a.nii").connectivity
      ?.estimator,
    "empirical",
  );
  assert.throws(
    () => parse("--connectivity", "partial correlation", "a.nii"),
    (e: Error) =>
      e instanceof UsageError && /unknown kind "partial correlation"/.test(e.message) &&
      /partial_correlation/.test(e.message),
  );
  assert.throws(() => parse("--connectivity", "corelation", "a.nii"), UsageError);
  assert.throws(() => parse("--cov-estimator", "empirical", "a.nii"), /needs --connectivity/);
  assert.throws(() => parse("--connectivity", "correlation", "--cov-estimator", "oas", "a.nii"));
});

Deno.test("cli connectivity args: tangent refused with one run and under --shard, saying why", () => {
  assert.throws(
    () => parse("--connectivity", "tangent", "a.nii"),
    (e: Error) => e instanceof UsageError && /at least two runs/.test(e.message),
  );
  assert.throws(
    () => parse("--connectivity", "correlation,tangent", "--shard", "1/2", "a.nii", "b.nii"),
    (e: Error) =>
      e instanceof UsageError && /--shard/.test(e.message) && /all runs/.test(e.message),
  );
  // per-run kinds are fine on a shard
  assert.equal(parse("--connectivity", "correlation", "--shard", "1/2", "a.nii").shard, "1/2");
});

Deno.test("cli connectivity outputs: per-run files hold the library's matrix and a sidecar", () => {
  const x = signals(30, 3, 1);
  const files = runConnectivityFiles(
    { stem: "out/sub-01_task-rest", signals: x, source: "sub-01_task-rest_timeseries.tsv" },
    ["DMN", "Visual", "Motor"],
    { kinds: ["correlation", "covariance", "tangent"], estimator: "ledoit_wolf" },
    "9.9.9",
  );
  assert.deepEqual(files.map(([p]) => p), [
    "out/sub-01_task-rest_meas-Correlation_relmat.tsv",
    "out/sub-01_task-rest_meas-Correlation_relmat.json",
    "out/sub-01_task-rest_meas-Covariance_relmat.tsv",
    "out/sub-01_task-rest_meas-Covariance_relmat.json",
  ]);
  const table = parseTimeseriesTsv(files[0]![1], "corr.tsv");
  assert.deepEqual(table.names, ["DMN", "Visual", "Motor"]);
  const [corr] = connectivityMeasure({ kind: "correlation", onWarning: () => {} })
    .fitTransform([x]).connectivities;
  assert.deepEqual(Array.from(table.signals.data), Array.from(corr!.data)); // exact round trip
  const side = JSON.parse(files[1]![1]);
  assert.equal(side.Kind, "correlation");
  assert.equal(side.Measure, "Correlation");
  assert.equal(side.CovarianceEstimator, "LedoitWolf");
  assert.equal(side.NumberOfVolumes, 30);
  assert.deepEqual(side.Sources, ["sub-01_task-rest_timeseries.tsv"]);
  // correlation: the shrinkage of the z-scored signals; covariance: of the raw signals
  const z = standardize(x, true, () => {});
  assert.equal(side.Shrinkage, ledoitWolf(z).shrinkage);
  assert.equal(JSON.parse(files[3]![1]).Shrinkage, ledoitWolf(x).shrinkage);
  assert.throws(
    () =>
      runConnectivityFiles(
        { stem: "s", signals: x, source: "s_timeseries.tsv" },
        ["A", "B"],
        { kinds: ["covariance"], estimator: "ledoit_wolf" },
        "0",
      ),
    /2 region names for 3 time series/,
  );
});

Deno.test("cli connectivity outputs: the tangent group does not depend on the order of the runs", () => {
  const runs = [1, 2, 3].map((s) => ({
    stem: `out/sub-0${s}`,
    signals: signals(25 + s, 3, 10 + s),
    source: `sub-0${s}_timeseries.tsv`,
  }));
  const stem = groupTangentStem("out", { atlas: "my_atlas", desc: "simple" });
  assert.equal(stem, "out/atlas-myatlas_desc-simple_meas-Tangent_stat-mean_relmat");
  const a = groupTangentFiles(runs, ["A", "B", "C"], "ledoit_wolf", stem, "0");
  const b = groupTangentFiles(
    [runs[2]!, runs[0]!, runs[1]!],
    ["A", "B", "C"],
    "ledoit_wolf",
    stem,
    "0",
  );
  assert.deepEqual(a, b);
  assert.equal(a.length, 8);
  assert.equal(a[0]![0], relmatPaths("out/sub-01", "tangent").tsv);
  assert.equal(a[6]![0], `${stem}.tsv`);
  const { fitted } = connectivityMeasure({ kind: "tangent" }).fitTransform(
    runs.map((r) => r.signals),
  );
  const mean = parseTimeseriesTsv(a[6]![1], "mean.tsv");
  assert.deepEqual(Array.from(mean.signals.data), Array.from(fitted.mean.data));
  assert.equal(JSON.parse(a[7]![1]).NumberOfRuns, 3);
  assert.throws(
    () => groupTangentFiles(runs.slice(0, 1), ["A", "B", "C"], "ledoit_wolf", stem, "0"),
    /at least two/,
  );
});

// ---- end to end -------------------------------------------------------------------------

async function fixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_conn_" });
  await Deno.mkdir(`${dir}/func`);
  const maps = gridBlobMaps(3);
  await saveImg(maps, `${dir}/my_maps.nii.gz`);
  await Deno.writeTextFile(`${dir}/labels.tsv`, "index\tname\n1\tDMN\n2\tVisual\n3\tMotor\n");
  for (const [i, s] of ["sub-01", "sub-02", "sub-03"].entries()) {
    const bold = synthBold(maps, { nVolumes: 30 + 4 * i, seed: i + 1, amplitude: 10, noise: 3 });
    await saveImg(bold.bold, `${dir}/func/${s}_task-rest_bold.nii.gz`);
  }
  return dir;
}

const IMGS = ["sub-01", "sub-02", "sub-03"].map((s) => `func/${s}_task-rest_bold.nii.gz`);

async function readDir(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile) out.set(e.name, await Deno.readTextFile(`${dir}/${e.name}`));
  }
  return out;
}

Deno.test("cli e2e connectivity: files next to the time series; tangent --jobs 2 equals --jobs 1", async () => {
  const dir = await fixture();
  try {
    const common = [
      "extract",
      "--maps",
      "my_maps.nii.gz",
      "--labels",
      "labels.tsv",
      "--standardize",
      "zscore_sample",
      "--connectivity",
      "correlation,partial_correlation,tangent",
    ];
    const one = await niimask([...common, "--jobs", "1", "--out", "out1", ...IMGS], dir);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stderr, /tangent fitted on 3 runs/);
    const two = await niimask([...common, "--jobs", "2", "--out", "out2", ...IMGS], dir);
    assert.equal(two.code, 0, two.stderr);
    const f1 = await readDir(`${dir}/out1`);
    const f2 = await readDir(`${dir}/out2`);
    const names = [...f1.keys()].sort();
    assert.deepEqual(names, [...f2.keys()].sort());
    for (const n of names) {
      assert.equal(f2.get(n), f1.get(n), `${n} differs between --jobs 1 and 2`);
    }
    for (const s of ["sub-01", "sub-02", "sub-03"]) {
      for (const m of ["Correlation", "PartialCorrelation", "Tangent"]) {
        assert.ok(f1.has(`${s}_task-rest_meas-${m}_relmat.tsv`), `${s} ${m} tsv`);
        assert.ok(f1.has(`${s}_task-rest_meas-${m}_relmat.json`), `${s} ${m} json`);
      }
    }
    const meanName = "atlas-mymaps_meas-Tangent_stat-mean_relmat.tsv";
    assert.ok(f1.has(meanName), `group mean ${meanName}`);
    // every matrix equals the library's on the written time series
    const series = ["sub-01", "sub-02", "sub-03"].map((s) =>
      parseTimeseriesTsv(f1.get(`${s}_task-rest_timeseries.tsv`)!, s).signals
    );
    const tangent = connectivityMeasure({ kind: "tangent" }).fitTransform(series);
    const mean = parseTimeseriesTsv(f1.get(meanName)!, meanName);
    assert.deepEqual(mean.names, ["DMN", "Visual", "Motor"]);
    assert.deepEqual(Array.from(mean.signals.data), Array.from(tangent.fitted.mean.data));
    const corr = connectivityMeasure({ kind: "correlation", onWarning: () => {} })
      .fitTransform(series).connectivities;
    ["sub-01", "sub-02", "sub-03"].forEach((s, i) => {
      const t = parseTimeseriesTsv(f1.get(`${s}_task-rest_meas-Tangent_relmat.tsv`)!, s).signals;
      assert.deepEqual(Array.from(t.data), Array.from(tangent.connectivities[i]!.data));
      const c = parseTimeseriesTsv(f1.get(`${s}_task-rest_meas-Correlation_relmat.tsv`)!, s)
        .signals;
      assert.deepEqual(Array.from(c.data), Array.from(corr[i]!.data));
    });
    const side = JSON.parse(f1.get("sub-02_task-rest_meas-Tangent_relmat.json")!);
    assert.equal(side.NumberOfVolumes, 34);
    assert.equal(side.GroupMean, meanName);
    // --skip-existing: the group is refitted on the runs read back, same files
    const again = await niimask([...common, "--skip-existing", "--out", "out1", ...IMGS], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /3 skipped/);
    const f3 = await readDir(`${dir}/out1`);
    for (const n of names) assert.equal(f3.get(n), f1.get(n), `${n} changed after --skip-existing`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli e2e connectivity: tangent under --shard and a kind typed wrong exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_conn_" });
  try {
    const base = ["extract", "--maps", "m.nii.gz", "--out", "out"];
    const shard = await niimask(
      [...base, "--connectivity", "tangent", "--shard", "1/2", ...IMGS],
      dir,
    );
    assert.equal(shard.code, 2);
    assert.match(shard.stderr, /tangent cannot run with --shard/);
    const typo = await niimask([...base, "--connectivity", "partial-correlation", ...IMGS], dir);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown kind "partial-correlation"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli e2e connectivity: shards then `niimask group` write what one unsharded run writes", async () => {
  const dir = await fixture();
  try {
    const common = ["extract", "--maps", "my_maps.nii.gz", "--labels", "labels.tsv"];
    const whole = await niimask(
      [...common, "--connectivity", "covariance,tangent", "--out", "whole", ...IMGS],
      dir,
    );
    assert.equal(whole.code, 0, whole.stderr);
    for (const shard of ["1/2", "2/2"]) {
      const r = await niimask(
        [...common, "--connectivity", "covariance", "--shard", shard, "--out", "sharded", ...IMGS],
        dir,
      );
      assert.equal(r.code, 0, r.stderr);
    }
    const tsvs = ["sub-01", "sub-02", "sub-03"].map((s) => `sharded/${s}_task-rest_timeseries.tsv`);
    const group = await niimask(
      ["group", "--connectivity", "tangent", "--atlas", "my_maps", "--out", "sharded", ...tsvs],
      dir,
    );
    assert.equal(group.code, 0, group.stderr);
    const a = await readDir(`${dir}/whole`);
    const b = await readDir(`${dir}/sharded`);
    const names = [...a.keys()].sort();
    assert.ok(names.includes("atlas-mymaps_meas-Tangent_stat-mean_relmat.tsv"));
    assert.ok(names.includes("sub-03_task-rest_meas-Tangent_relmat.json"));
    for (const n of names) assert.equal(b.get(n), a.get(n), `${n} differs`);
    const one = await niimask(["group", "--connectivity", "tangent", "--out", "x", tsvs[0]!], dir);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /at least two runs/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
