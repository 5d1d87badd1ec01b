/**
 * Small real inputs for the browser tests, copied into a folder: a 20-volume fMRI slab, the
 * Harvard-Oxford subcortical maps and 20 rows of a real fMRIPrep confounds file; plus the command
 * line's outputs for them.
 */
import { parseExtractArgs } from "../cli/extract_args.ts";
import { runExtract } from "../cli/extract.ts";
import { SHARED_DATA } from "./real_data_fixtures.ts";

const DATA = SHARED_DATA;
const SOURCES = {
  bold: `${DATA}/nipy_testing/functional.nii.gz`,
  maps: `${DATA}/fsl_atlases_freeroi/HarvardOxford-sub-prob-2mm.nii.gz`,
  confounds: `${DATA}/fmriprep_confounds_nilearn/test-v21_desc-confounds_timeseries.tsv`,
};

/** File names of the inputs in the fixture folder. */
export const NAMES = {
  bold: "sub-01_bold.nii.gz",
  bold2: "sub-02_bold.nii.gz",
  maps: "maps.nii.gz",
  confounds: "sub-01_desc-confounds_timeseries.tsv",
  confounds2: "sub-02_desc-confounds_timeseries.tsv",
  bad: "sub-bad_bold.nii.gz",
  text: "sub-text_bold.nii",
} as const;

/** The options the tests use, as command-line flags. */
export const FLAGS = [
  "--standardize=zscore_sample",
  "--detrend",
  "--t-r=2",
  "--low-pass=0.1",
  "--confound-columns=trans_?,rot_?",
];

/** Why the real data is unusable here, or null when it is present. */
export function missingData(): string | null {
  for (const path of Object.values(SOURCES)) {
    try {
      Deno.statSync(path);
    } catch {
      return `${path} is absent`;
    }
  }
  return null;
}

/**
 * Copy the inputs into `dir` under {@link NAMES}: two subjects (the same run; sub-02's confounds
 * are the file's next 20 rows), and two bad images (a gzip stream cut in half, a text file).
 */
export async function writeFixture(dir: string): Promise<void> {
  const bold = await Deno.readFile(SOURCES.bold);
  await Deno.writeFile(`${dir}/${NAMES.bold}`, bold);
  await Deno.writeFile(`${dir}/${NAMES.bold2}`, bold);
  await Deno.writeFile(`${dir}/${NAMES.bad}`, bold.subarray(0, bold.length >> 1));
  await Deno.copyFile(SOURCES.maps, `${dir}/${NAMES.maps}`);
  await Deno.copyFile(SOURCES.confounds, `${dir}/${NAMES.text}`);
  const lines = (await Deno.readTextFile(SOURCES.confounds)).split("\n");
  await Deno.writeTextFile(`${dir}/${NAMES.confounds}`, lines.slice(0, 21).join("\n") + "\n");
  await Deno.writeTextFile(
    `${dir}/${NAMES.confounds2}`,
    [lines[0], ...lines.slice(11, 31)].join("\n") + "\n",
  );
}

/**
 * Run the command line (in this process) on fixture images with {@link FLAGS}; returns the
 * output folder.
 */
export function cliOutputs(dir: string, subjects: string[]): Promise<string> {
  return cliOutputsWith(dir, subjects, [], "cli_out");
}

/** Largest relative difference between two TSV texts of equal header and shape. */
export function tsvRelativeError(got: string, expected: string): number {
  const a = got.trimEnd().split("\n").map((l) => l.split("\t"));
  const b = expected.trimEnd().split("\n").map((l) => l.split("\t"));
  if (a.length !== b.length) throw new Error(`rows: ${a.length} vs ${b.length}`);
  if (a[0]!.join("\t") !== b[0]!.join("\t")) throw new Error("headers differ");
  let worst = 0;
  let scale = 0;
  for (let r = 1; r < b.length; r++) {
    for (const v of b[r]!) scale = Math.max(scale, Math.abs(Number(v)));
  }
  for (let r = 1; r < a.length; r++) {
    if (a[r]!.length !== b[r]!.length) throw new Error(`row ${r}: ${a[r]!.length} fields`);
    for (let c = 0; c < a[r]!.length; c++) {
      const x = Number(a[r]![c]);
      const y = Number(b[r]![c]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        if (a[r]![c] !== b[r]![c]) return Infinity;
        continue;
      }
      worst = Math.max(worst, Math.abs(x - y) / (scale || 1));
    }
  }
  return worst;
}

/** fMRIPrep-named inputs of the denoising-strategy tests (written by {@link writeFmriprepFixture}). */
export const FMRIPREP = {
  bold: "sub-01_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
  confounds: "sub-01_task-rest_desc-confounds_timeseries.tsv",
  json: "sub-01_task-rest_desc-confounds_timeseries.json",
} as const;

/** Sidecar of the real fMRIPrep confounds file (its CompCor masks). */
const CONFOUNDS_JSON = `${DATA}/fmriprep_confounds_nilearn/test-v21_desc-confounds_timeseries.json`;

/**
 * Copy the fixture run under fMRIPrep's names into `dir`: the image, the first 20 rows of the
 * real confounds file (one per volume) and its JSON sidecar; the maps as {@link NAMES}`.maps`.
 */
export async function writeFmriprepFixture(dir: string): Promise<void> {
  await Deno.copyFile(SOURCES.bold, `${dir}/${FMRIPREP.bold}`);
  await Deno.copyFile(SOURCES.maps, `${dir}/${NAMES.maps}`);
  await Deno.copyFile(CONFOUNDS_JSON, `${dir}/${FMRIPREP.json}`);
  const lines = (await Deno.readTextFile(SOURCES.confounds)).split("\n");
  await Deno.writeTextFile(`${dir}/${FMRIPREP.confounds}`, lines.slice(0, 21).join("\n") + "\n");
}

/**
 * Run the command line (in this process) on fixture images with {@link FLAGS} and `extra`
 * flags (e.g. `--connectivity=...`), into `dir/<outName>`; returns that folder.
 */
export async function cliOutputsWith(
  dir: string,
  subjects: string[],
  extra: string[],
  outName: string,
): Promise<string> {
  const out = `${dir}/${outName}`;
  const opts = parseExtractArgs([
    `--maps=${dir}/${NAMES.maps}`,
    `--out=${out}`,
    `--confounds=${dir}/{subject}_desc-confounds_timeseries.tsv`,
    "--quiet",
    ...FLAGS,
    ...extra,
    ...subjects.map((s) => `${dir}/${s}_bold.nii.gz`),
  ]);
  if ("help" in opts) throw new Error("unexpected help request");
  let log = "";
  const code = await runExtract(opts, { isTerminal: false, write: (t) => (log += t) });
  if (code !== 0) throw new Error(`niimask extract failed (${code}): ${log}`);
  return out;
}

/** Largest relative difference between a signals matrix and a TSV's values (header skipped). */
export function matrixTsvRelativeError(
  m: { data: Float64Array; shape: readonly [number, number] },
  tsv: string,
): number {
  const rows = tsv.trimEnd().split("\n").slice(1).map((l) => l.split("\t").map(Number));
  if (rows.length !== m.shape[0]) throw new Error(`rows: ${rows.length} vs ${m.shape[0]}`);
  let scale = 0;
  for (const v of m.data) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  rows.forEach((r, i) => {
    if (r.length !== m.shape[1]) throw new Error(`row ${i + 1}: ${r.length} values`);
    r.forEach((x, j) => {
      worst = Math.max(worst, Math.abs(x - m.data[i * m.shape[1] + j]!) / (scale || 1));
    });
  });
  return worst;
}
