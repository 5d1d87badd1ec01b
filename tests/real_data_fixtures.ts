/**
 * Real-data fixtures of the tests and of docs/make_example.ts: paths into the shared folder beside
 * the repository (`../shared/`: the golden cases in `conformance/`, the data in `data/`;
 * `NIIMASK_SHARED_DATA` overrides the data folder), and a one-run
 * fMRIPrep-like folder built from files with a clear licence (nipy's BSD MNI functional slab and
 * nilearn's BSD fMRIPrep confounds file, truncated to the run's 20 volumes; paired for
 * illustration only: the confounds were not computed from that run).
 *
 * @module
 */

/** The shared folder beside the repository (`../shared/`). */
export const SHARED: string = decodeURIComponent(new URL("../../shared", import.meta.url).pathname);

/** The shared data folder. */
export const SHARED_DATA: string = Deno.env.get("NIIMASK_SHARED_DATA") ?? `${SHARED}/data`;

/** The nilearn 0.11.1 golden cases. */
export const SHARED_CONFORMANCE: string = `${SHARED}/conformance`;

/** A file of the shared data folder. */
export function sharedData(relative: string): string {
  return `${SHARED_DATA}/${relative}`;
}

/** Whether every one of these shared files exists (tests skip with a message otherwise). */
export function haveSharedData(relatives: readonly string[]): boolean {
  return relatives.every((r) => {
    try {
      return Deno.statSync(sharedData(r)).isFile;
    } catch {
      return false;
    }
  });
}

/** Shared files the fMRIPrep-like folder is built from. */
export const BIDS_SOURCES = [
  "nipy_testing/functional.nii.gz",
  "fmriprep_confounds_nilearn/test-v21_desc-confounds_timeseries.tsv",
  "fmriprep_confounds_nilearn/test-v21_desc-confounds_timeseries.json",
] as const;

/**
 * Build `dir/fmriprep/sub-01/func/` with one preprocessed run (nipy's functional slab: MNI, 20
 * volumes, TR 2 s), its JSON sidecar and a confounds file (the first 20 rows of nilearn's
 * fMRIPrep >= 21 test confounds).
 *
 * @param dir an empty folder.
 * @returns the fMRIPrep folder.
 */
export async function buildBidsFromSharedData(dir: string): Promise<string> {
  const func = `${dir}/fmriprep/sub-01/func`;
  await Deno.mkdir(func, { recursive: true });
  const base = `${func}/sub-01_task-rest`;
  await Deno.copyFile(
    sharedData(BIDS_SOURCES[0]),
    `${base}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz`,
  );
  await Deno.writeTextFile(
    `${base}_space-MNI152NLin2009cAsym_desc-preproc_bold.json`,
    JSON.stringify({ RepetitionTime: 2 }) + "\n",
  );
  const lines = (await Deno.readTextFile(sharedData(BIDS_SOURCES[1]))).split("\n");
  await Deno.writeTextFile(
    `${base}_desc-confounds_timeseries.tsv`,
    lines.slice(0, 21).join("\n") + "\n",
  );
  await Deno.copyFile(sharedData(BIDS_SOURCES[2]), `${base}_desc-confounds_timeseries.json`);
  return `${dir}/fmriprep`;
}
