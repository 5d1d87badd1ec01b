/**
 * fMRIPrep's confounds TSV as nilearn reads it (`pandas.read_csv(sep="\t")`): the first line is
 * always the header, fields are tab-separated, pandas' missing-value tokens (`n/a`, `NaN`, empty,
 * ...) read as NaN, blank lines are skipped and short rows are padded with NaN. Then nilearn's
 * version checks: a camelCase header (fMRIPrep 1.0-1.1) or no header (older) is an error.
 *
 * @module
 */
import { FmriprepFileError } from "./fmriprep_errors.ts";

/** A confounds table held column by column. */
export interface ConfoundsTable {
  /** The file the table comes from (for messages). */
  readonly file: string;
  /** Column names in file order (duplicates renamed `x.1`, `x.2`, as pandas does). */
  readonly columns: readonly string[];
  /** Number of data rows (volumes). */
  readonly rows: number;
  /** One array of `rows` values per column. */
  readonly values: readonly Float64Array[];
}

// pandas' default na_values (case-sensitive, whole field).
const MISSING = new Set([
  "",
  "#N/A",
  "#N/A N/A",
  "#NA",
  "-1.#IND",
  "-1.#QNAN",
  "-NaN",
  "-nan",
  "1.#IND",
  "1.#QNAN",
  "<NA>",
  "N/A",
  "NA",
  "NULL",
  "NaN",
  "None",
  "n/a",
  "nan",
  "null",
]);

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function cellValue(field: string): number | undefined {
  if (MISSING.has(field)) return NaN;
  const f = field.trim();
  if (DECIMAL.test(f)) return Number(f);
  const lower = f.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") {
    return Infinity;
  }
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  return undefined;
}

/** Python's `float(s)` (undefined where it raises): what nilearn uses to detect a missing header. */
function pythonFloat(s: string): number | undefined {
  const f = s.trim();
  if (/^[+-]?(\d(_?\d)*\.?(\d(_?\d)*)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/.test(f)) {
    return Number(f.replaceAll("_", ""));
  }
  const lower = f.toLowerCase().replace(/^[+-]/, "");
  if (lower === "nan") return NaN;
  if (lower === "inf" || lower === "infinity") return f.startsWith("-") ? -Infinity : Infinity;
  return undefined;
}

/** Python's `str != str.lower() and str != str.upper() and "_" not in str`. */
function isCamelCase(s: string): boolean {
  return s !== s.toLowerCase() && s !== s.toUpperCase() && !s.includes("_");
}

function dedupeColumns(header: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((name) => {
    const n = seen.get(name);
    if (n === undefined) {
      seen.set(name, 0);
      return name;
    }
    let k = n + 1;
    while (seen.has(`${name}.${k}`)) k++;
    seen.set(name, k);
    seen.set(`${name}.${k}`, 0);
    return `${name}.${k}`;
  });
}

/**
 * Parse the text of an fMRIPrep confounds TSV and check its fMRIPrep version as nilearn does.
 *
 * @param text the file's contents.
 * @param file the file's name, used in error messages.
 * @returns the table, column by column.
 * @throws FmriprepFileError naming the file: empty file, camelCase header (fMRIPrep 1.0-1.1), no
 *   header (a numeric first row), a non-numeric value or a row with too many fields.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseFmriprepConfounds } from "./fmriprep_tsv.ts";
 * const t = parseFmriprepConfounds("csf\tframewise_displacement\n1.5\tn/a\n2\t0.1\n", "c.tsv");
 * deepStrictEqual([t.columns, t.rows, Array.from(t.values[1]!)], [
 *   ["csf", "framewise_displacement"],
 *   2,
 *   [NaN, 0.1],
 * ]);
 * ```
 */
export function parseFmriprepConfounds(text: string, file: string): ConfoundsTable {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l !== "");
  const headerLine = lines[0];
  if (headerLine === undefined) throw new FmriprepFileError(`${file}: the confounds file is empty`);
  const header = headerLine.split("\t");
  const camel = header.filter(isCamelCase);
  if (camel.length > 0) {
    throw new FmriprepFileError(
      `${file}: the confounds file's header is in camel case (${
        header.map((c) => `'${c}'`).join(", ")
      }); this is likely fMRIPrep 1.0.x or 1.1.x output, only fMRIPrep >= 1.2.0 is supported`,
    );
  }
  const first = pythonFloat(header[0] ?? "");
  if (first !== undefined && first !== 0) {
    throw new FmriprepFileError(
      `${file}: the confounds file has no header (its first row is numbers: ` +
        `${
          headerLine.slice(0, 80)
        }); is this an old fMRIPrep output? fMRIPrep >= 1.2.0 is supported`,
    );
  }
  const columns = dedupeColumns(header);
  const rows = lines.length - 1;
  const values = columns.map(() => new Float64Array(rows).fill(NaN));
  for (let r = 0; r < rows; r++) {
    const fields = (lines[r + 1] as string).split("\t");
    if (fields.length > columns.length) {
      throw new FmriprepFileError(
        `${file}: line ${r + 2} has ${fields.length} fields, expected ${columns.length} ` +
          `(as in the header)`,
      );
    }
    fields.forEach((field, c) => {
      const v = cellValue(field);
      if (v === undefined) {
        throw new FmriprepFileError(
          `${file}: line ${r + 2}, column ${columns[c]}: ${JSON.stringify(field)} is not a number`,
        );
      }
      (values[c] as Float64Array)[r] = v;
    });
  }
  return { file, columns, rows, values };
}
