// The WebAssembly SIMD batch projector gives exactly (bit for bit) the JavaScript kernel's numbers.
import assert from "node:assert/strict";
import {
  gatherSupport,
  makeMapsProjector,
  type MapsProjector,
  PROJECT_BATCH,
  projectBatch,
  projectVolume,
} from "../image/maps_projection.ts";
import {
  type BatchProjector,
  makeBatchProjector,
  residentProjector,
  SIMD_MIN_WEIGHTS,
  simdSupported,
} from "../image/project_simd.ts";
import type { Image } from "../types.ts";

const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random maps (partly negative; `density` of the weights non-zero) with a random mask. */
function randomProblem(
  seed: number,
  shape: [number, number, number],
  nMaps: number,
  density: number,
  f32: boolean,
): { maps: Image; mask: Image } {
  const r = rng(seed);
  const nV = shape[0] * shape[1] * shape[2];
  const data = f32 ? new Float32Array(nV * nMaps) : new Float64Array(nV * nMaps);
  for (let i = 0; i < data.length; i++) {
    if (r() < density) data[i] = (r() - 0.3) * (r() < 0.1 ? 1e3 : 1);
  }
  const mask = new Float32Array(nV);
  for (let v = 0; v < nV; v++) mask[v] = r() < 0.9 ? 1 : 0;
  return {
    maps: { data, shape: [...shape, nMaps], affine },
    mask: { data: mask, shape, affine },
  };
}

function randomVolumes(seed: number, nV: number, nT: number): Float32Array[] {
  const r = rng(seed);
  return Array.from({ length: nT }, () => {
    const v = new Float32Array(nV);
    for (let i = 0; i < nV; i++) v[i] = (r() - 0.5) * 1000;
    v[0] = NaN; // non-finite values count as 0 in both kernels
    return v;
  });
}

/** Project `vols` batch by batch with `bp` (or with the JavaScript kernel when bp is null). */
function projectAll(p: MapsProjector, vols: Float32Array[], bp: BatchProjector | null) {
  const out = new Float64Array(vols.length * p.nMaps);
  const batch = bp?.batch ?? new Float64Array(p.support.length * PROJECT_BATCH);
  let inBatch = 0;
  for (let t = 0; t < vols.length; t++) {
    gatherSupport(p, vols[t]!, batch, inBatch++);
    if (inBatch === PROJECT_BATCH || t === vols.length - 1) {
      const row = t + 1 - inBatch;
      if (bp === null) projectBatch(p, batch, inBatch, out, row);
      else bp.project(inBatch, out, row);
      inBatch = 0;
    }
  }
  return out;
}

function assertBitIdentical(a: Float64Array, b: Float64Array, what: string) {
  assert.equal(a.length, b.length, what);
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i]) assert.fail(`${what}: element ${i} differs: ${a[i]} vs ${b[i]}`);
  }
}

const noSimd = !simdSupported();

for (const f32 of [true, false]) {
  for (
    const [label, density, nT] of [["sparse", 0.05, 21], ["dense", 0.9, 8], [
      "dense",
      0.6,
      5,
    ]] as const
  ) {
    Deno.test({
      name: `SIMD batch projection is bit-identical to JS: ${label} ${
        f32 ? "float32" : "float64"
      } weights, ${nT} volumes`,
      ignore: noSimd,
      fn() {
        const seed = (f32 ? 1 : 2) * 1000 + nT;
        const { maps, mask } = randomProblem(seed, [12, 10, 9], 13, density, f32);
        const p = makeMapsProjector(maps, mask);
        assert.equal(p.refine, false, "test problem must not need refinement");
        assert.equal(p.values instanceof Float32Array, f32);
        assert.ok(p.tilePtr.length - 1 >= 2, "the support spans several tiles");
        const vols = randomVolumes(seed + 1, p.nVoxels, nT);
        const expected = projectAll(p, vols, null);
        const resident = residentProjector(p, 0);
        assert.notEqual(resident, p);
        assert.deepEqual(resident.values, p.values, "same weights, now in wasm memory");
        using bp = makeBatchProjector(resident);
        assert.equal(bp.simd, true);
        const got = projectAll(resident, vols, bp);
        assertBitIdentical(got, expected, "SIMD vs JS");
        // Reusing the kernel (accumulators zeroed again) gives the same numbers once more.
        assertBitIdentical(projectAll(resident, vols, bp), expected, "second pass");
        assert.ok(expected.some((x) => x !== 0), "non-trivial signals");
        // One volume at a time (projectVolume) gives the same numbers too.
        const one = new Float64Array(nT * p.nMaps);
        for (let t = 0; t < nT; t++) projectVolume(resident, vols[t]!, one, t * p.nMaps);
        assertBitIdentical(one, expected, "projectVolume vs batch");
        // As a worker receives it (structured clone), made resident there: same numbers.
        const received = residentProjector(structuredClone(resident), 0);
        using bp2 = makeBatchProjector(received);
        assert.equal(bp2.simd, true);
        assertBitIdentical(projectAll(received, vols, bp2), expected, "cloned, resident again");
      },
    });
  }
}

