/**
 * Timings of the connectome kernels on realistic sizes: a tangent fit over several runs, and one
 * correlation / partial correlation / tangent fit at many regions. Synthetic (time x regions)
 * signals: a few shared latent factors plus independent noise, deterministic.
 *
 * ```sh
 * deno run bench/connectome_kernels.ts tangent 10 400 200     # kind, runs, regions, volumes
 * deno run bench/connectome_kernels.ts "partial correlation" 1 1000 1200
 * deno run bench/connectome_kernels.ts eigh 400               # one decomposition, one f(M)
 * ```
 *
 * Prints one JSON line: the arguments and the seconds of `fitTransform` (or of the kernels).
 *
 * @module
 */
import { type ConnectivityKind, connectivityMeasure } from "../connectome/mod.ts";
import { eigh, formSymmetric } from "../connectome/_eigh.ts";
import { mulberry32, normals } from "../synthetic/mod.ts";
import type { Matrix } from "../types.ts";

function signals(seed: number, volumes: number, regions: number, factors = 8): Matrix {
  const draw = (s: number, length: number) => {
    const next = normals(mulberry32(s));
    return Float64Array.from({ length }, next);
  };
  const z = draw(seed, volumes * factors);
  const loadings = draw(seed + 1000, factors * regions);
  const noise = draw(seed + 2000, volumes * regions);
  const data = new Float64Array(volumes * regions);
  for (let t = 0; t < volumes; t++) {
    for (let r = 0; r < regions; r++) {
      let s = noise[t * regions + r]!;
      for (let f = 0; f < factors; f++) s += z[t * factors + f]! * loadings[f * regions + r]! * 0.5;
      data[t * regions + r] = s;
    }
  }
  return { data, shape: [volumes, regions] };
}

const [what = "tangent", a1 = "10", a2 = "400", a3 = "200"] = Deno.args;
if (what === "eigh") {
  const n = Number(a1);
  const x = signals(1, 2 * n, n);
  const c = connectivityMeasure({ kind: "covariance" }).fitTransform([x]).connectivities[0]!;
  const t0 = performance.now();
  const e = eigh(c.data, n);
  const t1 = performance.now();
  formSymmetric(Math.log, e, n);
  const t2 = performance.now();
  console.log(JSON.stringify({ what, n, eigh_s: (t1 - t0) / 1e3, form_s: (t2 - t1) / 1e3 }));
} else {
  const runs = Number(a1), regions = Number(a2), volumes = Number(a3);
  const subjects = Array.from({ length: runs }, (_, i) => signals(10 * i + 1, volumes, regions));
  const t0 = performance.now();
  const { connectivities } = connectivityMeasure({ kind: what as ConnectivityKind })
    .fitTransform(subjects);
  const seconds = (performance.now() - t0) / 1e3;
  const c = connectivities[0]!.data;
  let checksum = 0;
  for (let i = 0; i < c.length; i++) checksum += c[i]! * ((i % 7) + 1);
  console.log(JSON.stringify({ kind: what, runs, regions, volumes, seconds, checksum }));
}
