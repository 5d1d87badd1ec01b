// The WebAssembly SIMD batch projector gives exactly (bit for bit) the JavaScript kernel's numbers.
import assert from "node:assert/strict";
import {
  batchStride,
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
  SIMD_MAX_AREAS,
  SIMD_MIN_WEIGHTS,
  simdSupported,
} from "../image/project_simd.ts";
import type { Image } from "../types.ts";
import { mulberry32 as rng } from "../synthetic/prng.ts";

const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

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

/**
 * Project `vols` batch by batch with `bp` (or with the JavaScript kernel when bp is null), filling
 * the batch with `gatherSupport`, or with `bp.gather` when `viaGather`.
 */
function projectAll(
  p: MapsProjector,
  vols: (Float32Array | Float64Array)[],
  bp: BatchProjector | null,
  viaGather = false,
) {
  const out = new Float64Array(vols.length * p.nMaps);
  const batch = bp?.batch ?? new Float64Array(batchStride(p) * PROJECT_BATCH);
  let inBatch = 0;
  for (let t = 0; t < vols.length; t++) {
    if (viaGather && bp !== null) bp.gather(vols[t]!, inBatch++);
    else gatherSupport(p, vols[t]!, batch, inBatch++);
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

for (const shared of [true, false]) {
  for (const f32 of [true, false]) {
    for (
      const [label, density, nT] of [
        ["sparse", 0.05, 21],
        ["dense", 0.9, 8],
        ["dense", 0.6, 5],
      ] as const
    ) {
      Deno.test({
        name: `SIMD batch projection is bit-identical to JS: ${label} ${
          f32 ? "float32" : "float64"
        } weights, ${nT} volumes, ${shared ? "shared" : "own"} memory`,
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
          const resident = residentProjector(p, { minWeights: 0, shared });
          assert.notEqual(resident, p);
          assert.equal(resident.values.buffer instanceof SharedArrayBuffer, shared);
          assert.deepEqual(resident.values, p.values, "same weights, now in wasm memory");
          assert.deepEqual(resident.support, p.support);
          using bp = makeBatchProjector(resident);
          assert.equal(bp.simd, true);
          const got = projectAll(resident, vols, bp);
          assertBitIdentical(got, expected, "SIMD vs JS");
          // Reusing the kernel (accumulators zeroed again) gives the same numbers once more.
          assertBitIdentical(projectAll(resident, vols, bp), expected, "second pass");
          // Gathered from Float32Arrays with float32 weights: the fused multiply-add kernel (V8
          // has relaxed SIMD), exact products, so the same numbers bit for bit.
          assert.equal(bp.fused, f32);
          assertBitIdentical(projectAll(resident, vols, bp, true), expected, "fused kernel");
          // A float64 volume in a batch (its products not exact): the plain kernel for it.
          const mixed = vols.map((v, t) => t % 5 === 2 ? Float64Array.from(v, (y) => y * 1.1) : v);
          assertBitIdentical(
            projectAll(resident, mixed, bp, true),
            projectAll(p, mixed, null),
            "float64 volumes in a batch",
          );
          assert.ok(expected.some((x) => x !== 0), "non-trivial signals");
          // One volume at a time (projectVolume) gives the same numbers too.
          const one = new Float64Array(nT * p.nMaps);
          for (let t = 0; t < nT; t++) projectVolume(resident, vols[t]!, one, t * p.nMaps);
          assertBitIdentical(one, expected, "projectVolume vs batch");
          // As a worker receives it (structured clone), made resident there: same numbers; the
          // weights are shared with the sender (shared memory) or copied.
          const clone = structuredClone(resident);
          assert.equal(clone.values.buffer === resident.values.buffer, false);
          const received = residentProjector(clone, { minWeights: 0 });
          const w0 = resident.values[0]!;
          resident.values[0] = w0 + 1; // seen through shared memory only
          assert.equal(received.values[0] === resident.values[0], shared);
          resident.values[0] = w0;
          using bp2 = makeBatchProjector(received);
          assert.equal(bp2.simd, true);
          assertBitIdentical(projectAll(received, vols, bp2), expected, "cloned, resident again");
        },
      });
    }
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
    const resident = residentProjector(p, { minWeights: 0 });
    using bp = makeBatchProjector(resident);
    assert.equal(bp.simd, true);
    const got = projectAll(resident, vols, bp);
    assertBitIdentical(got, expected, "SIMD vs JS");
    for (let t = 0; t < 11; t++) assert.equal(got[t * 4 + 2], 0);
  },
});

Deno.test("batch projector: JS fallback (no maps, small), concurrent areas, area limit", () => {
  // No maps at all (every map dropped): not made resident; the JavaScript kernel gives no columns.
  const { maps, mask } = randomProblem(3, [5, 4, 3], 3, 0.5, true);
  const p0 = makeMapsProjector(
    { ...maps, data: new Float32Array(maps.data.length) },
    mask,
    { keepMaskedMaps: false },
  );
  assert.equal(p0.nMaps, 0);
  assert.equal(residentProjector(p0, { minWeights: 0 }), p0);
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
    const resident = residentProjector(p, { minWeights: 0 });
    assert.equal(residentProjector(resident, { minWeights: 0 }), resident, "already resident");
    // Two extractions at once: each has its own scratch area; interleaved, both stay exact.
    const volsB = randomVolumes(5, p.nVoxels, 10);
    const expectedB = projectAll(p, volsB, null);
    const first = makeBatchProjector(resident);
    const second = makeBatchProjector(resident);
    assert.equal(first.simd && second.simd, true);
    assert.notEqual(first.batch.byteOffset, second.batch.byteOffset);
    const outA = new Float64Array(10 * p.nMaps), outB = new Float64Array(10 * p.nMaps);
    for (let t0 = 0; t0 < 10; t0 += PROJECT_BATCH) {
      const n = Math.min(PROJECT_BATCH, 10 - t0);
      for (let b = 0; b < n; b++) gatherSupport(p, vols[t0 + b]!, first.batch, b);
      for (let b = 0; b < n; b++) gatherSupport(p, volsB[t0 + b]!, second.batch, b);
      second.project(n, outB, t0);
      first.project(n, outA, t0);
    }
    assertBitIdentical(outA, expected, "first of two");
    assertBitIdentical(outB, expectedB, "second of two");
    first.release();
    assert.throws(() => first.project(1, new Float64Array(p.nMaps), 0), RangeError);
    using third = makeBatchProjector(resident);
    assert.equal(third.simd, true, "a released area is reused");
    assert.equal(third.batch.byteOffset, first.batch.byteOffset);
    second.release();
    // Areas are limited: past SIMD_MAX_AREAS extractions at once, the JavaScript kernel.
    const held: BatchProjector[] = [third];
    for (let i = 1; i < SIMD_MAX_AREAS; i++) held.push(makeBatchProjector(resident));
    assert.ok(held.every((h) => h.simd));
    using extra = makeBatchProjector(resident);
    assert.equal(extra.simd, false);
    assertBitIdentical(projectAll(resident, vols, extra), expected, "JS past the areas");
    for (const h of held) h.release();
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
  assert.equal(residentProjector(p, { minWeights: 0 }), p, "refined projectors stay in JavaScript");
  assert.throws(() => makeBatchProjector(p), RangeError);
});
