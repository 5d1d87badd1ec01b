import assert from "node:assert/strict";
import { symEig } from "../linalg/sym_eig.ts";
import { cholesky, choleskyInverse, choleskySolve, ldlt, ldltInverse } from "../linalg/cholesky.ts";
import { CHOLESKY_MAX_CONDITION, type PinvInfo, symmetricPinv } from "../linalg/sym_pinv.ts";
import { lcg } from "./lcg.ts";
import { maxAbsDiff, naiveMatMul, randomSymmetric } from "./matrix_fixtures.ts";

function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j]!;
  return t;
}

function identity(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}

/** Checks A = V Λ Vᵀ, VᵀV = I and ascending values; returns nothing. */
function checkDecomposition(a: Float64Array, n: number, tol: number, orthTol = tol): void {
  const { values, vectors } = symEig(a, n);
  assert.ok(vectors !== null);
  for (let i = 1; i < n; i++) assert.ok(values[i - 1]! <= values[i]!, "ascending");
  const vl = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) vl[i * n + j] = vectors[i * n + j]! * values[j]!;
  }
  const rec = naiveMatMul(vl, transpose(vectors, n, n), n, n, n);
  assert.ok(maxAbsDiff(rec, a) <= tol, `A = V Λ Vᵀ within ${tol}: ${maxAbsDiff(rec, a)}`);
  const vtv = naiveMatMul(transpose(vectors, n, n), vectors, n, n, n);
  assert.ok(maxAbsDiff(vtv, identity(n)) <= orthTol, `VᵀV = I: ${maxAbsDiff(vtv, identity(n))}`);
  // Eigenvalues only: the same values.
  const only = symEig(a, n, { vectors: false });
  assert.equal(only.vectors, null);
  assert.ok(maxAbsDiff(only.values, values) <= tol);
}

Deno.test("symEig: second-difference matrix, eigenpairs in closed form", () => {
  // tridiag(-1, 2, -1): λ_j = 2 - 2 cos(jπ/(n+1)), v_j(i) ∝ sin(i j π/(n+1)), j = 1..n.
  const n = 40;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = 2;
    if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = -1;
  }
  const { values, vectors } = symEig(a, n);
  const expected = Array.from(
    { length: n },
    (_, j) => 2 - 2 * Math.cos(((j + 1) * Math.PI) / (n + 1)),
  );
  assert.ok(maxAbsDiff(values, expected) < 1e-13);
  for (const j of [0, 7, n - 1]) {
    const norm = Math.sqrt((n + 1) / 2);
    const ref = Array.from(
      { length: n },
      (_, i) => Math.sin(((i + 1) * (j + 1) * Math.PI) / (n + 1)) / norm,
    );
    const col = Array.from({ length: n }, (_, i) => vectors![i * n + j]!);
    const sign = Math.sign(col[0]! * ref[0]!);
    assert.ok(maxAbsDiff(col.map((x) => x * sign), ref) < 1e-12, `eigenvector ${j}`);
  }
  checkDecomposition(a, n, 1e-13);
});

Deno.test("symEig: random dense matrices reconstruct and are orthogonal", () => {
  for (const [n, seed] of [[3, 1], [17, 2], [64, 3], [150, 4]] as const) {
    checkDecomposition(randomSymmetric(n, seed), n, 1e-12);
  }
});

Deno.test("symEig: 0x0, 1x1, 2x2 diagonal, zero matrix", () => {
  const e0 = symEig(new Float64Array(0), 0);
  assert.equal(e0.values.length, 0);
  const e1 = symEig(Float64Array.from([-3.5]), 1);
  assert.deepEqual([Array.from(e1.values), Array.from(e1.vectors!)], [[-3.5], [1]]);
  const e2 = symEig(Float64Array.from([5, 0, 0, -2]), 2);
  assert.deepEqual(Array.from(e2.values), [-2, 5]);
  assert.deepEqual(Array.from(e2.vectors!, Math.abs), [0, 1, 1, 0]);
  const ez = symEig(new Float64Array(36), 6);
  assert.deepEqual(Array.from(ez.values), [0, 0, 0, 0, 0, 0]);
  checkDecomposition(new Float64Array(36), 6, 0);
});

