/**
 * `niimask bids --connectivity`: per-run matrices next to the time series equal to the library
 * (`connectivityMeasure`) on the written time series and to a direct computation, tangent under
 * `--jobs 2` byte-identical to `--jobs 1`, the group mean's name, `--skip-existing` requiring the
 * matrices, `niimask status`, the refusals (a kind typed wrong, tangent with one run or under
 * `--shard`), and shards followed by `niimask group OUTPUT_DIR` equal to one unsharded run.
 * Layouts are built from the nilearn 0.11.1 fMRIPrep golden cases (tests/bids_layout_fixture.ts).
 */
import assert from "node:assert/strict";
import { connectivityMeasure, ledoitWolf } from "../connectome/mod.ts";
import type { ConnectivityKind } from "../connectome/mod.ts";
import { parseTimeseriesTsv } from "../cli/timeseries_read.ts";
import { parseBidsArgs } from "../cli/bids_args.ts";
import { UsageError } from "../cli/errors.ts";
import { bidsGroupTangentStem, relmatsDifference } from "../cli/bids_connectivity.ts";
import { checkBidsTangentRuns } from "../cli/bids_connectivity_checks.ts";
import { selectSeries, seriesEntities } from "../cli/group_inputs.ts";
import type { Matrix } from "../types.ts";
import { lcg } from "./lcg.ts";
import { bidsLayout, HAVE_CASES, outStem, SUBJECTS } from "./bids_layout_fixture.ts";
import { niimask } from "./cli_fixtures.ts";

const SKIP = !HAVE_CASES;
if (SKIP) console.warn("cli_bids_connectivity_test: ../shared/conformance absent, skipping");

/** Every file below `dir`, by relative path. */
async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (d: string, prefix: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(`${d}/${e.name}`, `${prefix}${e.name}/`);
      else files.set(prefix + e.name, await Deno.readTextFile(`${d}/${e.name}`));
    }
  };
  await walk(dir, "");
  return files;
}

async function readMatrix(path: string): Promise<{ names: string[]; m: Matrix }> {
  const t = parseTimeseriesTsv(await Deno.readTextFile(path), path);
  return { names: t.names, m: t.signals };
}

