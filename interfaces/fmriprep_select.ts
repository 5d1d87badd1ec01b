/**
 * The table logic of nilearn 0.11.1's `load_confounds` for one run, on parsed files: the
 * non-steady-state columns, then each component of the strategy in order, missing confounds
 * reported together, then the confounds matrix and the sample mask (`fmriprep_output.ts`).
 *
 * @module
 */
import type { FmriprepConfounds } from "./fmriprep_types.ts";
import type { ConfoundsTable } from "./fmriprep_tsv.ts";
import type { ResolvedOptions } from "./fmriprep_options.ts";
import { componentFrame, type Missing } from "./fmriprep_components.ts";
import { concatFrames, confoundsOutput, type Frame } from "./fmriprep_output.ts";
import { FmriprepFileError, MissingConfoundsError } from "./fmriprep_errors.ts";

/**
 * Whether the strategy uses ICA-AROMA "full" (the image must then be the
 * `desc-smoothAROMAnonaggr_bold` one).
 *
 * @param options resolved options.
 * @returns true for "ica_aroma" in the strategy with `icaAroma` "full".
 */
export function usesFullAroma(options: ResolvedOptions): boolean {
  return options.strategy.includes("ica_aroma") && options.icaAroma === "full";
}

/**
 * Confounds and sample mask of one run from its parsed confounds table and JSON sidecar.
 *
 * @param table the parsed confounds TSV.
 * @param json the parsed JSON sidecar, or null when there is none.
 * @param jsonFile the JSON sidecar's path (for messages).
 * @param options resolved options (`resolveOptions`).
 * @returns confounds (null for an empty strategy) and kept volumes (null: all).
 * @throws FmriprepFileError when anatomical CompCor has no JSON; MissingConfoundsError for
 *   confounds the strategy needs and the file lacks; RangeError/TypeError for bad options.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { selectConfounds } from "./fmriprep_select.ts";
 * import { parseFmriprepConfounds } from "./fmriprep_tsv.ts";
 * import { resolveOptions } from "./fmriprep_options.ts";
 * const table = parseFmriprepConfounds(
 *   "white_matter\tcsf\tnon_steady_state_outlier00\n1\t4\t1\n2\t5\t0\n3\t9\t0\n", "c.tsv");
 * const out = selectConfounds(table, null, "c.json", resolveOptions({ strategy: ["wm_csf"] }));
 * deepStrictEqual(out.sampleMask, [1, 2]);
 * deepStrictEqual(out.confounds?.columns, ["csf", "white_matter"]);
 * deepStrictEqual(Array.from(out.confounds?.data ?? []), [-3, -1.5, -2, -0.5, 2, 0.5]);
 * ```
 */
export function selectConfounds(
  table: ConfoundsTable,
  json: unknown,
  jsonFile: string,
  options: ResolvedOptions,
): FmriprepConfounds {
  const { strategy } = options;
  if (strategy.includes("compcor")) {
    if (typeof options.compcor !== "string") {
      throw new TypeError(`compcor: expected a string, found ${String(options.compcor)}`);
    }
    if (options.compcor.includes("anat") && (json === null || json === undefined)) {
      throw new FmriprepFileError(
        `could not find the associated JSON file ${jsonFile}; it is necessary for anatomical ` +
          `CompCor (fMRIPrep >= 1.4.0)`,
      );
    }
  }
  const params = { ...options, json: json ?? null, jsonFile };
  const missing: Missing = { columns: [], keywords: [] };
  const frames: Frame[] = [componentFrame(table, "non_steady_state", params, missing)];
  for (const component of strategy) frames.push(componentFrame(table, component, params, missing));
  if (missing.columns.length > 0 || missing.keywords.length > 0) {
    throw new MissingConfoundsError(table.file, missing.columns, missing.keywords);
  }
  const out = confoundsOutput(concatFrames(frames), options.demean, options.onWarning);
  return { confounds: strategy.length === 0 ? null : out.confounds, sampleMask: out.sampleMask };
}
