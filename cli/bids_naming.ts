/**
 * BIDS names of `niimask bids`: the entities of an fMRIPrep file name, and the output stem of a
 * run (`sub-L/[ses-S/]func/<entities>_atlas-NAME_desc-STRATEGY`). Pure string functions.
 *
 * @module
 */
import { baseName } from "./naming.ts";

/** The parts of a BIDS file name `key-value_..._suffix.ext`. */
export interface BidsName {
  /** `[key, value]` pairs in file-name order (e.g. `[["sub", "01"], ["task", "rest"]]`). */
  readonly entities: readonly (readonly [string, string])[];
  /** The suffix after the last entity (e.g. `bold`). */
  readonly suffix: string;
  /** The extension, from the first dot (e.g. `.nii.gz`). */
  readonly extension: string;
}

/**
 * Split a BIDS file name into entities, suffix and extension.
 *
 * @param path a path or file name, e.g. `sub-01/func/sub-01_task-rest_desc-preproc_bold.nii.gz`.
 * @returns the parts.
 * @throws RangeError when the name is not `key-value_..._suffix.ext` with a `sub` entity first.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBidsName } from "./bids_naming.ts";
 * const n = parseBidsName("sub-01_task-rest_desc-preproc_bold.nii.gz");
 * assert.deepEqual(n.entities, [["sub", "01"], ["task", "rest"], ["desc", "preproc"]]);
 * assert.equal(n.suffix, "bold");
 * ```
 */
export function parseBidsName(path: string): BidsName {
  const name = baseName(path);
  const dot = name.indexOf(".");
  const stem = dot < 0 ? name : name.slice(0, dot);
  const extension = dot < 0 ? "" : name.slice(dot);
  const parts = stem.split("_");
  const suffix = parts.pop() ?? "";
  const entities: [string, string][] = [];
  for (const part of parts) {
    const m = /^([A-Za-z0-9]+)-([A-Za-z0-9+]*)$/.exec(part);
    if (m === null) {
      throw new RangeError(`${path}: "${part}" is not a BIDS key-value entity`);
    }
    entities.push([m[1]!, m[2]!]);
  }
  if (entities[0]?.[0] !== "sub" || suffix === "" || suffix.includes("-")) {
    throw new RangeError(
      `${path}: not a BIDS file name (expected sub-<label>_..._<suffix>.<extension>)`,
    );
  }
  return { entities, suffix, extension };
}

/**
 * The value of an entity of a parsed name, or undefined.
 *
 * @param name a parsed name.
 * @param key the entity key, e.g. `ses`.
 * @returns its value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entity, parseBidsName } from "./bids_naming.ts";
 * assert.equal(entity(parseBidsName("sub-01_ses-2_bold.nii"), "ses"), "2");
 * ```
 */
export function entity(name: BidsName, key: string): string | undefined {
  return name.entities.find(([k]) => k === key)?.[1];
}

/**
 * The `desc` label of a denoising strategy (BIDS labels are alphanumeric): `ica_aroma` gives
 * `icaaroma`, the others their own name.
 *
 * @param strategy `simple`, `scrubbing`, `compcor` or `ica_aroma`.
 * @returns the label.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { strategyLabel } from "./bids_naming.ts";
 * assert.equal(strategyLabel("ica_aroma"), "icaaroma");
 * ```
 */
export function strategyLabel(strategy: string): string {
  return strategy.replace(/[^A-Za-z0-9]/g, "");
}

/**
 * The output stem of a run, relative to the output directory:
 * `sub-L/[ses-S/]func/<source entities>_atlas-NAME_desc-LABEL`. The source entities are those of
 * the preprocessed image (sub, ses, task, acq, ce, rec, dir, run, echo, space, res, ...) in
 * their order, without its `desc`. Append `_timeseries.tsv` / `_timeseries.json` for the files.
 *
 * @param source the run's preprocessed image path.
 * @param atlasName the atlas label (alphanumeric).
 * @param strategy the denoising strategy (`simple`, ...; see {@link strategyLabel}).
 * @returns the relative stem, `/`-separated.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bidsOutputStem } from "./bids_naming.ts";
 * assert.equal(
 *   bidsOutputStem("sub-01_ses-1_task-rest_space-MNI_res-2_desc-preproc_bold.nii.gz", "difumo", "simple"),
 *   "sub-01/ses-1/func/sub-01_ses-1_task-rest_space-MNI_res-2_atlas-difumo_desc-simple",
 * );
 * ```
 */
export function bidsOutputStem(source: string, atlasName: string, strategy: string): string {
  const name = parseBidsName(source);
  const kept = name.entities.filter(([k]) => k !== "desc").map(([k, v]) => `${k}-${v}`);
  const sub = entity(name, "sub")!;
  const ses = entity(name, "ses");
  const dir = ses === undefined ? `sub-${sub}/func` : `sub-${sub}/ses-${ses}/func`;
  return `${dir}/${kept.join("_")}_atlas-${atlasName}_desc-${strategyLabel(strategy)}`;
}

/**
 * Output stems of every run, checking that no two runs give the same stem (their outputs would
 * overwrite each other).
 *
 * @param sources the runs' image paths.
 * @param atlasName the atlas label.
 * @param strategy the denoising strategy.
 * @returns the stems, in the same order.
 * @throws RangeError naming the two clashing images.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bidsOutputStems } from "./bids_naming.ts";
 * assert.throws(() =>
 *   bidsOutputStems(
 *     ["a/sub-01_task-x_desc-preproc_bold.nii.gz", "b/sub-01_task-x_desc-smooth_bold.nii.gz"],
 *     "atlas", "simple",
 *   ), RangeError);
 * ```
 */
export function bidsOutputStems(
  sources: readonly string[],
  atlasName: string,
  strategy: string,
): string[] {
  const seen = new Map<string, string>();
  return sources.map((src) => {
    const stem = bidsOutputStem(src, atlasName, strategy);
    const other = seen.get(stem);
    if (other !== undefined) {
      throw new RangeError(
        `runs "${other}" and "${src}" both give the output ${stem}_timeseries.tsv: their ` +
          `outputs would overwrite each other (narrow the runs with --task/--run/--space)`,
      );
    }
    seen.set(stem, src);
    return stem;
  });
}
