/**
 * Crash safety of `niimask extract`'s outputs: writes are atomic (a failed multi-file write
 * leaves existing outputs unchanged and no temporaries), a write killed midway (SIGKILL) never
 * leaves a partial TSV that `--skip-existing` takes as done, and a resumed batch removes
 * niimask's own leftover temporaries of its outputs — and nothing else.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { saveImg } from "../image/save.ts";
import { blobMaps, synthBold } from "../synthetic/mod.ts";
import { removeLeftoverTemporaries, temporaryName, writeFilesAtomically } from "../cli/io.ts";
import { temporaryTarget } from "../cli/temporaries.ts";
import { AFFINE_3MM as AFFINE, listDir, niimask } from "./cli_fixtures.ts";

const IO = new URL("../cli/io.ts", import.meta.url).href;
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** Maps and three small subjects `sub-0{1,2,3}_bold.nii.gz` in a new folder. */
async function fixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_resume_" });
  const maps = blobMaps({ shape: [6, 5, 4], affine: AFFINE }, [
    [{ centre: [-6, -6, -6], sigma: 4 }],
    [{ centre: [3, 0, 0], sigma: 4 }],
  ]);
  await saveImg(maps, `${dir}/maps.nii.gz`);
  for (let s = 1; s <= 3; s++) {
    const { bold } = synthBold(maps, { nVolumes: 12, seed: s, amplitude: 10, noise: 2 });
    await saveImg(bold, `${dir}/sub-0${s}_bold.nii.gz`);
  }
  return dir;
}

Deno.test("writeFilesAtomically: a failed multi-file write leaves existing outputs and no temporaries", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_atomic_" });
  try {
    await Deno.writeTextFile(`${dir}/a.tsv`, "old tsv\n");
    await Deno.writeTextFile(`${dir}/a.json`, "old json\n");
    // The second file cannot be written (its folder does not exist): nothing is renamed.
    await assert.rejects(
      writeFilesAtomically([[`${dir}/a.tsv`, "new tsv\n"], [`${dir}/none/a.json`, "{}\n"]]),
      Deno.errors.NotFound,
    );
    assert.equal(await Deno.readTextFile(`${dir}/a.tsv`), "old tsv\n");
    assert.equal(await Deno.readTextFile(`${dir}/a.json`), "old json\n");
    assert.deepEqual(await listDir(dir), ["a.json", "a.tsv"]);
    // A rename that fails (the target is a non-empty folder): no temporary is left behind.
    await Deno.mkdir(`${dir}/b.json`);
    await Deno.writeTextFile(`${dir}/b.json/x`, "");
    await assert.rejects(
      writeFilesAtomically([[`${dir}/b.json`, "{}\n"], [`${dir}/a.json`, "new json\n"]]),
    );
    assert.equal(await Deno.readTextFile(`${dir}/a.json`), "old json\n");
    assert.deepEqual(await listDir(dir), ["a.json", "a.tsv", "b.json"]);
    // A successful write replaces both.
    await writeFilesAtomically([[`${dir}/a.tsv`, "new tsv\n"], [`${dir}/a.json`, "new json\n"]]);
    assert.equal(await Deno.readTextFile(`${dir}/a.tsv`), "new tsv\n");
    assert.deepEqual(await listDir(dir), ["a.json", "a.tsv", "b.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("temporary names are recognisable; only this run's outputs' temporaries are removed", async () => {
  const tmp = temporaryName("out/sub-01_timeseries.tsv");
  assert.match(tmp, /^out\/sub-01_timeseries\.tsv\.niimask-\d+-[0-9a-f]{8}\.tmp$/);
  assert.equal(temporaryTarget(tmp.slice(4)), "sub-01_timeseries.tsv");
  const dir = await Deno.makeTempDir({ prefix: "niimask_tmp_" });
  try {
    const names = [
      "s_timeseries.tsv.niimask-12-0a1b2c3d.tmp", // ours, current form
      "s_timeseries.json.345-deadbeef.tmp", // ours, earlier form
      "s_timeseries.failed.json.tmp-9-01234567-89ab-cdef-0123-456789abcdef", // failure record
      "t_timeseries.tsv.niimask-12-0a1b2c3d.tmp", // another subject's
      "s_timeseries.tsv.bak",
      "notes.tmp",
      "s_timeseries.tsv.niimask-12-XYZ.tmp",
    ];
    for (const n of names) await Deno.writeTextFile(`${dir}/${n}`, "x");
    const targets = new Set(["s_timeseries.tsv", "s_timeseries.json", "s_timeseries.failed.json"]);
    const removed = await removeLeftoverTemporaries(dir, targets);
    assert.deepEqual(removed.sort(), names.slice(0, 3).sort());
    assert.deepEqual(await listDir(dir), names.slice(3).sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: a write killed midway leaves no partial TSV taken as done; --skip-existing redoes it and removes the leftovers", async () => {
  const dir = await fixture();
  try {
    const imgs = ["sub-01_bold.nii.gz", "sub-02_bold.nii.gz", "sub-03_bold.nii.gz"];
    const args = ["extract", "--maps", "maps.nii.gz", "--out", "out", "--jobs", "2", ...imgs];
    const first = await niimask(args, dir);
    assert.equal(first.code, 0, first.stderr);
    const out = `${dir}/out`;
    const done = await listDir(out);
    assert.equal(done.length, 7); // 3 subjects' TSV and JSON, and dataset_description.json
    const tsv2 = await Deno.readTextFile(`${out}/sub-02_timeseries.tsv`);
    const json3 = await Deno.readTextFile(`${out}/sub-03_timeseries.json`);
    // sub-02 and sub-03 were being written when the process was killed (kill -9): a process
    // writes their temporaries (a partial TSV, a complete JSON) as niimask does, then is killed
    // before renaming them.
    await Deno.remove(`${out}/sub-02_timeseries.tsv`);
    await Deno.remove(`${out}/sub-02_timeseries.json`);
    await Deno.remove(`${out}/sub-03_timeseries.tsv`);
    const killed = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `--config=${CONFIG}`,
        `import { temporaryName } from ${JSON.stringify(IO)};
         const out = ${JSON.stringify(out)};
         await Deno.writeTextFile(temporaryName(out + "/sub-02_timeseries.tsv"),
           ${JSON.stringify(tsv2.slice(0, Math.floor(tsv2.length / 2)))});
         await Deno.writeTextFile(temporaryName(out + "/sub-03_timeseries.json"),
           ${JSON.stringify(json3)});
         Deno.kill(Deno.pid, "SIGKILL");`,
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    assert.equal(killed.signal, "SIGKILL");
    const leftovers = (await listDir(out)).filter((n) => n.endsWith(".tmp"));
    assert.equal(leftovers.length, 2, leftovers.join(", "));
    // Files that are not niimask's temporaries of this run's outputs stay.
    await Deno.writeTextFile(`${out}/notes.tmp`, "mine\n");
    await Deno.writeTextFile(`${out}/sub-99_timeseries.tsv.niimask-1-0a1b2c3d.tmp`, "other\n");

    const resumed = await niimask([...args, "--skip-existing"], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /removed 2 leftover temporary file\(s\)/);
    assert.match(resumed.stderr, /2 succeeded, 1 skipped \(outputs existed\), 0 failed/);
    assert.deepEqual(
      await listDir(out),
      [
        ...done,
        "notes.tmp",
        "sub-99_timeseries.tsv.niimask-1-0a1b2c3d.tmp",
      ].sort(),
    );
    assert.equal(await Deno.readTextFile(`${out}/sub-02_timeseries.tsv`), tsv2, "redone whole");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
