import assert from "node:assert/strict";
import { clean, cleanOptionsFromKwargs, regressOut } from "../signal/mod.ts";
import type { Matrix } from "../types.ts";
import { lcg } from "./lcg.ts";

/** Deterministic pseudo-random numbers in [-0.5, 0.5). */
function rng(seed: number): () => number {
  const r = lcg(seed);
  return () => r() - 0.5;
}

function randomMatrix(rows: number, cols: number, seed: number, offset = 0): Matrix {
  const r = rng(seed);
  return {
    data: Float64Array.from({ length: rows * cols }, () => offset + r()),
    shape: [rows, cols],
  };
}

function column(m: Matrix, c: number): number[] {
  const [rows, cols] = m.shape;
  return Array.from({ length: rows }, (_, t) => m.data[t * cols + c] as number);
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const quiet = { onWarning: () => {} };

Deno.test("low-pass butterworth removes a sinusoid above the cutoff and keeps one below", () => {
  const tR = 2;
  const n = 400;
  const slow = (t: number) => Math.sin(2 * Math.PI * 0.02 * t * tR);
  const fast = (t: number) => Math.sin(2 * Math.PI * 0.2 * t * tR);
  const data = Float64Array.from({ length: n }, (_, t) => slow(t) + fast(t));
  const out = clean({ data, shape: [n, 1] }, {
    detrend: false,
    standardize: false,
    lowPass: 0.1,
    tR,
    ...quiet,
  });
  let maxErr = 0;
  for (let t = 50; t < n - 50; t++) {
    maxErr = Math.max(maxErr, Math.abs((out.data[t] as number) - slow(t)));
  }
  assert.ok(maxErr < 0.02, `low-pass output differs from the slow sinusoid by ${maxErr}`);
});

Deno.test("high-pass butterworth removes a slow sinusoid and keeps a fast one", () => {
  const tR = 2;
  const n = 400;
  const slow = (t: number) => 3 * Math.sin(2 * Math.PI * 0.004 * t * tR);
  const fast = (t: number) => Math.sin(2 * Math.PI * 0.1 * t * tR);
  const data = Float64Array.from({ length: n }, (_, t) => slow(t) + fast(t));
  const out = clean({ data, shape: [n, 1] }, {
    detrend: false,
    standardize: false,
    highPass: 0.03,
    tR,
    ...quiet,
  });
  let maxErr = 0;
  for (let t = 80; t < n - 80; t++) {
    maxErr = Math.max(maxErr, Math.abs((out.data[t] as number) - fast(t)));
  }
  assert.ok(maxErr < 0.05, `high-pass output differs from the fast sinusoid by ${maxErr}`);
});

Deno.test("zscore_sample: mean 0, sample variance 1; zscore: population variance 1", () => {
  const m = randomMatrix(50, 3, 1, 10);
  for (const [mode, ddof] of [["zscore_sample", 1], ["zscore", 0]] as const) {
    const out = clean(m, { detrend: false, standardize: mode, ...quiet });
    for (let c = 0; c < 3; c++) {
      const x = column(out, c);
      const mu = mean(x);
      const v = x.reduce((a, b) => a + (b - mu) ** 2, 0) / (x.length - ddof);
      assert.ok(Math.abs(mu) < 1e-12, `${mode}: column ${c} mean ${mu}`);
      assert.ok(Math.abs(v - 1) < 1e-12, `${mode}: column ${c} variance ${v}`);
    }
  }
});

Deno.test("standardize true warns (deprecated) and equals zscore", () => {
  const m = randomMatrix(30, 2, 2, 5);
  const warnings: string[] = [];
  const a = clean(m, { detrend: false, standardize: true, onWarning: (w) => warnings.push(w) });
  const b = clean(m, { detrend: false, standardize: "zscore", ...quiet });
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
  assert.ok(warnings.some((w) => w.includes("zscore_sample")));
});

Deno.test("psc of a signal with mean m is 100 (x - m) / m, negative means use |m|", () => {
  const x = [9, 11, 10, 12, 8];
  const y = [-4, -6, -5, -5, -5];
  const data = new Float64Array(10);
  x.forEach((v, t) => (data[2 * t] = v));
  y.forEach((v, t) => (data[2 * t + 1] = v));
  const out = clean({ data, shape: [5, 2] }, { detrend: false, standardize: "psc", ...quiet });
  x.forEach((v, t) =>
    assert.ok(Math.abs((out.data[2 * t] as number) - (100 * (v - 10)) / 10) < 1e-12)
  );
  y.forEach((v, t) =>
    assert.ok(Math.abs((out.data[2 * t + 1] as number) - (100 * (v + 5)) / 5) < 1e-12)
  );
});

Deno.test("psc sets zero-mean columns to 0 with a warning", () => {
  const data = Float64Array.from([1, 5, -1, 6, 2, 7, -2, 6]);
  const warnings: string[] = [];
  const out = clean({ data, shape: [4, 2] }, {
    detrend: false,
    standardize: "psc",
    onWarning: (w) => warnings.push(w),
  });
  assert.deepEqual(column(out, 0), [0, 0, 0, 0]);
  assert.ok(warnings.some((w) => w.includes("mean of 0")));
});

Deno.test("confound regression leaves residuals orthogonal to the (centred) confounds", () => {
  const n = 60;
  const sig = randomMatrix(n, 4, 3, 2);
  const conf = randomMatrix(n, 3, 4);
  for (const standardizeConfounds of [true, false]) {
    const out = clean(sig, {
      detrend: true,
      standardize: false,
      confounds: conf,
      standardizeConfounds,
      ...quiet,
    });
    for (let j = 0; j < 3; j++) {
      const cj = column(conf, j);
      const mu = mean(cj);
      for (let c = 0; c < 4; c++) {
        const r = column(out, c);
        const dot = r.reduce((a, v, t) => a + v * ((cj[t] as number) - mu), 0);
        assert.ok(Math.abs(dot) < 1e-10, `residual ${c} . confound ${j} = ${dot}`);
      }
    }
  }
});

Deno.test("a constant confound: dropped when standardized, an intercept when not", () => {
  const n = 20;
  const sig = randomMatrix(n, 1, 5, 7);
  const conf: Matrix = { data: new Float64Array(n).fill(3), shape: [n, 1] };
  const kept = clean(sig, { detrend: false, standardize: false, confounds: conf, ...quiet });
  assert.ok(Math.abs(mean(column(kept, 0)) - mean(column(sig, 0))) < 1e-12);
  const centred = clean(sig, {
    detrend: false,
    standardize: false,
    confounds: conf,
    standardizeConfounds: false,
    ...quiet,
  });
  assert.ok(Math.abs(mean(column(centred, 0))) < 1e-12);
});

Deno.test("several confound matrices are stacked side by side", () => {
  const sig = randomMatrix(30, 2, 6);
  const a = randomMatrix(30, 1, 7);
  const b = randomMatrix(30, 2, 8);
  const ab: Matrix = {
    data: Float64Array.from({ length: 90 }, (_, i) => {
      const t = Math.floor(i / 3);
      const c = i % 3;
      return c === 0 ? (a.data[t] as number) : (b.data[t * 2 + c - 1] as number);
    }),
    shape: [30, 3],
  };
  const o1 = clean(sig, { standardize: false, confounds: [a, b], ...quiet });
  const o2 = clean(sig, { standardize: false, confounds: ab, ...quiet });
  assert.deepEqual(Array.from(o1.data), Array.from(o2.data));
  const r = regressOut(sig, ab);
  assert.equal(r.shape[0], 30);
});

Deno.test("runs are cleaned separately and stacked in run-label order", () => {
  const m = randomMatrix(40, 2, 9, 3);
  const runs = Array.from({ length: 40 }, (_, t) => (t < 25 ? 1 : 0));
  const out = clean(m, { runs, detrend: true, standardize: "zscore_sample", ...quiet });
  const part = (from: number, to: number): Matrix => ({
    data: m.data.slice(from * 2, to * 2),
    shape: [to - from, 2],
  });
  const run0 = clean(part(25, 40), { detrend: true, standardize: "zscore_sample", ...quiet });
  const run1 = clean(part(0, 25), { detrend: true, standardize: "zscore_sample", ...quiet });
  assert.deepEqual(Array.from(out.data), [...run0.data, ...run1.data]);
});

Deno.test("sample mask keeps only the listed volumes (indices or booleans)", () => {
  const m = randomMatrix(20, 2, 10);
  const keep = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 15, 19];
  const bools = Array.from({ length: 20 }, (_, i) => keep.includes(i));
  const a = clean(m, { sampleMask: keep, standardize: "zscore_sample", ...quiet });
  const b = clean(m, { sampleMask: bools, standardize: "zscore_sample", ...quiet });
  assert.deepEqual(a.shape, [keep.length, 2]);
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
  const withFilter = clean(m, {
    sampleMask: keep,
    lowPass: 0.2,
    tR: 1,
    butterworthPadlen: 5,
    ...quiet,
  });
  assert.deepEqual(withFilter.shape, [keep.length, 2]);
});

