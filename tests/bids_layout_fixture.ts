/**
 * A small fMRIPrep-like layout for end-to-end tests of `niimask bids`, built in a temp dir from
 * the confounds files of the nilearn 0.11.1 golden cases (`../shared/conformance/fmriprep/`,
 * both file generations): the same three runs as tests/cli_bids_e2e_test.ts.
 */
import { saveImg } from "../image/save.ts";
import type { Image } from "../types.ts";
import { synthBold } from "../synthetic/mod.ts";
import { copyConfounds, gridBlobMaps, setHeaderTrMs } from "./cli_fixtures.ts";
import { SHARED_CONFORMANCE } from "./real_data_fixtures.ts";

/** The golden cases folder. */
export const CASES = `${SHARED_CONFORMANCE}/fmriprep`;
/** Whether the golden cases are on this machine (tests skip otherwise). */
export const HAVE_CASES: boolean = await Deno.stat(CASES).then(() => true, () => false);
/** The space entity of every run. */
export const SPACE = "space-MNI152NLin2009cAsym";

/** Two Gaussian blobs on a 7 x 6 x 5 grid of 3 mm voxels. */
export function makeMaps(): Image {
  return gridBlobMaps(2);
}

/** The subjects of the layout, in order. */
export const SUBJECTS = ["sub-01", "sub-02", "sub-03", "sub-04"] as const;

/**
 * Build the layout in a new temp dir: `maps.nii.gz`, `dseg.tsv` and `fmriprep/` with four runs
 * of 30 volumes (the rows of the golden case `strategy_simple_overrides_v21`'s confounds file,
 * >= 20.2 names, copied next to each run): sub-01/func and sub-04/func (sidecar TR 2 s),
 * sub-02/ses-1/func (sidecar TR 2 s, a session), sub-03/func (`.nii`, TR 1.5 s in its header).
 * Each run has its own noise. With `--motion basic` the default strategy regresses 12 columns
 * (6 motion, white matter, CSF, 4 cosines), leaving the signals 18 degrees of freedom.
 *
 * @returns the temp dir.
 */
export async function bidsLayout(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "niimask_bidsconn_" });
  await saveImg(makeMaps(), `${dir}/maps.nii.gz`);
  await Deno.writeTextFile(`${dir}/dseg.tsv`, "index\tname\n1\tPosterior\n2\tAnterior\n");
  const runs: [string, string, number | null][] = [
    ["sub-01", "sub-01/func", 2],
    ["sub-02", "sub-02/ses-1/func", 2],
    ["sub-03", "sub-03/func", null],
    ["sub-04", "sub-04/func", 2],
  ];
  let seed = 11;
  for (const [sub, rel, tR] of runs) {
    const func = `${dir}/fmriprep/${rel}`;
    await Deno.mkdir(func, { recursive: true });
    const ses = rel.includes("ses-1") ? "_ses-1" : "";
    const prefix = `${sub}${ses}_task-rest`;
    const bold = synthBold(makeMaps(), { nVolumes: 30, seed: seed++, amplitude: 10, noise: 3 })
      .bold;
    const stem = `${func}/${prefix}_${SPACE}_desc-preproc_bold`;
    if (tR !== null) {
      await saveImg(bold, `${stem}.nii.gz`);
      await Deno.writeTextFile(`${stem}.json`, JSON.stringify({ RepetitionTime: tR }));
    } else {
      // No sidecar: pixdim[4] = 1500 ms in the header.
      await saveImg(bold, `${stem}.nii`);
      await setHeaderTrMs(`${stem}.nii`, 1500);
    }
    await copyConfounds(`${CASES}/strategy_simple_overrides_v21`, func, prefix);
  }
  await Deno.writeTextFile(`${dir}/fmriprep/dataset_description.json`, "{}");
  return dir;
}

/** The output stem (relative to the layout dir) of a run: `out/sub-.../..._desc-<desc>`. */
export function outStem(sub: string, out = "out", desc = "simple"): string {
  const rel = sub === "sub-02" ? "sub-02/ses-1/func/sub-02_ses-1" : `${sub}/func/${sub}`;
  return `${out}/${rel}_task-rest_${SPACE}_atlas-blobs_desc-${desc}`;
}
