/**
 * The last step of nilearn 0.11.1's `load_confounds`: from the selected columns to the confounds
 * matrix and the sample mask.
 *
 * - Columns whose name contains `motion_outlier` (scrubbing) or `non_steady_state` are one-hot
 *   outlier regressors: they leave the confounds and give the sample mask (the volumes where all
 *   are 0; null when there is none).
 * - The other columns are sorted as Python sorts strings (by code point).
 * - NaN in row 0 (fMRIPrep's `n/a` of derivatives) is replaced by row 1; other NaN stay.
 * - Demean: each column minus its mean over the kept volumes, ignoring NaN (a mean of nothing is
 *   NaN, so every value is NaN when every volume is removed).
 *
 * @module
 */
import type { LabeledMatrix } from "../signal/confounds_file.ts";
import type { WarningSink } from "../signal/warnings.ts";

/**
 * Selected columns: a pandas frame of `rows` rows (0 for nilearn's empty `DataFrame()`),
 * possibly with repeated names.
 */
export interface Frame {
  /** Rows (volumes), or 0 for an empty frame. */
  readonly rows: number;
  /** Column names. */
  readonly columns: readonly string[];
  /** One array of `rows` values per column. */
  readonly values: readonly Float64Array[];
}

/** The empty frame (`pandas.DataFrame()`). */
export const EMPTY_FRAME: Frame = { rows: 0, columns: [], values: [] };

/** Columns side by side (`pandas.concat(axis=1)`): rows are the largest of the parts. */
export function concatFrames(frames: readonly Frame[]): Frame {
  return {
    rows: Math.max(0, ...frames.map((f) => f.rows)),
    columns: frames.flatMap((f) => f.columns),
    values: frames.flatMap((f) => f.values),
  };
}

/** Python's string order (code points). */
export function pythonStringOrder(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = (ca[i] as string).codePointAt(0)! - (cb[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/** The columns of `frame` named `names` (sorted), every repeat of a name included. */
function pick(frame: Frame, names: readonly string[]): Float64Array[] {
  return names.flatMap((name) => frame.values.filter((_, i) => frame.columns[i] === name))
    .map((v) => Float64Array.from(v));
}

function pickNames(frame: Frame, names: readonly string[]): string[] {
  return names.flatMap((name) => frame.columns.filter((c) => c === name));
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  return a.every((x, i) => Object.is(x, b[i]) || x === b[i]);
}

/** Kept volumes from one-hot outlier columns, or null when there is none. */
function sampleMaskOf(outliers: readonly Float64Array[], rows: number): number[] | null {
  const distinct: Float64Array[] = [];
  for (const col of outliers) if (!distinct.some((d) => sameValues(d, col))) distinct.push(col);
  if (distinct.length === 0 || rows === 0) return null;
  const kept: number[] = [];
  for (let t = 0; t < rows; t++) {
    let sum = 0;
    for (const col of distinct) {
      const v = col[t] as number;
      if (!Number.isNaN(v)) sum += v;
    }
    if (sum === 0) kept.push(t);
  }
  return kept;
}

/** Mean of `v` at `rows` (all rows when null), ignoring NaN; compensated sum. */
function nanMean(v: Float64Array, rows: readonly number[] | null): number {
  let sum = 0;
  let comp = 0;
  let n = 0;
  const n0 = rows === null ? v.length : rows.length;
  for (let i = 0; i < n0; i++) {
    const x = v[rows === null ? i : rows[i] as number] as number;
    if (Number.isNaN(x)) continue;
    const t = sum + x;
    comp += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
    n++;
  }
  return n === 0 ? NaN : (sum + comp) / n;
}

function demeanColumns(columns: Float64Array[], sampleMask: number[] | null): void {
  const means = columns.map((c) => nanMean(c, sampleMask));
  columns.forEach((c, j) => c.forEach((x, i) => (c[i] = x - (means[j] as number))));
  if (sampleMask !== null) return;
  // sklearn's scale re-centres when the centred means are not within 1e-8 of 0.
  const again = columns.map((c) => nanMean(c, null));
  if (again.every((m) => Math.abs(m) <= 1e-8)) return;
  columns.forEach((c, j) => c.forEach((x, i) => (c[i] = x - (again[j] as number))));
}

/**
 * Confounds matrix and sample mask from the selected columns (see the module documentation).
 *
 * @param frame the selected columns, outlier regressors included.
 * @param demean subtract each column's mean over the kept volumes.
 * @param onWarning receives the warning when every volume is removed.
 * @returns the confounds (row-major, sorted names) and the kept volumes (null: all).
 * @throws RangeError when row 0 needs filling and the table has a single row.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { confoundsOutput } from "./fmriprep_output.ts";
 * const out = confoundsOutput({
 *   rows: 3,
 *   columns: ["x_derivative1", "non_steady_state_outlier00", "a"],
 *   values: [Float64Array.from([NaN, 2, 4]), Float64Array.from([1, 0, 0]),
 *     Float64Array.from([1, 1, 1])],
 * }, true, () => {});
 * deepStrictEqual(out.sampleMask, [1, 2]);
 * deepStrictEqual(out.confounds.columns, ["a", "x_derivative1"]);
 * deepStrictEqual(Array.from(out.confounds.data), [0, -1, 0, -1, 0, 1]); // x mean 3 over 1-2
 * ```
 */
export function confoundsOutput(
  frame: Frame,
  demean: boolean,
  onWarning: WarningSink,
): { confounds: LabeledMatrix; sampleMask: number[] | null } {
  const isOutlier = (c: string) => c.includes("motion_outlier") || c.includes("non_steady_state");
  const unique = [...new Set(frame.columns)].sort(pythonStringOrder);
  const outlierNames = unique.filter(isOutlier);
  const confoundNames = unique.filter((c) => !isOutlier(c));
  const sampleMask = sampleMaskOf(pick(frame, outlierNames), frame.rows);
  if (sampleMask !== null && sampleMask.length === 0) {
    onWarning(
      "All volumes were marked as motion outliers. This would lead to all volumes in the time " +
        "series to be scrubbed.",
    );
  }
  const columns = pick(frame, confoundNames);
  const names = pickNames(frame, confoundNames);
  const rows = frame.rows;
  if (columns.length > 0 && rows > 0) {
    if (columns.some((c) => Number.isNaN(c[0]))) {
      if (rows < 2) {
        throw new RangeError(
          `confounds: row 0 holds n/a and there is no row 1 to fill it from (1 volume)`,
        );
      }
      for (const c of columns) if (Number.isNaN(c[0])) c[0] = c[1] as number;
    }
    if (demean) demeanColumns(columns, sampleMask);
  }
  const k = columns.length;
  const data = new Float64Array(rows * k);
  columns.forEach((c, j) => c.forEach((x, t) => (data[t * k + j] = x)));
  return { confounds: { data, shape: [rows, k], columns: names }, sampleMask };
}