/** Direct empirical covariance (1/T, centred) and Pearson correlation of (T x n) signals. */
function direct(x: Matrix): { cov: number[]; corr: number[] } {
  const [t, n] = x.shape;
  const mean = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let r = 0; r < t; r++) s += x.data[r * n + j]!;
    return s / t;
  });
  const cov: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < t; r++) {
        s += (x.data[r * n + i]! - mean[i]!) * (x.data[r * n + j]! - mean[j]!);
      }
      cov.push(s / t);
    }
  }
  const corr = cov.map((c, k) =>
    c / Math.sqrt(cov[Math.floor(k / n) * (n + 1)]! * cov[(k % n) * (n + 1)]!)
  );
  return { cov, corr };
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: size`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(
      Math.abs(got[i]! - want[i]!) <= 1e-10 * (1 + Math.abs(want[i]!)),
      `${what}[${i}]: ${got[i]} vs ${want[i]}`,
    );
  }
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
  "--labels",
  "dseg.tsv",
  "--motion",
  "basic",
];
const ALL_KINDS = "correlation,partial_correlation,covariance,precision,tangent";
const LABELS: Record<string, ConnectivityKind> = {
  Correlation: "correlation",
  PartialCorrelation: "partial correlation",
  Covariance: "covariance",
  Precision: "precision",
  Tangent: "tangent",
};
const MEAN = "atlas-blobs_desc-simple_meas-Tangent_stat-mean_relmat";

Deno.test("bids connectivity args: the request, and the refusals that need no files", () => {
  const args = ["fp", "out", "participant", "--atlas", "m.nii.gz", "--atlas-name", "difumo"];
  const o = parseBidsArgs([...args, "--connectivity", "tangent,correlation"]);
  assert.ok(!("help" in o));
  assert.deepEqual(o.connectivity, { kinds: ["correlation", "tangent"], estimator: "ledoit_wolf" });
  const none = parseBidsArgs(args);
  assert.ok(!("help" in none) && none.connectivity === null);
  assert.throws(
    () => parseBidsArgs([...args, "--connectivity", "partial-correlation"]),
    (e: Error) => e instanceof UsageError && /unknown kind "partial-correlation"/.test(e.message),
  );
  assert.throws(() => parseBidsArgs([...args, "--cov-estimator", "empirical"]), UsageError);
  // per-run kinds are fine on a shard; tangent is refused, naming the group command
  const sharded = parseBidsArgs([...args, "--connectivity", "covariance", "--shard", "1/2"]);
  assert.ok(!("help" in sharded) && sharded.shard === "1/2");
  assert.throws(
    () =>
      parseBidsArgs([
        ...args,
        "--connectivity",
        "covariance,tangent",
        "--shard",
        "1/2",
        "--denoise-strategy",
        "compcor",
      ]),
    (e: Error) =>
      e instanceof UsageError && /tangent cannot run with --shard/.test(e.message) &&
      /one shard sees only part of them/.test(e.message) &&
      /--connectivity covariance, then/.test(e.message) &&
      e.message.includes(
        "niimask group out --connectivity tangent --atlas-name difumo --denoise-strategy compcor",
      ),
  );
  assert.throws(
    () => checkBidsTangentRuns({ kinds: ["tangent"], estimator: "empirical" }, ["a.nii.gz"]),
    (e: Error) => e instanceof UsageError && /at least two runs/.test(e.message),
  );
  checkBidsTangentRuns({ kinds: ["correlation"], estimator: "empirical" }, ["a.nii.gz"]);
});

Deno.test("bids connectivity: group mean name, time series selection in a folder", () => {
  assert.equal(
    bidsGroupTangentStem({ outputDir: "out/", atlasName: "DiFuMo64", strategy: "ica_aroma" }),
    "out/atlas-DiFuMo64_desc-icaaroma_meas-Tangent_stat-mean_relmat",
  );
  const f = (atlas: string, desc: string, sub = "01") =>
    `o/sub-${sub}/func/sub-${sub}_task-rest_atlas-${atlas}_desc-${desc}_timeseries.tsv`;
  assert.deepEqual(seriesEntities(f("a", "simple")), { atlas: "a", desc: "simple" });
  const files = [f("a", "simple", "02"), f("a", "simple"), f("b", "simple"), f("a", "compcor")];
  assert.throws(
    () => selectSeries(files, { atlas: undefined, desc: undefined }, ["o"]),
    (e: Error) => e instanceof UsageError && /several atlases or strategies/.test(e.message),
  );
  const picked = selectSeries(files, { atlas: "a", desc: "simple" }, ["o"]);
  assert.deepEqual(picked.files, [f("a", "simple"), f("a", "simple", "02")]);
  assert.deepEqual(picked.entities, { atlas: "a", desc: "simple" });
  assert.throws(
    () => selectSeries(files, { atlas: "c", desc: undefined }, ["o"]),
    (e: Error) => /no time series .* with atlas-c found \(4 other/.test(e.message),
  );
});

Deno.test({
  name: "cli bids --connectivity: per-run files equal the library; tangent --jobs 2 = --jobs 1",
  ignore: SKIP,
  async fn() {
    const dir = await bidsLayout();
    try {
      const one = await niimask([...BASE, "--connectivity", ALL_KINDS, "--jobs", "1"], dir);
      assert.equal(one.code, 0, one.stderr);
      assert.match(one.stderr, /tangent fitted on 4 runs; group mean out\/atlas-blobs_desc-/);
      const outArgs = BASE.map((a) => (a === "out" ? "out2" : a));
      const two = await niimask([...outArgs, "--connectivity", ALL_KINDS, "--jobs", "2"], dir);
      assert.equal(two.code, 0, two.stderr);
      const f1 = await readTree(`${dir}/out`);
      const f2 = await readTree(`${dir}/out2`);
      const relmats = [...f1.keys()].filter((k) => k.includes("_relmat.")).sort();
      // 4 runs x 5 kinds x (tsv + json) + the group mean's two
      assert.equal(relmats.length, 4 * 5 * 2 + 2);
      assert.ok(f1.has(`${MEAN}.tsv`) && f1.has(`${MEAN}.json`));
      assert.deepEqual([...f2.keys()].filter((k) => k.includes("_relmat.")).sort(), relmats);
      for (const k of relmats) assert.equal(f2.get(k), f1.get(k), `${k}: --jobs 2 differs`);

      // Each run's matrices equal the library on the written time series.
      const series: Matrix[] = [];
      for (const sub of SUBJECTS) {
        const stem = outStem(sub);
        const ts = await readMatrix(`${dir}/${stem}_timeseries.tsv`);
        assert.deepEqual(ts.names, ["Posterior", "Anterior"]);
        // 30 volumes, less the non-steady-state ones the strategy censors
        assert.equal(ts.m.shape[0], 27);
        series.push(ts.m);
        for (const [label, kind] of Object.entries(LABELS)) {
          if (kind === "tangent") continue;
          const rel = await readMatrix(`${dir}/${stem}_meas-${label}_relmat.tsv`);
          assert.deepEqual(rel.names, ["Posterior", "Anterior"]);
          const want = connectivityMeasure({ kind, onWarning: () => {} }).fitTransform([ts.m])
            .connectivities[0]!;
          assert.deepEqual(Array.from(rel.m.data), Array.from(want.data), `${sub} ${kind}`);
          const side = JSON.parse(
            await Deno.readTextFile(`${dir}/${stem}_meas-${label}_relmat.json`),
          );
          assert.equal(side.Kind, kind);
          assert.equal(side.Measure, label);
          assert.equal(side.CovarianceEstimator, "LedoitWolf");
          assert.equal(side.NumberOfVolumes, 27);
          assert.deepEqual(side.Sources, [`${stem.split("/").pop()}_timeseries.tsv`]);
          if (kind === "covariance") assert.equal(side.Shrinkage, ledoitWolf(ts.m).shrinkage);
        }
      }
      // Tangent: fitted on the four runs (sorted by output path), each run's matrix and the mean.
      const tangent = connectivityMeasure({ kind: "tangent", onWarning: () => {} })
        .fitTransform(series);
      for (const [i, sub] of SUBJECTS.entries()) {
        const rel = await readMatrix(`${dir}/${outStem(sub)}_meas-Tangent_relmat.tsv`);
        assert.deepEqual(Array.from(rel.m.data), Array.from(tangent.connectivities[i]!.data));
        const side = JSON.parse(
          await Deno.readTextFile(`${dir}/${outStem(sub)}_meas-Tangent_relmat.json`),
        );
        assert.equal(side.GroupMean, `${MEAN}.tsv`);
        assert.equal(side.NumberOfRunsInGroup, 4);
      }
      const mean = await readMatrix(`${dir}/out/${MEAN}.tsv`);
      assert.deepEqual(mean.names, ["Posterior", "Anterior"]);
      assert.deepEqual(Array.from(mean.m.data), Array.from(tangent.fitted.mean.data));
      const meanSide = JSON.parse(await Deno.readTextFile(`${dir}/out/${MEAN}.json`));
      assert.equal(meanSide.NumberOfRuns, 4);
      assert.equal(meanSide.Sources.length, 4);

      // status counts the runs done (the matrices beside the time series do not confuse it)
      const status = await niimask(
        ["status", "--out", "out", "--atlas-name", "blobs", "fmriprep"],
        dir,
      );
      assert.equal(status.code, 0, status.stderr + status.stdout);
      assert.match(status.stdout, /4 done, 0 missing, 0 failed \(of 4\)/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli bids --connectivity: empirical estimator vs direct computation; --skip-existing",
  ignore: SKIP,
  async fn() {
    const dir = await bidsLayout();
    try {
      const kinds = ["--connectivity", "correlation,covariance"];
      let run = await niimask([...BASE, ...kinds, "--cov-estimator", "empirical"], dir);
      assert.equal(run.code, 0, run.stderr);
      for (const sub of SUBJECTS) {
        const stem = `${dir}/${outStem(sub)}`;
        const ts = await readMatrix(`${stem}_timeseries.tsv`);
        const d = direct(ts.m);
        const cov = await readMatrix(`${stem}_meas-Covariance_relmat.tsv`);
        assertClose(cov.m.data, d.cov, `${sub} covariance`);
        const corr = await readMatrix(`${stem}_meas-Correlation_relmat.tsv`);
        assertClose(corr.m.data, d.corr, `${sub} correlation`);
        const side = JSON.parse(await Deno.readTextFile(`${stem}_meas-Covariance_relmat.json`));
        assert.equal(side.CovarianceEstimator, "EmpiricalCovariance");
        assert.equal(side.Shrinkage, 0);
        assert.equal(
          await relmatsDifference(`${stem}_timeseries.tsv`, {
            kinds: ["correlation", "covariance"],
            estimator: "empirical",
          }),
          null,
        );
      }
      // A killed run's temporaries of a matrix (and another run's file) before a resume.
      const someStem = `${dir}/${outStem(SUBJECTS[0]!)}`;
      const leftover = `${someStem}_meas-Correlation_relmat.tsv.niimask-99999-0123abcd.tmp`;
      const foreign = `${someStem}_meas-Correlation_relmat.tsv.bak`;
      await Deno.writeTextFile(leftover, "partial");
      await Deno.writeTextFile(foreign, "mine");
      // Same request: every run skipped, the leftover removed, other files kept.
      run = await niimask(
        [...BASE, ...kinds, "--cov-estimator", "empirical", "--skip-existing"],
        dir,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /4 skipped/);
      assert.match(run.stderr, /removed 1 leftover temporary file/);
      await assert.rejects(Deno.stat(leftover), Deno.errors.NotFound);
      assert.equal(await Deno.readTextFile(foreign), "mine");
      // A kind not written yet: recomputed, saying why.
      run = await niimask(
        [
          ...BASE,
          "--connectivity",
          "correlation,precision",
          "--cov-estimator",
          "empirical",
          "--skip-existing",
        ],
        dir,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /the precision matrix is missing: recomputing/);
      assert.match(run.stderr, /4 succeeded/);
      // Another estimator: recomputed, saying why; the matrices are LedoitWolf's now.
      run = await niimask([...BASE, ...kinds, "--skip-existing"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr,
        /the correlation matrix was made with EmpiricalCovariance, now LedoitWolf: recomputing/,
      );
      assert.match(run.stderr, /4 succeeded/);
      const stem = `${dir}/${outStem("sub-03")}`;
      const ts = await readMatrix(`${stem}_timeseries.tsv`);
      const cov = await readMatrix(`${stem}_meas-Covariance_relmat.tsv`);
      const want = connectivityMeasure({ kind: "covariance" }).fitTransform([ts.m])
        .connectivities[0]!;
      assert.deepEqual(Array.from(cov.m.data), Array.from(want.data));
      // A matrix removed: that run alone is recomputed.
      await Deno.remove(`${dir}/${outStem("sub-02")}_meas-Correlation_relmat.json`);
      run = await niimask([...BASE, ...kinds, "--skip-existing"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /1 succeeded, 3 skipped/);
      assert.ok(await Deno.stat(`${dir}/${outStem("sub-02")}_meas-Correlation_relmat.json`));
      // Tangent with --skip-existing: fitted on the runs read back, equal to a fresh fit.
      run = await niimask([...BASE, "--connectivity", "tangent", "--skip-existing"], dir);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /4 skipped/);
      assert.match(run.stderr, /tangent fitted on 4 runs/);
      const series = await Promise.all(
        SUBJECTS.map(async (s) => (await readMatrix(`${dir}/${outStem(s)}_timeseries.tsv`)).m),
      );
      const mean = await readMatrix(`${dir}/out/${MEAN}.tsv`);
      assert.deepEqual(
        Array.from(mean.m.data),
        Array.from(connectivityMeasure({ kind: "tangent" }).fitTransform(series).fitted.mean.data),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli bids --connectivity: a kind typed wrong, tangent with one run, tangent on a shard",
  ignore: SKIP,
  async fn() {
    const dir = await bidsLayout();
    try {
      let run = await niimask([...BASE, "--connectivity", "correlaton"], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--connectivity: unknown kind "correlaton"; expected correlation,/);
      run = await niimask([...BASE, "--connectivity", "tangent", "--participant-label", "03"], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /tangent needs at least two runs: .* gives 1 \(fmriprep\/sub-03/);
      run = await niimask([...BASE, "--connectivity", "tangent", "--shard", "1/2"], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /tangent cannot run with --shard/);
      assert.match(
        run.stderr,
        /niimask group out --connectivity tangent --atlas-name blobs --denoise-strategy simple/,
      );
      // Nothing was written by the refused commands.
      assert.equal(await Deno.stat(`${dir}/out`).then(() => true, () => false), false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli bids --connectivity: shards then `niimask group OUTPUT_DIR` equal one unsharded run",
  ignore: SKIP,
  async fn() {
    const dir = await bidsLayout();
    try {
      const whole = await niimask([...BASE, "--connectivity", "covariance,tangent"], dir);
      assert.equal(whole.code, 0, whole.stderr);
      const sharded = BASE.map((a) => (a === "out" ? "sharded" : a));
      for (const shard of ["1/2", "2/2"]) {
        const r = await niimask(
          [...sharded, "--connectivity", "covariance", "--shard", shard],
          dir,
        );
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /shard \d\/2: 2 of 4 runs/);
      }
      // A time series of another atlas in the folder: the group must be chosen.
      const other = `${dir}/${outStem("sub-01", "sharded")}_timeseries.tsv`.replace(
        "atlas-blobs",
        "atlas-other",
      );
      await Deno.copyFile(`${dir}/${outStem("sub-01", "sharded")}_timeseries.tsv`, other);
      let group = await niimask(["group", "sharded", "--connectivity", "tangent"], dir);
      assert.equal(group.code, 2);
      assert.match(group.stderr, /several atlases or strategies \(atlas: blobs, other/);
      assert.match(group.stderr, /--atlas-name and --denoise-strategy/);
      group = await niimask(
        [
          "group",
          "sharded",
          "--connectivity",
          "tangent",
          "--atlas-name",
          "blobs",
          "--denoise-strategy",
          "simple",
        ],
        dir,
      );
      assert.equal(group.code, 0, group.stderr);
      assert.match(group.stderr, /tangent fitted on 4 runs; group mean sharded\/atlas-blobs_/);
      await Deno.remove(other);
      const a = await readTree(`${dir}/out`);
      const b = await readTree(`${dir}/sharded`);
      const names = [...a.keys()].sort();
      assert.ok(names.includes(`${MEAN}.tsv`));
      assert.equal(names.filter((n) => n.endsWith("_meas-Tangent_relmat.tsv")).length, 4);
      assert.deepEqual([...b.keys()].sort(), names);
      for (const n of names) assert.equal(b.get(n), a.get(n), `${n} differs`);
      // The folder form infers the atlas and strategy of the only group in it.
      await Deno.remove(`${dir}/sharded/${MEAN}.tsv`);
      group = await niimask(["group", "sharded", "--connectivity", "tangent"], dir);
      assert.equal(group.code, 0, group.stderr);
      assert.equal(await Deno.readTextFile(`${dir}/sharded/${MEAN}.tsv`), a.get(`${MEAN}.tsv`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("cli group: a folder of time series without BIDS entities; --atlas names the mean", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_bidsconn_" });
  try {
    await Deno.mkdir(`${dir}/f/nested`, { recursive: true });
    const series: Matrix[] = [];
    const r = lcg(7);
    for (const name of ["f/a_timeseries.tsv", "f/nested/b_timeseries.tsv", "f/c_timeseries.tsv"]) {
      const t = 20;
      const data = new Float64Array(t * 2);
      for (let i = 0; i < t; i++) {
        const common = r() - 0.5;
        data[2 * i] = common + r();
        data[2 * i + 1] = 2 * common + r();
      }
      series.push({ data, shape: [t, 2] });
      const rows = Array.from({ length: t }, (_, r) => `${data[2 * r]}\t${data[2 * r + 1]}`);
      await Deno.writeTextFile(`${dir}/${name}`, ["x\ty", ...rows].join("\n") + "\n");
    }
    const bad = await niimask(
      ["group", "f", "--connectivity", "tangent", "--atlas", "a", "--atlas-name", "b"],
      dir,
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--atlas and --atlas-name both name/);
    const run = await niimask(
      ["group", "f", "--connectivity", "tangent", "--atlas", "my_maps"],
      dir,
    );
    assert.equal(run.code, 0, run.stderr);
    // sorted by path: f/a, f/c, f/nested/b
    const fit = connectivityMeasure({ kind: "tangent" }).fitTransform([
      series[0]!,
      series[2]!,
      series[1]!,
    ]);
    const mean = await readMatrix(`${dir}/f/atlas-mymaps_meas-Tangent_stat-mean_relmat.tsv`);
    assert.deepEqual(mean.names, ["x", "y"]);
    assert.deepEqual(Array.from(mean.m.data), Array.from(fit.fitted.mean.data));
    const b = await readMatrix(`${dir}/f/nested/b_meas-Tangent_relmat.tsv`);
    assert.deepEqual(Array.from(b.m.data), Array.from(fit.connectivities[2]!.data));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
