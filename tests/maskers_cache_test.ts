/**
 * Tests of the on-disk cache of fitted (resampled) images (`maskers/cache.ts`, the masker's
 * `memory` parameter): checksummed entries, corrupt/partial entries recomputed and replaced,
 * concurrent writers (in one process and across processes), an unusable cache directory warns
 * instead of failing.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  cachedImage,
  cacheEntryPath,
  decodeCacheEntry,
  encodeCacheEntry,
  hashParts,
} from "../maskers/cache.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import { blobMaps, synthBold } from "../synthetic/mod.ts";
import type { Image } from "../types.ts";

const CACHE_TS = fileURLToPath(new URL("../maskers/cache.ts", import.meta.url));

/** A deterministic image of `n` float32 or float64 voxels. */
function image(n: number, f64 = false): Image {
  const data = f64 ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37) * 1000 + i / 7;
  return {
    data,
    shape: [n / 4, 2, 2],
    affine: Float64Array.from([2, 0, 0, -10, 0, 2, 0, -12, 0, 0, 2, 5, 0, 0, 0, 1]),
  };
}

function assertSameImage(got: Image, want: Image): void {
  assert.deepEqual(Array.from(got.shape), Array.from(want.shape));
  assert.deepEqual(Array.from(got.affine), Array.from(want.affine));
  assert.equal(got.data.constructor, want.data.constructor);
  assert.deepEqual(got.data, want.data);
}

async function entryFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(`${dir}/niimask-v1`)) names.push(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return names.sort();
}

Deno.test("cache: miss computes and stores, hit returns the same image without computing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cache_" });
  try {
    for (const f64 of [false, true]) {
      const want = image(64, f64);
      const key = await hashParts(["test", String(f64)]);
      let calls = 0;
      const logs: string[] = [];
      const compute = () => (calls++, want);
      assertSameImage(await cachedImage(dir, key, compute, (m) => logs.push(m)), want);
      assertSameImage(await cachedImage(dir, key, compute, (m) => logs.push(m)), want);
      assert.equal(calls, 1, "computed once");
      assert.ok(logs.some((m) => m.startsWith("cache stored")), logs.join("\n"));
      assert.ok(logs.some((m) => m.startsWith("cache hit")), logs.join("\n"));
    }
    assert.equal((await entryFiles(dir)).length, 2);
    assert.ok((await entryFiles(dir)).every((n) => /^[0-9a-f]{64}\.img$/.test(n)));
    // Without a directory: no caching at all.
    let calls = 0;
    await cachedImage(null, "k", () => (calls++, image(8)));
    await cachedImage(null, "k", () => (calls++, image(8)));
    assert.equal(calls, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: entries carry a checksum; any damaged byte, truncation or wrong key is rejected", async () => {
  const img = image(32);
  const bytes = await encodeCacheEntry("abc", img);
  const ok = await decodeCacheEntry("abc", bytes);
  assert.ok("img" in ok);
  assertSameImage(ok.img, img);
  // Flip one bit at many positions: magic, digest, header, payload.
  for (let p = 0; p < bytes.length; p += 7) {
    const bad = bytes.slice();
    bad[p]! ^= 0x10;
    assert.ok("reason" in await decodeCacheEntry("abc", bad), `flipped byte ${p} accepted`);
  }
  for (const n of [0, 3, 20, 50, bytes.length - 4, bytes.length - 1]) {
    assert.ok("reason" in await decodeCacheEntry("abc", bytes.subarray(0, n)), `truncated ${n}`);
  }
  const longer = new Uint8Array(bytes.length + 8);
  longer.set(bytes);
  assert.ok("reason" in await decodeCacheEntry("abc", longer), "trailing bytes");
  const other = await decodeCacheEntry("abd", bytes);
  assert.ok("reason" in other && /another key/.test(other.reason));
  assert.throws(() => cacheEntryPath("/tmp", "../x"), RangeError);
});

