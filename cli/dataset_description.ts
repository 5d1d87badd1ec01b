/**
 * `dataset_description.json` of a niimask derivatives folder (`niimask bids` OUTPUT_DIR,
 * `niimask extract --out`), written once, when absent.
 *
 * @module
 */
import { fileExists, writeFilesAtomically } from "./io.ts";
import { formatSidecar } from "./sidecar.ts";

/** What `niimask bids` writes in `GeneratedBy[0].Description`. */
export const BIDS_DESCRIPTION = "Brain-map time series of fMRIPrep runs, denoised with nilearn " +
  "0.11.1's load_confounds_strategy and extracted with MultiNiftiMapsMasker semantics";

/** What `niimask extract` writes in `GeneratedBy[0].Description`. */
export const EXTRACT_DESCRIPTION = "Brain-map time series extracted with nilearn 0.11.1's " +
  "MultiNiftiMapsMasker semantics";

/**
 * The dataset description of the outputs (BIDS 1.9 derivative).
 *
 * @param version niimask's version.
 * @param sourceDir the fMRIPrep folder (recorded as the source dataset), or null.
 * @param description what the folder holds (default: {@link BIDS_DESCRIPTION}).
 * @returns the object to write as JSON.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetDescription } from "./dataset_description.ts";
 * const d = datasetDescription("0.1.0", "derivatives/fmriprep");
 * assert.equal(d.DatasetType, "derivative");
 * ```
 */
export function datasetDescription(
  version: string,
  sourceDir: string | null,
  description: string = BIDS_DESCRIPTION,
): { readonly DatasetType: string } & Record<string, unknown> {
  return {
    Name: "niimask time series",
    BIDSVersion: "1.9.0",
    DatasetType: "derivative",
    GeneratedBy: [{ Name: "niimask", Version: version, Description: description }],
    ...(sourceDir === null ? {} : { SourceDatasets: [{ URL: sourceDir }] }),
  };
}

/**
 * Write `DIR/dataset_description.json` (atomically) unless the folder already has one: a
 * derivatives folder is described once, by whoever created it.
 *
 * @param dir the output folder (it exists).
 * @param doc the description ({@link datasetDescription}).
 * @returns whether it was written.
 */
export async function writeDatasetDescriptionOnce(
  dir: string,
  doc: Record<string, unknown>,
): Promise<boolean> {
  const path = dir.endsWith("/")
    ? `${dir}dataset_description.json`
    : `${dir}/dataset_description.json`;
  if (await fileExists(path)) return false;
  await writeFilesAtomically([[path, formatSidecar(doc)]]);
  return true;
}
