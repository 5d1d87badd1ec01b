/**
 * Confounds files: CSV or TSV (fMRIPrep's `desc-confounds_timeseries.tsv`), one row per volume,
 * one column per confound, with an optional header row of names.
 *
 * - Separator: tab if the first line has a tab, else comma, else semicolon; a line with none of
 *   them is split on runs of spaces (numpy `savetxt` / FSL `.par` style), or is one column.
 * - Header: the first row is a header when one of its fields is neither a number nor a
 *   missing-value token.
 * - Missing values (`n/a` as fMRIPrep writes in the first row of derivative columns, `NA`,
 *   `N/A`, `nan`, `NaN`, `null`, empty) read as NaN, as nilearn/pandas read them. `clean`
 *   throws if a NaN confound value is still present in a volume it uses (censor those volumes
 *   with a sample mask or fill them).
 *
 * @module
 */
import { parseDelimited } from "./delimited_text.ts";
import type { Matrix } from "../types.ts";

/** A matrix with optional column names (from a header row). */
export interface LabeledMatrix extends Matrix {
  /** Column names from the header row, or null when the file has none. */
  readonly columns: readonly string[] | null;
}

/** A confounds file that cannot be read as a numeric table. */
export class ConfoundsParseError extends Error {
  /**
   * Create the error.
   *
   * @param message what is wrong, naming the file.
   */
  constructor(message: string) {
    super(message);
    this.name = "ConfoundsParseError";
  }
}

const MISSING = new Set(["", "n/a", "na", "nan", "-nan", "null", "#n/a", "none"]);

/** A number, NaN for a missing-value token, or undefined when the field is not numeric. */
function parseField(field: string): number | undefined {
  const f = field.trim();
  if (MISSING.has(f.toLowerCase())) return NaN;
  const lower = f.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(f)) return undefined;
  return Number(f);
}

function detectDelimiter(firstLine: string): string | null {
  if (firstLine.includes("\t")) return "\t";
  if (firstLine.includes(",")) return ",";
  if (firstLine.includes(";")) return ";";
  return null;
}

/**
 * Parse the text of a confounds file.
 *
 * @param text file contents.
 * @param name file name, used in error messages.
 * @returns (volumes x confounds) values with the header's column names (or null).
 * @throws ConfoundsParseError naming the file, line, column and value that is wrong.
 * @example
 * ```ts
 * import { parseConfoundsTable } from "./confounds_file.ts";
 * const m = parseConfoundsTable("csf\twhite_matter\nn/a\t1.5\n0.25\t2\n", "conf.tsv");
 * // m.columns = ["csf", "white_matter"], m.shape = [2, 2], m.data[0] is NaN
 * ```
 */
export function parseConfoundsTable(text: string, name: string): LabeledMatrix {
  const body = text.replace(/^\uFEFF/, "");
  const lines = body.split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== "");
  if (first === undefined) throw new ConfoundsParseError(`${name}: the confounds file is empty`);
  const delimiter = detectDelimiter(first);
  let rows: string[][];
  if (delimiter === null) {
    rows = lines.filter((l) => l.trim() !== "").map((l) => l.trim().split(/\s+/));
  } else {
    try {
      rows = parseDelimited(body, { delimiter, trim: delimiter !== "\t" });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new ConfoundsParseError(`${name}: cannot parse as a delimited table: ${msg}`);
    }
  }
  if (rows.length === 0) throw new ConfoundsParseError(`${name}: the confounds file is empty`);
  const head = rows[0] as string[];
  const isHeader = head.some((f) => parseField(f) === undefined);
  const columns = isHeader ? head.map((f) => f.trim()) : null;
  const dataRows = isHeader ? rows.slice(1) : rows;
  const k = head.length;
  const data = new Float64Array(dataRows.length * k);
  const lineOffset = isHeader ? 2 : 1;
  dataRows.forEach((row, r) => {
    if (row.length !== k) {
      throw new ConfoundsParseError(
        `${name}: row ${r + lineOffset} has ${row.length} fields, expected ${k} (as in the ` +
          `first row)`,
      );
    }
    row.forEach((field, c) => {
      const v = parseField(field);
      if (v === undefined) {
        throw new ConfoundsParseError(
          `${name}: row ${r + lineOffset}, column ${c + 1}${columns ? ` (${columns[c]})` : ""}: ` +
            `${JSON.stringify(field)} is not a number`,
        );
      }
      data[r * k + c] = v;
    });
  });
  return { data, shape: [dataRows.length, k], columns };
}

/**
 * Read a confounds file (CSV/TSV, header row optional; see the module documentation).
 *
 * @param source file path or `file:` URL.
 * @returns (volumes x confounds) values with column names (or null).
 * @throws ConfoundsParseError for unreadable or malformed files, naming the file.
 * @example
 * ```ts ignore
 * import { readConfoundsFile } from "./confounds_file.ts";
 * const conf = await readConfoundsFile("sub-01_desc-confounds_timeseries.tsv");
 * ```
 */
export async function readConfoundsFile(source: string | URL): Promise<LabeledMatrix> {
  const name = source instanceof URL ? source.href : source;
  let text: string;
  try {
    text = await Deno.readTextFile(source);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new ConfoundsParseError(`${name}: cannot read the confounds file: ${msg}`);
  }
  return parseConfoundsTable(text, name);
}
