/**
 * Cubic spline interpolation with "not-a-knot" end conditions (scipy's `CubicSpline` default):
 * a line through 2 knots, a parabola through 3, else a C2 cubic whose third derivative is
 * continuous at the second and second-to-last knots.
 *
 * @module
 */

/** Solve the 3x3 system `A s = b` (Gaussian elimination with partial pivoting). */
function solve3(A: number[][], b: number[]): number[] {
  const m = A.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) {
      if (Math.abs((m[r] as number[])[c] as number) > Math.abs((m[p] as number[])[c] as number)) {
        p = r;
      }
    }
    [m[c], m[p]] = [m[p] as number[], m[c] as number[]];
    const pr = m[c] as number[];
    for (let r = c + 1; r < 3; r++) {
      const row = m[r] as number[];
      const f = (row[c] as number) / (pr[c] as number);
      for (let j = c; j < 4; j++) row[j] = (row[j] as number) - f * (pr[j] as number);
    }
  }
  const s = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    const row = m[r] as number[];
    let v = row[3] as number;
    for (let j = r + 1; j < 3; j++) v -= (row[j] as number) * (s[j] as number);
    s[r] = v / (row[r] as number);
  }
  return s;
}

/** Derivatives at the knots of the not-a-knot spline through (x, y). */
function knotSlopes(x: Float64Array, y: Float64Array): Float64Array {
  const n = x.length;
  const dx = new Float64Array(n - 1);
  const slope = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) {
    dx[i] = (x[i + 1] as number) - (x[i] as number);
    slope[i] = ((y[i + 1] as number) - (y[i] as number)) / (dx[i] as number);
  }
  const s = new Float64Array(n);
  if (n === 2) {
    s[0] = slope[0] as number;
    s[1] = slope[0] as number;
    return s;
  }
  const d0 = dx[0] as number;
  const d1 = dx[1] as number;
  if (n === 3) {
    const sol = solve3(
      [[1, 1, 0], [d1, 2 * (d0 + d1), d0], [0, 1, 1]],
      [
        2 * (slope[0] as number),
        3 * (d0 * (slope[1] as number) + d1 * (slope[0] as number)),
        2 * (slope[1] as number),
      ],
    );
    s.set(sol);
    return s;
  }
  // tridiagonal system: lower[i] s[i-1] + diag[i] s[i] + upper[i] s[i+1] = rhs[i]
  const lower = new Float64Array(n);
  const diag = new Float64Array(n);
  const upper = new Float64Array(n);
  const rhs = new Float64Array(n);
  for (let i = 1; i < n - 1; i++) {
    lower[i] = dx[i] as number;
    diag[i] = 2 * ((dx[i - 1] as number) + (dx[i] as number));
    upper[i] = dx[i - 1] as number;
    rhs[i] = 3 * ((dx[i] as number) * (slope[i - 1] as number) +
      (dx[i - 1] as number) * (slope[i] as number));
  }
  const span0 = (x[2] as number) - (x[0] as number);
  diag[0] = d1;
  upper[0] = span0;
  rhs[0] = ((d0 + 2 * span0) * d1 * (slope[0] as number) + d0 * d0 * (slope[1] as number)) / span0;
  const dl = dx[n - 2] as number;
  const dl1 = dx[n - 3] as number;
  const spanL = (x[n - 1] as number) - (x[n - 3] as number);
  diag[n - 1] = dl1;
  lower[n - 1] = spanL;
  rhs[n - 1] =
    (dl * dl * (slope[n - 3] as number) + (2 * spanL + dl) * dl1 * (slope[n - 2] as number)) /
    spanL;
  // Thomas algorithm
  for (let i = 1; i < n; i++) {
    const f = (lower[i] as number) / (diag[i - 1] as number);
    diag[i] = (diag[i] as number) - f * (upper[i - 1] as number);
    rhs[i] = (rhs[i] as number) - f * (rhs[i - 1] as number);
  }
  s[n - 1] = (rhs[n - 1] as number) / (diag[n - 1] as number);
  for (let i = n - 2; i >= 0; i--) {
    s[i] = ((rhs[i] as number) - (upper[i] as number) * (s[i + 1] as number)) / (diag[i] as number);
  }
  return s;
}

/**
 * Evaluate the not-a-knot cubic spline through `(x, y)` at `at`.
 *
 * @param x knots, strictly increasing, at least 2.
 * @param y values at the knots.
 * @param at where to evaluate.
 * @param extrapolate evaluate outside `[x0, x_last]` with the end polynomials; else NaN there.
 * @returns the values at `at`.
 * @example
 * ```ts
 * import { cubicSpline } from "./cubic_spline.ts";
 * const v = cubicSpline(Float64Array.from([0, 1, 2, 3]), Float64Array.from([0, 1, 8, 27]),
 *   Float64Array.from([1.5]), true); // 3.375
 * ```
 */
export function cubicSpline(
  x: Float64Array,
  y: Float64Array,
  at: ArrayLike<number>,
  extrapolate: boolean,
): Float64Array {
  const n = x.length;
  if (n < 2) throw new RangeError(`cubic spline: expected at least 2 knots, found ${n}`);
  for (let i = 1; i < n; i++) {
    if (!((x[i] as number) > (x[i - 1] as number))) {
      throw new RangeError("cubic spline: knots must be strictly increasing");
    }
  }
  const s = knotSlopes(x, y);
  const out = new Float64Array(at.length);
  const x0 = x[0] as number;
  const xl = x[n - 1] as number;
  let i = 0;
  for (let m = 0; m < at.length; m++) {
    const p = at[m] as number;
    if (!extrapolate && (p < x0 || p > xl)) {
      out[m] = NaN;
      continue;
    }
    // interval i with x[i] <= p < x[i+1] (last interval closed), end intervals outside
    if (p < (x[i] as number)) i = 0;
    while (i < n - 2 && p >= (x[i + 1] as number)) i++;
    const h = (x[i + 1] as number) - (x[i] as number);
    const sl = ((y[i + 1] as number) - (y[i] as number)) / h;
    const t = ((s[i] as number) + (s[i + 1] as number) - 2 * sl) / h;
    const c0 = t / h;
    const c1 = (sl - (s[i] as number)) / h - t;
    const d = p - (x[i] as number);
    out[m] = (y[i] as number) + (s[i] as number) * d + c1 * d * d + c0 * d * d * d;
  }
  return out;
}