Deno.test("ensureFinite replaces NaN and Inf by 0 before cleaning", () => {
  const data = Float64Array.from([1, NaN, 3, Infinity, 5, 6]);
  const out = clean({ data, shape: [6, 1] }, {
    ensureFinite: true,
    detrend: false,
    standardize: false,
    ...quiet,
  });
  assert.deepEqual(Array.from(out.data), [1, 0, 3, 0, 5, 6]);
});

Deno.test("cutoff above Nyquist: warning, filter lowered just below Nyquist", () => {
  const m = randomMatrix(60, 1, 11);
  const warnings: string[] = [];
  const out = clean(m, {
    detrend: false,
    standardize: false,
    lowPass: 0.3,
    tR: 2,
    onWarning: (w) => warnings.push(w),
  });
  assert.ok(warnings.some((w) => w.includes("Nyquist")));
  assert.ok(out.data.every(Number.isFinite));
});

Deno.test("clear errors: shapes, sample mask, tR, options, padding", () => {
  const m = randomMatrix(20, 2, 12);
  assert.throws(
    () => clean(m, { confounds: randomMatrix(19, 1, 1), ...quiet }),
    (e: Error) => e instanceof TypeError && /confounds.*20 rows.*19/.test(e.message),
  );
  assert.throws(
    () => clean(m, { sampleMask: [0, 3, 20], ...quiet }),
    (e: Error) => e instanceof RangeError && /index 20/.test(e.message),
  );
  assert.throws(
    () => clean(m, { sampleMask: [true, false, true], ...quiet }),
    (e: Error) => e instanceof RangeError && /boolean mask.*20.*3/.test(e.message),
  );
  assert.throws(() => clean(m, { sampleMask: [], ...quiet }), /removes all volumes/);
  assert.throws(
    () => clean(m, { lowPass: 0.1, tR: null, ...quiet }),
    (e: Error) => e instanceof RangeError && /t_r/i.test(e.message),
  );
  assert.throws(
    () => clean(m, { filter: "cosine", tR: null, highPass: 0.01, ...quiet }),
    /t_r/,
  );
  assert.throws(
    () => clean(m, { detrend: true, lowpass: 0.1 } as never),
    (e: Error) => e instanceof TypeError && e.message.includes('"lowpass"'),
  );
  assert.throws(() => clean(m, { standardize: "minmax" as never, ...quiet }), /standardize/);
  assert.throws(() => clean(m, { lowPass: 0.1, highPass: 0.2, tR: 1, ...quiet }), /High pass/);
  assert.throws(
    () => clean(randomMatrix(30, 1, 1), { lowPass: 0.1, highPass: 0.01, tR: 2, ...quiet }),
    (e: Error) => e instanceof RangeError && /padlen, which is 33/.test(e.message),
  );
  assert.throws(
    () => clean(m, { runs: [0, 1], ...quiet }),
    (e: Error) => e instanceof TypeError && /run vector \(2\).*\(20\)/.test(e.message),
  );
});

