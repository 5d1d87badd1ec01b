/**
 * Cholesky factorisation of a dense symmetric positive definite matrix, its solves and its
 * inverse. Plain row-major `Float64Array`s, loops over contiguous rows (dot products of rows of
 * the factor), no dependencies.
 *
 * @module
 */
import { checkSquare } from "./check_square.ts";

/**
 * Lower-triangular Cholesky factor L of a symmetric positive definite n x n matrix (A = L Lᵀ),
 * row-major with zeros above the diagonal; only the lower triangle of `a` is read. Returns null
 * when a pivot is not positive (the matrix is not numerically positive definite) or not finite.
 *
 * @param a the matrix, row-major, n * n values (not modified).
 * @param n its order.
 * @returns L (n * n values), or null.
 * @throws TypeError when `a` does not hold n * n values.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { cholesky } from "./cholesky.ts";
 * deepStrictEqual(Array.from(cholesky(Float64Array.from([4, 2, 2, 5]), 2)!), [2, 0, 1, 2]);
 * deepStrictEqual(cholesky(Float64Array.from([1, 2, 2, 1]), 2), null); // indefinite
 * ```
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  checkSquare(a, n, "cholesky");
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    // Row i left of the diagonal, four entries at a time: L[i,j] = (A[i,j] - Σ_{k<j} L[i,k]
    // L[j,k]) / L[j,j]; the four dot products share the reads of row i up to the block, then
    // the terms inside the block follow in order.
    let j = 0;
    for (; j + 4 <= i; j += 4) {
      const r0 = j * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = a[ri + j]!, s1 = a[ri + j + 1]!, s2 = a[ri + j + 2]!, s3 = a[ri + j + 3]!;
      for (let k = 0; k < j; k++) {
        const x = l[ri + k]!;
        s0 -= x * l[r0 + k]!;
        s1 -= x * l[r1 + k]!;
        s2 -= x * l[r2 + k]!;
        s3 -= x * l[r3 + k]!;
      }
      const x0 = s0 / l[r0 + j]!;
      s1 -= x0 * l[r1 + j]!;
      const x1 = s1 / l[r1 + j + 1]!;
      s2 -= x0 * l[r2 + j]! + x1 * l[r2 + j + 1]!;
      const x2 = s2 / l[r2 + j + 2]!;
      s3 -= x0 * l[r3 + j]! + x1 * l[r3 + j + 1]! + x2 * l[r3 + j + 2]!;
      l[ri + j] = x0;
      l[ri + j + 1] = x1;
      l[ri + j + 2] = x2;
      l[ri + j + 3] = s3 / l[r3 + j + 3]!;
    }
    for (; j < i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      l[ri + j] = s / l[rj + j]!;
    }
    let d = a[ri + i]!;
    for (let k = 0; k < i; k++) d -= l[ri + k]! * l[ri + k]!;
    if (!(d > 0) || !Number.isFinite(d)) return null;
    l[ri + i] = Math.sqrt(d);
  }
  return l;
}

/**
 * Solve A x = b given the Cholesky factor L of A (forward then back substitution).
 *
 * @param l the factor from {@link cholesky} (n x n, row-major).
 * @param n order.
 * @param b right-hand side (n values; not modified).
 * @returns x (n values).
 * @throws TypeError for wrong lengths.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { cholesky, choleskySolve } from "./cholesky.ts";
 * const l = cholesky(Float64Array.from([4, 2, 2, 5]), 2)!;
 * deepStrictEqual(Array.from(choleskySolve(l, 2, Float64Array.from([6, 7]))), [1, 1]);
 * ```
 */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  checkSquare(l, n, "choleskySolve");
  if (b.length !== n) {
    throw new TypeError(`choleskySolve: b must hold ${n} values, found ${b.length}`);
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * x[k]!;
    x[i] = s / l[ri + i]!;
  }
  // Lᵀ x = y, by columns of L (rows of Lᵀ): subtract x[i] * L[i, :i] once x[i] is known.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = x[i]! / l[ri + i]!;
    x[i] = xi;
    for (let k = 0; k < i; k++) x[k] = x[k]! - l[ri + k]! * xi;
  }
  return x;
}

