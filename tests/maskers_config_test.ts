/**
 * Masker parameters: which values are accepted at creation, which are rejected only when
 * `transform` uses them (as nilearn 0.11.1 does: `__init__` only stores), and which type
 * errors stay at creation.
 */
import assert from "node:assert/strict";
import { multiMapsMasker } from "../maskers/mod.ts";
import type { MultiMapsMaskerConfig } from "../maskers/mod.ts";
import type { Image } from "../types.ts";

const AFFINE = Float64Array.from([3, 0, 0, -9, 0, 3, 0, -6, 0, 0, 3, -6, 0, 0, 0, 1]);
const SHAPE = [6, 5, 5] as const;
const NV = SHAPE[0] * SHAPE[1] * SHAPE[2];
const NT = 40;

/** Two Gaussian blobs. */
function maps(): Image {
  const k = 2;
  const data = new Float64Array(NV * k);
  for (let m = 0; m < k; m++) {
    for (let z = 0; z < SHAPE[2]; z++) {
      for (let y = 0; y < SHAPE[1]; y++) {
        for (let x = 0; x < SHAPE[0]; x++) {
          const d2 = (x - 1 - 3 * m) ** 2 + (y - 2) ** 2 + (z - 2) ** 2;
          const w = Math.exp(-d2 / 3);
          data[m * NV + x + SHAPE[0] * (y + SHAPE[1] * z)] = w < 1e-3 ? 0 : w;
        }
      }
    }
  }
  return { data, shape: [...SHAPE, k], affine: AFFINE };
}

/** Each map's signal: a slow drift, a slow and a fast sinusoid (tR = 2 s), plus an offset. */
function bold(m: Image): Image {
  const k = m.shape[3]!;
  const data = new Float64Array(NV * NT);
  for (let t = 0; t < NT; t++) {
    for (let j = 0; j < k; j++) {
      const s = 100 + 10 * j + 0.3 * t + Math.sin(0.2 * t + j) + 0.5 * Math.sin(2.8 * t);
      for (let v = 0; v < NV; v++) data[t * NV + v]! += s * m.data[j * NV + v]!;
    }
  }
  return { data, shape: [...SHAPE, NT], affine: AFFINE };
}

const MAPS = maps();
const IMG = bold(MAPS);

