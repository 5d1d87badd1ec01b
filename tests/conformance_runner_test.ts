import assert from "node:assert/strict";
import { join } from "node:path";
import { fortranToC, parseArrayJson, voxelOffset } from "./conformance/arrays.ts";
import {
  compareAffine,
  compareArrays,
  compareScalar,
  compareUpToColumnSign,
} from "./conformance/compare.ts";
import { discoverCases, parsePendingList } from "./conformance/discover.ts";
import { checkLoadSummary } from "./conformance/functions.ts";
import { toConfig } from "./conformance/masker.ts";
import { snakeToCamel } from "./conformance/names.ts";
import { applyRatchet, caseLine } from "./conformance/ratchet.ts";
import { main, runCase } from "./conformance/run.ts";

const TOL = { rtol: 1e-8, atol: 1e-10 };

Deno.test("compareArrays: passes within atol + rtol * max|E|, fails just above", () => {
  const e = { shape: [2, 2], data: [1, -4, 2, 3] };
  const allowed = 1e-10 + 1e-8 * 4;
  const inside = { shape: [2, 2], data: [1, -4 + 0.99 * allowed, 2, 3] };
  const outside = { shape: [2, 2], data: [1, -4, 2 + 1.01 * allowed, 3] };
  assert.equal(compareArrays(inside, e, TOL).ok, true);
  const r = compareArrays(outside, e, TOL);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.reason, /^max\|A-E\| = 4\.\d\de-8 > tol 4\.01e-8/);
});

Deno.test("compareArrays: shape mismatch and NaN in the result fail", () => {
  const e = { shape: [2, 2], data: [1, 2, 3, 4] };
  const r = compareArrays({ shape: [4, 1], data: [1, 2, 3, 4] }, e, TOL);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.reason, /shape \[4, 1\] != expected \[2, 2\]/);
  const n = compareArrays({ shape: [2, 2], data: [1, NaN, 3, 4] }, e, TOL);
  assert.equal(n.ok, false);
  if (!n.ok) assert.match(n.reason, /Infinity/);
});

Deno.test("compareUpToColumnSign: flips columns, still fails on a real difference", () => {
  const e = { shape: [3, 2], data: [1, 5, 2, 6, 3, 7] };
  const flipped = { shape: [3, 2], data: [-1, 5, -2, 6, -3, 7] };
  assert.equal(compareUpToColumnSign(flipped, e, TOL).ok, true);
  assert.equal(compareArrays(flipped, e, TOL).ok, false);
  const wrong = { shape: [3, 2], data: [-1, 5, 2, 6, -3, 7] };
  assert.equal(compareUpToColumnSign(wrong, e, TOL).ok, false);
});

Deno.test("compareAffine: 1e-6 per entry", () => {
  const e = [2, 0, 0, 1, 0, 2, 0, 2, 0, 0, 2, 3, 0, 0, 0, 1];
  const near = e.map((v, i) => i === 3 ? v + 5e-7 : v);
  const far = e.map((v, i) => i === 3 ? v + 2e-6 : v);
  assert.equal(compareAffine(near, e).ok, true);
  assert.equal(compareAffine(far, e).ok, false);
});

Deno.test("compareScalar: relative to the value's own magnitude; NaN matches NaN", () => {
  assert.equal(compareScalar("sum", 1e6 + 0.05, 1e6, { rtol: 1e-7, atol: 1e-9 }).ok, true);
  assert.equal(compareScalar("sum", 1e6 + 0.2, 1e6, { rtol: 1e-7, atol: 1e-9 }).ok, false);
  assert.equal(compareScalar("v", NaN, NaN, TOL).ok, true);
  assert.equal(compareScalar("v", Infinity, Infinity, TOL).ok, true);
  assert.equal(compareScalar("v", 0, NaN, TOL).ok, false);
});

