import assert from "node:assert/strict";
import FFT from "fft.js";
import {
  butterSos,
  butterworth,
  cosineDrift,
  cubicSpline,
  defaultPadlen,
  sosfiltfilt,
} from "../signal/mod.ts";

/** Magnitude spectrum (first half) of a real series whose length is a power of two. */
function magnitude(x: Float64Array): Float64Array {
  const fft = new FFT(x.length);
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, Array.from(x));
  fft.completeSpectrum(out);
  return Float64Array.from(
    { length: x.length / 2 },
    (_, k) => Math.hypot(out[2 * k] as number, out[2 * k + 1] as number),
  );
}

/** Zero-phase impulse response (length 1024, impulse in the middle, no padding). */
function impulseResponse(sos: Float64Array): Float64Array {
  const x = new Float64Array(1024);
  x[512] = 1;
  return sosfiltfilt(sos, x, null);
}

Deno.test("forward-backward Butterworth: |H|^2 is 1/2 at the cutoff, ~1 in the pass band, ~0 in the stop band", () => {
  // fs = 1 Hz; bin k of 1024 is k / 1024 Hz; cutoff 0.125 Hz = bin 128
  const low = magnitude(impulseResponse(butterSos(5, 0.125, "low", 1)));
  assert.ok(Math.abs((low[128] as number) - 0.5) < 1e-3, `low-pass at cutoff: ${low[128]}`);
  assert.ok(Math.abs((low[16] as number) - 1) < 1e-3, `low-pass pass band: ${low[16]}`);
  assert.ok((low[400] as number) < 1e-4, `low-pass stop band: ${low[400]}`);
  const high = magnitude(impulseResponse(butterSos(3, 0.125, "high", 1)));
  assert.ok(Math.abs((high[128] as number) - 0.5) < 1e-3, `high-pass at cutoff: ${high[128]}`);
  assert.ok((high[8] as number) < 1e-4, `high-pass stop band: ${high[8]}`);
  const band = magnitude(impulseResponse(butterSos(4, [0.0625, 0.25], "band", 1)));
  assert.ok(Math.abs((band[64] as number) - 0.5) < 2e-3, `band-pass low edge: ${band[64]}`);
  assert.ok(Math.abs((band[256] as number) - 0.5) < 2e-3, `band-pass high edge: ${band[256]}`);
  assert.ok(Math.abs((band[128] as number) - 1) < 1e-3, `band-pass centre: ${band[128]}`);
});

Deno.test("sections: order 5 low-pass has 3 sections, band-pass 5; default padding as scipy", () => {
  assert.equal(butterSos(5, 0.1, "low", 0.5).length, 18);
  assert.equal(defaultPadlen(butterSos(5, 0.1, "low", 0.5)), 18);
  assert.equal(butterSos(5, [0.01, 0.1], "band", 0.5).length, 30);
  assert.equal(defaultPadlen(butterSos(5, [0.01, 0.1], "band", 0.5)), 33);
});

Deno.test("sosfiltfilt keeps a constant series constant with every padding type", () => {
  const sos = butterSos(5, 0.1, "low", 0.5);
  for (const padtype of ["odd", "even", "constant", null] as const) {
    const y = sosfiltfilt(sos, new Float64Array(50).fill(3), padtype);
    assert.ok(y.every((v) => Math.abs(v - 3) < 1e-9), `padtype ${padtype}`);
  }
});

Deno.test("butterworth with no cutoff returns an unfiltered copy", () => {
  const x = { data: Float64Array.from([1, 2, 3]), shape: [3, 1] as const };
  const y = butterworth(x, 0.5, {});
  assert.deepEqual(Array.from(y.data), [1, 2, 3]);
  assert.notEqual(y.data, x.data);
});

Deno.test("not-a-knot cubic spline reproduces a cubic on uneven knots, NaN outside without extrapolation", () => {
  const f = (x: number) => 0.5 * x ** 3 - 2 * x ** 2 + x - 4;
  const knots = Float64Array.from([0, 1, 2.5, 3, 5, 8]);
  const at = Float64Array.from([-1, 0.5, 2.7, 4, 7.9, 9]);
  const y = cubicSpline(knots, knots.map(f), at, true);
  at.forEach((x, i) => assert.ok(Math.abs((y[i] as number) - f(x)) < 1e-9, `at ${x}: ${y[i]}`));
  const z = cubicSpline(knots, knots.map(f), at, false);
  assert.ok(Number.isNaN(z[0] as number) && Number.isNaN(z[5] as number));
  // 3 knots: the parabola through them; 2 knots: the line
  const p = cubicSpline(Float64Array.from([0, 1, 3]), Float64Array.from([1, 2, 10]), [2], true);
  assert.ok(Math.abs((p[0] as number) - 5) < 1e-12);
  const l = cubicSpline(Float64Array.from([0, 2]), Float64Array.from([1, 5]), [3], true);
  assert.ok(Math.abs((l[0] as number) - 7) < 1e-12);
});

Deno.test("cosine drift regressors: floor(2 n highPass TR) orthonormal columns", () => {
  const d = cosineDrift(0.01, 100, 2, () => {});
  assert.deepEqual(d.shape, [100, 4]);
  for (let a = 0; a < 4; a++) {
    for (let b = 0; b < 4; b++) {
      let s = 0;
      for (let t = 0; t < 100; t++) {
        s += (d.data[t * 4 + a] as number) * (d.data[t * 4 + b] as number);
      }
      assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-12);
    }
  }
});
