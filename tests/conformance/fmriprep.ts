/**
 * fMRIPrep confounds cases (`fmriprep/`, FUNCTIONS.md "fMRIPrep confounds cases"):
 * `interfaces.fmriprep.load_confounds` and `load_confounds_strategy`.
 *
 * @module
 */
import type { Check } from "./compare.ts";

/** A parsed fMRIPrep confounds case. */
export interface FmriprepCase {
  readonly name: string;
  readonly function: string;
  readonly args: Record<string, unknown>;
  readonly expect: unknown;
  readonly tolerance: { rtol: number; atol: number };
}

/** Run one fMRIPrep confounds case folder. */
export function runFmriprepCase(_dir: string, c: FmriprepCase): Promise<Check> {
  return Promise.resolve({ ok: false, reason: `${c.function} is not implemented yet` });
}
