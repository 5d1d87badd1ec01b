/**
 * `clean` behaviours that only the golden cases used to catch, each with a test of its own and
 * expected values from a direct computation: filtering before confound regression, run labels
 * ordered as numbers (2 before 10) with per-run sample masks, and a sample-mask index equal to
 * the number of volumes rejected by validation (with and without a Butterworth filter).
 */
import assert from "node:assert/strict";
import { butterworth, clean } from "../signal/mod.ts";
import type { Matrix } from "../types.ts";
import { lcg } from "./lcg.ts";
import { maxAbsDiff } from "./matrix_fixtures.ts";

const quiet = { onWarning: () => {} };

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const r = lcg(seed);
  return { data: Float64Array.from({ length: rows * cols }, () => r() - 0.5), shape: [rows, cols] };
}

/** Rows `rows` of a matrix. */
function pickRows(m: Matrix, rows: readonly number[]): Matrix {
  const cols = m.shape[1];
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => data.set(m.data.subarray(r * cols, (r + 1) * cols), i * cols));
  return { data, shape: [rows.length, cols] };
}

Deno.test("clean filters signals and confounds first, then regresses the filtered confounds out", () => {
  const n = 120, tR = 2, lowPass = 0.08;
  // A confound with a slow drift and a fast oscillation; the signal is a mix of that fast part
  // and a slow signal of its own.
  const fast = (t: number) => Math.sin(2 * Math.PI * 0.2 * t * tR);
  const slow = (t: number) => Math.cos(2 * Math.PI * 0.011 * t * tR);
  const conf: Matrix = {
    data: Float64Array.from({ length: n }, (_, t) => 0.02 * t + fast(t)),
    shape: [n, 1],
  };
  const sig: Matrix = {
    data: Float64Array.from({ length: n }, (_, t) => 3 * fast(t) + slow(t) + 0.5),
    shape: [n, 1],
  };
  const out = clean(sig, {
    detrend: false,
    standardize: false,
    standardizeConfounds: true,
    lowPass,
    tR,
    confounds: conf,
    ...quiet,
  });
  // Direct computation: filter both (same Butterworth filter), then least squares of the
  // filtered signal on the z-scored filtered confound (no intercept, as nilearn), residual.
  const fy = butterworth(sig, 1 / tR, { lowPass }).data;
  const fc = butterworth(conf, 1 / tR, { lowPass }).data;
  const mean = fc.reduce((a, b) => a + b, 0) / n;
  const z = fc.map((x) => x - mean);
  const beta = fy.reduce((a, y, t) => a + y * z[t]!, 0) / z.reduce((a, x) => a + x * x, 0);
  const expected = fy.map((y, t) => y - beta * z[t]!);
  assert.ok(maxAbsDiff(out.data, expected) < 1e-10, `max diff ${maxAbsDiff(out.data, expected)}`);
  // Regressing first and filtering after gives something else: the test tells them apart.
  const c0 = conf.data.map((x) => x - conf.data.reduce((a, b) => a + b, 0) / n);
  const b0 = sig.data.reduce((a, y, t) => a + y * c0[t]!, 0) / c0.reduce((a, x) => a + x * x, 0);
  const wrong =
    butterworth({ data: sig.data.map((y, t) => y - b0 * c0[t]!), shape: [n, 1] }, 1 / tR, {
      lowPass,
    }).data;
  assert.ok(maxAbsDiff(wrong, expected) > 0.05, "the other order differs");
});

Deno.test("clean with runs labelled 2 and 10: numeric order, per-run sample masks, each run on its own", () => {
  // Rows 0-13 are run 10, rows 14-33 run 2 (labels given out of order on purpose).
  const runs = [...Array(14).fill(10), ...Array(20).fill(2)];
  const m = randomMatrix(34, 3, 21);
  for (let t = 0; t < 34; t++) m.data[t * 3] = m.data[t * 3]! + 0.05 * t; // a trend to detrend
  const confounds = randomMatrix(34, 2, 22);
  const maskRun2 = [0, 1, 2, 4, 5, 7, 8, 9, 10, 12, 13, 14, 15, 16, 18, 19]; // 16 of 20 kept
  const maskRun10 = [1, 2, 3, 5, 6, 8, 9, 10, 11, 12]; // 10 of 14 kept
  const options = {
    detrend: true,
    standardize: "zscore_sample" as const,
    ...quiet,
  };
  // The masks come in sorted label order: run 2 first, then run 10.
  const out = clean(m, { ...options, runs, confounds, sampleMask: [maskRun2, maskRun10] });
  assert.deepEqual(out.shape, [26, 3]);
  // Direct per-run computation, stacked in numeric label order (2, then 10).
  const rows2 = Array.from({ length: 20 }, (_, i) => 14 + i);
  const rows10 = Array.from({ length: 14 }, (_, i) => i);
  const run2 = clean(pickRows(m, rows2), {
    ...options,
    confounds: pickRows(confounds, rows2),
    sampleMask: maskRun2,
  });
  const run10 = clean(pickRows(m, rows10), {
    ...options,
    confounds: pickRows(confounds, rows10),
    sampleMask: maskRun10,
  });
  const expected = new Float64Array([...run2.data, ...run10.data]);
  assert.ok(maxAbsDiff(out.data, expected) < 1e-12);
  // And independently: each run's block has zero mean and unit sample variance per column.
  for (const [start, len] of [[0, 16], [16, 10]] as const) {
    for (let c = 0; c < 3; c++) {
      const x = Array.from({ length: len }, (_, i) => out.data[(start + i) * 3 + c]!);
      const mu = x.reduce((a, b) => a + b, 0) / len;
      const v = x.reduce((a, b) => a + (b - mu) ** 2, 0) / (len - 1);
      assert.ok(Math.abs(mu) < 1e-12 && Math.abs(v - 1) < 1e-12, `block ${start} col ${c}`);
    }
  }
});

Deno.test("a sample-mask index equal to the number of volumes fails validation (plain and Butterworth paths)", () => {
  const m = randomMatrix(20, 2, 12);
  const message =
    /^sampleMask: invalid index 20 at position 2, out of range; the signal has 20 time points \(valid indices 0\.\.19\)$/;
  for (const filter of [{}, { lowPass: 0.1, tR: 2 }, { highPass: 0.01, lowPass: 0.1, tR: 2 }]) {
    assert.throws(
      () => clean(m, { sampleMask: [0, 3, 20], ...filter, ...quiet }),
      (e: Error) => e instanceof RangeError && message.test(e.message),
      JSON.stringify(filter),
    );
  }
  // The last valid index passes, on both paths.
  assert.equal(clean(m, { sampleMask: [0, 3, 19], ...quiet }).shape[0], 3);
  const filtered = clean(m, { sampleMask: [0, 3, 5, 8, 19], lowPass: 0.1, tR: 2, ...quiet });
  assert.ok(filtered.data.every(Number.isFinite));
  // With runs, the index is checked against its run's length (30 volumes each).
  const long = randomMatrix(60, 2, 13);
  assert.throws(
    () =>
      clean(long, {
        runs: [...Array(30).fill(0), ...Array(30).fill(1)],
        sampleMask: [[0, 29], [0, 5, 30]],
        lowPass: 0.1,
        tR: 2,
        ...quiet,
      }),
    /^RangeError: sampleMask\[1\]: invalid index 30 at position 2, out of range; the signal has 30 time points/,
  );
});
