/**
 * Connectome cases (`connectome/`, FUNCTIONS.md "Connectome cases"): `ConnectivityMeasure`,
 * `sym_matrix_to_vec`, `vec_to_sym_matrix`.
 *
 * @module
 */
import type { Matrix } from "../../types.ts";
import {
  connectivityMeasure,
  type ConnectivityOutput,
  type CovEstimator,
  symMatricesToVecs,
  vecsToSymMatrices,
  vecToSymMatrix,
} from "../../connectome/mod.ts";
import type { Standardize } from "../../signal/standardize.ts";
import { all, type Check, compareArrays, type Tolerance } from "./compare.ts";
import { parseArrayJson } from "./arrays.ts";
import { callError, expectedError, notImplemented } from "./errors.ts";

/** A parsed connectome case. */
export interface ConnectomeCase {
  readonly name: string;
  readonly function: string;
  readonly args: Record<string, unknown>;
  readonly subjects?: unknown[];
  readonly confounds?: unknown;
  readonly transform?: { subjects: unknown[]; expect: unknown };
  readonly expect: unknown;
  readonly tolerance: { rtol: number; atol: number };
}

type Arr = { shape: number[]; data: Float64Array };

/** A subject as given (a 1D subject stays 1D so that the measure rejects it). */
function subjectOf(value: unknown, what: string): Matrix {
  const a = parseArrayJson(value, what);
  return { data: a.data, shape: a.shape as unknown as [number, number] };
}

/** Stack matrices (or a vectorized matrix) as one C-order array. */
function stacked(out: ConnectivityOutput): Arr {
  if (!Array.isArray(out)) return { shape: [...out.shape], data: out.data };
  const n = out[0]?.shape[0] ?? 0;
  const data = new Float64Array(out.length * n * n);
  out.forEach((m, i) => data.set(m.data, i * n * n));
  return { shape: [out.length, n, n], data };
}

/** Leading dimensions of an array flattened into a list of its last-two-axes matrices. */
function matricesOf(a: Arr): Matrix[] {
  const n = a.shape[a.shape.length - 1] ?? 0;
  const m = a.shape[a.shape.length - 2] ?? 0;
  const count = a.data.length / Math.max(1, n * m);
  const out: Matrix[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ data: a.data.slice(i * n * m, (i + 1) * n * m), shape: [m, n] });
  }
  return out;
}

function estimatorOf(name: unknown): CovEstimator {
  if (name === undefined || name === "LedoitWolf") return "ledoit_wolf";
  if (name === "EmpiricalCovariance") return "empirical";
  throw new TypeError(`unknown cov_estimator ${JSON.stringify(name)}`);
}

type Expected = { shape: number[]; data: number[] };

function compareTo(actual: Arr, expected: unknown, what: string, tol: Tolerance): Check {
  const e = expected as Expected;
  const c = compareArrays(actual, { shape: e.shape, data: e.data }, tol);
  return c.ok ? c : { ok: false, reason: `${what}: ${c.reason}` };
}

function runMeasure(c: ConnectomeCase): Check {
  const a = c.args;
  const subjects = (c.subjects ?? []).map((s, i) => subjectOf(s, `subjects[${i}]`));
  const confounds = c.confounds === undefined ? null : (() => {
    const m = parseArrayJson(c.confounds, "confounds");
    return { data: m.data, shape: [m.shape[0] ?? 0, m.shape[1] ?? 1] } as Matrix;
  })();
  const measure = connectivityMeasure({
    kind: a.kind as never,
    vectorize: a.vectorize as boolean | undefined,
    discardDiagonal: a.discard_diagonal as boolean | undefined,
    standardize: a.standardize as Standardize | undefined,
    covEstimator: estimatorOf(a.cov_estimator),
    onWarning: () => {},
  });
  const { fitted, connectivities } = measure.fitTransform(subjects, { confounds });
  const expect = c.expect as Expected & { mean_?: unknown; whitening_?: unknown };
  const tol = c.tolerance;
  const checks: Check[] = [compareTo(stacked(connectivities), expect, "fit_transform", tol)];
  if (expect.mean_ !== undefined) {
    checks.push(compareTo(stacked([fitted.mean]), wrap(expect.mean_), "mean_", tol));
  }
  if (expect.whitening_ !== undefined) {
    if (fitted.whitening === null) return { ok: false, reason: "whitening_: missing" };
    checks.push(compareTo(stacked([fitted.whitening]), wrap(expect.whitening_), "whitening_", tol));
  }
  if (c.transform !== undefined) {
    const held = c.transform.subjects.map((s, i) => subjectOf(s, `transform.subjects[${i}]`));
    checks.push(compareTo(stacked(fitted.transform(held)), c.transform.expect, "transform", tol));
  }
  return all(checks);
}

