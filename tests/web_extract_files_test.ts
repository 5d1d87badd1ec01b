/**
 * The browser page's pipeline (`web/extract_files.ts`), run in Deno on `File`s: the same TSV and
 * JSON as `niimask extract` on the same files.
 */
import assert from "node:assert/strict";
import { extractFiles, flagsFromQuery } from "../web/extract_files.ts";
import { UsageError } from "../cli/errors.ts";
import { NiftiParseError } from "../image/nifti_errors.ts";
import { cliOutputs, FLAGS, missingData, NAMES, writeFixture } from "./web_fixtures.ts";

const missing = missingData();
if (missing !== null) console.log(`SKIP web_extract_files_test (real data): ${missing}`);

async function file(dir: string, name: string): Promise<{ name: string; blob: Blob }> {
  return { name, blob: new File([await Deno.readFile(`${dir}/${name}`)], name) };
}

Deno.test({
  name: "extractFiles on Files gives the command line's TSV and JSON (2 subjects, 2 jobs)",
  ignore: missing !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "niimask_web_" });
    try {
      await writeFixture(dir);
      const out = await cliOutputs(dir, ["sub-01", "sub-02"]);
      const stages: string[] = [];
      const r = await extractFiles({
        imgs: [await file(dir, NAMES.bold), await file(dir, NAMES.bold2)],
        maps: await file(dir, NAMES.maps),
        confounds: [await file(dir, NAMES.confounds), await file(dir, NAMES.confounds2)],
        flags: [...FLAGS, "--jobs=2"],
      }, (stage) => stages.push(stage));
      assert.equal(r.subjects.length, 2);
      for (const [i, s] of r.subjects.entries()) {
        const subject = `sub-0${i + 1}`;
        assert.equal(s.subject, subject);
        assert.equal(s.tsv.name, `${subject}_timeseries.tsv`);
        assert.equal(s.json.name, `${subject}_timeseries.json`);
        // Same code on the same bytes: the TSV text is identical, not only close.
        assert.equal(s.tsv.text, await Deno.readTextFile(`${out}/${s.tsv.name}`));
        const ours = JSON.parse(s.json.text);
        const cli = JSON.parse(await Deno.readTextFile(`${out}/${s.json.name}`));
        // Paths on disk stand as file names in the browser; everything else is equal.
        assert.deepEqual(ours.Sources, [`${subject}_bold.nii.gz`]);
        assert.equal(ours.Maps.File, NAMES.maps);
        assert.equal(ours.Confounds.File, `${subject}_desc-confounds_timeseries.tsv`);
        assert.equal(ours.ConfoundsSelection.Pattern, "{subject}");
        for (const o of [ours, cli]) {
          delete o.ConfoundsSelection.Pattern;
          delete o.Sources;
          delete o.Maps.File;
          delete o.Confounds.File;
          delete o.Parameters.nJobs;
        }
        assert.deepEqual(ours, cli);
        assert.deepEqual(ours.Confounds.Columns, [
          "trans_x",
          "trans_y",
          "trans_z",
          "rot_x",
          "rot_y",
          "rot_z",
        ]);
      }
      assert.equal(stages.at(-1), "done");
      assert.match(r.report.html, /<html/i);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "extractFiles: bad inputs are errors naming the file or the option",
  ignore: missing !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "niimask_web_" });
    try {
      await writeFixture(dir);
      const maps = await file(dir, NAMES.maps);
      const bad = await file(dir, NAMES.bad);
      const bold = await file(dir, NAMES.bold);
      await assert.rejects(
        () => extractFiles({ imgs: [bad], maps }),
        (e: unknown) => e instanceof NiftiParseError && e.message.includes(NAMES.bad),
      );
      await assert.rejects(
        () => extractFiles({ imgs: [{ name: "x.nii", blob: new Blob(["hello"]) }], maps }),
        (e: unknown) => e instanceof NiftiParseError && e.message.includes("x.nii"),
      );
      await assert.rejects(
        () => extractFiles({ imgs: [maps], maps, flags: ["--low-pass=0.1"] }),
        (e: unknown) => e instanceof UsageError && /--low-pass needs --t-r/.test(e.message),
      );
      await assert.rejects(
        () => extractFiles({ imgs: [maps], maps, flags: ["--cache=/tmp/x"] }),
        /--cache=\/tmp\/x: this option is not available here/,
      );
      await assert.rejects(
        () =>
          extractFiles({
            imgs: [bold],
            maps,
            confounds: [{ name: "c.tsv", blob: new Blob(["a\tb\n1\tx\n"]) }],
          }),
        /c\.tsv: row 2, column 2 \(b\): "x" is not a number/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("flagsFromQuery: CLI flag names, file parameters skipped, disk options refused", () => {
  const q = new URLSearchParams(
    "img=a.nii.gz&maps=m.nii.gz&standardize=zscore_sample&detrend=&t-r=2&no-extrapolate=",
  );
  assert.deepEqual(flagsFromQuery(q), [
    "--standardize=zscore_sample",
    "--detrend",
    "--t-r=2",
    "--no-extrapolate",
  ]);
  assert.throws(() => flagsFromQuery(new URLSearchParams("out=x")), /"out": --out is not/);
});