async function run(config: Omit<MultiMapsMaskerConfig, "mapsImg">): Promise<Float64Array> {
  const fitted = await multiMapsMasker({ mapsImg: MAPS, reports: false, ...config }).fit();
  return Float64Array.from((await fitted.transform(IMG)).data);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

Deno.test("standardize: null is accepted, means false, and params() returns it as given", async () => {
  const m = multiMapsMasker({ mapsImg: MAPS, standardize: null });
  assert.equal(m.params().standardize, null);
  assert.equal(m.with({ detrend: true }).params().standardize, null);
  const fitted = await m.fit();
  assert.equal(fitted.params().standardize, null);
  assert.equal(maxDiff(await run({ standardize: null }), await run({})), 0);
});

Deno.test("clean.filter: null is accepted and means no filtering", async () => {
  const none = await run({ lowPass: 0.1, tR: 2, clean: { filter: null } });
  assert.equal(maxDiff(none, await run({ lowPass: 0.1, tR: 2, clean: { filter: false } })), 0);
  assert.ok(maxDiff(none, await run({ lowPass: 0.1, tR: 2 })) > 0.1, "the default filters");
});

Deno.test("clean.butterworthPadtype: null is accepted (no padding)", async () => {
  const noPad = await run({ lowPass: 0.1, tR: 2, clean: { butterworthPadtype: null } });
  const odd = await run({ lowPass: 0.1, tR: 2 });
  assert.ok(noPad.every(Number.isFinite));
  assert.ok(maxDiff(noPad, odd) > 1e-6, "padding changes the ends of the filtered series");
});

Deno.test("a negative highPass is used as nilearn does: raised to Nyquist * float32 eps", async () => {
  const warned: string[] = [];
  const orig = console.warn;
  console.warn = (...a: unknown[]) => void warned.push(a.join(" "));
  let neg: Float64Array;
  try {
    neg = await run({ highPass: -0.01, tR: 2 });
  } finally {
    console.warn = orig;
  }
  const eps = await run({ highPass: 0.25 * 2 ** -23, tR: 2 }); // Nyquist = 0.25 Hz at tR = 2 s
  assert.ok(maxDiff(neg, eps) < 1e-9);
  assert.ok(warned.some((w) => /high pass filter is too low/.test(w)), "nilearn's warning");
  assert.ok(maxDiff(neg, await run({})) > 1e-3, "a filter was applied");
});

Deno.test("a negative smoothingFwhm means no smoothing; null entries in a list are accepted", async () => {
  assert.equal(maxDiff(await run({ smoothingFwhm: -4 }), await run({})), 0);
  const m = multiMapsMasker({ mapsImg: MAPS, smoothingFwhm: [4, null, 4] as never });
  assert.deepEqual(m.params().smoothingFwhm, [4, null, 4]);
});

Deno.test("a negative tR is accepted at creation (nilearn only stores it)", () => {
  assert.equal(multiMapsMasker({ mapsImg: MAPS, tR: -2 }).params().tR, -2);
});

Deno.test("values nilearn rejects only at transform: creation and fit succeed, transform throws", async () => {
  const cases: [Omit<MultiMapsMaskerConfig, "mapsImg">, RegExp][] = [
    [{ standardize: "l1" as never }, /standardize.*"l1"/],
    [{ highPass: 0, tR: 2 }, /critical frequencies.*cutoff of 0 Hz/],
    [{ lowPass: 0, tR: 2 }, /critical frequencies.*cutoff of 0 Hz/],
    [{ lowPass: 0.1, tR: -2 }, /tR.*-2/],
    [{ lowPass: 0.1, tR: 2, clean: { butterworthOrder: 0 } }, /butterworthOrder.*0/],
    [{ highPass: 0.01, tR: 2, clean: { filter: "foo" as never } }, /filter.*"foo"/],
    [{ lowPass: 0.1, tR: 2, clean: { butterworthPadtype: "zero" as never } }, /Padtype.*"zero"/],
    [{ smoothingFwhm: [6, 6] }, /fwhm.*3/],
  ];
  for (const [config, re] of cases) {
    const fitted = await multiMapsMasker({ mapsImg: MAPS, reports: false, ...config }).fit();
    await assert.rejects(
      () => fitted.transform(IMG),
      (err: unknown) =>
        err instanceof RangeError || err instanceof TypeError
          ? (assert.match((err as Error).message, re), true)
          : false,
      JSON.stringify(config),
    );
  }
});

Deno.test("type errors (and unknown names) are still raised at creation, naming the parameter", () => {
  const cases: [Record<string, unknown>, RegExp, ErrorConstructor][] = [
    [{ lowPass: "0.1" }, /^lowPass/, TypeError],
    [{ highPass: Number.NaN }, /^highPass/, TypeError],
    [{ tR: "2" }, /^tR/, TypeError],
    [{ standardize: 1 }, /^standardize/, TypeError],
    [{ smoothingFwhm: "4" }, /^smoothingFwhm/, TypeError],
    [{ smoothingFwhm: [] }, /^smoothingFwhm/, TypeError],
    [{ smoothingFwhm: null, lowPass: [0.1] }, /^lowPass/, TypeError],
    [{ clean: { filter: 1 } }, /^clean\.filter/, TypeError],
    [{ clean: { butterworthPadtype: 3 } }, /^clean\.butterworthPadtype/, TypeError],
    [{ clean: { butterworthOrder: 1.5 } }, /^clean\.butterworthOrder/, TypeError],
    [{ clean: { butterworthPadlen: "8" } }, /^clean\.butterworthPadlen/, TypeError],
    // deliberate deviation: nilearn ignores unknown clean__ kwargs
    [{ clean: { foo: 3 } }, /^clean\.foo: unknown clean option/, TypeError],
    [{ lowpass: 0.1 }, /^lowpass: unknown masker parameter/, TypeError],
    [{ dtype: 3 }, /^dtype/, TypeError],
    // nilearn 0.11.1's __init__ checks resampling_target (ValueError at construction)
    [{ resamplingTarget: "labels" }, /^resamplingTarget.*"labels"/, RangeError],
    [{ resamplingTarget: "mask" }, /^resamplingTarget: "mask" but no mask/, RangeError],
  ];
  for (const [config, re, cls] of cases) {
    assert.throws(
      () => multiMapsMasker({ mapsImg: MAPS, ...config } as never),
      (err: unknown) => err instanceof cls && re.test((err as Error).message),
      JSON.stringify(config),
    );
  }
});

Deno.test("dtype values are checked at fit, as nilearn (float16: HeaderDataError at fit)", async () => {
  const cases: [string, RegExp][] = [
    ["float16", /^dtype.*"float16"/],
    ["bogus", /^dtype.*"bogus"/],
    // deliberate deviation: nilearn casts the maps to an integer dtype (all-zero signals)
    ["int32", /^dtype.*"int32".*truncate/],
  ];
  for (const [dtype, re] of cases) {
    const masker = multiMapsMasker({ mapsImg: MAPS, dtype: dtype as never });
    assert.equal(masker.params().dtype, dtype, "accepted at creation");
    await assert.rejects(
      () => masker.fit(),
      (err: unknown) => err instanceof RangeError && re.test(err.message),
      dtype,
    );
    await assert.rejects(
      () => masker.fitTransform(IMG),
      (err: unknown) => err instanceof RangeError && re.test(err.message),
      `${dtype} (fitTransform)`,
    );
  }
});
