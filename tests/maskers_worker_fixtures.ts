/**
 * Shared fixtures of the worker and outcome tests: partly negative blob maps on a small 3 mm grid,
 * synthetic subjects on it, and subject files written to a temp folder.
 */
import type { Image } from "../types.ts";
import { saveImg } from "../image/save.ts";
import { lcg } from "./lcg.ts";

/** Deterministic uniform [0, 1) numbers (see `lcg.ts`). */
export const rng: (seed: number) => () => number = lcg;

/** Maps, subjects and subject files on one grid. */
export interface BlobFixture {
  /** Overlapping, partly negative blob maps, one per centre (float32). */
  maps(): Image;
  /** A float32 subject of `nt` volumes (deterministic in `seed`). */
  subject(nt: number, seed: number): Image;
  /** `n` subject files `sub-<s>.nii.gz` (subject s has `nt0 + s` volumes) in a new temp folder. */
  files(n: number, nt0: number): Promise<{ dir: string; paths: string[] }>;
}

/**
 * A fixture on a `shape` grid of 3 mm voxels.
 *
 * @param shape grid size.
 * @param centres one voxel centre per map.
 * @param period period (in values) of the sinusoid in the subjects' data.
 */
export function blobFixture(
  shape: readonly [number, number, number],
  centres: readonly (readonly [number, number, number])[],
  period: number,
): BlobFixture {
  const affine = Float64Array.from([3, 0, 0, -12, 0, 3, 0, -12, 0, 0, 3, -9, 0, 0, 0, 1]);
  const [nx, ny, nz] = shape;
  const nV = nx * ny * nz;
  const subject = (nt: number, seed: number): Image => {
    const r = rng(seed);
    const data = new Float32Array(nV * nt);
    for (let i = 0; i < data.length; i++) data[i] = 100 + 10 * Math.sin(i / period) + 5 * r();
    return { data, shape: [nx, ny, nz, nt], affine };
  };
  return {
    maps(): Image {
      const k = centres.length;
      const data = new Float32Array(nV * k);
      for (let m = 0; m < k; m++) {
        const [cx, cy, cz] = centres[m]!;
        for (let z = 0, v = 0; z < nz; z++) {
          for (let y = 0; y < ny; y++) {
            for (let x = 0; x < nx; x++, v++) {
              const d2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
              const w = Math.exp(-d2 / 4) - 0.3 * Math.exp(-d2 / 16);
              data[m * nV + v] = Math.abs(w) < 0.02 ? 0 : w;
            }
          }
        }
      }
      return { data, shape: [nx, ny, nz, k], affine };
    },
    subject,
    async files(n: number, nt0: number) {
      const dir = await Deno.makeTempDir({ prefix: "niimask_fixture_" });
      const paths: string[] = [];
      for (let s = 0; s < n; s++) {
        const p = `${dir}/sub-${s}.nii.gz`;
        await saveImg(subject(nt0 + s, 10 + s), p);
        paths.push(p);
      }
      return { dir, paths };
    },
  };
}
