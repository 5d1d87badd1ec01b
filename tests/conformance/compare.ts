/**
 * The comparison rule of the conformance cases (README.md / FUNCTIONS.md in
 * ../shared/conformance): shapes equal and `max|A - E| <= atol + rtol * max|E|`; affines within
 * 1e-6; columns up to sign for singular vectors.
 *
 * @module
 */

/** A case's tolerance. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** Outcome of one check: ok, or a reason saying what differs and by how much. */
export type Check = { ok: true } | { ok: false; reason: string };

/** Absolute tolerance of affine entries. */
export const AFFINE_TOL = 1e-6;

/** Format a number as the runner prints errors and tolerances (`3.12e-7`). */
export function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Shapes equal, entry by entry. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Largest absolute difference; a NaN/Inf in `a` that `e` does not have counts as Infinity.
 * Returns also the index of that largest difference.
 */
export function maxAbsDiff(
  a: ArrayLike<number>,
  e: ArrayLike<number>,
): { max: number; at: number } {
  let max = 0;
  let at = -1;
  for (let i = 0; i < e.length; i++) {
    const ai = a[i] ?? NaN;
    const ei = e[i] ?? NaN;
    let d = Math.abs(ai - ei);
    if (Number.isNaN(d)) {
      d = Object.is(ai, ei) || (Number.isNaN(ai) && Number.isNaN(ei)) ? 0 : Infinity;
    }
    if (d > max || at < 0) {
      max = d;
      at = i;
    }
  }
  return { max, at };
}

/** Largest absolute value (finite values only). */
export function maxAbs(e: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < e.length; i++) {
    const v = Math.abs(e[i] ?? 0);
    if (Number.isFinite(v) && v > m) m = v;
  }
  return m;
}

/** The README rule for one array: shapes equal, `max|A-E| <= atol + rtol * max|E|`. */
export function compareArrays(
  actual: { shape: readonly number[]; data: ArrayLike<number> },
  expected: { shape: readonly number[]; data: ArrayLike<number> },
  tol: Tolerance,
): Check {
  if (!sameShape(actual.shape, expected.shape)) {
    return {
      ok: false,
      reason: `shape ${shapeText(actual.shape)} != expected ${shapeText(expected.shape)}`,
    };
  }
  if (actual.data.length !== expected.data.length) {
    return {
      ok: false,
      reason: `result has ${actual.data.length} values for shape ${
        shapeText(actual.shape)
      }, expected ${expected.data.length}`,
    };
  }
  const allowed = tol.atol + tol.rtol * maxAbs(expected.data);
  const { max, at } = maxAbsDiff(actual.data, expected.data);
  if (max <= allowed) return { ok: true };
  const where = at >= 0
    ? ` (at flat index ${at}: got ${actual.data[at]}, expected ${expected.data[at]})`
    : "";
  return { ok: false, reason: `max|A-E| = ${fmt(max)} > tol ${fmt(allowed)}${where}` };
}

/**
 * Compare (rows x cols) C-order matrices column by column up to sign: each actual column is
 * flipped when that brings it closer to the expected column, then the README rule applies.
 */
export function compareUpToColumnSign(
  actual: { shape: readonly number[]; data: ArrayLike<number> },
  expected: { shape: readonly number[]; data: ArrayLike<number> },
  tol: Tolerance,
): Check {
  if (!sameShape(actual.shape, expected.shape) || expected.shape.length !== 2) {
    return compareArrays(actual, expected, tol);
  }
  const rows = expected.shape[0] ?? 0;
  const cols = expected.shape[1] ?? 0;
  const flipped = Float64Array.from(actual.data as ArrayLike<number>);
  for (let c = 0; c < cols; c++) {
    let same = 0;
    let opposite = 0;
    for (let r = 0; r < rows; r++) {
      const a = flipped[r * cols + c] ?? NaN;
      const e = expected.data[r * cols + c] ?? NaN;
      same = Math.max(same, Math.abs(a - e));
      opposite = Math.max(opposite, Math.abs(a + e));
    }
    if (opposite < same) {
      for (let r = 0; r < rows; r++) flipped[r * cols + c] = -(flipped[r * cols + c] ?? NaN);
    }
  }
  return compareArrays({ shape: actual.shape, data: flipped }, expected, tol);
}

/** Affines (flat, row-major) equal within {@link AFFINE_TOL} entry by entry. */
export function compareAffine(actual: ArrayLike<number>, expected: ArrayLike<number>): Check {
  if (actual.length !== expected.length) {
    return {
      ok: false,
      reason: `affine has ${actual.length} entries, expected ${expected.length}`,
    };
  }
  const { max, at } = maxAbsDiff(actual, expected);
  if (max <= AFFINE_TOL) return { ok: true };
  return {
    ok: false,
    reason: `affine entry ${at} differs: max|A-E| = ${fmt(max)} > tol ${fmt(AFFINE_TOL)} ` +
      `(got [${Array.from(actual).join(", ")}])`,
  };
}

/** One scalar relative to its own magnitude: `|a - e| <= atol + rtol * |e|`. */
export function compareScalar(
  name: string,
  actual: number,
  expected: number,
  tol: Tolerance,
): Check {
  if (Number.isNaN(expected) && Number.isNaN(actual)) return { ok: true };
  if (!Number.isFinite(expected) && actual === expected) return { ok: true };
  const allowed = tol.atol + tol.rtol * Math.abs(expected);
  const d = Math.abs(actual - expected);
  if (d <= allowed) return { ok: true };
  return {
    ok: false,
    reason: `${name}: got ${actual}, expected ${expected}: |A-E| = ${
      fmt(Number.isNaN(d) ? Infinity : d)
    } > tol ${fmt(allowed)}`,
  };
}

/** The first failing check, or ok. */
export function all(checks: Iterable<Check>): Check {
  for (const c of checks) if (!c.ok) return c;
  return { ok: true };
}