Deno.test("symEig: rank-deficient and repeated eigenvalues", () => {
  // A = B Bᵀ with B 30 x 4: rank 4, 26 zero eigenvalues.
  const n = 30, r = 4;
  const rnd = lcg(9);
  const b = Float64Array.from({ length: n * r }, () => rnd() - 0.5);
  const a = naiveMatMul(b, transpose(b, n, r), n, r, n);
  const { values } = symEig(a, n);
  const scale = values[n - 1]!;
  for (let i = 0; i < n - r; i++) assert.ok(Math.abs(values[i]!) < 1e-14 * n * scale, `zero ${i}`);
  for (let i = n - r; i < n; i++) assert.ok(values[i]! > 1e-3 * scale);
  // The non-zero eigenvalues are those of BᵀB (4 x 4).
  const small = symEig(naiveMatMul(transpose(b, n, r), b, r, n, r), r).values;
  assert.ok(maxAbsDiff(values.subarray(n - r), small) < 1e-13 * scale);
  checkDecomposition(a, n, 1e-13);
  // Q diag(1,1,1,2,2,5) Qᵀ for an orthogonal Q (from a random matrix's eigenvectors).
  const q = symEig(randomSymmetric(6, 11), 6).vectors!;
  const lam = [2, 1, 5, 1, 2, 1];
  const ql = new Float64Array(36);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) ql[i * 6 + j] = q[i * 6 + j]! * lam[j]!;
  const rep = naiveMatMul(ql, transpose(q, 6, 6), 6, 6, 6);
  assert.ok(maxAbsDiff(symEig(rep, 6).values, [1, 1, 1, 2, 2, 5]) < 1e-14 * 6 * 5);
  checkDecomposition(rep, 6, 1e-13);
  // The identity: one eigenvalue repeated n times.
  checkDecomposition(identity(9), 9, 0);
});

Deno.test("symEig: reads only the lower triangle; rejects bad input", () => {
  const a = Float64Array.from([2, 99, 1, 2]); // upper entry ignored: [[2, 1], [1, 2]]
  assert.ok(maxAbsDiff(symEig(a, 2).values, [1, 3]) < 1e-15);
  assert.deepEqual(Array.from(a), [2, 99, 1, 2]); // not modified
  assert.throws(() => symEig(new Float64Array(3), 2), TypeError);
  assert.throws(() => symEig(new Float64Array(4), -2), RangeError);
  assert.throws(() => symEig(Float64Array.from([NaN, 1, 1, 0]), 2), Error);
});

Deno.test("cholesky: factor, solve and inverse of an SPD matrix", () => {
  const n = 50;
  const a = randomSymmetric(n, 5);
  for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + n; // diagonally dominant: SPD
  const l = cholesky(a, n)!;
  assert.ok(l !== null);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(l[i * n + j], 0);
  assert.ok(maxAbsDiff(naiveMatMul(l, transpose(l, n, n), n, n, n), a) < 1e-12);
  const x0 = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const x = choleskySolve(l, n, naiveMatMul(a, x0, n, n, 1));
  assert.ok(maxAbsDiff(x, x0) < 1e-12);
  const inv = choleskyInverse(l, n);
  assert.ok(maxAbsDiff(naiveMatMul(a, inv, n, n, n), identity(n)) < 1e-12);
  assert.ok(maxAbsDiff(inv, transpose(inv, n, n)) === 0, "symmetric");
  assert.equal(cholesky(Float64Array.from([1, 0, 0, 0]), 2), null); // singular
  assert.equal(cholesky(Float64Array.from([-1]), 1), null);
  assert.throws(() => cholesky(new Float64Array(5), 2), TypeError);
});

