/**
 * The command-line paper cuts fixed with `niimask bids` (issue 14, part 4), through `niimask
 * extract` run as a subprocess: wildcards matching nothing, lists and globs of 3D maps, labels
 * from FSL XML, `--confounds auto` and `{dir}` on an fMRIPrep layout, `--skip-existing` with
 * changed parameters, flag names in errors, and `deno task niimask` in the user's folder.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { saveImg } from "../image/save.ts";
import type { Image } from "../types.ts";
import { mulberry32, synthBold } from "../synthetic/mod.ts";
import {
  AFFINE_3MM as AFFINE,
  gridBlobMaps,
  niimask,
  sha256Hex,
  SHAPE_7x6x5 as SHAPE,
} from "./cli_fixtures.ts";
import { SHARED_DATA } from "./real_data_fixtures.ts";

const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));
const N_VOL = 20;
const RUN = "sub-007_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz";

/** One map of a 4D maps image, as a 3D image. */
function mapOf(maps: Image, m: number): Image {
  const n = SHAPE[0] * SHAPE[1] * SHAPE[2];
  return {
    data: Float32Array.from(maps.data.subarray(m * n, (m + 1) * n)),
    shape: [...SHAPE],
    affine: AFFINE,
  };
}

/** A temp dir: 4D maps, the same maps as 3D files, one fMRIPrep-named run and its confounds. */
async function fixture(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_cuts_" });
  const maps = gridBlobMaps(2);
  await saveImg(maps, `${dir}/maps.nii.gz`);
  await Deno.mkdir(`${dir}/maps3d`);
  await saveImg(mapOf(maps, 0), `${dir}/maps3d/a.nii.gz`);
  await saveImg(mapOf(maps, 1), `${dir}/maps3d/b.nii.gz`);
  const func = `${dir}/fmriprep/sub-007/func`;
  await Deno.mkdir(func, { recursive: true });
  await saveImg(synthBold(maps, { nVolumes: N_VOL, seed: 7, noise: 2 }).bold, `${func}/${RUN}`);
  const r = mulberry32(3);
  const lines = ["trans_x\ttrans_y\trot_x\tmotion_outlier00"];
  for (let t = 0; t < N_VOL; t++) lines.push(`${r()}\t${r()}\t${r()}\t${t === 4 ? 1 : 0}`);
  await Deno.writeTextFile(
    `${func}/sub-007_task-rest_desc-confounds_timeseries.tsv`,
    lines.join("\n") + "\n",
  );
  return dir;
}

const OUT_TSV = "out/sub-007_task-rest_space-MNI152NLin2009cAsym_desc-preproc_timeseries.tsv";
const OUT_JSON = OUT_TSV.replace(/tsv$/, "json");

