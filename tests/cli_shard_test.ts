import assert from "node:assert/strict";
import {
  formatShard,
  parseShard,
  parseShardSpec,
  selectShard,
  shardBounds,
  shardFromSlurmEnv,
} from "../cli/shard.ts";
import { parseExtractArgs } from "../cli/extract_args.ts";
import { UsageError } from "../cli/errors.ts";
import { runExtract } from "../cli/extract.ts";
import { subjectName } from "../cli/naming.ts";
import { makeDemoData } from "../scripts/slurm/make_demo_data.ts";
import { fileURLToPath } from "node:url";

Deno.test("parseShardSpec accepts I/N with 1 <= I <= N", () => {
  assert.deepEqual(parseShardSpec("1/1"), { index: 1, count: 1 });
  assert.deepEqual(parseShardSpec("2/3"), { index: 2, count: 3 });
  assert.deepEqual(parseShardSpec("3/3"), { index: 3, count: 3 });
  assert.equal(formatShard(parseShardSpec("7/10")), "7/10");
});

Deno.test("parseShardSpec rejects malformed and out-of-range specs, naming --shard", () => {
  for (const bad of ["", "3", "0/3", "4/3", "1/0", "a/3", "1/b", "1/2/3", "-1/3", "1.5/3"]) {
    assert.throws(
      () => parseShardSpec(bad),
      (e: unknown) =>
        e instanceof RangeError && e.message.includes("--shard") &&
        e.message.includes(`"${bad}"`),
      `expected "${bad}" to be rejected`,
    );
  }
});

