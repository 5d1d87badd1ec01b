/**
 * Reading back a time-series TSV written by niimask (`<stem>_timeseries.tsv`): the inverse of
 * `formatTimeseriesTsv`. Used when a group step needs runs that an earlier command wrote (e.g.
 * `--skip-existing` with the tangent kind).
 *
 * @module
 */
import type { Matrix } from "../types.ts";

/** A parsed time-series TSV. */
export interface TimeseriesTable {
  /** Header names, one per column. */
  readonly names: string[];
  /** (rows x columns) values. */
  readonly signals: Matrix;
}

function cell(text: string, path: string, row: number, col: number): number {
  if (text === "n/a") return NaN;
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  const v = text.trim() === "" ? NaN : Number(text);
  if (Number.isNaN(v)) {
    throw new SyntaxError(`${path}: row ${row + 2}, column ${col + 1}: "${text}" is not a number`);
  }
  return v;
}

/**
 * Parse a time-series TSV: a header row of names, then one row of numbers per volume (`n/a`,
 * `inf`, `-inf` accepted).
 *
 * @param text file content.
 * @param path file path, for error messages.
 * @returns names and signals.
 * @throws SyntaxError naming the file, row and column of a bad cell or a ragged row.
 * @example
 * ```ts
 * import { parseTimeseriesTsv } from "./timeseries_read.ts";
 * const t = parseTimeseriesTsv("a\tb\n1\t2.5\nn/a\t3\n", "x.tsv");
 * console.log(t.names, t.signals.shape); // ["a", "b"] [2, 2]
 * ```
 */
export function parseTimeseriesTsv(text: string, path: string): TimeseriesTable {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new SyntaxError(`${path}: empty file, expected a header row`);
  const names = lines[0]!.split("\t");
  const cols = names.length;
  const rows = lines.length - 1;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split("\t");
    if (cells.length !== cols) {
      throw new SyntaxError(
        `${path}: row ${r + 2} has ${cells.length} cells, the header has ${cols}`,
      );
    }
    for (let c = 0; c < cols; c++) data[r * cols + c] = cell(cells[c]!, path, r, c);
  }
  return { names, signals: { data, shape: [rows, cols] } };
}