Deno.test("fortranToC: x-fastest image data to C order of (x, y, z)", () => {
  const shape = [2, 3, 2];
  // value = 100 * x + 10 * y + z, stored x fastest.
  const f = new Float64Array(12);
  for (let z = 0; z < 2; z++) {
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 2; x++) f[voxelOffset([x, y, z], shape)] = 100 * x + 10 * y + z;
    }
  }
  const expected: number[] = [];
  for (let x = 0; x < 2; x++) {
    for (let y = 0; y < 3; y++) for (let z = 0; z < 2; z++) expected.push(100 * x + 10 * y + z);
  }
  assert.deepEqual(Array.from(fortranToC(f, shape)), expected);
  assert.throws(() => fortranToC(f, [2, 2, 2]), /shape/);
});

Deno.test("parseArrayJson: checks shape against data length", () => {
  assert.deepEqual(Array.from(parseArrayJson({ shape: [2], data: [1, 2] }, "x").data), [1, 2]);
  assert.throws(() => parseArrayJson({ shape: [3], data: [1, 2] }, "x"), /needs 3 values/);
});

Deno.test("snakeToCamel and masker params: nilearn names to niimask config", () => {
  assert.equal(snakeToCamel("t_r"), "tR");
  assert.equal(snakeToCamel("butterworth__order"), "butterworthOrder");
  assert.equal(snakeToCamel("keep_masked_maps"), "keepMaskedMaps");
  const config = toConfig("/cases/x", {
    maps_img: "maps.nii.gz",
    mask_img: null,
    t_r: 2,
    n_jobs: 2,
    clean__butterworth__order: 3,
    clean__filter: "cosine",
  });
  assert.deepEqual(config, {
    mapsImg: "/cases/x/maps.nii.gz",
    maskImg: null,
    tR: 2,
    nJobs: 2,
    clean: { butterworthOrder: 3, filter: "cosine" },
  });
});

Deno.test("checkLoadSummary: shape, affine, counts, sums and samples", () => {
  const shape = [2, 2, 1, 2];
  const data = Float64Array.from([1, 2, 3, NaN, -1, Infinity, 0.5, 4]);
  const affine = Float64Array.from([2, 0, 0, -1, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
  const finite = [1, 2, 3, -1, 0.5, 4];
  const expect = {
    shape,
    affine: [[2, 0, 0, -1], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]],
    n_nan: 1,
    n_inf: 1,
    sum: finite.reduce((a, b) => a + b),
    sum_sq: finite.reduce((a, b) => a + b * b, 0),
    min: -1,
    max: 4,
    samples: [[1, 0, 0, 0, 2], [1, 1, 0, 0, "nan"], [1, 0, 0, 1, "inf"], [0, 1, 0, 1, 0.5]],
  };
  const img = { data, shape, affine };
  const tol = { rtol: 1e-7, atol: 1e-9 };
  assert.deepEqual(checkLoadSummary(img, expect, tol), { ok: true });
  const badSample = { ...expect, samples: [[0, 1, 0, 0, 3.5]] };
  assert.equal(checkLoadSummary(img, badSample, tol).ok, false);
  assert.equal(checkLoadSummary(img, { ...expect, n_nan: 0 }, tol).ok, false);
  assert.equal(checkLoadSummary(img, { ...expect, shape: [2, 2, 2] }, tol).ok, false);
  assert.equal(checkLoadSummary(img, { ...expect, sum: expect.sum + 1e-3 }, tol).ok, false);
});

Deno.test("applyRatchet: plain mode counts every failure", () => {
  const r = applyRatchet([
    { name: "a", check: { ok: true } },
    { name: "b", check: { ok: false, reason: "max|A-E| = 1 > tol 0" } },
  ], null);
  assert.deepEqual(r.lines, ["ok   a", "FAIL b: max|A-E| = 1 > tol 0"]);
  assert.deepEqual(r.footer, ["1 passed, 1 failed"]);
  assert.equal(r.fails, true);
});

Deno.test("applyRatchet: listed failures pending, unlisted failures and listed passes fail", () => {
  const outcomes = [
    { name: "ok_unlisted", check: { ok: true } as const },
    { name: "fail_listed", check: { ok: false, reason: "x" } as const },
  ];
  const quiet = applyRatchet(outcomes, ["fail_listed", "not_run_here"], "p.txt");
  assert.equal(quiet.fails, false);
  assert.equal(quiet.pending, 1);
  assert.deepEqual(quiet.footer, [
    "pending: 1 (expected failures, listed in p.txt)",
    "1 passed, 0 failed",
  ]);
  assert.equal(quiet.lines[1], "pending fail_listed: x");

  const stale = applyRatchet(outcomes, ["ok_unlisted", "fail_listed"], "p.txt");
  assert.equal(stale.fails, true);
  assert.deepEqual(stale.stale, ["ok_unlisted"]);
  assert.match(stale.lines[0]!, /^FAIL ok_unlisted: passes now .*remove it/);
  assert.equal(stale.footer.at(-1), "0 passed, 1 failed");

  const unlisted = applyRatchet(outcomes, [], "p.txt");
  assert.equal(unlisted.fails, true);
  assert.equal(unlisted.footer.at(-1), "1 passed, 1 failed");
  assert.equal(caseLine("z", { ok: false, reason: "r" }, false), "FAIL z: r");
});

Deno.test("parsePendingList: names, comments, blanks", () => {
  assert.deepEqual(parsePendingList("# header\n\na\n  b  # why\n#c\n"), ["a", "b"]);
});

async function writeCase(dir: string, json: unknown): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "case.json"),
    typeof json === "string" ? json : JSON.stringify(json),
  );
}