/**
 * Inverse of a symmetric positive definite matrix from its Cholesky factor: A⁻¹ = L⁻ᵀ L⁻¹
 * (symmetric, both triangles filled).
 *
 * @param l the factor from {@link cholesky} (n x n, row-major).
 * @param n order.
 * @returns A⁻¹ (n * n values, row-major).
 * @throws TypeError for a wrong length.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { cholesky, choleskyInverse } from "./cholesky.ts";
 * const inv = choleskyInverse(cholesky(Float64Array.from([4, 0, 0, 16]), 2)!, 2);
 * deepStrictEqual(Array.from(inv), [0.25, 0, 0, 0.0625]);
 * ```
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  checkSquare(l, n, "choleskyInverse");
  // A⁻¹ = L⁻ᵀ L⁻¹ = U Uᵀ with U = L⁻ᵀ.
  return upperTimesTranspose(inverseTransposed(l, n, true), n, null);
}

/**
 * U = L⁻ᵀ (upper) for a lower-triangular L: row j of U is column j of L⁻¹, the forward
 * substitution L x = e_j, x_i = (δ_ij - Σ_{j<=k<i} L[i,k] x_k) / L[i,i] (no division when
 * `divide` is false: L has a unit diagonal). Dot products of rows of L with the rows of U being
 * built, four of them at a time so that each row of L is read once for the four.
 */
function inverseTransposed(l: Float64Array, n: number, divide: boolean): Float64Array {
  const u = new Float64Array(n * n);
  let j0 = 0;
  for (; j0 + 4 <= n; j0 += 4) {
    const r0 = j0 * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    for (let i = j0; i < n; i++) {
      const ri = i * n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = j0; k < i; k++) {
        const x = l[ri + k]!;
        s0 += x * u[r0 + k]!;
        s1 += x * u[r1 + k]!;
        s2 += x * u[r2 + k]!;
        s3 += x * u[r3 + k]!;
      }
      const inv = divide ? 1 / l[ri + i]! : 1; // times 1 is exact
      u[r0 + i] = ((i === j0 ? 1 : 0) - s0) * inv;
      if (i >= j0 + 1) u[r1 + i] = ((i === j0 + 1 ? 1 : 0) - s1) * inv;
      if (i >= j0 + 2) u[r2 + i] = ((i === j0 + 2 ? 1 : 0) - s2) * inv;
      if (i >= j0 + 3) u[r3 + i] = ((i === j0 + 3 ? 1 : 0) - s3) * inv;
    }
  }
  for (let j = j0; j < n; j++) {
    const rj = j * n;
    for (let i = j; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s += l[ri + k]! * u[rj + k]!;
      const x = (i === j ? 1 : 0) - s;
      u[rj + i] = divide ? x / l[ri + i]! : x;
    }
  }
  return u;
}

/**
 * U D⁻¹ Uᵀ for an upper-triangular U (D = I when `d` is null), both triangles filled:
 * (i, j) = Σ_{k >= i} (U[i,k] / D[k]) U[j,k] for j <= i, four rows j at a time against row i.
 */
function upperTimesTranspose(u: Float64Array, n: number, d: Float64Array | null): Float64Array {
  const out = new Float64Array(n * n);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = i; k < n; k++) t[k] = d === null ? u[ri + k]! : u[ri + k]! / d[k]!;
    let j = 0;
    for (; j + 4 <= i + 1; j += 4) {
      const r0 = j * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = i; k < n; k++) {
        const x = t[k]!;
        s0 += x * u[r0 + k]!;
        s1 += x * u[r1 + k]!;
        s2 += x * u[r2 + k]!;
        s3 += x * u[r3 + k]!;
      }
      out[ri + j] = s0;
      out[ri + j + 1] = s1;
      out[ri + j + 2] = s2;
      out[ri + j + 3] = s3;
    }
    for (; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += t[k]! * u[rj + k]!;
      out[ri + j] = s;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j]!;
  }
  return out;
}

