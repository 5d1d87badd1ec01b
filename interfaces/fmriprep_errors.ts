/**
 * Errors of the fMRIPrep confounds interface. Wrong option types throw `TypeError`, unknown
 * option values `RangeError` (nilearn: ValueError or KeyError); these classes cover the files.
 *
 * @module
 */

/**
 * An fMRIPrep layout problem: no confounds file next to the image (or more than one), an image
 * name that does not fit the strategy, a missing or unreadable JSON sidecar, a confounds file of
 * an unsupported fMRIPrep version. The message names the file.
 */
export class FmriprepFileError extends Error {
  /**
   * Create the error.
   *
   * @param message what is wrong, naming the file.
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { FmriprepFileError } from "./fmriprep_errors.ts";
   * strictEqual(new FmriprepFileError("x.tsv: no header").name, "FmriprepFileError");
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "FmriprepFileError";
  }
}

/**
 * Confounds that the strategy needs and the file lacks: `columns` lists missing columns,
 * `keywords` the strategy components found nowhere in the file.
 */
export class MissingConfoundsError extends Error {
  /** Missing column names. */
  readonly columns: readonly string[];
  /** Strategy components with no column at all in the file. */
  readonly keywords: readonly string[];
  /**
   * Create the error.
   *
   * @param file the confounds file.
   * @param columns missing column names.
   * @param keywords strategy components with no column in the file.
   * @example
   * ```ts
   * import { deepStrictEqual } from "node:assert/strict";
   * import { MissingConfoundsError } from "./fmriprep_errors.ts";
   * const e = new MissingConfoundsError("c.tsv", ["trans_y"], ["global_signal"]);
   * deepStrictEqual([e.columns, e.keywords], [["trans_y"], ["global_signal"]]);
   * ```
   */
  constructor(file: string, columns: readonly string[], keywords: readonly string[]) {
    const parts: string[] = [];
    if (columns.length > 0) parts.push(`columns ${columns.map((c) => `'${c}'`).join(", ")}`);
    if (keywords.length > 0) {
      parts.push(`any column for ${keywords.map((k) => `'${k}'`).join(", ")}`);
    }
    super(
      `${file}: the confounds file lacks ${parts.join(" and ")} needed by the strategy; ` +
        `you may want to try a different denoising strategy`,
    );
    this.name = "MissingConfoundsError";
    this.columns = [...columns];
    this.keywords = [...keywords];
  }
}
