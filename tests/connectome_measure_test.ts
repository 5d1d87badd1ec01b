/**
 * connectivityMeasure: each kind against a direct computation on small data, the tangent
 * geometry, second-level confounds, constant regions and the errors.
 */
import { deepStrictEqual, ok, throws } from "node:assert/strict";
import {
  connectivityMeasure,
  empiricalCovariance,
  ledoitWolf,
  symMatricesToVecs,
} from "../connectome/mod.ts";
import { clean } from "../signal/mod.ts";
import type { Matrix } from "../types.ts";
import { lcg } from "./lcg.ts";

const quiet = { onWarning: () => {} };

/** (t x n) signals with correlated columns and an offset. */
function signals(t: number, n: number, seed: number): Matrix {
  const r = lcg(seed);
  const data = new Float64Array(t * n);
  for (let i = 0; i < t; i++) {
    const common = r() - 0.5;
    for (let j = 0; j < n; j++) data[i * n + j] = 10 * j + (j + 1) * common + (r() - 0.5);
  }
  return { data, shape: [t, n] };
}

function column(m: Matrix, j: number): number[] {
  const [t, n] = m.shape;
  return Array.from({ length: t }, (_, i) => m.data[i * n + j]!);
}

function mean(x: number[]): number {
  return x.reduce((a, b) => a + b, 0) / x.length;
}

/** Population covariance of two series, directly. */
function cov(x: number[], y: number[]): number {
  const mx = mean(x);
  const my = mean(y);
  return x.reduce((s, xi, i) => s + (xi - mx) * (y[i]! - my), 0) / x.length;
}