Deno.test("every shard partition covers the sorted list exactly once, balanced", () => {
  for (let n = 0; n <= 23; n++) {
    const items = Array.from(
      { length: n },
      (_, i) => `sub-${String((i * 7) % 23).padStart(2, "0")}-${i}`,
    );
    const sorted = [...items].sort();
    for (let count = 1; count <= 9; count++) {
      const parts: string[][] = [];
      for (let index = 1; index <= count; index++) {
        parts.push(selectShard(items, { index, count }));
      }
      assert.deepEqual(parts.flat(), sorted, `n=${n} count=${count}`);
      const sizes = parts.map((p) => p.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced n=${n} count=${count}`);
    }
  }
});

Deno.test("selectShard does not depend on the order of the input list", () => {
  const items = ["sub-10", "sub-02", "sub-1", "sub-03", "sub-20", "Sub-00", "sub-à"];
  const reversed = [...items].reverse();
  const rotated = [...items.slice(3), ...items.slice(0, 3)];
  for (let index = 1; index <= 3; index++) {
    const a = selectShard(items, { index, count: 3 });
    assert.deepEqual(selectShard(reversed, { index, count: 3 }), a);
    assert.deepEqual(selectShard(rotated, { index, count: 3 }), a);
  }
});

Deno.test("selectShard sorts by a key in code-unit order", () => {
  const items = [{ p: "b" }, { p: "B" }, { p: "a" }];
  assert.deepEqual(selectShard(items, { index: 1, count: 1 }, (x) => x.p).map((x) => x.p), [
    "B",
    "a",
    "b",
  ]);
});

Deno.test("more shards than items leaves some shards empty, none duplicated", () => {
  const items = ["a", "b"];
  const parts = [1, 2, 3, 4, 5].map((index) => selectShard(items, { index, count: 5 }));
  assert.deepEqual(parts.flat(), ["a", "b"]);
  assert.equal(parts.filter((p) => p.length === 0).length, 3);
});

Deno.test("shardBounds rejects invalid shards", () => {
  assert.throws(() => shardBounds(5, { index: 0, count: 2 }), RangeError);
  assert.throws(() => shardBounds(5, { index: 3, count: 2 }), RangeError);
  assert.throws(() => shardBounds(5, { index: 1, count: 0 }), RangeError);
});

Deno.test("shardFromSlurmEnv maps 0-based, 1-based and stepped arrays to shards 1..N", () => {
  const env = (id: number, min: number, max: number, count: number, step?: number) => ({
    SLURM_ARRAY_TASK_ID: String(id),
    SLURM_ARRAY_TASK_MIN: String(min),
    SLURM_ARRAY_TASK_MAX: String(max),
    SLURM_ARRAY_TASK_COUNT: String(count),
    ...(step === undefined ? {} : { SLURM_ARRAY_TASK_STEP: String(step) }),
  });
  // --array=0-2
  assert.deepEqual([0, 1, 2].map((id) => shardFromSlurmEnv(env(id, 0, 2, 3))), [
    { index: 1, count: 3 },
    { index: 2, count: 3 },
    { index: 3, count: 3 },
  ]);
  // --array=1-3
  assert.deepEqual(shardFromSlurmEnv(env(1, 1, 3, 3)), { index: 1, count: 3 });
  assert.deepEqual(shardFromSlurmEnv(env(3, 1, 3, 3)), { index: 3, count: 3 });
  // --array=0-8:4 -> ids 0, 4, 8
  assert.deepEqual(shardFromSlurmEnv(env(4, 0, 8, 3, 4)), { index: 2, count: 3 });
  assert.deepEqual(shardFromSlurmEnv(env(8, 0, 8, 3, 4)), { index: 3, count: 3 });
  // COUNT only: ids taken as 0..COUNT-1
  assert.deepEqual(
    shardFromSlurmEnv({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "4" }),
    { index: 2, count: 4 },
  );
  // MIN/MAX only
  assert.deepEqual(
    shardFromSlurmEnv({
      SLURM_ARRAY_TASK_ID: "12",
      SLURM_ARRAY_TASK_MIN: "10",
      SLURM_ARRAY_TASK_MAX: "14",
    }),
    { index: 3, count: 5 },
  );
});

Deno.test("shardFromSlurmEnv gives clear errors outside or on irregular arrays", () => {
  assert.throws(() => shardFromSlurmEnv({}), /SLURM_ARRAY_TASK_ID is not set/);
  assert.throws(
    () => shardFromSlurmEnv({ SLURM_ARRAY_TASK_ID: "1" }),
    /neither SLURM_ARRAY_TASK_COUNT nor/,
  );
  assert.throws(
    () => shardFromSlurmEnv({ SLURM_ARRAY_TASK_ID: "x", SLURM_ARRAY_TASK_COUNT: "3" }),
    /SLURM_ARRAY_TASK_ID: expected a non-negative integer, got "x"/,
  );
  // --array=1,4,9: MIN 1, MAX 9, COUNT 3
  assert.throws(
    () =>
      shardFromSlurmEnv({
        SLURM_ARRAY_TASK_ID: "4",
        SLURM_ARRAY_TASK_MIN: "1",
        SLURM_ARRAY_TASK_MAX: "9",
        SLURM_ARRAY_TASK_COUNT: "3",
      }),
    /irregular arrays/,
  );
  // id outside the range
  assert.throws(
    () => shardFromSlurmEnv({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "3" }),
    /not one of the 3 ids/,
  );
  assert.throws(
    () =>
      shardFromSlurmEnv({
        SLURM_ARRAY_TASK_ID: "2",
        SLURM_ARRAY_TASK_MIN: "4",
        SLURM_ARRAY_TASK_MAX: "2",
      }),
    /below SLURM_ARRAY_TASK_MIN/,
  );
});

Deno.test("parseShard dispatches auto to the SLURM environment", () => {
  const env = { SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "3" };
  assert.deepEqual(parseShard("auto", env), { index: 3, count: 3 });
  assert.deepEqual(parseShard("1/2", env), { index: 1, count: 2 });
  assert.throws(() => parseShard("auto", {}), /not a SLURM array task/);
});

Deno.test("extract --shard: I/N and auto accepted, malformed specs are usage errors", () => {
  const base = ["--maps", "m.nii.gz", "--out", "o", "a.nii", "b.nii"];
  const opts = (args: string[]) => parseExtractArgs([...args, ...base]);
  const parsed = opts(["--shard", "2/3"]);
  assert.ok(!("help" in parsed));
  assert.equal(parsed.shard, "2/3");
  const auto = opts(["--shard=auto"]);
  assert.ok(!("help" in auto) && auto.shard === "auto");
  const none = opts([]);
  assert.ok(!("help" in none) && none.shard === null);
  for (const bad of ["0/3", "4/3", "x"]) {
    assert.throws(
      () => opts(["--shard", bad]),
      (e: unknown) => e instanceof UsageError && /--shard/.test(e.message),
    );
  }
});

Deno.test("extract --cache alone turns caching on (memoryLevel 1); --memory-level wins", () => {
  const base = ["--maps", "m.nii.gz", "--out", "o", "a.nii"];
  const withCache = parseExtractArgs(["--cache", "/shared/cache", ...base]);
  assert.ok(!("help" in withCache));
  assert.equal(withCache.masker.memory, "/shared/cache");
  assert.equal(withCache.masker.memoryLevel, 1);
  const explicit = parseExtractArgs(["--cache", "c", "--memory-level", "0", ...base]);
  assert.ok(!("help" in explicit) && explicit.masker.memoryLevel === 0);
  const noCache = parseExtractArgs(base);
  assert.ok(!("help" in noCache) && noCache.masker.memoryLevel === undefined);
});

Deno.test("extract --shard I/N over a batch writes exactly the outputs of one unsharded run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask-shard-e2e-" });
  try {
    const imgs = await makeDemoData(`${dir}/data`, 5);
    const run = async (out: string, extra: string[]) => {
      const opts = parseExtractArgs([
        "--maps",
        `${dir}/data/maps.nii.gz`,
        "--out",
        out,
        "--detrend",
        "--quiet",
        ...extra,
        ...[...imgs].reverse(), // the order given must not matter
      ]);
      assert.ok(!("help" in opts));
      let log = "";
      const code = await runExtract(opts, { isTerminal: false, write: (s) => void (log += s) });
      assert.equal(code, 0, log);
    };
    await run(`${dir}/single`, []);
    const written: string[][] = [];
    for (let i = 1; i <= 3; i++) {
      const before = new Set(listDir(`${dir}/sharded`));
      await run(`${dir}/sharded`, ["--shard", `${i}/3`, "--cache", `${dir}/cache`]);
      written.push(listDir(`${dir}/sharded`).filter((n) => !before.has(n)));
    }
    // The first shard also describes the dataset (dataset_description.json, once).
    assert.deepEqual(written.map((w) => w.includes("dataset_description.json")), [
      true,
      false,
      false,
    ]);
    // shards 1..3 of 5 sorted subjects: 1, 2 and 2 subjects (TSV + JSON each), in sorted order
    const subjectsOf = (names: string[]) =>
      [
        ...new Set(
          names.filter((n) => n !== "dataset_description.json").map((n) =>
            n.replace(/_timeseries\.(tsv|json)$/, "")
          ),
        ),
      ].sort();
    assert.deepEqual(written.map((w) => subjectsOf(w).length), [1, 2, 2]);
    assert.deepEqual(written.flatMap(subjectsOf), imgs.map((p) => subjectName(p)).sort());
    const single = listDir(`${dir}/single`);
    assert.deepEqual(listDir(`${dir}/sharded`), single);
    for (const name of single) {
      assert.deepEqual(
        await Deno.readFile(`${dir}/sharded/${name}`),
        await Deno.readFile(`${dir}/single/${name}`),
        `${name} differs`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("niimask extract --shard auto reads the SLURM array variables (subprocess)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask-shard-auto-" });
  try {
    const imgs = await makeDemoData(`${dir}/data`, 3);
    const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
    const run = (env: Record<string, string>) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          cli,
          "extract",
          "--maps",
          `${dir}/data/maps.nii.gz`,
          "--out",
          `${dir}/out`,
          "--shard",
          "auto",
          ...imgs,
        ],
        env,
        clearEnv: false,
        stdout: "piped",
        stderr: "piped",
      }).output();
    // --array=1-3, task 3: shard 3/3, the last of the 3 sorted subjects
    const ok = await run({
      SLURM_ARRAY_TASK_ID: "3",
      SLURM_ARRAY_TASK_MIN: "1",
      SLURM_ARRAY_TASK_MAX: "3",
      SLURM_ARRAY_TASK_COUNT: "3",
      SLURM_ARRAY_TASK_STEP: "1",
    });
    const err = new TextDecoder().decode(ok.stderr);
    assert.equal(ok.code, 0, err);
    assert.match(err, /shard 3\/3: 1 of 3 images/);
    const last = subjectName([...imgs].sort()[2]!);
    assert.deepEqual(listDir(`${dir}/out`), [
      "dataset_description.json",
      `${last}_timeseries.json`,
      `${last}_timeseries.tsv`,
    ]);
    // outside an array job: a usage error (exit 2) saying why
    const bad = await run({ SLURM_ARRAY_TASK_ID: "" });
    assert.equal(bad.code, 2);
    assert.match(
      new TextDecoder().decode(bad.stderr),
      /--shard auto: SLURM_ARRAY_TASK_ID is not set/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function listDir(path: string): string[] {
  try {
    return [...Deno.readDirSync(path)].map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}
