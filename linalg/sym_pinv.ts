/**
 * Pseudo-inverse of a symmetric positive semi-definite matrix (e.g. a Gram matrix MᵀM): a
 * Cholesky (L D Lᵀ, no square roots: a diagonal matrix gets its exact reciprocals) inverse when
 * the matrix is well conditioned, else through its eigendecomposition with
 * small eigenvalues cut off (the minimum-norm least-squares answer).
 *
 * @module
 */
import { checkSquare } from "./check_square.ts";
import { ldlt, ldltInverse } from "./cholesky.ts";
import { symEig } from "./sym_eig.ts";

const EPS = 2 ** -52;

/**
 * Largest estimated condition number for which {@link symmetricPinv} keeps the Cholesky inverse
 * on the estimate alone. The estimate (power iterations) can only fall short of the true value,
 * by far less than the factor between this bound and the ratios that matter (1e6 for
 * refinement, 1 / (rows · eps) for rank). Above it, the exact eigenvalues decide (see
 * {@link CHOLESKY_MAX_EXACT_CONDITION}).
 */
export const CHOLESKY_MAX_CONDITION: number = 1e5;

/**
 * Largest exact condition number (from the eigenvalues) for which {@link symmetricPinv} keeps
 * the Cholesky inverse; its relative error is then about `condition * 2.2e-16`, as the
 * eigendecomposition's, and no eigenvalue is near the rank cut-off.
 */
export const CHOLESKY_MAX_EXACT_CONDITION: number = 1e8;

/** What {@link symmetricPinv} reports besides the pseudo-inverse. */
export interface PinvInfo {
  /**
   * Largest / smallest kept eigenvalue (1 when nothing is kept): exact up to rounding, except
   * on the Cholesky path when at most {@link CHOLESKY_MAX_CONDITION}, where it is estimated
   * (within a few percent).
   */
  condition: number;
  /** Which path computed the result. */
  method?: "cholesky" | "eigen";
}

/**
 * Pseudo-inverse of a symmetric positive semi-definite k x k matrix (row-major). Rows and
 * columns that are entirely zero (e.g. a map emptied by a mask) are left out and get zeros. The
 * rest is inverted through its Cholesky factor when it is positive definite with an estimated
 * condition number at most {@link CHOLESKY_MAX_CONDITION} (or an exact one, from its eigenvalues,
 * at most {@link CHOLESKY_MAX_EXACT_CONDITION}); otherwise through its
 * eigendecomposition, where eigenvalues at most `rows * eps * max` (LAPACK's least-squares
 * cut-off, squared scale) count as zero: the minimum-norm least-squares answer for
 * rank-deficient maps.
 *
 * @param g the matrix (k * k values, symmetric; not modified).
 * @param k its order.
 * @param rows number of rows of the least-squares system behind it (scales the cut-off).
 * @param info optional: receives the condition number and the path taken.
 * @returns the pseudo-inverse (k * k values, row-major, symmetric).
 * @throws TypeError when `g` does not hold k * k values.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { symmetricPinv } from "./sym_pinv.ts";
 * const info = { condition: 0 };
 * // A zero row and column (an empty map) stay zero; the rest is inverted.
 * const p = symmetricPinv(Float64Array.from([4, 0, 0, 0]), 2, 10, info);
 * deepStrictEqual([Array.from(p), info.condition], [[0.25, 0, 0, 0], 1]);
 * // Rank one: the minimum-norm answer.
 * const q = symmetricPinv(Float64Array.from([1, 1, 1, 1]), 2, 10);
 * deepStrictEqual(Array.from(q, (x) => Math.round(x * 1e12) / 1e12), [0.25, 0.25, 0.25, 0.25]);
 * ```
 */
export function symmetricPinv(
  g: Float64Array,
  k: number,
  rows: number,
  info?: PinvInfo,
): Float64Array {
  checkSquare(g, k, "symmetricPinv", "k");
  // Active indices: rows with some non-zero entry.
  const active: number[] = [];
  for (let i = 0; i < k; i++) {
    const row = i * k;
    for (let j = 0; j < k; j++) {
      if (g[row + j] !== 0) {
        active.push(i);
        break;
      }
    }
  }
  const n = active.length;
  const out = new Float64Array(k * k);
  if (n === 0) {
    if (info !== undefined) {
      info.condition = 1;
      info.method = "eigen";
    }
    return out;
  }
  const s = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const row = active[a]! * k;
    for (let b = 0; b < n; b++) s[a * n + b] = g[row + active[b]!]!;
  }
  const sub = choleskyPinv(s, n, rows) ?? eigenPinv(s, n, rows);
  if (info !== undefined) {
    info.condition = sub.condition;
    info.method = sub.method;
  }
  const inv = sub.inverse;
  for (let a = 0; a < n; a++) {
    const row = active[a]! * k;
    for (let b = 0; b < n; b++) out[row + active[b]!] = inv[a * n + b]!;
  }
  return out;
}

