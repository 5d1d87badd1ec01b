/**
 * The dense kernels behind `connectome/`: symmetric products, matrix functions on linalg's
 * eigensolver, and inverses (Cholesky for covariances, LU otherwise), each checked against a
 * plain triple-loop computation or against the identity A A⁻¹ = I.
 */
import assert from "node:assert/strict";
import { congruence, matMul, matMulSymmetric } from "../connectome/_dense.ts";
import { eigh, eigvalsh, formSymmetric, mapEigenvalues } from "../connectome/_eigh.ts";
import { invert, invertSymmetric } from "../connectome/_inv.ts";
import { connectivityMeasure, empiricalCovariance } from "../connectome/mod.ts";
import { lcg } from "./lcg.ts";
import { maxAbsDiff, naiveMatMul } from "./matrix_fixtures.ts";

function random(n: number, seed: number): Float64Array {
  const r = lcg(seed);
  return Float64Array.from({ length: n * n }, () => r() - 0.5);
}

/** A Aᵀ + shift I: symmetric positive definite. */
function spd(n: number, seed: number, shift = 0.1): Float64Array {
  const a = random(n, seed);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * a[j * n + k]!;
      out[i * n + j] = s + (i === j ? shift : 0);
    }
  }
  return out;
}

function identityError(a: Float64Array, inv: Float64Array, n: number): number {
  const p = naiveMatMul(a, inv, n);
  let d = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) d = Math.max(d, Math.abs(p[i * n + j]! - (i === j ? 1 : 0)));
  }
  return d;
}

function isSymmetric(m: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) if (m[i * n + j] !== m[j * n + i]) return false;
  }
  return true;
}

Deno.test("matMul and matMulSymmetric match the triple loop (sizes around the 4-row blocks)", () => {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 13]) {
    const a = random(n, n), b = random(n, n + 100);
    assert.ok(maxAbsDiff(matMul(a, b, n), naiveMatMul(a, b, n)) <= 1e-14, `matMul n=${n}`);
    // a symmetric product: s (spd) times s
    const s = spd(n, n + 200);
    const expected = naiveMatMul(s, s, n);
    const got = matMulSymmetric(s, s, n);
    assert.ok(isSymmetric(got, n), `exactly symmetric n=${n}`);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        // the lower triangle is the product itself
        assert.ok(Math.abs(got[i * n + j]! - expected[i * n + j]!) <= 1e-13, `n=${n} (${i},${j})`);
      }
    }
  }
});

Deno.test("congruence: W C W, exactly symmetric, equal to the two products", () => {
  for (const n of [3, 6, 9]) {
    const w = spd(n, 1 + n), c = spd(n, 2 + n);
    const expected = naiveMatMul(naiveMatMul(w, c, n), w, n);
    const got = congruence(w, c, n);
    assert.ok(isSymmetric(got, n));
    assert.ok(maxAbsDiff(got, expected) <= 1e-12 * Math.max(...expected.map(Math.abs)));
  }
});

Deno.test("matrix functions: sqrt(M)² = M, exp(log M) = M, eigenvalues ascending", () => {
  const n = 12;
  const m = spd(n, 7);
  const values = eigvalsh(m, n);
  for (let i = 1; i < n; i++) assert.ok(values[i - 1]! <= values[i]!);
  assert.deepEqual(Array.from(values), Array.from(eigh(m, n).values));
  const root = mapEigenvalues(Math.sqrt, m, n);
  assert.ok(isSymmetric(root, n));
  assert.ok(maxAbsDiff(naiveMatMul(root, root, n), m) <= 1e-12);
  const log = mapEigenvalues(Math.log, m, n);
  assert.ok(maxAbsDiff(mapEigenvalues(Math.exp, log, n), m) <= 1e-11);
  // V diag(f) Vᵀ by hand
  const e = eigh(m, n);
  const inv = formSymmetric((x) => 1 / x, e, n);
  assert.ok(identityError(m, inv, n) <= 1e-10);
});

Deno.test("eigh: only the lower triangle is read (as scipy's eigh)", () => {
  const n = 5;
  const m = spd(n, 3);
  const garbled = Float64Array.from(m);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) garbled[i * n + j] = 99;
  assert.deepEqual(Array.from(eigh(garbled, n).values), Array.from(eigh(m, n).values));
});

Deno.test("eigh: a non-finite matrix gives NaN, not a convergence error", () => {
  const m = Float64Array.from([1, NaN, NaN, 2]);
  const e = eigh(m, 2);
  assert.ok(Array.from(e.values).every(Number.isNaN));
  assert.ok(Array.from(e.vectors).every(Number.isNaN));
  assert.ok(Array.from(eigvalsh(Float64Array.from([Infinity, 0, 0, 1]), 2)).every(Number.isNaN));
});

Deno.test("invertSymmetric: SPD by Cholesky (exactly symmetric), others by LU", () => {
  const n = 9;
  const a = spd(n, 11);
  const inv = invertSymmetric(a, n);
  assert.ok(isSymmetric(inv, n));
  assert.ok(identityError(a, inv, n) <= 1e-10);
  assert.ok(maxAbsDiff(inv, invert(a, n)) <= 1e-9 * Math.max(...inv.map(Math.abs)));
  // indefinite: Cholesky refuses, LU answers
  const indefinite = Float64Array.from([1, 2, 2, 1]);
  assert.deepEqual(Array.from(invertSymmetric(indefinite, 2)), Array.from(invert(indefinite, 2)));
  assert.ok(identityError(indefinite, invertSymmetric(indefinite, 2), 2) <= 1e-15);
  // not symmetric: LU of the whole matrix (Cholesky would read the lower triangle only)
  const skew = Float64Array.from([2, 1, 0, 2]);
  assert.ok(identityError(skew, invertSymmetric(skew, 2), 2) <= 1e-15);
  // exactly singular: the LU error
  assert.throws(() => invertSymmetric(Float64Array.from([1, 1, 1, 1]), 2, "cov"), RangeError);
});

Deno.test("precision from a custom estimator's indefinite or asymmetric matrix is still its inverse", () => {
  const signals = {
    data: Float64Array.from([1, 2, 3, 5, 2, 2, 4, 1]),
    shape: [4, 2] as [number, number],
  };
  for (const c of [[1, 2, 2, 1], [2, 1, 0, 2]]) {
    const cov = Float64Array.from(c);
    const { connectivities } = connectivityMeasure({
      kind: "precision",
      covEstimator: () => ({ covariance: { data: cov, shape: [2, 2] }, shrinkage: 0 }),
    }).fitTransform([signals]);
    assert.ok(identityError(cov, connectivities[0]!.data, 2) <= 1e-15);
  }
});

Deno.test("empiricalCovariance: centred xᵀx / T for every count of rows around the 4-row blocks", () => {
  const n = 6;
  for (let t = 1; t <= 9; t++) {
    const r = lcg(t);
    const x = Float64Array.from({ length: t * n }, () => r() * 4 - 2);
    const mean = new Float64Array(n);
    for (let i = 0; i < t; i++) for (let c = 0; c < n; c++) mean[c] = mean[c]! + x[i * n + c]! / t;
    const expected = new Float64Array(n * n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let s = 0;
        for (let i = 0; i < t; i++) s += (x[i * n + a]! - mean[a]!) * (x[i * n + b]! - mean[b]!);
        expected[a * n + b] = s / t;
      }
    }
    const got = empiricalCovariance({ data: x, shape: [t, n] }).covariance.data;
    assert.ok(isSymmetric(got, n));
    assert.ok(maxAbsDiff(got, expected) <= 1e-14, `t=${t}`);
  }
});
