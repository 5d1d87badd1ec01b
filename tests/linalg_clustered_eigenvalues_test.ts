/**
 * symEig on a Ledoit-Wolf covariance of fewer volumes than regions: half of its eigenvalues are
 * one value (the shrinkage target s·mu on the empirical covariance's null space). Rounding keeps
 * the off-diagonals inside such a cluster at about eps times the matrix norm, which a test
 * relative to the neighbouring diagonal entries alone never accepts (the QL iterations used to
 * stop with "no convergence" on these two matrices).
 */
import assert from "node:assert/strict";
import { symEig } from "../linalg/sym_eig.ts";
import { ledoitWolf } from "../connectome/covariance.ts";
import { mulberry32, normals } from "../synthetic/mod.ts";
import type { Matrix } from "../types.ts";

/** (volumes x regions): 8 shared factors plus independent noise, deterministic. */
function lowRankSignals(seed: number, volumes: number, regions: number): Matrix {
  const draw = (s: number, length: number) => Float64Array.from({ length }, normals(mulberry32(s)));
  const factors = 8;
  const z = draw(seed, volumes * factors);
  const loadings = draw(seed + 1000, factors * regions);
  const data = draw(seed + 2000, volumes * regions);
  for (let t = 0; t < volumes; t++) {
    for (let r = 0; r < regions; r++) {
      let s = 0;
      for (let f = 0; f < factors; f++) s += z[t * factors + f]! * loadings[f * regions + r]!;
      data[t * regions + r] = data[t * regions + r]! + 0.5 * s;
    }
  }
  return { data, shape: [volumes, regions] };
}

for (const seed of [26, 35]) {
  Deno.test(`symEig: 201 equal eigenvalues of a 400 x 400 shrunk covariance (seed ${seed})`, () => {
    const volumes = 200, n = 400;
    const x = lowRankSignals(seed, volumes, n);
    const { covariance, shrinkage } = ledoitWolf(x);
    const c = covariance.data;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += c[i * n + i]!;
    // C = (1 - s) S + s mu I with trace(C) = trace(S) = n mu; S (centred, 200 volumes) has rank
    // at most 199, so at least 201 eigenvalues of C equal s mu exactly.
    const floor = shrinkage * (trace / n);
    const { values, vectors } = symEig(c, n);
    assert.ok(vectors !== null);
    const norm = values[n - 1]!;
    for (let j = 0; j < n - volumes + 1; j++) {
      assert.ok(Math.abs(values[j]! - floor) <= 1e-12 * norm, `eigenvalue ${j}: ${values[j]}`);
    }
    assert.ok(
      values[n - volumes + 1]! > floor * (1 + 1e-6),
      "the next eigenvalue is above the floor",
    );
    // C v_j = λ_j v_j for every pair (residual relative to the norm), and VᵀV = I.
    let residual = 0, orth = 0;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += c[i * n + k]! * vectors[k * n + j]!;
        residual = Math.max(residual, Math.abs(s - values[j]! * vectors[i * n + j]!));
      }
    }
    for (let a = 0; a < n; a += 7) {
      for (let b = 0; b < n; b++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += vectors[k * n + a]! * vectors[k * n + b]!;
        orth = Math.max(orth, Math.abs(s - (a === b ? 1 : 0)));
      }
    }
    assert.ok(residual <= 1e-12 * norm, `residual ${residual}`);
    assert.ok(orth <= 1e-12, `orthogonality ${orth}`);
    // the eigenvalues alone converge too, to the same values
    const only = symEig(c, n, { vectors: false }).values;
    for (let j = 0; j < n; j++) assert.equal(only[j], values[j]);
  });
}
