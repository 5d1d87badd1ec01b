/**
 * One run's confounds and sample mask from the texts of its fMRIPrep confounds files and a
 * denoising strategy: the library's `loadConfoundsStrategy` on files held in memory (no file
 * lookup), with the page's checks and the numbers its sidecar records. Pure.
 *
 * @module
 */
import type { LabeledMatrix } from "../signal/confounds_file.ts";
import { confoundsFromText } from "../interfaces/fmriprep_text.ts";
import { presetOptions } from "../interfaces/fmriprep_presets.ts";
import { checkImageName, confoundsJsonPath } from "../interfaces/fmriprep_file_names.ts";
import { FmriprepFileError } from "../interfaces/fmriprep_errors.ts";
import type { LoadConfoundsStrategyOptions } from "../interfaces/fmriprep_types.ts";
import type { DenoiseRequest } from "./denoise_flags.ts";

export type { LabeledMatrix };

/** A named text file. */
export interface NamedText {
  /** File name, e.g. `sub-01_task-rest_desc-confounds_timeseries.tsv`. */
  readonly name: string;
  /** Its text. */
  readonly text: string;
}

/** What a strategy gives for one run. */
export interface StrategyConfounds {
  /** Confounds (volumes x confounds, named columns), or null when none is selected. */
  readonly confounds: LabeledMatrix | null;
  /** Kept volumes (0-based, increasing), or null for all. */
  readonly sampleMask: number[] | null;
  /** The confound columns used (empty when none). */
  readonly columns: readonly string[];
  /** Censored volumes (0-based). */
  readonly censored: readonly number[];
}

/**
 * The name nilearn gives the JSON sidecar of a confounds TSV: every "tsv" replaced by "json".
 *
 * @param tsvName the TSV's name.
 * @returns the sidecar's name.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sidecarNameOf } from "./strategy_confounds.ts";
 * assert.equal(sidecarNameOf("sub-01_desc-confounds_timeseries.tsv"),
 *   "sub-01_desc-confounds_timeseries.json");
 * ```
 */
export function sidecarNameOf(tsvName: string): string {
  return confoundsJsonPath(tsvName);
}

/**
 * Apply a denoising strategy to one run's confounds files (nilearn 0.11.1's
 * `load_confounds_strategy` rules: the preset, the parameters given, the sidecar for anatomical
 * CompCor; ica_aroma needs the `desc-smoothAROMAnonaggr` image).
 *
 * @param image the run's image name (checked for ica_aroma only).
 * @param tsv the confounds TSV.
 * @param json its JSON sidecar, or null.
 * @param request the strategy and its parameters.
 * @param onWarning receives nilearn's warnings.
 * @returns the confounds, the sample mask, the columns and the censored volumes.
 * @throws FmriprepFileError naming the file (bad JSON, wrong image for ica_aroma);
 *   MissingConfoundsError for columns the file lacks; RangeError when every volume is censored.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { strategyConfounds } from "./strategy_confounds.ts";
 * const cols = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "csf", "white_matter"];
 * const fd = [0.1, 0.7, 0.1, 0.1, 0.1, 0.1];
 * const text = [[...cols, "framewise_displacement", "std_dvars"].join("\t"),
 *   ...fd.map((f, t) => [...cols.map(() => t), f, 1].join("\t"))].join("\n");
 * const out = strategyConfounds("sub-01_desc-preproc_bold.nii.gz",
 *   { name: "sub-01_desc-confounds_timeseries.tsv", text }, null,
 *   { strategy: "scrubbing", params: { motion: "basic", wmCsf: "basic", fdThreshold: 0.5, scrub: 0 } },
 *   () => {});
 * assert.deepEqual(out.sampleMask, [0, 2, 3, 4, 5]);
 * assert.deepEqual(out.censored, [1]);
 * assert.equal(out.columns.length, 8);
 * ```
 */
export function strategyConfounds(
  image: string,
  tsv: NamedText,
  json: NamedText | null,
  request: DenoiseRequest,
  onWarning: (message: string) => void,
): StrategyConfounds {
  if (request.strategy === "ica_aroma") checkImageName(image, true);
  let sidecar: unknown = null;
  if (json !== null) {
    try {
      sidecar = JSON.parse(json.text);
    } catch (err) {
      throw new FmriprepFileError(
        `${json.name}: the confounds JSON is not valid JSON: ${(err as Error).message}`,
      );
    }
  }
  const options = presetOptions(
    { ...request.params, denoiseStrategy: request.strategy } as LoadConfoundsStrategyOptions,
    onWarning,
  );
  const out = confoundsFromText({ tsv: tsv.text, json: sidecar, tsvName: tsv.name }, options);
  const confounds = out.confounds !== null && out.confounds.shape[1] > 0 ? out.confounds : null;
  const volumes = out.confounds?.shape[0] ?? countRows(tsv.text);
  if (out.sampleMask !== null && out.sampleMask.length === 0) {
    throw new RangeError(
      `every volume is censored by --denoise-strategy ${request.strategy} (confounds ${tsv.name})`,
    );
  }
  const keep = new Set(out.sampleMask ?? []);
  const censored: number[] = [];
  if (out.sampleMask !== null) {
    for (let t = 0; t < volumes; t++) if (!keep.has(t)) censored.push(t);
  }
  return {
    confounds,
    sampleMask: out.sampleMask,
    columns: confounds?.columns ?? [],
    censored,
  };
}

/** Data rows of a TSV text (lines after the header, blank lines left out). */
function countRows(text: string): number {
  return text.split(/\r?\n/).slice(1).filter((l) => l.trim() !== "").length;
}