Deno.test({
  name: "SIMD batch projection: an empty map (emptied by the mask) stays 0, bit-identical",
  ignore: noSimd,
  fn() {
    const { maps, mask } = randomProblem(7, [6, 5, 4], 4, 0.5, true);
    const nV = 6 * 5 * 4;
    // Map 2 lives only outside the mask.
    for (let v = 0; v < nV; v++) maps.data[2 * nV + v] = mask.data[v] ? 0 : 1;
    const p = makeMapsProjector(maps, mask, { keepMaskedMaps: true });
    assert.equal(p.mapNnz[2], 0);
    const vols = randomVolumes(8, nV, 11);
    const expected = projectAll(p, vols, null);
    const resident = residentProjector(p, 0);
    using bp = makeBatchProjector(resident);
    assert.equal(bp.simd, true);
    const got = projectAll(resident, vols, bp);
    assertBitIdentical(got, expected, "SIMD vs JS");
    for (let t = 0; t < 11; t++) assert.equal(got[t * 4 + 2], 0);
  },
});

Deno.test("batch projector falls back to JS: no maps, small projectors, kernel busy", () => {
  // No maps at all (every map dropped): not made resident; the JavaScript kernel gives no columns.
  const { maps, mask } = randomProblem(3, [5, 4, 3], 3, 0.5, true);
  const p0 = makeMapsProjector(
    { ...maps, data: new Float32Array(maps.data.length) },
    mask,
    { keepMaskedMaps: false },
  );
  assert.equal(p0.nMaps, 0);
  assert.equal(residentProjector(p0, 0), p0);
  using b0 = makeBatchProjector(p0);
  assert.equal(b0.simd, false);
  const out0 = new Float64Array(0);
  b0.project(3, out0, 0);

  const p = makeMapsProjector(maps, mask);
  assert.ok(p.values.length < SIMD_MIN_WEIGHTS);
  assert.equal(residentProjector(p), p, "small projectors stay in JavaScript");
  using off = makeBatchProjector(p);
  assert.equal(off.simd, false);
  const vols = randomVolumes(4, p.nVoxels, 10);
  const expected = projectAll(p, vols, null);
  assertBitIdentical(projectAll(p, vols, off), expected, "JS fallback");
  if (simdSupported()) {
    const resident = residentProjector(p, 0);
    assert.equal(residentProjector(resident, 0), resident, "already resident");
    const first = makeBatchProjector(resident);
    assert.equal(first.simd, true);
    const second = makeBatchProjector(resident);
    assert.equal(second.simd, false, "kernel busy: the second one uses JS");
    assertBitIdentical(projectAll(resident, vols, second), expected, "busy fallback");
    assertBitIdentical(projectAll(resident, vols, first), expected, "holder");
    first.release();
    assert.throws(() => first.project(1, new Float64Array(p.nMaps), 0), RangeError);
    using third = makeBatchProjector(resident);
    assert.equal(third.simd, true, "released kernel is reused");
  }
});

Deno.test("batch projector rejects projectors that need refinement", () => {
  const maps: Image = {
    data: Float64Array.from([1, 1, 1, 1 + 1e-4]),
    shape: [2, 1, 1, 2],
    affine,
  };
  const p = makeMapsProjector(maps, null);
  assert.equal(p.refine, true);
  assert.equal(residentProjector(p, 0), p, "refined projectors stay in JavaScript");
  assert.throws(() => makeBatchProjector(p), RangeError);
});
