/**
 * The WebAssembly SIMD kernels of linalg/linalg_simd.wat against the JavaScript reference: the
 * symmetric eigendecomposition and the dense products must give the same numbers, bit for bit.
 */
import assert from "node:assert/strict";
import { symEig } from "../linalg/sym_eig.ts";
import { linalgKernels, setLinalgSimd } from "../linalg/linalg_simd.ts";
import { congruence, matMul, matMulSymmetric } from "../connectome/_dense.ts";
import { naiveMatMul } from "./matrix_fixtures.ts";

const simd = linalgKernels(1) !== null;

/** Deterministic uniform numbers in [-1, 1). */
function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 2 ** 31 - 1;
  };
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const next = rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = next();
  }
  return a;
}

/** Q diag(values) Qᵀ with Q a product of random reflections (given spectrum, dense vectors). */
function withSpectrum(values: number[], seed: number): Float64Array {
  const n = values.length;
  const next = rng(seed);
  let q: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let r = 0; r < 3; r++) {
    const u = Float64Array.from({ length: n }, next);
    const uu = u.reduce((s, x) => s + x * x, 0);
    const h = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) h[i * n + j] = (i === j ? 1 : 0) - (2 * u[i]! * u[j]!) / uu;
    }
    q = naiveMatMul(q, h, n);
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k]! * values[k]! * q[j * n + k]!;
      a[i * n + j] = s;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j]!;
  return a;
}

/** Run `f` with the JavaScript kernels forced. */
function js<T>(f: () => T): T {
  const before = setLinalgSimd(false);
  try {
    return f();
  } finally {
    setLinalgSimd(before);
  }
}

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i]) assert.fail(`${what}: element ${i} differs: ${a[i]} vs ${b[i]}`);
  }
}

/** A ≈ V diag(λ) Vᵀ and VᵀV ≈ I. */
function checkDecomposition(a: Float64Array, n: number, values: Float64Array, v: Float64Array) {
  let scale = 0;
  for (const x of a) scale = Math.max(scale, Math.abs(x));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let r = 0, g = 0;
      for (let k = 0; k < n; k++) {
        r += v[i * n + k]! * values[k]! * v[j * n + k]!;
        g += v[k * n + i]! * v[k * n + j]!;
      }
      assert.ok(Math.abs(r - a[i * n + j]!) <= 1e-12 * n * Math.max(scale, 1e-300), `A(${i},${j})`);
      assert.ok(Math.abs(g - (i === j ? 1 : 0)) <= 1e-13 * n, `VᵀV(${i},${j})`);
    }
  }
  for (let k = 1; k < n; k++) assert.ok(values[k - 1]! <= values[k]!, "ascending");
}

function cases(): { name: string; n: number; a: Float64Array }[] {
  const out: { name: string; n: number; a: Float64Array }[] = [];
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 64, 100, 129]) {
    out.push({ name: `random n=${n}`, n, a: randomSymmetric(n, n) });
  }
  const clustered = Array.from({ length: 40 }, (_, i) => (i < 25 ? 1 : i < 35 ? 1 + 1e-10 * i : 5));
  out.push({ name: "clustered", n: 40, a: withSpectrum(clustered, 3) });
  const repeated = Array.from({ length: 33 }, (_, i) => (i % 3 === 0 ? 2 : -1));
  out.push({ name: "repeated", n: 33, a: withSpectrum(repeated, 4) });
  const rankDeficient = Array.from({ length: 50 }, (_, i) => (i < 12 ? i + 1 : 0));
  out.push({ name: "rank-deficient", n: 50, a: withSpectrum(rankDeficient, 5) });
  // already tridiagonal / diagonal blocks: reflections skipped (beta = 0)
  const diag = new Float64Array(36);
  for (let i = 0; i < 6; i++) diag[i * 6 + i] = 6 - i;
  diag[1 * 6 + 0] = diag[0 * 6 + 1] = 0.5;
  out.push({ name: "diagonal", n: 6, a: diag });
  out.push({ name: "zero", n: 10, a: new Float64Array(100) });
  // two blocks: reflections skipped at the junction, then needed again
  const blocks = new Float64Array(13 * 13);
  const b5 = randomSymmetric(5, 21), b8 = randomSymmetric(8, 22);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) blocks[i * 13 + j] = b5[i * 5 + j]!;
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) blocks[(i + 5) * 13 + j + 5] = b8[i * 8 + j]!;
  }
  out.push({ name: "block diagonal", n: 13, a: blocks });
  // already tridiagonal: no reflection at all, only the QL iterations
  const tri = new Float64Array(24 * 24);
  const next = rng(23);
  for (let i = 0; i < 24; i++) {
    tri[i * 24 + i] = next();
    if (i > 0) tri[i * 24 + i - 1] = tri[(i - 1) * 24 + i] = next();
  }
  out.push({ name: "tridiagonal", n: 24, a: tri });
  // a power-of-two order (row strides padded) and an order one below a multiple of 8
  out.push({ name: "random n=256", n: 256, a: randomSymmetric(256, 256) });
  out.push({ name: "random n=63", n: 63, a: randomSymmetric(63, 63) });
  return out;
}