function pearson(x: number[], y: number[]): number {
  return cov(x, y) / Math.sqrt(cov(x, x) * cov(y, y));
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = "") {
  deepStrictEqual(actual.length, expected.length, `${what}: lengths`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} != ${e}`);
  }
}

/** Residuals of y regressed on the columns xs (with intercept), by normal equations (2 cols). */
function residuals(y: number[], xs: number[][]): number[] {
  // Gram-Schmidt on [1, xs...]
  const basis: number[][] = [];
  for (const v of [y.map(() => 1), ...xs]) {
    let w = v.slice();
    for (const b of basis) {
      const p = w.reduce((s, wi, i) => s + wi * b[i]!, 0);
      w = w.map((wi, i) => wi - p * b[i]!);
    }
    const norm = Math.sqrt(w.reduce((s, wi) => s + wi * wi, 0));
    basis.push(w.map((wi) => wi / norm));
  }
  let r = y.slice();
  for (const b of basis) {
    const p = r.reduce((s, ri, i) => s + ri * b[i]!, 0);
    r = r.map((ri, i) => ri - p * b[i]!);
  }
  return r;
}

Deno.test("empirical covariance equals the direct population covariance", () => {
  const x = signals(30, 4, 1);
  const c = empiricalCovariance(x).covariance;
  const direct = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) direct.push(cov(column(x, i), column(x, j)));
  }
  close(c.data, direct, 1e-12, "covariance");
});

Deno.test("Ledoit-Wolf shrinkage equals the paper's formula computed sample by sample", () => {
  const x = signals(12, 5, 2);
  const [t, n] = x.shape;
  const s = empiricalCovariance(x).covariance.data;
  const mu = Array.from({ length: n }, (_, i) => s[i * n + i]!).reduce((a, b) => a + b) / n;
  // delta = ||S - mu I||² / n, beta = sum_t ||x_t x_tᵀ - S||² / (n T²)
  let delta = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) delta += (s[i * n + j]! - (i === j ? mu : 0)) ** 2;
  }
  delta /= n;
  const means = Array.from({ length: n }, (_, j) => mean(column(x, j)));
  let beta = 0;
  for (let r = 0; r < t; r++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const xi = x.data[r * n + i]! - means[i]!;
        const xj = x.data[r * n + j]! - means[j]!;
        beta += (xi * xj - s[i * n + j]!) ** 2;
      }
    }
  }
  beta /= n * t * t;
  const shrinkage = Math.min(beta, delta) / delta;
  const fit = ledoitWolf(x);
  close([fit.shrinkage], [shrinkage], 1e-10, "shrinkage");
  const expected = Array.from(
    s,
    (v, k) => (1 - shrinkage) * v + (k % (n + 1) === 0 ? shrinkage * mu : 0),
  );
  close(fit.covariance.data, expected, 1e-10, "shrunk covariance");
  // one region: plain variance, no shrinkage
  const one = ledoitWolf({ data: Float64Array.from(column(x, 0)), shape: [t, 1] });
  deepStrictEqual(one.shrinkage, 0);
  close(one.covariance.data, [cov(column(x, 0), column(x, 0))], 1e-12);
});

Deno.test("kind covariance and precision: the estimator's matrix and its inverse", () => {
  const subjects = [signals(40, 4, 3), signals(35, 4, 4)];
  const covs = connectivityMeasure({ kind: "covariance", covEstimator: "empirical" })
    .fitTransform(subjects).connectivities;
  const precs = connectivityMeasure({ kind: "precision", covEstimator: "empirical" })
    .fitTransform(subjects).connectivities;
  for (let s = 0; s < 2; s++) {
    close(covs[s]!.data, empiricalCovariance(subjects[s]!).covariance.data, 1e-12);
    // P C = I
    const n = 4;
    const prod = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < n; k++) {
          prod[i * n + j]! += precs[s]!.data[i * n + k]! * covs[s]!.data[k * n + j]!;
        }
      }
    }
    close(prod, Array.from({ length: 16 }, (_, k) => (k % 5 === 0 ? 1 : 0)), 1e-9, "P C");
  }
});

Deno.test("kind correlation with the empirical estimator is Pearson's r", () => {
  const x = signals(25, 3, 5);
  const [m] = connectivityMeasure({ kind: "correlation", covEstimator: "empirical", ...quiet })
    .fitTransform([x]).connectivities;
  const direct = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) direct.push(i === j ? 1 : pearson(column(x, i), column(x, j)));
  }
  close(m!.data, direct, 1e-12, "correlation");
});

Deno.test("kind correlation with Ledoit-Wolf shrinks the z-scored signals' covariance", () => {
  const x = signals(20, 4, 6);
  const [t, n] = x.shape;
  const z = new Float64Array(t * n);
  for (let j = 0; j < n; j++) {
    const c = column(x, j);
    const sd = Math.sqrt(cov(c, c));
    const mu = mean(c);
    c.forEach((v, i) => (z[i * n + j] = (v - mu) / sd));
  }
  const lw = ledoitWolf({ data: z, shape: [t, n] }).covariance.data;
  const [m] = connectivityMeasure({ kind: "correlation", ...quiet }).fitTransform([x])
    .connectivities;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const e = i === j ? 1 : lw[i * n + j]! / Math.sqrt(lw[i * n + i]! * lw[j * n + j]!);
      close([m!.data[i * n + j]!], [e], 1e-12, `corr(${i},${j})`);
    }
  }
});

Deno.test("kind partial correlation is the correlation of regression residuals", () => {
  const x = signals(50, 3, 7);
  const [m] = connectivityMeasure({ kind: "partial correlation", covEstimator: "empirical" })
    .fitTransform([x]).connectivities;
  const cols = [0, 1, 2].map((j) => column(x, j));
  for (const [i, j, k] of [[0, 1, 2], [0, 2, 1], [1, 2, 0]] as const) {
    const ri = residuals(cols[i]!, [cols[k]!]);
    const rj = residuals(cols[j]!, [cols[k]!]);
    close([m!.data[i * 3 + j]!], [pearson(ri, rj)], 1e-9, `partial(${i},${j})`);
    close([m!.data[j * 3 + i]!], [pearson(ri, rj)], 1e-9, `partial(${j},${i})`);
  }
  close([m!.data[0]!, m!.data[4]!, m!.data[8]!], [1, 1, 1], 0);
});

/** Two orthogonal centred columns scaled by a and b: empirical covariance diag(a², b²). */
function orthogonal(a: number, b: number): Matrix {
  return { data: Float64Array.from([a, b, a, -b, -a, b, -a, -b]), shape: [4, 2] };
}

Deno.test("kind tangent: commuting covariances give logs of ratios to the geometric mean", () => {
  const subjects = [orthogonal(1, 3), orthogonal(4, 1), orthogonal(2, 2)];
  const { fitted, connectivities } = connectivityMeasure({
    kind: "tangent",
    covEstimator: "empirical",
  }).fitTransform(subjects);
  // geometric mean of diag(a², b²): diag((a1 a2 a3)^(2/3), (b1 b2 b3)^(2/3))
  const g0 = Math.cbrt(1 * 16 * 4);
  const g1 = Math.cbrt(9 * 1 * 4);
  close(fitted.mean.data, [g0, 0, 0, g1], 1e-8, "mean");
  close(fitted.whitening!.data, [1 / Math.sqrt(g0), 0, 0, 1 / Math.sqrt(g1)], 1e-8, "whitening");
  const mats = connectivities;
  const expected = [[1, 9], [16, 1], [4, 4]].map(([a2, b2]) => [
    Math.log(a2! / g0),
    0,
    0,
    Math.log(b2! / g1),
  ]);
  mats.forEach((m, s) => close(m.data, expected[s]!, 1e-8, `tangent ${s}`));
});

Deno.test("kind tangent: the logs average to 0 at the mean, and W mean W = I", () => {
  const subjects = [signals(30, 4, 8), signals(30, 4, 9), signals(40, 4, 10), signals(25, 4, 11)];
  const measure = connectivityMeasure({ kind: "tangent" });
  const { fitted, connectivities } = measure.fitTransform(subjects);
  const mats = connectivities;
  const avg = new Float64Array(16);
  for (const m of mats) m.data.forEach((v, i) => (avg[i]! += v / mats.length));
  let norm = 0;
  for (const v of avg) norm += v * v;
  ok(Math.sqrt(norm) / 16 < 1e-7, `mean of the tangent matrices is not 0: ${Math.sqrt(norm)}`);
  const w = fitted.whitening!.data;
  const g = fitted.mean.data;
  const wg = new Float64Array(16);
  const wgw = new Float64Array(16);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      for (let k = 0; k < 4; k++) wg[i * 4 + j]! += w[i * 4 + k]! * g[k * 4 + j]!;
    }
  }
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      for (let k = 0; k < 4; k++) wgw[i * 4 + j]! += wg[i * 4 + k]! * w[k * 4 + j]!;
    }
  }
  close(wgw, Array.from({ length: 16 }, (_, k) => (k % 5 === 0 ? 1 : 0)), 1e-9, "W mean W");
  // fit then transform gives the same as fitTransform
  const again = measure.fit(subjects).transform(subjects);
  again.forEach((m, s) => close(m.data, mats[s]!.data, 1e-12, `transform ${s}`));
});

Deno.test("non-tangent kinds: mean is the symmetrized average and transform ignores the fit", () => {
  const a = signals(30, 3, 12);
  const b = signals(30, 3, 13);
  const measure = connectivityMeasure({ kind: "covariance" });
  const fitted = measure.fit([a, b]);
  const ca = ledoitWolf(a).covariance.data;
  const cb = ledoitWolf(b).covariance.data;
  close(fitted.mean.data, Array.from(ca, (v, i) => (v + cb[i]!) / 2), 1e-12, "mean");
  deepStrictEqual(fitted.whitening, null);
  const c = signals(20, 3, 14);
  const [held] = fitted.transform([c]);
  close(held!.data, ledoitWolf(c).covariance.data, 1e-12, "held-out");
});

Deno.test("vectorize, discardDiagonal and second-level confounds go through clean", () => {
  const subjects = [10, 11, 12, 13, 14, 15].map((s) => signals(30, 3, s));
  const confounds: Matrix = { data: Float64Array.from([1, 3, 2, 5, 4, 6]), shape: [6, 1] };
  const plain = connectivityMeasure({ kind: "covariance" }).fitTransform(subjects)
    .connectivities;
  const vec = connectivityMeasure({ kind: "covariance", vectorize: true, discardDiagonal: true })
    .fitTransform(subjects).connectivities;
  deepStrictEqual(vec.shape, [6, 3]);
  close(vec.data, symMatricesToVecs(plain, { discardDiagonal: true }).data, 0);
  const cleaned = connectivityMeasure({ kind: "covariance", vectorize: true, ...quiet })
    .fitTransform(subjects, { confounds }).connectivities;
  const direct = clean(symMatricesToVecs(plain), { confounds, onWarning: () => {} });
  close(cleaned.data, direct.data, 1e-12, "cleaned vectors");
  // without vectorize discardDiagonal does nothing
  const full = connectivityMeasure({ kind: "covariance", discardDiagonal: true })
    .fitTransform(subjects).connectivities;
  deepStrictEqual(full[0]!.shape, [3, 3]);
});

Deno.test("a constant region: zero correlations with Ledoit-Wolf, as nilearn", () => {
  const x = signals(20, 3, 20);
  const data = Float64Array.from(x.data);
  for (let i = 0; i < 20; i++) data[i * 3 + 1] = 7;
  const constant: Matrix = { data, shape: [20, 3] };
  const [corr] = connectivityMeasure({ kind: "correlation", ...quiet }).fitTransform([constant])
    .connectivities;
  close([corr!.data[1]!, corr!.data[3]!, corr!.data[5]!, corr!.data[7]!], [0, 0, 0, 0], 0);
  deepStrictEqual(corr!.data[4], 1);
  ok(Math.abs(corr!.data[2]!) > 0.1, "the other regions stay correlated");
  // the empirical estimator gives a zero variance: NaN correlations off the diagonal (numpy: 0/0)
  const [emp] = connectivityMeasure({ kind: "correlation", covEstimator: "empirical", ...quiet })
    .fitTransform([constant]).connectivities;
  ok(Number.isNaN(emp!.data[1]!) && emp!.data[4] === 1);
  // partial correlation stays finite with Ledoit-Wolf (the shrunk covariance is invertible)
  const [partial] = connectivityMeasure({ kind: "partial correlation" })
    .fitTransform([constant]).connectivities;
  ok(partial!.data.every(Number.isFinite));
  close([partial!.data[1]!], [0], 1e-12);
});

Deno.test("errors: a kind typed wrong, tangent with one run, shapes, confounds", () => {
  const x = signals(20, 3, 30);
  throws(
    () => connectivityMeasure({ kind: "partial_correlation" as never }),
    (e: Error) => e instanceof RangeError && /partial_correlation/.test(e.message),
  );
  throws(
    () => connectivityMeasure({ kind: "tangent" }).fitTransform([x]),
    (e: Error) => e instanceof RangeError && /group of subjects/.test(e.message),
  );
  throws(
    () => connectivityMeasure().fit([x, signals(20, 4, 31)]),
    (e: Error) => e instanceof TypeError && /\[3, 4\]/.test(e.message),
  );
  throws(
    () => connectivityMeasure().fit([{ data: new Float64Array(3), shape: [3] } as never]),
    (e: Error) => e instanceof TypeError && /2D/.test(e.message),
  );
  throws(
    () =>
      connectivityMeasure().fitTransform([x, x], {
        confounds: { data: Float64Array.of(1, 2), shape: [2, 1] },
      }),
    (e: Error) => /vectorize/.test(e.message),
  );
  throws(() => connectivityMeasure({ covEstimator: "oas" as never }), RangeError);
  throws(
    () =>
      connectivityMeasure({
        covEstimator: () => ({
          covariance: { data: new Float64Array(4), shape: [2, 2] },
          shrinkage: 0,
        }),
      }).fit([x]),
    (e: Error) => e instanceof TypeError && /3 x 3/.test(e.message),
  );
  throws(() => connectivityMeasure({ vectorise: true } as never), TypeError);
  throws(
    () => connectivityMeasure().fit([x]).transform([signals(20, 2, 32)]),
    (e: Error) => e instanceof TypeError && /3 regions/.test(e.message),
  );
});
