/**
 * Eigendecomposition of a dense real symmetric matrix: Householder reduction to tridiagonal form,
 * then implicit QL iterations with Wilkinson shifts, the eigenvectors accumulated. Plain
 * row-major `Float64Array`s, no dependencies (runs in any JS runtime).
 *
 * Where WebAssembly SIMD is available, the O(n³) loops run in the kernels of
 * `linalg/linalg_simd.wat` (`symEigSimd`), which give the same numbers bit for bit: every
 * entry gets the same multiplications and additions in the same order as in the JavaScript code
 * below, which remains the reference and the fallback.
 *
 * @module
 */
import { checkSquare } from "./check_square.ts";
import { type LinalgKernels, linalgKernels, rowStride } from "./linalg_simd.ts";

/** Result of {@link symEig}. */
export interface SymEig {
  /** The n eigenvalues, ascending. */
  readonly values: Float64Array;
  /**
   * The eigenvectors as the columns of an n x n row-major matrix V (`vectors[i * n + j]` is
   * component i of the eigenvector of `values[j]`): A = V diag(values) Vᵀ, VᵀV = I. Null when
   * they were not asked for.
   */
  readonly vectors: Float64Array | null;
}

/** Options of {@link symEig}. */
export interface SymEigOptions {
  /** Compute the eigenvectors too (default true); eigenvalues only are O(n²) after the reduction. */
  vectors?: boolean;
}

