/**
 * A small delimited-text (CSV/TSV) tokenizer in plain JavaScript: no `Buffer`, no Node APIs, so it
 * runs in Deno, Node and browsers alike. It reads what confounds files hold: one record per line
 * (`\n`, `\r\n` or `\r`), fields split on one delimiter character, RFC 4180 double-quoted fields
 * (a doubled quote inside is one quote; delimiters and line breaks inside are kept), quotes inside
 * an unquoted field kept as they are, empty lines skipped.
 *
 * @module
 */

/** Options of {@link parseDelimited}. */
export interface DelimitedOptions {
  /** The field delimiter: one character (`","`, `"\t"`, `";"`). */
  readonly delimiter: string;
  /** Remove spaces and tabs around each field (and around a quoted field's quotes). */
  readonly trim?: boolean;
}

/** A syntax error in delimited text, with the 1-based line where it was found. */
export class DelimitedSyntaxError extends Error {
  /** 1-based line of the error. */
  readonly line: number;
  /**
   * Create the error.
   *
   * @param message what is wrong.
   * @param line 1-based line number.
   */
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = "DelimitedSyntaxError";
    this.line = line;
  }
}

const isBlank = (c: string): boolean => c === " " || c === "\t";

/**
 * Split delimited text into records of string fields.
 *
 * @param text the whole text (a leading byte-order mark is the caller's to strip).
 * @param options the delimiter and whether to trim fields.
 * @returns one array of fields per non-empty record.
 * @throws DelimitedSyntaxError for an unclosed quoted field or text after a closing quote.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDelimited } from "./delimited_text.ts";
 * const rows = parseDelimited('a,"b,""c"""\r\n\n1, 2\n', { delimiter: ",", trim: true });
 * assert.deepEqual(rows, [["a", 'b,"c"'], ["1", "2"]]);
 * ```
 */
export function parseDelimited(text: string, options: DelimitedOptions): string[][] {
  const { delimiter } = options;
  if (typeof delimiter !== "string" || delimiter.length !== 1) {
    throw new TypeError(
      `parseDelimited: delimiter must be one character, got ${JSON.stringify(delimiter)}`,
    );
  }
  if (delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new RangeError(`parseDelimited: ${JSON.stringify(delimiter)} cannot be a delimiter`);
  }
  const trimBlank = options.trim === true; // never trims the delimiter itself
  const rows: string[][] = [];
  const n = text.length;
  let line = 1;
  let i = 0;
  let row: string[] = [];
  let rowIsEmpty = true; // the record so far is one unquoted empty field
  while (i <= n) {
    // One field starts at i.
    let j = i;
    if (trimBlank) { while (j < n && isBlank(text[j]!) && text[j] !== delimiter) j++; }
    let field: string;
    let quoted = false;
    if (j < n && text[j] === '"') {
      quoted = true;
      const startLine = line;
      let value = "";
      let k = j + 1;
      for (;;) {
        const q = text.indexOf('"', k);
        if (q < 0) {
          throw new DelimitedSyntaxError("quoted field is never closed", startLine);
        }
        const piece = text.slice(k, q);
        for (const ch of piece) if (ch === "\n") line++;
        value += piece;
        if (text[q + 1] === '"') {
          value += '"';
          k = q + 2;
        } else {
          k = q + 1;
          break;
        }
      }
      if (trimBlank) { while (k < n && isBlank(text[k]!) && text[k] !== delimiter) k++; }
      if (k < n && text[k] !== delimiter && text[k] !== "\n" && text[k] !== "\r") {
        throw new DelimitedSyntaxError(
          `unexpected ${JSON.stringify(text[k])} after a closing quote`,
          line,
        );
      }
      field = value;
      i = k;
    } else {
      let k = i;
      while (k < n && text[k] !== delimiter && text[k] !== "\n" && text[k] !== "\r") k++;
      field = text.slice(i, k);
      if (trimBlank) field = field.replace(/^[ \t]+|[ \t]+$/g, "");
      i = k;
    }
    row.push(field);
    if (quoted || field !== "" || row.length > 1) rowIsEmpty = false;
    // What ends the field: a delimiter, a line break or the end of the text.
    if (i < n && text[i] === delimiter) {
      i++;
      continue;
    }
    if (!rowIsEmpty) rows.push(row);
    row = [];
    rowIsEmpty = true;
    if (i >= n) break;
    i += text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1;
    line++;
    if (i === n) break;
  }
  return rows;
}