Deno.test("ldlt: unit factor and diagonal reconstruct the matrix; inverse; diagonal exact", () => {
  for (const n of [1, 3, 7, 50]) {
    const a = randomSymmetric(n, 40 + n);
    for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + n;
    const f = ldlt(a, n)!;
    assert.ok(f !== null);
    const ld = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      assert.equal(f.l[i * n + i], 1);
      for (let j = i + 1; j < n; j++) assert.equal(f.l[i * n + j], 0);
      for (let j = 0; j < n; j++) ld[i * n + j] = f.l[i * n + j]! * f.d[j]!;
    }
    assert.ok(maxAbsDiff(naiveMatMul(ld, transpose(f.l, n, n), n, n, n), a) < 1e-12);
    const inv = ldltInverse(f, n);
    assert.ok(maxAbsDiff(naiveMatMul(a, inv, n, n, n), identity(n)) < 1e-12);
    // Against the square-root factor's inverse.
    assert.ok(maxAbsDiff(inv, choleskyInverse(cholesky(a, n)!, n)) < 1e-14);
  }
  const diag = Float64Array.from([2, 0, 0, 0, 3, 0, 0, 0, 7]);
  assert.deepEqual(Array.from(ldltInverse(ldlt(diag, 3)!, 3)), [
    0.5,
    0,
    0,
    0,
    1 / 3,
    0,
    0,
    0,
    1 / 7,
  ]);
  assert.equal(ldlt(Float64Array.from([1, 2, 2, 1]), 2), null);
  assert.throws(() => ldlt(new Float64Array(3), 2), TypeError);
});

/** Penrose conditions: G X G = G, X G X = X, X symmetric (G, X symmetric so GX = (XG)ᵀ). */
function checkPenrose(g: Float64Array, x: Float64Array, k: number, tol: number): void {
  const gx = naiveMatMul(g, x, k, k, k);
  assert.ok(maxAbsDiff(naiveMatMul(gx, g, k, k, k), g) <= tol, "G X G = G");
  assert.ok(maxAbsDiff(naiveMatMul(x, gx, k, k, k), x) <= tol * 1e3, "X G X = X");
  assert.ok(maxAbsDiff(gx, transpose(gx, k, k)) <= tol, "G X symmetric");
  assert.ok(maxAbsDiff(x, transpose(x, k, k)) <= tol, "X symmetric");
}

/** Gram matrix MᵀM of a random (rows x k) M whose columns `dup` repeat column 0. */
function gram(rows: number, k: number, seed: number, dup: number[] = [], zero: number[] = []) {
  const r = lcg(seed);
  const m = Float64Array.from({ length: rows * k }, () => r() - 0.5);
  for (let i = 0; i < rows; i++) {
    for (const c of dup) m[i * k + c] = m[i * k]!;
    for (const c of zero) m[i * k + c] = 0;
  }
  return naiveMatMul(transpose(m, rows, k), m, k, rows, k);
}

Deno.test("symmetricPinv: well-conditioned Gram matrix takes the Cholesky path", () => {
  const k = 40, rows = 200;
  const g = gram(rows, k, 21);
  const info: PinvInfo = { condition: 0 };
  const x = symmetricPinv(g, k, rows, info);
  assert.equal(info.method, "cholesky");
  assert.ok(maxAbsDiff(naiveMatMul(g, x, k, k, k), identity(k)) < 1e-12);
  // The condition number, against the eigenvalues.
  const ev = symEig(g, k, { vectors: false }).values;
  const exact = ev[k - 1]! / ev[0]!;
  assert.ok(Math.abs(info.condition - exact) <= 0.05 * exact, `${info.condition} vs ${exact}`);
  assert.ok(info.condition <= CHOLESKY_MAX_CONDITION);
});