Deno.test("symEig: the WebAssembly path gives the JavaScript path's numbers bit for bit", () => {
  // Deno's V8 has WebAssembly SIMD: without it this comparison would be vacuous.
  assert.ok(simd, "the WebAssembly kernels are available");
  for (const { name, n, a } of cases()) {
    const ref = js(() => symEig(a, n));
    const got = symEig(a, n);
    sameBits(got.values, ref.values, `${name} values`);
    sameBits(got.vectors!, ref.vectors!, `${name} vectors`);
    const refValues = js(() => symEig(a, n, { vectors: false }));
    const gotValues = symEig(a, n, { vectors: false });
    sameBits(gotValues.values, refValues.values, `${name} values only`);
    sameBits(gotValues.values, ref.values, `${name} values only vs with vectors`);
    checkDecomposition(a, n, got.values, got.vectors!);
  }
});

Deno.test("symEig: only the lower triangle is read on both paths", () => {
  const n = 21;
  const a = randomSymmetric(n, 9);
  const b = Float64Array.from(a);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) b[i * n + j] = 1e6 * (i - j);
  sameBits(symEig(b, n).vectors!, js(() => symEig(a, n)).vectors!, "upper triangle ignored");
});

Deno.test("linalgKernels: one kept instance per thread, large requests get their own", () => {
  const small = linalgKernels(1 << 20);
  if (small === null) return; // no WebAssembly SIMD: nothing to check
  assert.equal(linalgKernels(2 << 20), small, "the kept instance, grown");
  assert.ok(small.memory.buffer.byteLength >= 2 << 20);
  const big = linalgKernels(80 * 2 ** 20);
  assert.ok(big !== null && big !== small && big.memory !== small.memory);
  assert.ok(big.memory.buffer.byteLength >= 80 * 2 ** 20);
  assert.equal(linalgKernels(2 ** 31 + 1), null, "beyond int32 byte offsets");
});

Deno.test("dense products: the WebAssembly path gives the JavaScript path's numbers", () => {
  for (const n of [1, 2, 3, 5, 8, 9, 15, 16, 33, 70, 300]) {
    const a = randomSymmetric(n, 100 + n);
    const b = randomSymmetric(n, 200 + n);
    const c = Float64Array.from({ length: n * n }, rng(300 + n)); // not symmetric
    sameBits(matMul(c, b, n), js(() => matMul(c, b, n)), `matMul n=${n}`);
    sameBits(matMulSymmetric(a, b, n), js(() => matMulSymmetric(a, b, n)), `sym n=${n}`);
    sameBits(congruence(a, b, n), js(() => congruence(a, b, n)), `congruence n=${n}`);
    const direct = naiveMatMul(c, b, n);
    const got = matMul(c, b, n);
    for (let i = 0; i < n * n; i++) assert.ok(Math.abs(got[i]! - direct[i]!) <= 1e-12 * n);
  }
});
