/**
 * `niimask extract` and the inflate backends: the sidecar records the backend, NIIMASK_INFLATE
 * overrides it (a bad value is a setup error), FFI is used only when granted, and every backend
 * writes the same time series.
 */
import assert from "node:assert/strict";
import { saveImg } from "../image/save.ts";
import { blobMaps, synthBold } from "../synthetic/mod.ts";
import { AFFINE_3MM as AFFINE, CLI_PERMISSIONS, niimask } from "./cli_fixtures.ts";

const ISAL_LIB = "/usr/lib/x86_64-linux-gnu/libisal.so.2";

async function fixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cli_inflate_" });
  const maps = blobMaps({ shape: [7, 6, 5], affine: AFFINE }, [
    [{ centre: [-3, -3, -3], sigma: 4 }],
    [{ centre: [6, 3, 0], sigma: 4 }],
  ]);
  await saveImg(maps, `${dir}/maps.nii.gz`);
  const bold = synthBold(maps, { nVolumes: 20, seed: 3, amplitude: 10, noise: 3 }).bold;
  await saveImg(bold, `${dir}/sub-01_bold.nii.gz`);
  return dir;
}

async function extract(dir: string, env: Record<string, string>, ffi: boolean, out: string) {
  const perms = [...CLI_PERMISSIONS, ...(ffi ? ["--allow-ffi"] : [])];
  const args = ["extract", "--maps", "maps.nii.gz", "--out", out, "--quiet", "sub-01_bold.nii.gz"];
  const flags = ["--no-prompt", ...perms];
  return await niimask(args, dir, { flags, env: { NIIMASK_INFLATE: "", ...env }, stdin: "null" });
}

async function hasIsal(): Promise<boolean> {
  try {
    await Deno.stat(ISAL_LIB);
    return true;
  } catch {
    return false;
  }
}

Deno.test("cli: InflateBackend in the sidecar, NIIMASK_INFLATE, identical outputs", async () => {
  const dir = await fixture();
  try {
    const runs: [string, Record<string, string>, boolean, string][] = [
      ["auto-noffi", {}, false, "zlib"], // no --allow-ffi: silent fallback to node:zlib
      ["stream", { NIIMASK_INFLATE: "stream" }, true, "stream"],
      ["zlib", { NIIMASK_INFLATE: "zlib" }, true, "zlib"],
    ];
    if (await hasIsal()) runs.push(["auto-ffi", {}, true, "isal"]);
    else console.log(`ISA-L run skipped: ${ISAL_LIB} is absent`);
    let first: string | null = null;
    for (const [name, env, ffi, want] of runs) {
      const r = await extract(dir, env, ffi, `out-${name}`);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      const json = JSON.parse(await Deno.readTextFile(`${dir}/out-${name}/sub-01_timeseries.json`));
      assert.equal(json.InflateBackend, want, name);
      const tsv = await Deno.readTextFile(`${dir}/out-${name}/sub-01_timeseries.tsv`);
      first ??= tsv;
      assert.equal(tsv, first, `${name}: same time series as with the first backend`);
    }
    const bad = await extract(dir, { NIIMASK_INFLATE: "fastest" }, true, "out-bad");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /NIIMASK_INFLATE.*"fastest"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