const EPS = 2 ** -52;

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors of a real symmetric n x n matrix.
 * Only the lower triangle of `a` is read (`a[i * n + j]` with j <= i); `a` is not modified.
 * Cost about 4/3 n³ for the reduction, plus about 4/3 n³ to form its orthogonal factor and
 * ~5 n³ for the QL rotations when eigenvectors are asked for.
 *
 * @param a the matrix, row-major, n * n values.
 * @param n its order (n >= 0).
 * @param options see {@link SymEigOptions}.
 * @returns eigenvalues ascending and eigenvectors as columns (see {@link SymEig}).
 * @throws TypeError when `a` does not hold n * n values; RangeError for a bad `n`, or an
 *   Error when the QL iterations do not converge (non-finite input).
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { symEig } from "./sym_eig.ts";
 * const { values, vectors } = symEig(Float64Array.from([2, 1, 1, 2]), 2);
 * deepStrictEqual(Array.from(values, (x) => Math.round(x * 1e12) / 1e12), [1, 3]);
 * // the eigenvector of 3 is (1, 1) / sqrt 2, in column 1
 * deepStrictEqual(Math.abs(vectors![0 * 2 + 1]! - vectors![1 * 2 + 1]!) < 1e-12, true);
 * ```
 */
export function symEig(a: Float64Array, n: number, options: SymEigOptions = {}): SymEig {
  checkSquare(a, n, "symEig");
  const wantVectors = options.vectors ?? true;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: wantVectors ? new Float64Array(0) : null };
  const stride = rowStride((n + 8) & ~7); // >= n + 1, a multiple of 8
  const kernels = n >= 2
    ? linalgKernels(simdBytes(stride, wantVectors ? rotationCapacity(n) : 0))
    : null;
  if (kernels !== null) return symEigSimd(a, n, wantVectors, kernels, stride);
  const work = Float64Array.from(a);
  const hv = wantVectors ? new Float64Array(n * n) : null;
  const beta = new Float64Array(n);
  tridiagonalize(work, n, d, e, hv, beta);
  let z: Float64Array | null = null;
  if (hv !== null) {
    z = work; // reuse: the reduced matrix is no longer needed
    formQ(hv, beta, n, z);
  }
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);
  const rotate = z === null
    ? null
    : (first: number, m: number) => applyRotations(z, n, cs, sn, first, m);
  tridiagonalQL(d, e, n, cs, sn, rotate);
  return sortAscending(d, z, n);
}

/**
 * Householder vector of x (x_i = `x[off + i * stride]`, i = k1..n-1) into `v[k1..n)`, scaled to
 * avoid overflow: `out[0]` gets the sub-diagonal entry, `out[1]` the factor b of
 * H = I - b v vᵀ (0 when x needs no reflection; v is then not written).
 */
function householder(
  x: Float64Array,
  off: number,
  stride: number,
  k1: number,
  n: number,
  v: Float64Array,
  out: Float64Array,
): void {
  let scale = 0;
  for (let i = k1; i < n; i++) scale = Math.max(scale, Math.abs(x[off + i * stride]!));
  let tail = 0;
  for (let i = k1 + 1; i < n; i++) tail += x[off + i * stride]! ** 2;
  const x0 = x[off + k1 * stride]!;
  if (scale === 0 || tail === 0) {
    // Already reduced: no reflection.
    out[0] = x0;
    out[1] = 0;
    return;
  }
  let ss = 0;
  for (let i = k1; i < n; i++) {
    const xi = x[off + i * stride]! / scale;
    v[i] = xi;
    ss += xi * xi;
  }
  const norm = Math.sqrt(ss);
  const alpha = v[k1]! > 0 ? -norm : norm;
  v[k1] = v[k1]! - alpha;
  // vᵀv = ss - 2 alpha x0 + alpha² = 2 (ss - alpha x0') with x0' the scaled x0.
  const vtv = 2 * (ss - alpha * (x0 / scale));
  out[0] = alpha * scale;
  out[1] = 2 / vtv;
}

/** From p = A22 v: p = b p, then w = p - (b/2)(pᵀv) v into `p[k1..n)`. */
function rank2Vector(p: Float64Array, v: Float64Array, b: number, k1: number, n: number): void {
  let pv = 0;
  for (let i = k1; i < n; i++) {
    p[i] = p[i]! * b;
    pv += p[i]! * v[i]!;
  }
  const kk = 0.5 * b * pv;
  for (let i = k1; i < n; i++) p[i] = p[i]! - kk * v[i]!;
}

/**
 * Householder reduction of the symmetric matrix `w` (lower triangle used, destroyed) to
 * tridiagonal form T = Qᵀ A Q: diagonal `d`, sub-diagonal `e[i]` between i and i + 1. The
 * reflector of step k (acting on indices k+1..n-1) is stored in row k of `hv` with `beta[k]`:
 * H = I - beta v vᵀ.
 */
function tridiagonalize(
  w: Float64Array,
  n: number,
  d: Float64Array,
  e: Float64Array,
  hv: Float64Array | null,
  beta: Float64Array,
): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  const h = new Float64Array(2);
  for (let k = 0; k < n - 2; k++) {
    const k1 = k + 1;
    d[k] = w[k * n + k]!;
    // x = column k below the diagonal (lower triangle: row i, column k).
    householder(w, k, n, k1, n, v, h);
    e[k] = h[0]!;
    const b = h[1]!;
    beta[k] = b;
    if (b === 0) continue;
    // p = b A22 v, with A22 symmetric held in its lower triangle.
    for (let i = k1; i < n; i++) p[i] = 0;
    for (let i = k1; i < n; i++) {
      const row = i * n;
      const vi = v[i]!;
      let s = 0;
      for (let j = k1; j < i; j++) {
        const aij = w[row + j]!;
        s += aij * v[j]!;
        p[j] = p[j]! + aij * vi;
      }
      p[i] = p[i]! + s + w[row + i]! * vi;
    }
    // w = b p - (b/2)(b pᵀv) v, then A22 -= v wᵀ + w vᵀ (lower triangle).
    rank2Vector(p, v, b, k1, n);
    for (let i = k1; i < n; i++) {
      const row = i * n;
      const vi = v[i]!, wi = p[i]!;
      for (let j = k1; j <= i; j++) w[row + j] = w[row + j]! - (vi * p[j]! + wi * v[j]!);
    }
    if (hv !== null) {
      const row = k * n;
      for (let i = k1; i < n; i++) hv[row + i] = v[i]!;
    }
  }
  if (n >= 2) {
    d[n - 2] = w[(n - 2) * n + n - 2]!;
    e[n - 2] = w[(n - 1) * n + n - 2]!;
  }
  d[n - 1] = w[(n - 1) * n + n - 1]!;
  e[n - 1] = 0;
}

/** Q = H_0 H_1 ... H_{n-3} into `q` (row-major), accumulated backwards. */
function formQ(hv: Float64Array, beta: Float64Array, n: number, q: Float64Array): void {
  q.fill(0);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const u = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const b = beta[k]!;
    if (b === 0) continue;
    const k1 = k + 1;
    const vrow = k * n;
    // u = vᵀ Q[k1:, k1:], then Q[k1:, k1:] -= b v uᵀ (zero terms included, as in the
    // WebAssembly kernel: every entry gets the same operations).
    for (let j = k1; j < n; j++) u[j] = 0;
    for (let i = k1; i < n; i++) {
      const vi = hv[vrow + i]!;
      const row = i * n;
      for (let j = k1; j < n; j++) u[j] = u[j]! + vi * q[row + j]!;
    }
    for (let i = k1; i < n; i++) {
      const f = b * hv[vrow + i]!;
      const row = i * n;
      for (let j = k1; j < n; j++) q[row + j] = q[row + j]! - f * u[j]!;
    }
  }
}

/**
 * Eigenvalues of the symmetric tridiagonal (d, e) by implicit QL with Wilkinson shifts, into
 * `d`; `e` is destroyed. Each sweep's rotations i = m-1 down to `first` (cosines `cs[i]`, sines
 * `sn[i]`) are handed to `rotate(first, m)`, which applies them to the columns of the matrix of
 * eigenvectors (they do not depend on it, so it may also defer them, in order).
 *
 * An off-diagonal e[m] is negligible when it is below eps times its two diagonal neighbours or
 * below eps times the norm of the tridiagonal (its largest Gershgorin bound): rounding in a
 * sweep leaves off-diagonals of about eps times the largest entries it touches, so within a
 * large cluster of small equal eigenvalues (a shrunk rank-deficient covariance) the neighbour
 * test alone can never be met. Setting such an e[m] to 0 perturbs the matrix by at most eps
 * times its norm, the accuracy of the Householder reduction anyway (as EISPACK's tql2).
 */
function tridiagonalQL(
  d: Float64Array,
  e: Float64Array,
  n: number,
  cs: Float64Array,
  sn: Float64Array,
  rotate: ((first: number, m: number) => void) | null,
): void {
  const maxIter = 50;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const bound = Math.abs(d[i]!) + Math.abs(e[i]!) + (i > 0 ? Math.abs(e[i - 1]!) : 0);
    if (bound > norm) norm = bound;
  }
  const tiny = EPS * norm;
  for (let l = 0; l < n; l++) {
    for (let iter = 0;; iter++) {
      // Smallest m >= l with a negligible e[m] (m = n-1: e[n-1] = 0).
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        const em = Math.abs(e[m]!);
        if (em <= EPS * dd || em <= tiny) break;
      }
      if (m === l) break;
      if (iter >= maxIter) {
        throw new Error(
          `symEig: no convergence after ${maxIter} QL iterations (non-finite input?)`,
        );
      }
      // Wilkinson shift from the leading 2x2 block.
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1, c = 1, p = 0;
      let i = m - 1;
      let first = l; // lowest rotation index applied in this sweep
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] = d[i + 1]! - p;
          e[m] = 0;
          underflow = true;
          first = i + 1;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        cs[i] = c;
        sn[i] = s;
      }
      if (rotate !== null && first <= m - 1) rotate(first, m);
      if (underflow) continue;
      d[l] = d[l]! - p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/**
 * Apply the rotations i = m-1 down to `first` (columns i, i+1) to every row of z; within a row
 * the chain moves down one column at a time, so the carried value stays in a register.
 */
function applyRotations(
  z: Float64Array,
  n: number,
  cs: Float64Array,
  sn: Float64Array,
  first: number,
  m: number,
): void {
  // Four rows at a time: their chains are independent, so the multiply-adds overlap.
  let row = 0;
  for (const end4 = n * (n - (n % 4)); row < end4; row += 4 * n) {
    const r1 = row + n, r2 = row + 2 * n, r3 = row + 3 * n;
    let c0 = z[row + m]!, c1 = z[r1 + m]!, c2 = z[r2 + m]!, c3 = z[r3 + m]!;
    for (let i = m - 1; i >= first; i--) {
      const c = cs[i]!, s = sn[i]!;
      const z0 = z[row + i]!, z1 = z[r1 + i]!, z2 = z[r2 + i]!, z3 = z[r3 + i]!;
      z[row + i + 1] = s * z0 + c * c0;
      z[r1 + i + 1] = s * z1 + c * c1;
      z[r2 + i + 1] = s * z2 + c * c2;
      z[r3 + i + 1] = s * z3 + c * c3;
      c0 = c * z0 - s * c0;
      c1 = c * z1 - s * c1;
      c2 = c * z2 - s * c2;
      c3 = c * z3 - s * c3;
    }
    z[row + first] = c0;
    z[r1 + first] = c1;
    z[r2 + first] = c2;
    z[r3 + first] = c3;
  }
  for (; row < n * n; row += n) {
    let carry = z[row + m]!;
    for (let i = m - 1; i >= first; i--) {
      const zi = z[row + i]!;
      const c = cs[i]!, s = sn[i]!;
      z[row + i + 1] = s * zi + c * carry;
      carry = c * zi - s * carry;
    }
    z[row + first] = carry;
  }
}

/** Indices of the eigenvalues in ascending order (stable). */
function ascendingOrder(d: Float64Array, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => d[i]! - d[j]! || i - j);
  return order;
}

/** Sort eigenvalues ascending (stable) and permute the eigenvector columns alike. */
function sortAscending(d: Float64Array, z: Float64Array | null, n: number): SymEig {
  const order = ascendingOrder(d, n);
  const values = Float64Array.from(order, (i) => d[i]!);
  if (z === null) return { values, vectors: null };
  let sorted = true;
  for (let j = 0; j < n; j++) if (order[j] !== j) sorted = false;
  if (sorted) return { values, vectors: z };
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    const row = r * n;
    for (let j = 0; j < n; j++) vectors[row + j] = z[row + order[j]!]!;
  }
  return { values, vectors };
}

/**
 * Columns of Q per strip of the WebAssembly formation of Q (n * 64 values stay in cache; the
 * kernel's row pitch is 512 bytes, and `i >> 6` below).
 */
const FORMQ_STRIP = 64;

/** Rotations held before they are applied in one pass over Z (at least one sweep's worth). */
function rotationCapacity(n: number): number {
  return Math.max(1 << 15, n);
}

/**
 * Bytes of the kernels' memory for order n with row stride `stride`: A (then the reflectors,
 * then Z in strips), Q when `rotations` > 0, four vectors, and the rotation buffer with its sweep
 * table.
 */
function simdBytes(stride: number, rotations: number): number {
  const square = qSize(stride) * 8;
  return (rotations > 0 ? 2 : 1) * square + 4 * stride * 8 + rotations * 16 + rotations * 8;
}

/** Values of each of the two matrix areas: A (n x stride) and Q in strips of 64 columns. */
function qSize(stride: number): number {
  return Math.max(stride * stride, stride * (Math.ceil(stride / FORMQ_STRIP) * FORMQ_STRIP));
}

/**
 * {@link symEig} with the WebAssembly kernels, the same numbers as the JavaScript path:
 * - the reduction works on the full symmetric matrix (row k doubles as column k, the upper
 *   triangle's updates are the lower one's with the two products added the other way round, and
 *   p = A22 v summed row by row over A in ascending order is exactly the sum the lower-triangle
 *   code forms for each entry); step k's update shares its pass over A with step k+1's p;
 * - Q is formed by column strips (columns do not interact), each strip through every reflector
 *   with the same two passes as {@link formQ};
 * - the QL rotations (they do not depend on Z) are batched and applied to Z held in strips of
 *   eight components, each strip through every batched sweep: each component sees the same
 *   rotations in the same order as a row of Z in {@link applyRotations}.
 */
function symEigSimd(
  a: Float64Array,
  n: number,
  wantVectors: boolean,
  k: LinalgKernels,
  s: number,
): SymEig {
  const square = qSize(s);
  const capacity = wantVectors ? rotationCapacity(n) : 0;
  const aOff = 0;
  const qOff = wantVectors ? square : 0;
  const vOff = (wantVectors ? 2 : 1) * square;
  const pOff = vOff + s, uOff = pOff + s;
  const rotsOff = uOff + 2 * s; // float64 index
  const hdrByte = (rotsOff + 2 * capacity) * 8;
  const buf = k.memory.buffer;
  const mem = new Float64Array(buf, 0, rotsOff + 2 * capacity);
  const hdr = new Int32Array(buf, hdrByte, 2 * capacity);
  const w = mem.subarray(aOff, aOff + square);
  w.fill(0);
  mem.fill(0, vOff, rotsOff); // the vectors' padding stays zero
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = a[i * n + j]!;
      w[i * s + j] = x;
      w[j * s + i] = x;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const beta = new Float64Array(n);
  // Two reflector / p buffers: step k's update runs in the same pass over A as step k+1's
  // p = A22 v (the rows from k+2 on; row k+1, which gives step k+1's reflector, first).
  let vCur = vOff, pCur = pOff, vNext = uOff, pNext = uOff + s;
  let h = new Float64Array(2), hNext = new Float64Array(2);
  let haveNext = false, haveP = false;
  for (let kk = 0; kk < n - 2; kk++) {
    const k1 = kk + 1;
    d[kk] = w[kk * s + kk]!;
    const v = mem.subarray(vCur, vCur + s);
    if (!haveNext) householder(w, kk * s, 1, k1, n, v, h); // row kk = column kk
    e[kk] = h[0]!;
    const b = h[1]!;
    beta[kk] = b;
    haveNext = false;
    if (b === 0) {
      haveP = false;
      continue;
    }
    if (!haveP) k.gemv_t(aOff * 8, s, vCur * 8, k1, n, pCur * 8);
    rank2Vector(mem.subarray(pCur, pCur + s), v, b, k1, n);
    k.syr2(aOff * 8, s, vCur * 8, pCur * 8, k1, n, k1, k1 + 1, 0, 0); // row k1 only
    haveP = false;
    if (k1 < n - 2) {
      householder(w, k1 * s, 1, k1 + 1, n, mem.subarray(vNext, vNext + s), hNext);
      haveNext = true;
      haveP = hNext[1]! !== 0;
    }
    // rows from k + 2 on: their column k + 1 is never read again, so from column k + 2
    const x2 = haveP ? vNext * 8 : 0;
    k.syr2(aOff * 8, s, vCur * 8, pCur * 8, k1 + 1, n, k1 + 1, n, x2, pNext * 8);
    w.set(v.subarray(k1, n), kk * s + k1); // the reflector, in the row no longer needed
    [vCur, vNext, pCur, pNext, h, hNext] = [vNext, vCur, pNext, pCur, hNext, h];
  }
  d[n - 2] = w[(n - 2) * s + n - 2]!;
  e[n - 2] = w[(n - 2) * s + n - 1]!; // row n-2 (column n-2 of row n-1 is stale)
  d[n - 1] = w[(n - 1) * s + n - 1]!;
  e[n - 1] = 0;
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);
  if (!wantVectors) {
    tridiagonalQL(d, e, n, cs, sn, null);
    return sortAscending(d, null, n);
  }
  // Q = H_0 ... H_{n-3}, accumulated backwards (as formQ), in strips of 64 columns: strip c
  // holds columns 64c .. 64c+63 of row i at 64 (c n + i) .., contiguous (rows 512 bytes apart).
  const qStrips = Math.ceil(n / FORMQ_STRIP);
  const q = mem.subarray(qOff, qOff + qStrips * n * FORMQ_STRIP);
  q.fill(0);
  for (let i = 0; i < n; i++) q[((i >> 6) * n + i) * FORMQ_STRIP + (i & 63)] = 1;
  // Each strip through every reflector while it stays in cache.
  const betaOff = uOff; // the reduction's vectors are no longer needed
  mem.set(beta, betaOff);
  const scratch = (betaOff + s) * 8;
  for (let c = 0; c < qStrips; c++) {
    const j0 = c * FORMQ_STRIP, qs = (qOff + c * n * FORMQ_STRIP) * 8;
    k.formq(qs, s, aOff * 8, betaOff * 8, n, j0, Math.min(n, j0 + FORMQ_STRIP), scratch);
  }
  // Z = Q into A's place in strips of eight components (rows of Z): strip t holds components
  // 8t .. 8t+7 of column j at 8 (t n + j) .. + 7, a contiguous block per strip; padding zero.
  const zs = w;
  const strips = (n + 7) >> 3;
  zs.fill(0, 0, strips * n * 8);
  for (let t = 0; t < strips; t++) {
    const lanes = Math.min(8, n - 8 * t), base = t * n * 8;
    for (let l = 0; l < lanes; l++) {
      const i = 8 * t + l;
      for (let c = 0; c < qStrips; c++) {
        const from = (c * n + i) * FORMQ_STRIP, j0 = c * FORMQ_STRIP;
        const width = Math.min(FORMQ_STRIP, n - j0);
        for (let jj = 0; jj < width; jj++) zs[base + (j0 + jj) * 8 + l] = q[from + jj]!;
      }
    }
  }
  let count = 0, sweeps = 0;
  const flush = () => {
    // in a few calls over the strips (see gemmSimd)
    for (let t = 0; sweeps > 0 && t < strips; t += 8) {
      k.rot(aOff * 8, n * 64, hdrByte, sweeps, rotsOff * 8, t, Math.min(strips, t + 8));
    }
    count = 0;
    sweeps = 0;
  };
  const rotate = (first: number, m: number) => {
    if (count + (m - first) > capacity) flush();
    hdr[2 * sweeps] = first;
    hdr[2 * sweeps + 1] = m;
    sweeps++;
    let r = rotsOff + 2 * count;
    for (let i = m - 1; i >= first; i--) {
      mem[r++] = cs[i]!;
      mem[r++] = sn[i]!;
    }
    count += m - first;
  };
  tridiagonalQL(d, e, n, cs, sn, rotate);
  flush();
  // Back to row-major, the columns put in ascending order of their eigenvalues (as sortAscending).
  const order = ascendingOrder(d, n);
  const values = Float64Array.from(order, (i) => d[i]!);
  const place = new Int32Array(n);
  for (let j = 0; j < n; j++) place[order[j]!] = j;
  const vectors = new Float64Array(n * n);
  for (let t = 0; t < strips; t++) {
    const lanes = Math.min(8, n - 8 * t), base = t * n * 8;
    for (let l = 0; l < lanes; l++) {
      const row = (8 * t + l) * n;
      for (let j = 0; j < n; j++) vectors[row + place[j]!] = zs[base + j * 8 + l]!;
    }
  }
  return { values, vectors };
}
