/**
 * Pure formatting of the time-series TSV and parsing of map labels.
 *
 * @module
 */
import type { Matrix } from "../types.ts";

/**
 * One TSV cell for a number: the shortest string that reads back to the same float64 (JS
 * `String(number)`), `n/a` for NaN (BIDS), `inf`/`-inf` for infinities.
 *
 * @param x the value.
 * @returns the cell text.
 * @example
 * ```ts
 * import { formatCell } from "./tsv.ts";
 * formatCell(0.1 + 0.2); // "0.30000000000000004"
 * ```
 */
export function formatCell(x: number): string {
  if (Number.isNaN(x)) return "n/a";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

/**
 * The TSV text of a (time x maps) signal matrix: a header row of map names, then one row per
 * volume, tab-separated, newline-terminated, full float64 precision.
 *
 * @param signals (volumes x maps) matrix.
 * @param names one name per column.
 * @returns the TSV text.
 * @throws RangeError when the number of names differs from the number of columns.
 * @example
 * ```ts
 * import { formatTimeseriesTsv } from "./tsv.ts";
 * formatTimeseriesTsv({ data: Float64Array.from([1, 2.5]), shape: [1, 2] }, ["a", "b"]);
 * // "a\tb\n1\t2.5\n"
 * ```
 */
export function formatTimeseriesTsv(signals: Matrix, names: readonly string[]): string {
  const [rows, cols] = signals.shape;
  if (names.length !== cols) {
    throw new RangeError(`TSV header: ${names.length} names for ${cols} columns`);
  }
  const lines: string[] = [names.join("\t")];
  const row: string[] = new Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) row[c] = formatCell(signals.data[r * cols + c]!);
    lines.push(row.join("\t"));
  }
  return lines.join("\n") + "\n";
}

/**
 * Default map names: `map-000`, `map-001`, ... (at least three digits).
 *
 * @param n number of maps.
 * @returns the names.
 * @example
 * ```ts
 * import { defaultMapNames } from "./tsv.ts";
 * defaultMapNames(2); // ["map-000", "map-001"]
 * ```
 */
export function defaultMapNames(n: number): string[] {
  const width = Math.max(3, String(Math.max(0, n - 1)).length);
  return Array.from({ length: n }, (_, i) => `map-${String(i).padStart(width, "0")}`);
}

/**
 * Parse a labels file: a TSV whose header has a `name` column (one row per map; a BIDS
 * `dseg.tsv` has `index` and `name`) or else a `label` column, or a plain list with one name per
 * line. Blank trailing lines are ignored.
 *
 * @param text file content.
 * @param path file path, for error messages.
 * @param nMaps number of maps the names must match, when known.
 * @returns the names, in map order.
 * @throws RangeError on a count mismatch, an empty or tab-containing name.
 * @example
 * ```ts
 * import { parseLabels } from "./tsv.ts";
 * parseLabels("index\tname\n0\tDMN\n1\tVIS\n", "labels.tsv", 2); // ["DMN", "VIS"]
 * ```
 */
export function parseLabels(text: string, path: string, nMaps?: number): string[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  if (lines.length === 0) throw new RangeError(`--labels ${path}: the file is empty`);
  let names: string[];
  const header = lines[0]!.split("\t").map((h) => h.trim());
  const col = header.includes("name") ? header.indexOf("name") : header.indexOf("label");
  if (header.length > 1 || col === 0 && lines.length > 1 && nMaps !== lines.length) {
    if (col < 0) {
      throw new RangeError(
        `--labels ${path}: a TSV with several columns needs a 'name' or 'label' column; found ` +
          `${header.map((h) => `'${h}'`).join(", ")}`,
      );
    }
    names = lines.slice(1).map((line, i) => {
      const cells = line.split("\t");
      const name = cells[col]?.trim() ?? "";
      if (name === "") {
        throw new RangeError(`--labels ${path}: row ${i + 2} has no name`);
      }
      return name;
    });
  } else {
    names = lines.map((l, i) => {
      const name = l.trim();
      if (name === "") throw new RangeError(`--labels ${path}: line ${i + 1} is empty`);
      return name;
    });
  }
  if (nMaps !== undefined && names.length !== nMaps) {
    throw new RangeError(
      `--labels ${path}: ${names.length} names for ${nMaps} maps (expected one name per map)`,
    );
  }
  return names;
}
