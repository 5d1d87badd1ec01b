/**
 * Pure selection of confound columns and derivation of a sample mask from one-hot outlier
 * columns (fMRIPrep's `motion_outlier00`, `non_steady_state_outlier00`, ...).
 *
 * @module
 */
import type { Matrix } from "../types.ts";

/** A confounds table: a matrix plus its column names (null when the file had no header). */
export interface ConfoundsTable extends Matrix {
  /** Column names, or null. */
  readonly columns: readonly string[] | null;
}

/** What a subject's confounds file contributes to extraction. */
export interface SelectedConfounds {
  /** Confounds to regress out (time x k), or null when no column is selected. */
  readonly confounds: Matrix | null;
  /** Names of the selected confound columns. */
  readonly columns: readonly string[];
  /** Indices (0-based, ascending) of the kept volumes, or null when nothing is censored. */
  readonly sampleMask: readonly number[] | null;
  /** Indices (0-based) of the censored volumes. */
  readonly censored: readonly number[];
  /** Names of the columns that defined the censoring. */
  readonly censorColumns: readonly string[];
}

/**
 * A whole-string matcher for a glob-like pattern: `*` any run of characters, `?` one character,
 * everything else literal.
 *
 * @param pattern e.g. `motion_outlier*`.
 * @returns the regular expression.
 * @example
 * ```ts
 * import { globToRegExp } from "./confounds_select.ts";
 * globToRegExp("trans_?").test("trans_x"); // true
 * ```
 */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (const ch of pattern) {
    if (ch === "*") re += ".*";
    else if (ch === "?") re += ".";
    else re += ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

function listNames(names: readonly string[]): string {
  return names.slice(0, 12).join(", ") + (names.length > 12 ? ", ..." : "");
}

function isGlob(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

/**
 * Select confound columns and censored volumes from a subject's confounds table.
 *
 * Columns matching `censorPatterns` define the sample mask (a volume with value 1 in any of them
 * is censored) and are never used as confounds. The confounds are then the columns named by
 * `columns` (in that order; a wildcard pattern expands to the matching columns in file order,
 * each column taken once), or every other column when `columns` is null.
 *
 * @param table the confounds table.
 * @param path the file, for error messages.
 * @param columns wanted columns (names or patterns), or null for all.
 * @param censorPatterns censoring column patterns, or null.
 * @returns the selection.
 * @throws RangeError when a named column is missing, a wildcard pattern of `columns` matches no
 *   column, no column matches `censorPatterns`, the file has no header but names are
 *   needed, a censoring column holds values other than 0/1, or every volume is censored.
 * @example
 * ```ts
 * import { selectConfounds } from "./confounds_select.ts";
 * const table = {
 *   data: Float64Array.from([0.1, 0, 0.2, 1, 0.3, 0]),
 *   shape: [3, 2] as [number, number],
 *   columns: ["trans_x", "motion_outlier00"],
 * };
 * const s = selectConfounds(table, "c.tsv", null, ["motion_outlier*"]);
 * console.log(s.sampleMask, s.columns); // [0, 2] ["trans_x"]
 * ```
 */
export function selectConfounds(
  table: ConfoundsTable,
  path: string,
  columns: readonly string[] | null,
  censorPatterns: readonly string[] | null,
): SelectedConfounds {
  const [rows, cols] = table.shape;
  const names = table.columns;
  if (names === null && (columns !== null || censorPatterns !== null)) {
    throw new RangeError(
      `confounds ${path}: the file has no header row, so columns cannot be selected by name`,
    );
  }
  const censorIdx: number[] = [];
  if (censorPatterns !== null) {
    const res = censorPatterns.map(globToRegExp);
    names!.forEach((n, i) => {
      if (res.some((re) => re.test(n))) censorIdx.push(i);
    });
    if (censorIdx.length === 0) {
      throw new RangeError(
        `confounds ${path}: no column matches --sample-mask-from-confounds ` +
          `${censorPatterns.join(",")}; the file has ${cols} columns: ${listNames(names!)}`,
      );
    }
  }
  const flagged = new Uint8Array(rows);
  for (const c of censorIdx) {
    for (let r = 0; r < rows; r++) {
      const v = table.data[r * cols + c]!;
      if (v === 1) flagged[r] = 1;
      else if (v !== 0) {
        throw new RangeError(
          `confounds ${path}: column '${names![c]}' matches --sample-mask-from-confounds but ` +
            `is not a 0/1 outlier column (row ${r + 1} holds ${v})`,
        );
      }
    }
  }
  const censored: number[] = [];
  const kept: number[] = [];
  for (let r = 0; r < rows; r++) (flagged[r] ? censored : kept).push(r);
  if (rows > 0 && kept.length === 0) {
    throw new RangeError(
      `confounds ${path}: every one of the ${rows} volumes is censored by ` +
        `--sample-mask-from-confounds`,
    );
  }
  const isCensor = new Set(censorIdx);
  let chosen: number[];
  if (columns === null) {
    chosen = Array.from({ length: cols }, (_, i) => i).filter((i) => !isCensor.has(i));
  } else {
    chosen = [];
    const taken = new Set<number>();
    for (const want of columns) {
      if (isGlob(want)) {
        const re = globToRegExp(want);
        if (!names!.some((n) => re.test(n))) {
          throw new RangeError(
            `confounds ${path}: the pattern '${want}' (--confound-columns) matches no column; ` +
              `the file has ${cols} columns: ${listNames(names!)}`,
          );
        }
        names!.forEach((n, i) => {
          if (re.test(n) && !isCensor.has(i) && !taken.has(i)) {
            taken.add(i);
            chosen.push(i);
          }
        });
      } else {
        const i = names!.indexOf(want);
        if (i < 0) {
          throw new RangeError(
            `confounds ${path}: no column '${want}' (--confound-columns); the file has ` +
              `${cols} columns: ${listNames(names!)}`,
          );
        }
        if (isCensor.has(i)) {
          throw new RangeError(
            `confounds ${path}: column '${want}' is both a confound (--confound-columns) and ` +
              `a censoring column (--sample-mask-from-confounds)`,
          );
        }
        if (!taken.has(i)) {
          taken.add(i);
          chosen.push(i);
        }
      }
    }
  }
  let confounds: Matrix | null = null;
  if (chosen.length > 0) {
    const k = chosen.length;
    const data = new Float64Array(rows * k);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) data[r * k + j] = table.data[r * cols + chosen[j]!]!;
    }
    confounds = { data, shape: [rows, k] };
  }
  return {
    confounds,
    columns: names === null ? chosen.map((i) => `column-${i}`) : chosen.map((i) => names[i]!),
    sampleMask: censored.length > 0 ? kept : null,
    censored,
    censorColumns: censorIdx.map((i) => names![i]!),
  };
}