/** An (n, n) expectation as (1, n, n), to compare with a stack of one matrix. */
function wrap(e: unknown): Expected {
  const x = e as Expected;
  return { shape: [1, ...x.shape], data: x.data };
}

function runSymToVec(c: ConnectomeCase): Check {
  const sym = parseArrayJson(c.args.symmetric, "symmetric");
  const lead = sym.shape.slice(0, -2);
  const v = symMatricesToVecs(matricesOf(sym), {
    discardDiagonal: c.args.discard_diagonal as boolean | undefined,
  });
  return compareTo(
    { shape: [...lead, v.shape[1]], data: v.data },
    c.expect,
    "sym_matrix_to_vec",
    c.tolerance,
  );
}

function runVecToSym(c: ConnectomeCase): Check {
  const vec = parseArrayJson(c.args.vec, "vec");
  const lead = vec.shape.slice(0, -1);
  const len = vec.shape[vec.shape.length - 1] ?? 0;
  const count = lead.reduce((x, y) => x * y, 1);
  let diagonals: Matrix | undefined;
  if (c.args.diagonal !== undefined) {
    const d = parseArrayJson(c.args.diagonal, "diagonal");
    const dl = d.shape.slice(0, -1);
    if (dl.length !== lead.length || dl.some((x, i) => x !== lead[i])) {
      throw new TypeError(
        `diagonal of shape (${d.shape.join(", ")}) incompatible with vector of shape ` +
          `(${vec.shape.join(", ")})`,
      );
    }
    diagonals = { data: d.data, shape: [count, d.shape[d.shape.length - 1] ?? 0] };
  }
  const ms = lead.length === 0
    ? [vecToSymMatrix(vec.data, diagonals?.data)]
    : vecsToSymMatrices({ data: vec.data, shape: [count, len] }, diagonals);
  const n = ms[0]?.shape[0] ?? 0;
  const data = new Float64Array(count * n * n);
  ms.forEach((m, i) => data.set(m.data, i * n * n));
  return compareTo({ shape: [...lead, n, n], data }, c.expect, "vec_to_sym_matrix", c.tolerance);
}

function call(c: ConnectomeCase): Check {
  switch (c.function) {
    case "connectome.ConnectivityMeasure":
      return runMeasure(c);
    case "connectome.sym_matrix_to_vec":
      return runSymToVec(c);
    case "connectome.vec_to_sym_matrix":
      return runVecToSym(c);
  }
  return { ok: false, reason: `unknown connectome function ${c.function}` };
}

/** Run one connectome case folder. */
export function runConnectomeCase(_dir: string, c: ConnectomeCase): Promise<Check> {
  const wantsError = typeof c.expect === "object" && c.expect !== null && "error" in c.expect;
  let result: Check;
  try {
    result = call(c);
  } catch (err) {
    if (notImplemented(err)) return Promise.resolve({ ok: false, reason: callError(err) });
    if (wantsError) {
      // nilearn's ValueError is a TypeError (shapes) or RangeError (values) with a message of
      // ours, never a runtime slip such as reading a property of undefined.
      const ours = (err instanceof TypeError || err instanceof RangeError) &&
        !/Cannot read|is not a function|is not iterable|undefined/.test(err.message);
      return Promise.resolve(
        ours ? { ok: true } : { ok: false, reason: `unexpected kind of error: ${callError(err)}` },
      );
    }
    return Promise.resolve({ ok: false, reason: callError(err) });
  }
  if (wantsError) {
    const e = c.expect as { error?: unknown; message?: unknown };
    return Promise.resolve({ ok: false, reason: expectedError(e.error, e.message) });
  }
  return Promise.resolve(result);
}