Deno.test("cli paper cuts: --maps takes a list or a glob of 3D maps, same signals as 4D", async () => {
  const dir = await fixture();
  try {
    const run4d = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--out",
      "out",
      `fmriprep/sub-007/func/${RUN}`,
    ], dir);
    assert.equal(run4d.code, 0, run4d.stderr);
    const reference = await Deno.readTextFile(`${dir}/${OUT_TSV}`);
    const concatenated = new Uint8Array([
      ...await Deno.readFile(`${dir}/maps3d/a.nii.gz`),
      ...await Deno.readFile(`${dir}/maps3d/b.nii.gz`),
    ]);
    for (const spec of ["maps3d/a.nii.gz,maps3d/b.nii.gz", "maps3d/*.nii.gz"]) {
      const run = await niimask(
        ["extract", "--maps", spec, "--out", "out", `fmriprep/sub-007/func/${RUN}`],
        dir,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(await Deno.readTextFile(`${dir}/${OUT_TSV}`), reference, spec);
      const json = JSON.parse(await Deno.readTextFile(`${dir}/${OUT_JSON}`));
      assert.deepEqual(json.Maps, {
        File: spec,
        Sha256: await sha256Hex(concatenated),
        Count: 2,
      });
    }
    // A 4D image in a list is an error naming it; so is a glob matching nothing.
    let run = await niimask(
      [
        "extract",
        "--maps",
        "maps3d/a.nii.gz,maps.nii.gz",
        "--out",
        "o",
        `fmriprep/sub-007/func/${RUN}`,
      ],
      dir,
    );
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /--maps maps\.nii\.gz: a list of maps takes 3D images .* holds 2 maps/,
    );
    run = await niimask([
      "extract",
      "--maps",
      "none/*.nii",
      "--out",
      "o",
      `fmriprep/sub-007/func/${RUN}`,
    ], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--maps none\/\*\.nii: no file matches this pattern/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli paper cuts: --confounds auto and {dir} find fMRIPrep's file; wildcards must match", async () => {
  const dir = await fixture();
  try {
    const img = `fmriprep/sub-007/func/${RUN}`;
    const select = [
      "--confound-columns",
      "trans_?",
      "--sample-mask-from-confounds",
      "motion_outlier*",
    ];
    let run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--out",
      "out",
      "--confounds",
      "auto",
      ...select,
      img,
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/${OUT_JSON}`));
    assert.equal(
      json.Confounds.File,
      "fmriprep/sub-007/func/sub-007_task-rest_desc-confounds_timeseries.tsv",
    );
    assert.deepEqual(json.Confounds.Columns, ["trans_x", "trans_y"]);
    assert.deepEqual(json.Confounds.CensoredVolumes, [4]);
    const auto = await Deno.readTextFile(`${dir}/${OUT_TSV}`);

    run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--out",
      "out",
      "--confounds",
      "{dir}/sub-007_task-rest_desc-confounds_timeseries.tsv",
      ...select,
      img,
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await Deno.readTextFile(`${dir}/${OUT_TSV}`), auto);

    // --confounds auto on an image with no confounds file: that subject's error, naming it.
    await Deno.copyFile(
      `${dir}/${img}`,
      `${dir}/fmriprep/sub-007/func/sub-007_task-motor_space-X_desc-preproc_bold.nii.gz`,
    );
    run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--out",
      "out",
      "--confounds",
      "auto",
      "fmriprep/sub-007/func/sub-007_task-motor_space-X_desc-preproc_bold.nii.gz",
    ], dir);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /sub-007_task-motor_space-X_desc-preproc_bold\.nii\.gz: could not find the associated confounds file/,
    );

    // A wildcard matching no column fails that subject (it used to regress nothing, exit 0).
    run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--out",
      "out",
      "--confounds",
      "auto",
      "--confound-columns",
      "motion_param_*",
      img,
    ], dir);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /the pattern 'motion_param_\*' \(--confound-columns\) matches no column/,
    );
    run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--out",
      "out",
      "--confounds",
      "auto",
      "--sample-mask-from-confounds",
      "scrub_*",
      img,
    ], dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no column matches --sample-mask-from-confounds scrub_\*/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli paper cuts: extract --skip-existing recomputes outputs made with other parameters", async () => {
  const dir = await fixture();
  try {
    const img = `fmriprep/sub-007/func/${RUN}`;
    const args = ["extract", "--maps", "maps.nii.gz", "--out", "out", img];
    assert.equal((await niimask(args, dir)).code, 0);
    let run = await niimask([...args, "--skip-existing"], dir);
    assert.match(run.stderr, /1 skipped \(outputs existed\)/);
    run = await niimask([...args, "--skip-existing", "--standardize", "zscore_sample"], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /outputs exist but Parameters differ \(standardize: false, now "zscore_sample"\): recomputing/,
    );
    assert.match(run.stderr, /1 succeeded/);
    // Other maps (as when two atlases share --out): the checksum differs, so recomputed.
    run = await niimask(
      [
        "extract",
        "--maps",
        "maps3d/*.nii.gz",
        "--out",
        "out",
        img,
        "--skip-existing",
        "--standardize",
        "zscore_sample",
      ],
      dir,
    );
    assert.match(
      run.stderr,
      /outputs exist but Maps\.Sha256 differs \(recorded "[0-9a-f]{64}", now "[0-9a-f]{64}"\): recomputing/,
    );
    assert.match(run.stderr, /1 succeeded/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli paper cuts: --labels reads an FSL atlas XML (ISO-8859-1) and a label TSV", async () => {
  const dir = await fixture();
  try {
    const img = `fmriprep/sub-007/func/${RUN}`;
    const xml = new Uint8Array([
      ...new TextEncoder().encode(
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<atlas><data>\n' +
          '<label index="1" x="1" y="2" z="3">Ventral &amp; dorsal</label>\n' +
          '<label index="0" x="1" y="2" z="3">Cort',
      ),
      0xe9, // é in ISO-8859-1
      ...new TextEncoder().encode("x</label>\n</data></atlas>\n"),
    ]);
    await Deno.writeFile(`${dir}/atlas.xml`, xml);
    let run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--labels",
      "atlas.xml",
      "--out",
      "out",
      img,
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      (await Deno.readTextFile(`${dir}/${OUT_TSV}`)).split("\n")[0],
      "Cort\u00e9x\tVentral & dorsal",
    );

    await Deno.writeTextFile(`${dir}/l.tsv`, "label\tnetwork\nA\tx\nB\ty\n");
    run = await niimask([
      "extract",
      "--maps",
      "maps.nii.gz",
      "--labels",
      "l.tsv",
      "--out",
      "out",
      img,
    ], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await Deno.readTextFile(`${dir}/${OUT_TSV}`)).split("\n")[0], "A\tB");

    // The real FSL XML has 9 labels: a count mismatch names the file.
    const real = `${SHARED_DATA}/fsl_atlases_freeroi/MNI_Structural_Atlas.xml`;
    if (await Deno.stat(real).then(() => true, () => false)) {
      run = await niimask([
        "extract",
        "--maps",
        "maps.nii.gz",
        "--labels",
        real,
        "--out",
        "out",
        img,
      ], dir);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--labels .*MNI_Structural_Atlas\.xml: 9 labels for 2 maps/);
    } else {
      console.log(`skipped the real FSL XML check: ${SHARED_DATA} is absent`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli paper cuts: errors name CLI flags, not library fields", async () => {
  const dir = await fixture();
  try {
    // Maps on another grid than the image, without resampling.
    await saveImg(
      { data: new Float32Array(4 * 4 * 4).fill(1), shape: [4, 4, 4], affine: AFFINE },
      `${dir}/small.nii.gz`,
    );
    const run = await niimask([
      "extract",
      "--maps",
      "small.nii.gz",
      "--resampling-target",
      "none",
      "--out",
      "out",
      `fmriprep/sub-007/func/${RUN}`,
    ], dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /--resampling-target/);
    assert.doesNotMatch(run.stderr, /resamplingTarget/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli paper cuts: deno task niimask resolves relative paths in the user's folder", async () => {
  const dir = await fixture();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "-q",
        "--config",
        CONFIG,
        "niimask",
        "extract",
        "--maps",
        "maps.nii.gz",
        "--out",
        "out",
        `fmriprep/sub-007/func/${RUN}`,
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      // As from a shell: deno task sets INIT_CWD only when the environment has none (a test run
      // through \`deno task unit\` inherits the outer task's).
      clearEnv: true,
      env: Object.fromEntries(
        ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"].flatMap((k) => {
          const v = Deno.env.get(k);
          return v === undefined ? [] : [[k, v]];
        }).concat([["NO_COLOR", "1"]]),
      ),
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.ok((await Deno.stat(`${dir}/${OUT_TSV}`)).isFile, "outputs in the user's folder");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
