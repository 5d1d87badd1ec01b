/**
 * `OUTPUT_DIR/dataset_description.json` of a `niimask bids` derivatives dataset. Pure.
 *
 * @module
 */

/**
 * The dataset description of the outputs (BIDS 1.9 derivative).
 *
 * @param version niimask's version.
 * @param sourceDir the fMRIPrep folder (recorded as the source dataset).
 * @returns the object to write as JSON.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetDescription } from "./bids_description.ts";
 * const d = datasetDescription("0.1.0", "derivatives/fmriprep");
 * assert.equal(d.DatasetType, "derivative");
 * ```
 */
export function datasetDescription(
  version: string,
  sourceDir: string,
): { readonly DatasetType: string } & Record<string, unknown> {
  return {
    Name: "niimask time series",
    BIDSVersion: "1.9.0",
    DatasetType: "derivative",
    GeneratedBy: [{
      Name: "niimask",
      Version: version,
      Description: "Brain-map time series of fMRIPrep runs, denoised with nilearn 0.11.1's " +
        "load_confounds_strategy and extracted with MultiNiftiMapsMasker semantics",
    }],
    SourceDatasets: [{ URL: sourceDir }],
  };
}
