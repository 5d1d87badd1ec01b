/**
 * Library error messages rewritten for the command line: masker and cleaning fields
 * (`resamplingTarget "data"`, `lowPass`, `mapsImg`, ...) named as the CLI flags that set them
 * (`--resampling-target data`, `--low-pass`, `--maps`). Pure.
 *
 * @module
 */
import type { SubjectOutcome } from "../maskers/types.ts";
import { MASKER_FLAGS } from "./masker_flags.ts";

/**
 * Library fields and the flags that set them: the masker parameters and `clean` options of the
 * parameter table with a flag (camelCase fields only: plain words such as `memory` stay), and
 * the commands' image inputs.
 */
const FIELD_FLAGS: readonly (readonly [string, string])[] = [
  ...MASKER_FLAGS
    .map((f) => [f.cleanKey ?? f.param, f.spec.name] as const)
    .filter(([field]) => /[A-Z]/.test(field)),
  ["maskImg", "mask"],
  ["mapsImg", "maps"],
];

/**
 * Rewrite the library field names of a message as CLI flags.
 *
 * @param message an error message.
 * @param mapsFlag the flag of the maps (`maps` for extract, `atlas` for bids).
 * @returns the message with flags.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withFlagNames } from "./flag_names.ts";
 * assert.equal(
 *   withFlagNames('grids differ. Use resamplingTarget "data", "maps" or "mask".'),
 *   "grids differ. Use --resampling-target data, maps or mask.",
 * );
 * assert.equal(withFlagNames("resamplingTarget is null, so"), "--resampling-target is none, so");
 * ```
 */
export function withFlagNames(message: string, mapsFlag = "maps"): string {
  let m = message.replace(
    /\bresamplingTarget(:)? null\b/g,
    "--resampling-target none",
  ).replace(/\bresamplingTarget is null\b/g, "--resampling-target is none");
  m = m.replace(
    /\bresamplingTarget:? ("[a-z]+"(?:(?:, | or )"[a-z]+")*)/g,
    (_all, values: string) => `--resampling-target ${values.replaceAll('"', "")}`,
  );
  for (const [field, flag] of FIELD_FLAGS) {
    const name = field === "mapsImg" ? mapsFlag : flag;
    m = m.replace(new RegExp(`(?<![\\w-])${field}\\b`, "g"), `--${name}`);
  }
  return m;
}

/**
 * A subject's outcome with its error message rewritten by {@link withFlagNames} (the error's
 * name and cause kept).
 *
 * @param outcome a transform outcome.
 * @param mapsFlag the flag of the maps.
 * @returns the outcome, with a new error when the message changed.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outcomeWithFlagNames } from "./flag_names.ts";
 * const o = outcomeWithFlagNames({ ok: false, error: new RangeError("lowPass too high") });
 * assert.equal(!o.ok && o.error.message, "--low-pass too high");
 * ```
 */
export function outcomeWithFlagNames(outcome: SubjectOutcome, mapsFlag = "maps"): SubjectOutcome {
  if (outcome.ok) return outcome;
  const message = withFlagNames(outcome.error.message, mapsFlag);
  if (message === outcome.error.message) return outcome;
  const error = new Error(message, { cause: outcome.error.cause });
  error.name = outcome.error.name;
  return { ok: false, error };
}
