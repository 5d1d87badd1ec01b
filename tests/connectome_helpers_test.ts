/** connectome helpers: vectors of symmetric matrices, cov_to_corr, prec_to_partial, geometric mean. */
import { deepStrictEqual, ok, throws } from "node:assert/strict";
import {
  covToCorr,
  geometricMean,
  precToPartial,
  symMatricesToVecs,
  symMatrixToVec,
  vecsToSymMatrices,
  vecToSymMatrix,
} from "../connectome/mod.ts";
import type { Matrix } from "../types.ts";
import { randomSymmetric } from "./matrix_fixtures.ts";

/** {@link randomSymmetric} as a Matrix. */
function symmetricMatrix(n: number, seed: number): Matrix {
  return { data: randomSymmetric(n, seed), shape: [n, n] };
}

Deno.test("symMatrixToVec reads the lower triangle row by row and keeps the Frobenius norm", () => {
  const m: Matrix = { data: Float64Array.from([1, 9, 9, 2, 3, 9, 4, 5, 6]), shape: [3, 3] };
  const s = Math.SQRT2;
  deepStrictEqual(Array.from(symMatrixToVec(m)), [1 / s, 2, 3 / s, 4, 5, 6 / s]);
  deepStrictEqual(Array.from(symMatrixToVec(m, { discardDiagonal: true })), [2, 4, 5]);
  const sym = symmetricMatrix(6, 1);
  const v = symMatrixToVec(sym);
  const frob = Math.sqrt(sym.data.reduce((a, x) => a + x * x, 0));
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  // off-diagonal terms count twice in |S|²_F and once in |v|², the diagonal / √2: |S|_F = √2 |v|
  ok(Math.abs(frob - Math.SQRT2 * norm) < 1e-12, `${frob} != √2 ${norm}`);
});

Deno.test("vecToSymMatrix inverts symMatrixToVec, with or without a separate diagonal", () => {
  const sym = symmetricMatrix(5, 2);
  const back = vecToSymMatrix(symMatrixToVec(sym));
  deepStrictEqual(back.shape, [5, 5]);
  back.data.forEach((v, i) => ok(Math.abs(v - sym.data[i]!) < 1e-15));
  const off = symMatrixToVec(sym, { discardDiagonal: true });
  const diag = Float64Array.from({ length: 5 }, (_, i) => sym.data[i * 6]! / Math.SQRT2);
  const back2 = vecToSymMatrix(off, diag);
  back2.data.forEach((v, i) => ok(Math.abs(v - sym.data[i]!) < 1e-15));
  const stack = symMatricesToVecs([sym, back2]);
  deepStrictEqual(stack.shape, [2, 15]);
  const mats = vecsToSymMatrices(stack);
  mats[1]!.data.forEach((v, i) => ok(Math.abs(v - sym.data[i]!) < 1e-15));
});

Deno.test("vecToSymMatrix errors: a length that is no triangle, a diagonal of the wrong length", () => {
  throws(
    () => vecToSymMatrix(new Float64Array(7)),
    (e: Error) => e instanceof TypeError && /unsuitable shape \(7,\)/.test(e.message),
  );
  throws(
    () => vecToSymMatrix(new Float64Array(6), new Float64Array(3)),
    (e: Error) => e instanceof TypeError && /diagonal of shape \(3,\)/.test(e.message),
  );
  throws(() => symMatrixToVec({ data: new Float64Array(6), shape: [2, 3] }), TypeError);
});

Deno.test("covToCorr and precToPartial scale by the diagonal and set it to 1", () => {
  const c = covToCorr({ data: Float64Array.from([4, 1, -2, 1, 1, 0, -2, 0, 9]), shape: [3, 3] });
  const want = [1, 0.5, -2 / 6, 0.5, 1, 0, -2 / 6, 0, 1];
  c.data.forEach((v, i) => ok(Math.abs(v - want[i]!) < 1e-15, `${i}: ${v}`));
  const p = precToPartial({
    data: Float64Array.from([4, 1, -2, 1, 1, 0, -2, 0, 9]),
    shape: [3, 3],
  });
  const wantP = [1, -0.5, 2 / 6, -0.5, 1, -0, 2 / 6, -0, 1];
  p.data.forEach((v, i) => ok(Math.abs(v - wantP[i]!) < 1e-15, `${i}: ${v}`));
});

Deno.test("geometricMean: of two matrices it is A #½ B, and it rejects a non-SPD matrix", () => {
  // for 2 matrices the geometric mean is A^½ (A^-½ B A^-½)^½ A^½; with A = I it is sqrt(B)
  const b: Matrix = { data: Float64Array.from([5, 4, 4, 5]), shape: [2, 2] }; // eig 9 and 1
  const id: Matrix = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 2] };
  const g = geometricMean([id, b], { maxIter: 50 });
  // sqrt(B) = V diag(3, 1) Vᵀ, V = [1 1; 1 -1]/√2 → [[2, 1], [1, 2]]
  [2, 1, 1, 2].forEach((w, i) => ok(Math.abs(g.data[i]! - w) < 1e-7, `${i}: ${g.data[i]}`));
  const notSpd: Matrix = { data: Float64Array.from([1, 2, 2, 1]), shape: [2, 2] };
  throws(() => geometricMean([id, notSpd]), RangeError);
});