Deno.test("discoverCases: finds case folders at any depth, the path itself may be one", async () => {
  const root = await Deno.makeTempDir({ prefix: "niimask_conf_" });
  try {
    await writeCase(join(root, "g1", "c_two"), { name: "c_two", function: "x", tolerance: TOL });
    await writeCase(join(root, "g1", "deep", "c_one"), {
      name: "c_one",
      steps: [],
      tolerance: TOL,
    });
    await writeCase(join(root, "g1", "c_two", "inner"), { name: "inner" }); // below a case: ignored
    await writeCase(join(root, ".hidden", "h"), { name: "h" });
    await writeCase(join(root, "bad_json"), "{not json");
    const all = await discoverCases([root]);
    assert.deepEqual(all.map((c) => c.name), ["bad_json", "c_two", "c_one"]);
    const one = await discoverCases([join(root, "g1", "c_two"), join(root, "g1")]);
    assert.deepEqual(one.map((c) => c.name), ["c_two", "c_one"]);
    await assert.rejects(discoverCases([join(root, "nope")]), /no such folder/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runCase: unreadable, unknown format, unknown function and empty steps fail", async () => {
  const root = await Deno.makeTempDir({ prefix: "niimask_conf_" });
  try {
    await writeCase(join(root, "bad_json"), "{not json");
    await writeCase(join(root, "no_format"), { name: "no_format", tolerance: TOL });
    await writeCase(join(root, "unknown_fn"), {
      name: "unknown_fn",
      function: "image.frobnicate",
      args: {},
      expect: { error: "ValueError" },
      tolerance: TOL,
    });
    await writeCase(join(root, "no_steps"), {
      name: "no_steps",
      params: {},
      steps: [],
      tolerance: TOL,
    });
    const cases = await discoverCases([root]);
    const reasons: Record<string, string> = {};
    for (const c of cases) {
      const r = await runCase(c);
      assert.equal(r.ok, false, c.name);
      if (!r.ok) reasons[c.name] = r.reason;
    }
    assert.match(reasons.bad_json!, /cannot read case\.json/);
    assert.match(reasons.no_format!, /tolerance|unknown case format/);
    assert.match(reasons.unknown_fn!, /unknown function "image\.frobnicate"/);
    assert.match(reasons.no_steps!, /no steps/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("main: prints one line per case, the summary, and exits by the ratchet", async () => {
  const root = await Deno.makeTempDir({ prefix: "niimask_conf_" });
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    await writeCase(join(root, "a"), { name: "a", tolerance: TOL });
    await writeCase(join(root, "b"), { name: "b", tolerance: TOL });
    assert.equal(await main([root]), 1);
    assert.match(printed[0]!, /^FAIL a: /);
    assert.equal(printed.at(-1), "0 passed, 2 failed");

    printed.length = 0;
    const list = join(root, "pending.txt");
    await Deno.writeTextFile(list, "# list\na\nb\n");
    assert.equal(await main(["--pending", list, root]), 0);
    assert.match(printed[0]!, /^pending a: /);
    assert.equal(printed.at(-2), `pending: 2 (expected failures, listed in ${list})`);
    assert.equal(printed.at(-1), "0 passed, 0 failed");

    printed.length = 0;
    await Deno.writeTextFile(list, "a\n");
    assert.equal(await main(["--pending", list, root]), 1);
    assert.equal(printed.at(-1), "0 passed, 1 failed");
  } finally {
    console.log = log;
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runCase: a creation-time error passes only when every step expects an error", async () => {
  const root = await Deno.makeTempDir({ prefix: "niimask_conf_" });
  try {
    // allowOverlap of the wrong type: the masker throws a TypeError at creation.
    const params = { maps_img: "maps.nii.gz", allow_overlap: "yes" };
    const err = { expect_error: "ValueError", message_contains: "" };
    await writeCase(join(root, "all_errors"), {
      name: "all_errors",
      params,
      steps: [{ call: "fit", imgs: null, ...err }, {
        call: "transform",
        imgs: "x.nii.gz",
        confounds: null,
        sample_mask: null,
        ...err,
      }],
      tolerance: TOL,
    });
    await writeCase(join(root, "then_success"), {
      name: "then_success",
      params,
      steps: [{ call: "fit", imgs: null, ...err }, {
        call: "attributes",
        expect: { n_elements_: 1, maps_img_shape: [1, 1, 1, 1], maps_img_affine: [] },
      }],
      tolerance: TOL,
    });
    const cases = await discoverCases([root]);
    const ok: Record<string, boolean> = {};
    for (const c of cases) ok[c.name] = (await runCase(c)).ok;
    assert.deepEqual(ok, { all_errors: true, then_success: false });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runCase: an attributes step expecting nilearn's AttributeError passes only unfitted", async () => {
  const { saveImg } = await import("../image/save.ts");
  const root = await Deno.makeTempDir({ prefix: "niimask_conf_" });
  try {
    const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
    const shifted = Float64Array.from([2, 0, 0, 1, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
    const attrErr = { call: "attributes", expect_error: "AttributeError", message_contains: "" };
    for (const [name, maskAffine] of [["fit_fails", shifted], ["fit_succeeds", affine]] as const) {
      const dir = join(root, name);
      await Deno.mkdir(dir, { recursive: true });
      await saveImg(
        { data: new Float32Array(24).fill(1), shape: [2, 3, 4], affine },
        join(dir, "maps.nii.gz"),
      );
      await saveImg(
        { data: new Float32Array(24).fill(1), shape: [2, 3, 4], affine: maskAffine },
        join(dir, "mask.nii.gz"),
      );
      // resampling_target None with a mask on another grid: fit fails, the masker stays unfitted.
      await writeCase(dir, {
        name,
        params: { maps_img: "maps.nii.gz", mask_img: "mask.nii.gz", resampling_target: null },
        steps: [
          name === "fit_fails"
            ? { call: "fit", imgs: null, expect_error: "ValueError", message_contains: "" }
            : { call: "fit", imgs: null },
          attrErr,
        ],
        tolerance: TOL,
      });
    }
    const cases = await discoverCases([root]);
    const ok: Record<string, boolean> = {};
    for (const c of cases) ok[c.name] = (await runCase(c)).ok;
    assert.deepEqual(ok, { fit_fails: true, fit_succeeds: false });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