Deno.test("cache: a truncated or corrupted entry is recomputed, never returned, and atomically replaced", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cache_" });
  try {
    const want = image(4096);
    const key = await hashParts(["corrupt"]);
    const path = cacheEntryPath(dir, key);
    await cachedImage(dir, key, () => want);
    const good = await Deno.readFile(path);
    const damages: [string, Uint8Array][] = [
      ["truncated (a partial write)", good.subarray(0, good.length >> 1)],
      ["empty", new Uint8Array(0)],
      [
        "one payload byte changed",
        (() => {
          const b = good.slice();
          b[b.length - 100]! ^= 1;
          return b;
        })(),
      ],
      ["garbage", new TextEncoder().encode("not a cache entry at all")],
    ];
    for (const [what, bad] of damages) {
      await Deno.writeFile(path, bad);
      let calls = 0;
      const logs: string[] = [];
      const got = await cachedImage(dir, key, () => (calls++, want), (m) => logs.push(m));
      assertSameImage(got, want);
      assert.equal(calls, 1, `${what}: recomputed`);
      assert.ok(logs.some((m) => m.includes("ignored")), `${what}: logged (${logs.join("; ")})`);
      assert.deepEqual(await Deno.readFile(path), good, `${what}: entry replaced by a whole one`);
      assert.deepEqual(await entryFiles(dir), [`${key}.img`], `${what}: no temporary files`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: concurrent writers of one key in one process all get the right image", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cache_" });
  try {
    const want = image(1 << 16);
    const key = await hashParts(["concurrent-in-process"]);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        cachedImage(dir, key, async () => {
          await new Promise((r) => setTimeout(r, Math.random() * 5));
          return want;
        })),
    );
    for (const r of results) assertSameImage(r, want);
    assert.deepEqual(await entryFiles(dir), [`${key}.img`]);
    assert.ok("img" in await decodeCacheEntry(key, await Deno.readFile(cacheEntryPath(dir, key))));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: several processes writing, deleting and reading one key never see a bad entry", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cache_" });
  try {
    // Each worker process loops: sometimes removes the entry (forcing rewrites), then reads it
    // through cachedImage and checks every voxel; it prints how many bad results it saw.
    const script = `${dir}/worker.ts`;
    await Deno.writeTextFile(
      script,
      `import { cachedImage } from ${JSON.stringify(`file://${CACHE_TS}`)};
const [dir, key, id] = Deno.args;
const n = 1 << 18;
const make = () => {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.cos(i * 0.001) + i;
  return { data: d, shape: [n / 4, 2, 2], affine: Float64Array.from([1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1]) };
};
const want = make();
let bad = 0, computed = 0;
for (let it = 0; it < 25; it++) {
  if ((it + Number(id)) % 3 === 0) {
    await Deno.remove(dir + "/niimask-v1/" + key + ".img").catch(() => {});
  }
  const got = await cachedImage(dir, key, () => (computed++, make()));
  if (got.data.length !== n || !(got.data instanceof Float64Array)) { bad++; continue; }
  for (let i = 0; i < n; i++) if (got.data[i] !== want.data[i]) { bad++; break; }
}
console.log(JSON.stringify({ bad, computed }));
`,
    );
    const key = await hashParts(["concurrent-processes"]);
    const outs = await Promise.all(
      Array.from({ length: 4 }, (_, id) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "--allow-read", "--allow-write", script, dir, key, String(id)],
          stdout: "piped",
          stderr: "piped",
        }).output()),
    );
    let computed = 0;
    for (const o of outs) {
      assert.ok(o.success, new TextDecoder().decode(o.stderr));
      const r = JSON.parse(new TextDecoder().decode(o.stdout));
      assert.equal(r.bad, 0, "a process saw a wrong image");
      computed += r.computed;
    }
    assert.ok(computed >= 4, `entries were rewritten concurrently (${computed} computations)`);
    const files = await entryFiles(dir);
    assert.deepEqual(files, [`${key}.img`], `one whole entry, no temporary files: ${files}`);
    assert.ok("img" in await decodeCacheEntry(key, await Deno.readFile(cacheEntryPath(dir, key))));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: an unwritable cache directory warns and computes instead of failing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cache_" });
  try {
    const notADir = `${dir}/plain_file`;
    await Deno.writeTextFile(notADir, "x");
    const want = image(16);
    const warnings: string[] = [];
    let calls = 0;
    for (let i = 0; i < 2; i++) {
      const got = await cachedImage(
        notADir,
        "k1",
        () => (calls++, want),
        undefined,
        (w) => warnings.push(w),
      );
      assertSameImage(got, want);
    }
    assert.equal(calls, 2);
    assert.equal(warnings.length, 2);
    assert.equal(warnings[0], warnings[1], "the same message each time (callers de-duplicate)");
    assert.match(warnings[0]!, /cannot write to the cache directory ".*plain_file"/);
    assert.match(warnings[0]!, /computing without caching/);
    // Errors of the computation itself still propagate.
    await assert.rejects(
      () =>
        cachedImage(dir, "k2", () => {
          throw new Error("boom");
        }),
      /boom/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ----- through the masker -----------------------------------------------------------------

const MAPS_GRID = {
  shape: [8, 9, 7] as const,
  affine: Float64Array.from([4, 0, 0, -16, 0, 4, 0, -18, 0, 0, 4, -14, 0, 0, 0, 1]),
};
const DATA_GRID = {
  shape: [10, 12, 9] as const,
  affine: Float64Array.from([3, 0, 0, -15, 0, 3, 0, -18, 0, 0, 3, -13, 0, 0, 0, 1]),
};
const BLOBS = [[{ centre: [-6, 0, 0] as const, sigma: 6 }], [{
  centre: [6, 3, 2] as const,
  sigma: 5,
}]];

function fixtures(): { maps: Image; bold: Image; bold2: Image } {
  const maps = blobMaps(MAPS_GRID, BLOBS);
  const onData = blobMaps(DATA_GRID, BLOBS);
  return {
    maps,
    bold: synthBold(onData, { nVolumes: 10, seed: 1 }).bold,
    bold2: synthBold(onData, { nVolumes: 12, seed: 2 }).bold,
  };
}

Deno.test("cache via the masker: concurrent fits share one entry; refits reuse it with identical maps", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cache_" });
  try {
    const { maps, bold } = fixtures();
    const mask: Image = {
      data: new Float32Array(10 * 12 * 9).fill(1),
      shape: [...DATA_GRID.shape],
      affine: DATA_GRID.affine,
    };
    const config = { mapsImg: maps, maskImg: mask, resamplingTarget: "mask" as const, memory: dir };
    const fits = await Promise.all(
      Array.from({ length: 5 }, () => multiMapsMasker(config).fit()),
    );
    const files = await entryFiles(dir);
    assert.equal(files.length, 1, `one entry, no temporary files: ${files}`);
    for (const f of fits) assert.deepEqual(f.mapsImg_.data, fits[0]!.mapsImg_.data);
    const uncached = await multiMapsMasker({ ...config, memory: null }).fit();
    assert.deepEqual(fits[0]!.mapsImg_.data, uncached.mapsImg_.data, "cache changes nothing");
    // Corrupt the entry: the next fit recomputes the same maps and repairs the entry.
    const path = `${dir}/niimask-v1/${files[0]}`;
    const good = await Deno.readFile(path);
    await Deno.writeFile(path, good.subarray(0, 100));
    const refit = await multiMapsMasker(config).fit();
    assert.deepEqual(refit.mapsImg_.data, uncached.mapsImg_.data);
    assert.deepEqual(await Deno.readFile(path), good);
    assert.deepEqual(
      await refit.transform(bold),
      await uncached.transform(bold),
      "same signals with the repaired cache",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache via the masker: an unwritable memory directory is a warning (report, verbose 1), not a failure", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cache_" });
  const errors: string[] = [];
  const original = console.error;
  try {
    const notADir = `${dir}/plain_file`;
    await Deno.writeTextFile(notADir, "x");
    const { maps, bold, bold2 } = fixtures();
    // resamplingTarget "data" (default): the maps are resampled (and cached) at transform.
    console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
    const fitted = await multiMapsMasker({ mapsImg: maps, memory: notADir, verbose: 1 }).fit();
    const [a, b] = await fitted.transformImgs([bold, bold2]);
    const again = await fitted.transform(bold);
    console.error = original;
    const reference = await multiMapsMasker({ mapsImg: maps }).fit();
    assert.deepEqual(a, await reference.transform(bold));
    assert.deepEqual(b, await reference.transform(bold2));
    assert.deepEqual(again, a);
    const warnings = fitted.reportInput()!.warnings;
    const cacheWarnings = warnings.filter((w) => w.includes("cannot write to the cache directory"));
    assert.equal(cacheWarnings.length, 1, `one warning, de-duplicated: ${warnings.join(" | ")}`);
    assert.ok(cacheWarnings[0]!.includes(notADir));
    const report = await fitted.generateReport();
    assert.ok(report.html.includes("cannot write to the cache directory"), "shown in the report");
    assert.ok(
      errors.some((l) => l.includes("cannot write to the cache directory")),
      `logged at verbose 1: ${errors.join("\n")}`,
    );
    // verbose 0: nothing printed, still in the warnings.
    errors.length = 0;
    console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
    const quiet = await multiMapsMasker({ mapsImg: maps, memory: notADir }).fit();
    await quiet.transform(bold);
    console.error = original;
    assert.deepEqual(errors, []);
    assert.ok(quiet.reportInput()!.warnings.some((w) => w.includes("cannot write to the cache")));
  } finally {
    console.error = original;
    await Deno.remove(dir, { recursive: true });
  }
});