Deno.test("cleanOptionsFromKwargs maps nilearn names and rejects unknown ones", () => {
  assert.deepEqual(
    cleanOptionsFromKwargs({
      butterworth__order: 3,
      t_r: 2,
      ensure_finite: true,
      extrapolate: false,
    }),
    { butterworthOrder: 3, tR: 2, ensureFinite: true, extrapolate: false },
  );
  assert.throws(() => cleanOptionsFromKwargs({ butterworth__foo: 1 }), /"butterworth__foo"/);
});

Deno.test("cosine filter regresses out slow drifts", () => {
  const n = 100;
  const tR = 2;
  const data = Float64Array.from({ length: n }, (_, t) => 5 * Math.cos((Math.PI / n) * (t + 0.5)));
  const out = clean({ data, shape: [n, 1] }, {
    filter: "cosine",
    highPass: 0.01,
    tR,
    detrend: false,
    standardize: false,
    ...quiet,
  });
  assert.ok(out.data.every((v) => Math.abs(v) < 1e-10));
});

Deno.test("clean: a tR nothing uses is not checked (nilearn); a filter needs a positive tR", () => {
  const x = { data: Float64Array.from([1, 3, 2, 5, 4, 6, 5, 8, 7, 9]), shape: [10, 1] as const };
  const plain = clean(x, { tR: -2, standardize: false });
  const same = clean(x, { tR: 2, standardize: false });
  assert.deepEqual(Array.from(plain.data), Array.from(same.data));
  assert.throws(() => clean(x, { tR: -2, lowPass: 0.1 }), (e: Error) => {
    return e instanceof RangeError && /tR/.test(e.message) && /-2/.test(e.message);
  });
  assert.throws(() => clean(x, { tR: Number.NaN }), TypeError);
});