/** Square-root-free Cholesky factors (see {@link ldlt}). */
export interface Ldlt {
  /** Unit lower-triangular factor, row-major n x n (ones on the diagonal, zeros above). */
  readonly l: Float64Array;
  /** The diagonal factor (n values, all positive). */
  readonly d: Float64Array;
}

/**
 * Square-root-free Cholesky factorisation A = L D Lᵀ of a symmetric positive definite matrix
 * (L unit lower-triangular, D diagonal); only the lower triangle of `a` is read. Returns null
 * when a pivot is not positive or not finite. Without square roots, a diagonal matrix gives
 * L = I and D = its diagonal exactly (and {@link ldltInverse} the exact reciprocals).
 *
 * @param a the matrix, row-major, n * n values (not modified).
 * @param n its order.
 * @returns the factors, or null.
 * @throws TypeError when `a` does not hold n * n values.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { ldlt } from "./cholesky.ts";
 * const f = ldlt(Float64Array.from([4, 2, 2, 5]), 2)!;
 * deepStrictEqual([Array.from(f.l), Array.from(f.d)], [[1, 0, 0.5, 1], [4, 4]]);
 * ```
 */
export function ldlt(a: Float64Array, n: number): Ldlt | null {
  checkSquare(a, n, "ldlt");
  const l = new Float64Array(n * n);
  const d = new Float64Array(n);
  const w = new Float64Array(n); // row i of L D, as it is computed
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    // L[i,j] D[j] = A[i,j] - Σ_{k<j} (L[i,k] D[k]) L[j,k]: four j at a time sharing the reads of
    // w, then the terms inside the block in order.
    let j = 0;
    for (; j + 4 <= i; j += 4) {
      const r0 = j * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = a[ri + j]!, s1 = a[ri + j + 1]!, s2 = a[ri + j + 2]!, s3 = a[ri + j + 3]!;
      for (let k = 0; k < j; k++) {
        const x = w[k]!;
        s0 -= x * l[r0 + k]!;
        s1 -= x * l[r1 + k]!;
        s2 -= x * l[r2 + k]!;
        s3 -= x * l[r3 + k]!;
      }
      w[j] = s0;
      s1 -= s0 * l[r1 + j]!;
      w[j + 1] = s1;
      s2 -= s0 * l[r2 + j]! + s1 * l[r2 + j + 1]!;
      w[j + 2] = s2;
      s3 -= s0 * l[r3 + j]! + s1 * l[r3 + j + 1]! + s2 * l[r3 + j + 2]!;
      w[j + 3] = s3;
    }
    for (; j < i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= w[k]! * l[rj + k]!;
      w[j] = s;
    }
    let di = a[ri + i]!;
    for (let k = 0; k < i; k++) {
      const lik = w[k]! / d[k]!;
      l[ri + k] = lik;
      di -= lik * w[k]!;
    }
    if (!(di > 0) || !Number.isFinite(di)) return null;
    d[i] = di;
    l[ri + i] = 1;
  }
  return { l, d };
}

/**
 * Inverse of a symmetric positive definite matrix from its {@link ldlt} factors:
 * A⁻¹ = L⁻ᵀ D⁻¹ L⁻¹ (symmetric, both triangles filled).
 *
 * @param f the factors.
 * @param n order.
 * @returns A⁻¹ (n * n values, row-major).
 * @throws TypeError for wrong lengths.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { ldlt, ldltInverse } from "./cholesky.ts";
 * const inv = ldltInverse(ldlt(Float64Array.from([2, 0, 0, 3]), 2)!, 2);
 * deepStrictEqual(Array.from(inv), [0.5, 0, 0, 1 / 3]);
 * ```
 */
export function ldltInverse(f: Ldlt, n: number): Float64Array {
  const { l, d } = f;
  checkSquare(l, n, "ldltInverse");
  if (d.length !== n) {
    throw new TypeError(`ldltInverse: d must hold ${n} values, found ${d.length}`);
  }
  // A⁻¹ = L⁻ᵀ D⁻¹ L⁻¹ = U D⁻¹ Uᵀ with U = L⁻ᵀ (unit upper).
  return upperTimesTranspose(inverseTransposed(l, n, false), n, d);
}
