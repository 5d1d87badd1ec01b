/**
 * Seconds per 2 mm subject extracted in this thread (the bench's 2 mm workload and masker
 * settings), after one warm-up extraction: `deno run -A bench/extract_2mm_timing.ts [rounds]`.
 * `NIIMASK_SRC=/other/checkout/mod.ts` times another checkout with the same script, to compare a
 * change before and after it (run them alternately: the machine's load varies).
 *
 * @module
 */
import type { multiMapsMasker as MakeMasker } from "../mod.ts";
import { BENCH_CLEANING } from "./workloads.ts";

const data = new URL("./.data/v1/", import.meta.url).pathname;
const rounds = Number(Deno.args[0] ?? 3);
const src = Deno.env.get("NIIMASK_SRC") ?? new URL("../mod.ts", import.meta.url).href;
const { multiMapsMasker } = (await import(src)) as { multiMapsMasker: typeof MakeMasker };
const fitted = await multiMapsMasker({
  mapsImg: `${data}maps_3mm_64.nii.gz`,
  maskImg: `${data}mask_2mm.nii.gz`,
  resamplingTarget: "mask",
  ...BENCH_CLEANING,
}).fit();
const subjects = [`${data}sub-01_2mm_bold.nii.gz`, `${data}sub-02_2mm_bold.nii.gz`];
await fitted.transform(subjects[0]!); // warm-up: plan, JIT
const seconds: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const s of subjects) {
    const t0 = performance.now();
    await fitted.transform(s);
    seconds.push((performance.now() - t0) / 1000);
  }
}
const sorted = [...seconds].sort((a, b) => a - b);
console.log(JSON.stringify({
  source: src,
  extractions: seconds.length,
  min_seconds: +sorted[0]!.toFixed(3),
  median_seconds: +sorted[sorted.length >> 1]!.toFixed(3),
  seconds: seconds.map((x) => +x.toFixed(3)),
}));
