/**
 * `loadConfounds` on file contents already in memory (any JS runtime, browsers included): the
 * same table logic without the file lookup.
 *
 * @module
 */
import type { FmriprepConfounds, LoadConfoundsOptions } from "./fmriprep_types.ts";
import { parseFmriprepConfounds } from "./fmriprep_tsv.ts";
import { resolveOptions } from "./fmriprep_options.ts";
import { selectConfounds } from "./fmriprep_select.ts";
import { confoundsJsonPath } from "./fmriprep_file_names.ts";

/** The confounds files' contents for `confoundsFromText`. */
export interface ConfoundsText {
  /** Text of the `desc-confounds_timeseries.tsv` (or 1.x `_regressors.tsv`). */
  readonly tsv: string;
  /** The parsed JSON sidecar, or null/absent when there is none (anatomical CompCor needs it). */
  readonly json?: unknown;
  /** The TSV's name, for messages (default "confounds.tsv"). */
  readonly tsvName?: string;
}

/**
 * Confounds and sample mask of one run from the contents of its fMRIPrep confounds files, with
 * `loadConfounds`' rules (the image name is not checked: there is none).
 *
 * @param files the TSV text, the parsed JSON sidecar and the TSV's name.
 * @param options as `loadConfounds`.
 * @returns confounds (null for an empty strategy) and kept volumes (null: all).
 * @throws as `loadConfounds`.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { confoundsFromText } from "./fmriprep_text.ts";
 * const tsv = "global_signal\tcsf\twhite_matter\n1\t2\t3\n3\t2\t5\n";
 * const out = confoundsFromText({ tsv }, { strategy: ["global_signal"], demean: false });
 * deepStrictEqual(out.confounds?.columns, ["global_signal"]);
 * deepStrictEqual(Array.from(out.confounds?.data ?? []), [1, 3]);
 * ```
 */
export function confoundsFromText(
  files: ConfoundsText,
  options: LoadConfoundsOptions = {},
): FmriprepConfounds {
  if (typeof files !== "object" || files === null || typeof files.tsv !== "string") {
    throw new TypeError(`confoundsFromText: expected { tsv: string, json?, tsvName? }`);
  }
  const resolved = resolveOptions(options);
  const name = files.tsvName ?? "confounds.tsv";
  const table = parseFmriprepConfounds(files.tsv, name);
  return selectConfounds(table, files.json ?? null, confoundsJsonPath(name), resolved);
}
