/**
 * Faults of the subject pool's web workers: a worker that ends itself without answering fails
 * its subject with a clear message while the others complete (no hang); workers that cannot
 * start (a failing module, or no read permission for niimask's modules) make the pool extract in
 * this thread, with one warning saying why.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ExtractPool } from "../maskers/worker_pool.ts";
import { workerExtractor } from "../maskers/extractors.ts";
import { extractSubject, type SubjectResult } from "../maskers/extract_subject.ts";
import { imageSource } from "../maskers/volume_source.ts";
import type { WorkerSource } from "../maskers/worker_protocol.ts";
import { type ExtractionPlan, type FittedState, makePlan } from "../maskers/fitted_state.ts";
import { gridOf } from "../maskers/grid_check.ts";
import type { Image } from "../types.ts";
import { blobFixture } from "./maskers_worker_fixtures.ts";
import { DEFAULT_EXTRACTION_PARAMS } from "./maskers_params_fixture.ts";

const FIX = blobFixture([6, 5, 4], [[1, 1, 1], [4, 3, 2]], 7);
const MAPS = FIX.maps();

const STATE: FittedState = {
  params: { ...DEFAULT_EXTRACTION_PARAMS, detrend: true },
  mapsGrid: { shape: [...MAPS.shape], affine: MAPS.affine },
  maskImg: null,
  mapsFloat32: true,
  nElements: 2,
};
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));
const NO_REQUEST = { confounds: [], sampleMask: null };

async function plan() {
  return await makePlan(STATE, MAPS, gridOf(FIX.subject(1, 0)));
}

/** The in-thread result of a subject (the reference). */
async function reference(img: Image): Promise<SubjectResult> {
  return await extractSubject(STATE, await plan(), imageSource(img, "ref"), NO_REQUEST);
}

/** Open `source` on the pool, then extract it (the pool must have started its workers). */
async function onPool(
  pool: ExtractPool,
  p: ExtractionPlan,
  source: WorkerSource,
): Promise<SubjectResult> {
  const subject = await pool.open(source);
  assert.ok(subject !== null, "the workers should have started");
  try {
    return await subject.extract(p, NO_REQUEST);
  } finally {
    subject.close();
  }
}

Deno.test("a worker that ends itself (self.close(), Deno.exit()) fails its subject; the others complete", async () => {
  const p = await plan();
  const subjects = [FIX.subject(9, 1), FIX.subject(8, 2), FIX.subject(7, 3), FIX.subject(6, 4)];
  const names = ["sub-a", "close-me", "exit-me", "sub-b"];
  const pool = new ExtractPool(2, STATE, new URL("./worker_fault_closing.ts", import.meta.url));
  try {
    const outcomes = await Promise.allSettled(
      subjects.map((image, i) => onPool(pool, p, { kind: "image", image, name: names[i]! })),
    );
    assert.deepEqual(outcomes.map((o) => o.status), [
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    const reason = (i: number) => String((outcomes[i] as PromiseRejectedResult).reason);
    assert.match(
      reason(1),
      /extract worker ended itself \(self\.close\(\)\) without answering for close-me: the subject was not extracted/,
    );
    assert.match(reason(2), /ended itself \(Deno\.exit\(0\)\) without answering for exit-me/);
    for (const i of [0, 3]) {
      const got = (outcomes[i] as PromiseFulfilledResult<SubjectResult>).value;
      assert.deepEqual(got.signals, (await reference(subjects[i]!)).signals);
      assert.deepEqual(got.warnings, []);
    }
    // The pool replaced the workers: it still extracts.
    const again = await onPool(pool, p, { kind: "image", image: subjects[1]!, name: "sub-c" });
    assert.deepEqual(again.signals, (await reference(subjects[1]!)).signals);
  } finally {
    pool.close();
  }
});

Deno.test("workers that fail to start: the subjects are extracted in this thread, saying why", async () => {
  const p = await plan();
  const subjects = [FIX.subject(5, 1), FIX.subject(6, 2), FIX.subject(7, 3)];
  const url = new URL("./worker_fault_broken.ts", import.meta.url);
  // The pool hands the subjects back (null) and says why.
  const pool = new ExtractPool(2, STATE, url);
  try {
    const opened = await Promise.all(
      subjects.map((image, i) => pool.open({ kind: "image", image, name: `s${i}` })),
    );
    assert.deepEqual(opened, [null, null, null]);
    assert.match(
      pool.inThreadReason ?? "",
      /^web workers could not start \(.*this worker cannot start/,
    );
  } finally {
    pool.close();
  }
  // The worker extractor then extracts them in this thread, each result with the one warning.
  const extractor = workerExtractor(STATE, 2, url);
  try {
    const results = await Promise.all(subjects.map(async (image, i) => {
      const subject = await extractor.open(image, i, undefined);
      try {
        return await subject.extract(p, NO_REQUEST);
      } finally {
        await subject.close();
      }
    }));
    for (let i = 0; i < subjects.length; i++) {
      assert.deepEqual(results[i]!.signals, (await reference(subjects[i]!)).signals);
      assert.equal(results[i]!.warnings.length, 1);
      assert.match(
        results[i]!.warnings[0]!,
        /^nJobs > 1: web workers could not start \(.*this worker cannot start.*\); extracting the subjects in this thread instead/,
      );
    }
  } finally {
    extractor.close();
  }
});

Deno.test("nJobs 2 without read access to niimask's modules: in-thread extraction, one warning, no prompt", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask-perm-" });
  try {
    const paths: string[] = [];
    const { saveImg } = await import("../image/save.ts");
    for (let s = 0; s < 3; s++) {
      const path = `${dir}/sub-${s}.nii`;
      await saveImg(FIX.subject(6 + s, s), path);
      paths.push(path);
    }
    await saveImg(MAPS, `${dir}/maps.nii`);
    const mod = new URL("../maskers/mod.ts", import.meta.url).href;
    const script = `${dir}/run.ts`;
    await Deno.writeTextFile(
      script,
      `import { multiMapsMasker } from ${JSON.stringify(mod)};
const paths = ${JSON.stringify(paths)};
const one = await multiMapsMasker({ mapsImg: ${JSON.stringify(`${dir}/maps.nii`)} }).fit();
const two = await multiMapsMasker({ mapsImg: ${
        JSON.stringify(`${dir}/maps.nii`)
      }, nJobs: 2 }).fit();
const a = await one.transformImgs(paths);
const b = await two.transformImgs(paths);
const again = await two.transformImgs(paths);
console.log(JSON.stringify({
  same: a.every((m, i) => m.data.every((x, j) => x === b[i].data[j] && x === again[i].data[j])),
  n: b.length,
  warnings: two.reportInput().warnings,
}));
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", `--config=${CONFIG}`, `--allow-read=${dir}`, script],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const res = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(res.n, 3);
    assert.equal(res.same, true);
    const lines = stderr.split("\n").filter((l) => l.includes("web workers"));
    assert.equal(lines.length, 1, stderr);
    const root = fileURLToPath(new URL("../", import.meta.url));
    assert.ok(lines[0]!.startsWith("niimask warning: nJobs > 1: web workers need read access"));
    assert.ok(lines[0]!.includes(root), lines[0]);
    assert.ok(!stderr.includes("Requires read access"), stderr);
    assert.equal(res.warnings.filter((w: string) => w.includes("web workers")).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
