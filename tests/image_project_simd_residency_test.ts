// Residency is a property of a projector's arrays (views of the kernel's memory), not of the
// projector object: copies keep the SIMD kernel, with the JavaScript kernel's numbers.
import assert from "node:assert/strict";
import {
  batchStride,
  gatherSupport,
  makeMapsProjector,
  PROJECT_BATCH,
  projectBatch,
} from "../image/maps_projection.ts";
import { makeBatchProjector, residentProjector, simdSupported } from "../image/project_simd.ts";
import { mulberry32 } from "../synthetic/prng.ts";

Deno.test({
  name: "residency: a copy of a resident projector is resident; a plain one is not",
  ignore: !simdSupported(),
  fn() {
    const r = mulberry32(5);
    const nV = 8 * 7 * 6, k = 5;
    const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const data = Float32Array.from({ length: nV * k }, () => (r() < 0.4 ? r() - 0.2 : 0));
    const p = makeMapsProjector({ data, shape: [8, 7, 6, k], affine }, null);
    const resident = residentProjector(p, { minWeights: 0 });
    const vol = Float32Array.from({ length: nV }, () => r() * 100);
    const project = (q: typeof p) => {
      using bp = makeBatchProjector(q);
      gatherSupport(q, vol, bp.batch, 0);
      const out = new Float64Array(k);
      bp.project(1, out, 0);
      return { simd: bp.simd, out };
    };
    const viaCopy = project({ ...resident }); // a copy, never given to residentProjector
    assert.equal(viaCopy.simd, true);
    const copy = { ...resident };
    assert.equal(residentProjector(copy, { minWeights: 0 }), copy, "already resident");
    assert.equal(project(p).simd, false, "the plain projector runs the JavaScript kernel");
    const batch = new Float64Array(batchStride(p) * PROJECT_BATCH);
    gatherSupport(p, vol, batch, 0);
    const expected = new Float64Array(k);
    projectBatch(p, batch, 1, expected, 0);
    assert.deepEqual(Array.from(viaCopy.out), Array.from(expected));
  },
});