Deno.test("symmetricPinv: rank-deficient and emptied maps give the minimum-norm inverse", () => {
  const k = 12, rows = 80;
  // Columns 3 and 7 duplicate column 0 (rank deficient); column 5 is empty.
  const g = gram(rows, k, 33, [3, 7], [5]);
  const info: PinvInfo = { condition: 0 };
  const x = symmetricPinv(g, k, rows, info);
  assert.equal(info.method, "eigen");
  checkPenrose(g, x, k, 1e-11);
  for (let j = 0; j < k; j++) assert.equal(x[5 * k + j], 0);
  // Minimum norm: the three copies share column 0's weight equally.
  assert.ok(Math.abs(x[0]! - x[3 * k + 3]!) < 1e-12 && Math.abs(x[0]! - x[3]!) < 1e-12);
  // Finite condition number from the kept eigenvalues.
  assert.ok(info.condition >= 1 && Number.isFinite(info.condition));
  // Only the empty map: Cholesky on the rest, zero row and column for it.
  const g2 = gram(rows, k, 34, [], [2]);
  const info2: PinvInfo = { condition: 0 };
  const x2 = symmetricPinv(g2, k, rows, info2);
  assert.equal(info2.method, "cholesky");
  checkPenrose(g2, x2, k, 1e-11);
  for (let j = 0; j < k; j++) assert.equal(x2[j * k + 2], 0);
});

Deno.test("symmetricPinv: ill-conditioned full-rank matrices: exact condition", () => {
  // diag(1, l2) rotated: condition 1 / l2, above CHOLESKY_MAX_CONDITION, above the rank cut-off.
  const c = Math.cos(0.3), s = Math.sin(0.3);
  for (const [l2, method] of [[1e-7, "cholesky"], [1e-9, "eigen"]] as const) {
    const l1 = 1;
    const g = Float64Array.from([
      c * c * l1 + s * s * l2,
      c * s * (l1 - l2),
      c * s * (l1 - l2),
      s * s * l1 + c * c * l2,
    ]);
    const info: PinvInfo = { condition: 0 };
    const x = symmetricPinv(g, 2, 10, info);
    assert.equal(info.method, method);
    assert.ok(Math.abs(info.condition * l2 - 1) < 1e-6, `${info.condition}`);
    const inv = [c * c / l1 + s * s / l2, c * s * (1 / l1 - 1 / l2)];
    const tol = 1e-16 / l2;
    assert.ok(Math.abs(x[0]! / inv[0]! - 1) < tol && Math.abs(x[1]! / inv[1]! - 1) < tol);
  }
  // All zero: zeros, condition 1.
  const info: PinvInfo = { condition: 0 };
  const z = symmetricPinv(new Float64Array(9), 3, 5, info);
  assert.deepEqual([Array.from(z), info.condition], [new Array(9).fill(0), 1]);
  assert.throws(() => symmetricPinv(new Float64Array(3), 2, 1), TypeError);
});

Deno.test("symEig: scaled, zero-diagonal and nearly-degenerate matrices", () => {
  // Scaling by 1e150 / 1e-150 scales the eigenvalues and keeps the vectors.
  const a = randomSymmetric(20, 12);
  const ref = symEig(a, 20).values;
  for (const f of [1e150, 1e-150]) {
    const scaled = symEig(a.map((x) => x * f), 20).values;
    assert.ok(maxAbsDiff(scaled.map((x) => x / f), ref) < 1e-13, `scale ${f}`);
    checkDecomposition(a.map((x) => x * f), 20, 1e-12 * f, 1e-12);
  }
  // [[0, 1], [1, 0]]: ±1.
  assert.ok(maxAbsDiff(symEig(Float64Array.from([0, 1, 1, 0]), 2).values, [-1, 1]) < 1e-15);
  // Wilkinson's W21+: its largest eigenvalues come in pairs agreeing to ~1e-13 and more.
  const n = 21;
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    w[i * n + i] = Math.abs(10 - i);
    if (i > 0) w[i * n + i - 1] = w[(i - 1) * n + i] = 1;
  }
  const { values } = symEig(w, n);
  assert.ok(Math.abs(values[n - 1]! - 10.746194182903393) < 1e-12, `${values[n - 1]}`);
  assert.ok(Math.abs(values[n - 1]! - values[n - 2]!) < 1e-12);
  checkDecomposition(w, n, 1e-13);
});