interface SubResult {
  inverse: Float64Array;
  condition: number;
  method: "cholesky" | "eigen";
}

/**
 * Cholesky inverse when positive definite and well conditioned (estimated, else exact from the
 * eigenvalues with no eigenvalue at the `rows * eps * max` cut-off), else null.
 */
function choleskyPinv(s: Float64Array, n: number, rows: number): SubResult | null {
  const f = ldlt(s, n);
  if (f === null) return null;
  const inverse = ldltInverse(f, n);
  const estimate = largestEigenvalue(s, n) * largestEigenvalue(inverse, n);
  if (estimate <= CHOLESKY_MAX_CONDITION) {
    return { inverse, condition: Math.max(1, estimate), method: "cholesky" };
  }
  // The estimate is a lower bound (Rayleigh quotients): above the exact bound, no need to look.
  if (!(estimate <= CHOLESKY_MAX_EXACT_CONDITION)) return null;
  const values = symEig(s, n, { vectors: false }).values;
  const min = values[0]!, max = values[n - 1]!;
  const cutoff = max * Math.max(rows, 1) * EPS;
  const condition = max / min;
  if (!(min > cutoff) || !(condition <= CHOLESKY_MAX_EXACT_CONDITION)) return null;
  return { inverse, condition, method: "cholesky" };
}

/**
 * Largest eigenvalue of a symmetric positive semi-definite matrix by power iteration (Rayleigh
 * quotient; a lower bound), from a fixed pseudo-random start so the result is deterministic.
 */
function largestEigenvalue(a: Float64Array, n: number): number {
  let x = new Float64Array(n);
  let y = new Float64Array(n);
  let seed = 0x2545f491;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    x[i] = 0.5 + seed / 2 ** 32; // positive entries: no cancellation with a positive top vector
  }
  normalize(x);
  let lambda = 0;
  for (let it = 0; it < 200; it++) {
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let acc = 0;
      for (let j = 0; j < n; j++) acc += a[row + j]! * x[j]!;
      y[i] = acc;
    }
    let rq = 0;
    for (let i = 0; i < n; i++) rq += x[i]! * y[i]!;
    const norm = normalize(y);
    if (norm === 0) return 0;
    [x, y] = [y, x];
    const done = it >= 10 && Math.abs(rq - lambda) <= 1e-6 * rq;
    lambda = rq;
    if (done) break;
  }
  return lambda;
}

function normalize(x: Float64Array): number {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i]! * x[i]!;
  const norm = Math.sqrt(ss);
  if (norm > 0) { for (let i = 0; i < x.length; i++) x[i] = x[i]! / norm; }
  return norm;
}

/** Pseudo-inverse through the eigendecomposition, eigenvalues <= rows * eps * max cut off. */
function eigenPinv(s: Float64Array, n: number, rows: number): SubResult {
  const { values, vectors } = symEig(s, n);
  const v = vectors!;
  const max = Math.max(0, values[n - 1]!);
  const cutoff = max * Math.max(rows, 1) * EPS;
  // Kept eigenvalues are the largest ones (values ascending): columns first..n-1.
  let first = n;
  while (first > 0 && values[first - 1]! > cutoff) first--;
  const condition = first === n ? 1 : max / values[first]!;
  // W = V_kept diag(1/λ) (row-major, kept columns only), then pinv = W V_keptᵀ.
  const m = n - first;
  const w = new Float64Array(n * m);
  const vk = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let e = 0; e < m; e++) {
      const x = v[i * n + first + e]!;
      vk[i * m + e] = x;
      w[i * m + e] = x / values[first + e]!;
    }
  }
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const wi = i * m;
    let j = 0;
    for (; j + 4 <= i + 1; j += 4) { // four rows of V_kept against row i of W
      const v0 = j * m, v1 = v0 + m, v2 = v1 + m, v3 = v2 + m;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let e = 0; e < m; e++) {
        const x = w[wi + e]!;
        s0 += x * vk[v0 + e]!;
        s1 += x * vk[v1 + e]!;
        s2 += x * vk[v2 + e]!;
        s3 += x * vk[v3 + e]!;
      }
      inverse[i * n + j] = inverse[j * n + i] = s0;
      inverse[i * n + j + 1] = inverse[(j + 1) * n + i] = s1;
      inverse[i * n + j + 2] = inverse[(j + 2) * n + i] = s2;
      inverse[i * n + j + 3] = inverse[(j + 3) * n + i] = s3;
    }
    for (; j <= i; j++) {
      const vj = j * m;
      let acc = 0;
      for (let e = 0; e < m; e++) acc += w[wi + e]! * vk[vj + e]!;
      inverse[i * n + j] = acc;
      inverse[j * n + i] = acc;
    }
  }
  return { inverse, condition, method: "eigen" };
}
