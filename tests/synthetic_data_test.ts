/** Tests of `synthetic/`: determinism, blob geometry on the world grid, and the BOLD mixture. */
import assert from "node:assert/strict";
import { blobMaps, mulberry32, normals, synthBold } from "../synthetic/mod.ts";

const GRID = {
  shape: [9, 8, 7] as const,
  affine: Float64Array.from([-2, 0, 0, 8, 0, 2, 0, -7, 0, 0, 3, -9, 0, 0, 0, 1]),
};

Deno.test("synthetic prng: same seed same sequence, uniform in [0, 1); normals have mean 0, sd 1", () => {
  const a = mulberry32(123), b = mulberry32(123), c = mulberry32(124);
  const xa = Array.from({ length: 2000 }, a);
  assert.deepEqual(xa, Array.from({ length: 2000 }, b));
  assert.notDeepEqual(xa.slice(0, 5), Array.from({ length: 5 }, c));
  assert.ok(xa.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(xa.reduce((s, x) => s + x, 0) / xa.length - 0.5) < 0.03);
  const n = Array.from({ length: 20000 }, normals(mulberry32(5)));
  const mean = n.reduce((s, x) => s + x, 0) / n.length;
  const sd = Math.sqrt(n.reduce((s, x) => s + (x - mean) ** 2, 0) / (n.length - 1));
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(sd - 1) < 0.03, `sd ${sd}`);
});

Deno.test("synthetic blobMaps: peak at the world centre (flipped x), negative lobe, threshold", () => {
  // Voxel (2, 3, 4) is at world (8 - 4, -7 + 6, -9 + 12) = (4, -1, 3).
  const maps = blobMaps(GRID, [
    [{ centre: [4, -1, 3], sigma: 3 }],
    [{ centre: [4, -1, 3], sigma: 3, amplitude: -2 }, { centre: [-8, 7, 9], sigma: 1 }],
  ], { threshold: 1e-3 });
  assert.deepEqual(maps.shape, [9, 8, 7, 2]);
  const nV = 9 * 8 * 7;
  const at = (i: number, j: number, k: number, m: number) =>
    maps.data[m * nV + i + 9 * (j + 8 * k)]!;
  assert.equal(at(2, 3, 4, 0), 1);
  let argmax = -1, max = -Infinity;
  for (let v = 0; v < nV; v++) if (maps.data[v]! > max) [max, argmax] = [maps.data[v]!, v];
  assert.equal(argmax, 2 + 9 * (3 + 8 * 4));
  // One voxel away along x (2 mm): exp(-4 / 18).
  assert.ok(Math.abs(at(3, 3, 4, 0) - Math.exp(-4 / 18)) < 1e-7);
  assert.equal(at(2, 3, 4, 1), -2, "negative blob; the far second blob adds ~1e-53");
  assert.equal(at(8, 7, 0, 0), 0, "below the threshold: exactly 0");
  assert.throws(() => blobMaps(GRID, [[{ centre: [0, 0, 0], sigma: 0 }]]), RangeError);
});

Deno.test("synthetic synthBold: deterministic; noise 0 gives exactly baseline + global + amplitude·map·signal", () => {
  const maps = blobMaps(GRID, [[{ centre: [4, -1, 3], sigma: 4 }], [{
    centre: [0, 5, 6],
    sigma: 5,
  }]]);
  const one = synthBold(maps, { nVolumes: 12, seed: 9 });
  const two = synthBold(maps, { nVolumes: 12, seed: 9 });
  assert.deepEqual(one.bold.data, two.bold.data);
  assert.deepEqual(one.bold.shape, [9, 8, 7, 12]);
  assert.deepEqual(one.signals.shape, [12, 2]);
  assert.notDeepEqual(synthBold(maps, { nVolumes: 12, seed: 10 }).bold.data, one.bold.data);

  const global = Array.from({ length: 12 }, (_, t) => t / 10);
  for (const kind of ["sines", "randomWalk"] as const) {
    const { bold, signals } = synthBold(maps, {
      nVolumes: 12,
      seed: 3,
      signals: kind,
      noise: 0,
      baseline: 50,
      amplitude: 4,
      global,
    });
    const nV = 9 * 8 * 7;
    for (const [v, t] of [[0, 0], [200, 5], [nV - 1, 11], [2 + 9 * (3 + 8 * 4), 7]] as const) {
      const expected = 50 + global[t]! + 4 * maps.data[v]! * signals.data[t * 2]! +
        4 * maps.data[nV + v]! * signals.data[t * 2 + 1]!;
      assert.equal(bold.data[t * nV + v], Math.fround(expected), `${kind} (${v}, ${t})`);
    }
  }
  const given = { data: Float64Array.from({ length: 24 }, (_, i) => i), shape: [12, 2] as const };
  assert.deepEqual(synthBold(maps, { nVolumes: 12, signals: given }).signals.data, given.data);
  assert.throws(() => synthBold(maps, { nVolumes: 11, signals: given }), RangeError);
  assert.throws(() => synthBold(maps, { nVolumes: 0 }), RangeError);
});
