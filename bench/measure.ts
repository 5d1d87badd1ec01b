/**
 * Measurements that need a fresh process: every workload is measured in its own `deno run`
 * subprocess (this module run with `--child`), so its peak resident memory (`VmHWM` of
 * `/proc/self/status`) is its own. Inside the child:
 *
 * 1. `multiMapsMasker(...).fit()` (timed: the one-time cost);
 * 2. garbage collection, the resident size read ("after fit": runtime plus fitted masker), the
 *    peak-RSS counter reset (`/proc/self/clear_refs` ← 5), the first subject extracted (timed:
 *    the first extraction, which pays for whatever the fit left to do) and `VmHWM` read: the
 *    peak of one extraction (this also warms the JIT up);
 * 3. for each subject in turn: a native-gunzip pass over its file (the reference time), an
 *    `igzip -d -c FILE > /dev/null` run (the hardware limit, when igzip is installed), then its
 *    extraction with `nJobs: 1` (timed), one right after the other so that all see the same
 *    machine load;
 * 4. with two or more subjects, the whole list again with `nJobs: workers` in one
 *    `transformImgs` call: the cold throughput (worker start-up, state and plan transfer and each
 *    fresh worker's JIT warm-up included; results compared with step 3's);
 * 5. the steady (warm) throughput: one `transformImgsSettled` call with `nJobs: workers` over the
 *    list repeated until it has at least `max(4 × workers, 2 × subjects)` items, the completion
 *    time of each item recorded (`onOutcome`); the first `workers` completions (each worker's
 *    first subject: start-up and warm-up) are left out, and the steady seconds per subject are
 *    (last completion − the `workers`-th completion) / (items − workers). Results are compared
 *    with step 3's too.
 *
 * The runtime's baseline is the resident size of a child that only imports the library.
 * Only the public masker API is used (`multiMapsMasker`), whatever its internals are.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import { openNifti } from "../image/load.ts";
import { gunzipPass, igzipPass, isGzipFile } from "./gunzip_baseline.ts";
import { resolveInflateBackend } from "../image/inflate_select.ts";
import { BENCH_CLEANING, synthConfounds } from "./workloads.ts";

/** What a child measures. */
export interface MeasureSpec {
  /** Workload name (for the report). */
  readonly name: string;
  /** Maps image path. */
  readonly maps: string;
  /** Mask image path or null. */
  readonly mask: string | null;
  /** Subject image paths. */
  readonly subjects: readonly string[];
  /** Masker `resamplingTarget`. */
  readonly resamplingTarget: "data" | "mask" | "maps" | null;
  /** Apply the cleaning configuration (detrend, zscore_sample, 0.01-0.1 Hz, tR 2 s, 8 confounds). */
  readonly clean: boolean;
  /** Workers for the throughput run (>= 2 to compare with 1). */
  readonly workers: number;
}

/** What a child reports. */
export interface MeasureResult {
  readonly name: string;
  readonly subjects: number;
  readonly secondsPerSubject: number[];
  readonly gunzipSecondsPerSubject: number[] | null;
  /** `igzip -d -c FILE > /dev/null` per subject; null when igzip is missing or files are plain. */
  readonly igzipSecondsPerSubject: number[] | null;
  /** The inflate backend the extraction used (`"isal"`, `"zlib"`, `"stream"`). */
  readonly inflateBackend: string;
  readonly cpuSecondsPerSubject: number[];
  readonly gunzipCpuSecondsPerSubject: number[] | null;
  readonly decompressedBytes: number[];
  readonly compressedBytes: number[];
  readonly fitSeconds: number;
  /** Wall seconds of the first extraction after fit (step 2). */
  readonly firstTransformSeconds: number;
  /** CPU seconds (all threads) of fit and of the first extraction. */
  readonly fitCpuSeconds: number;
  readonly firstTransformCpuSeconds: number;
  readonly rssAfterFitBytes: number;
  readonly peakRssBytes: number;
  readonly peakRssMethod: string;
  readonly workers: number;
  readonly oneWorkerSeconds: number;
  readonly multiWorkerSeconds: number | null;
  readonly peakRssMultiWorkerBytes: number | null;
  readonly maxAbsDiffWorkers: number | null;
  /** Step 5: items of the warm call (the list repeated), completions left out, seconds. */
  readonly warmItems: number | null;
  readonly warmSkipped: number | null;
  readonly warmSeconds: number | null;
  /** Step 5: wall seconds of the whole warm call (start-up included). */
  readonly warmCallSeconds: number | null;
}

/** Resident set size and its high-water mark (bytes) from `/proc/self/status`, or null. */
export function procMemory(): { rss: number; hwm: number } | null {
  try {
    const s = Deno.readTextFileSync("/proc/self/status");
    const rss = /VmRSS:\s+(\d+)\s*kB/.exec(s);
    const hwm = /VmHWM:\s+(\d+)\s*kB/.exec(s);
    if (rss === null || hwm === null) return null;
    return { rss: Number(rss[1]) * 1024, hwm: Number(hwm[1]) * 1024 };
  } catch {
    return null;
  }
}

/**
 * CPU seconds used so far by this process, all threads (utime + stime of `/proc/self/stat`,
 * 100 ticks per second), or NaN when unavailable. Wall time on a shared machine depends on the
 * load; CPU time much less.
 */
export function cpuSeconds(): number {
  try {
    const s = Deno.readTextFileSync("/proc/self/stat");
    const fields = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Reset the kernel's peak-RSS counter to the current RSS; false when not possible. */
function resetPeak(): boolean {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
}

/** Samples `Deno.memoryUsage().rss` (fallback when `/proc` is unavailable). */
class RssSampler {
  #max = 0;
  #id: ReturnType<typeof setInterval>;
  constructor(ms = 20) {
    this.#max = Deno.memoryUsage().rss;
    this.#id = setInterval(() => {
      this.#max = Math.max(this.#max, Deno.memoryUsage().rss);
    }, ms);
  }
  stop(): number {
    clearInterval(this.#id);
    return Math.max(this.#max, Deno.memoryUsage().rss);
  }
}

function maxAbsDiff(a: readonly Matrix[], b: readonly Matrix[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!.data, y = b[i]!.data;
    if (x.length !== y.length) return Infinity;
    for (let j = 0; j < x.length; j++) {
      const d = Math.abs(x[j]! - y[j]!);
      if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
    }
  }
  return m;
}

async function volumesOf(path: string): Promise<number> {
  const s = await openNifti(path);
  await s.close();
  return s.shape.length >= 4 ? s.shape[3]! : 1;
}

/** Run the measurements of one workload in this process (the child's job). */
export async function measureHere(spec: MeasureSpec): Promise<MeasureResult> {
  const n = spec.subjects.length;
  // 1. sizes (the gunzip reference is timed right before each extraction, under the same load).
  const gz: number[] = [];
  const gzCpu: number[] = [];
  const decompressed: number[] = [];
  const compressed: number[] = [];
  const gzipped: boolean[] = [];
  for (const path of spec.subjects) {
    compressed.push((await Deno.stat(path)).size);
    gzipped.push(await isGzipFile(path));
  }
  const allGzip = gzipped.every((g) => g);
  // 2. fit.
  const cleanConfig = spec.clean ? BENCH_CLEANING : {};
  const t0 = performance.now();
  const fitCpu0 = cpuSeconds();
  const fitted = await multiMapsMasker({
    mapsImg: spec.maps,
    maskImg: spec.mask,
    resamplingTarget: spec.resamplingTarget,
    reports: false,
    ...cleanConfig,
  }).fit();
  const fitSeconds = (performance.now() - t0) / 1000;
  const fitCpuSeconds = cpuSeconds() - fitCpu0;
  const confounds: (Matrix | null)[] = [];
  for (let s = 0; s < n; s++) {
    confounds.push(spec.clean ? synthConfounds(await volumesOf(spec.subjects[s]!), 77 + s) : null);
  }
  // 2. Peak memory of one extraction right after fit (garbage collected, peak counter reset):
  // the first subject; it also warms the JIT up for the timed loop.
  collectGarbage();
  await new Promise((r) => setTimeout(r, 20));
  collectGarbage();
  const canResetPeak = resetPeak();
  const beforeExtraction = procMemory()?.rss ?? Deno.memoryUsage().rss;
  const peakSampler = new RssSampler();
  const tFirst = performance.now();
  const firstCpu0 = cpuSeconds();
  await fitted.transform(spec.subjects[0]!, { confounds: confounds[0] ?? null });
  const firstTransformSeconds = (performance.now() - tFirst) / 1000;
  const firstTransformCpuSeconds = cpuSeconds() - firstCpu0;
  const sampled = peakSampler.stop();
  const mem = procMemory();
  const peak = canResetPeak && mem !== null ? mem.hwm : sampled;
  // 3. one subject at a time, each right after its gunzip and igzip references.
  const igz: number[] = [];
  let igzipMissing = false;
  const seconds: number[] = [];
  const cpu: number[] = [];
  const sequential: Matrix[] = [];
  for (let s = 0; s < n; s++) {
    if (gzipped[s]) {
      const c0 = cpuSeconds();
      const r = await gunzipPass(spec.subjects[s]!);
      gzCpu.push(cpuSeconds() - c0);
      gz.push(r.seconds);
      decompressed.push(r.bytes);
      const ig = await igzipPass(spec.subjects[s]!);
      if (ig === null) igzipMissing = true;
      else igz.push(ig);
    } else {
      decompressed.push(compressed[s]!);
    }
    const t = performance.now();
    const c = cpuSeconds();
    sequential.push(await fitted.transform(spec.subjects[s]!, { confounds: confounds[s] ?? null }));
    seconds.push((performance.now() - t) / 1000);
    cpu.push(cpuSeconds() - c);
  }
  // 4. throughput with several workers.
  let multiSeconds: number | null = null;
  let multiPeak: number | null = null;
  let diff: number | null = null;
  if (n >= 2 && spec.workers >= 2) {
    collectGarbage();
    const canReset2 = resetPeak();
    const sampler2 = new RssSampler();
    const t = performance.now();
    const parallel = await fitted.transformImgs(spec.subjects, {
      confounds: confounds as Matrix[],
      nJobs: spec.workers,
    });
    multiSeconds = (performance.now() - t) / 1000;
    const s2 = sampler2.stop();
    const m2 = procMemory();
    multiPeak = canReset2 && m2 !== null ? m2.hwm : s2;
    diff = maxAbsDiff(sequential, parallel);
  }
  // 5. steady-state throughput with several workers (one call, start-up amortized).
  let warm: { items: number; skipped: number; seconds: number; call: number } | null = null;
  if (n >= 2 && spec.workers >= 2) {
    const count = Math.max(4 * spec.workers, 2 * n);
    const items = Array.from({ length: count }, (_, i) => spec.subjects[i % n]!);
    const conf = Array.from({ length: count }, (_, i) => confounds[i % n] ?? null);
    const done: number[] = [];
    const t = performance.now();
    const out = await fitted.transformImgsSettled(items, {
      confounds: conf,
      nJobs: spec.workers,
      onOutcome: () => void done.push(performance.now()),
    });
    const call = (performance.now() - t) / 1000;
    const values = out.map((o, i) => {
      if (!o.ok) throw new Error(`warm run: ${items[i]}: ${o.error.message}`);
      return o.value;
    });
    diff = Math.max(
      diff ?? 0,
      maxAbsDiff(Array.from({ length: count }, (_, i) => sequential[i % n]!), values),
    );
    const skipped = spec.workers;
    warm = {
      items: count,
      skipped,
      seconds: (done[count - 1]! - done[skipped - 1]!) / 1000,
      call,
    };
  }
  return {
    name: spec.name,
    subjects: n,
    secondsPerSubject: seconds,
    gunzipSecondsPerSubject: allGzip ? gz : null,
    igzipSecondsPerSubject: allGzip && !igzipMissing ? igz : null,
    inflateBackend: await resolveInflateBackend(),
    cpuSecondsPerSubject: cpu,
    gunzipCpuSecondsPerSubject: allGzip ? gzCpu : null,
    decompressedBytes: decompressed,
    compressedBytes: compressed,
    fitSeconds,
    firstTransformSeconds,
    fitCpuSeconds,
    firstTransformCpuSeconds,
    rssAfterFitBytes: beforeExtraction,
    peakRssBytes: peak,
    peakRssMethod: canResetPeak && mem !== null
      ? "VmHWM (reset before the extraction)"
      : "sampled rss",
    workers: spec.workers,
    oneWorkerSeconds: seconds.reduce((a, b) => a + b, 0),
    multiWorkerSeconds: multiSeconds,
    peakRssMultiWorkerBytes: multiPeak,
    maxAbsDiffWorkers: diff,
    warmItems: warm?.items ?? null,
    warmSkipped: warm?.skipped ?? null,
    warmSeconds: warm?.seconds ?? null,
    warmCallSeconds: warm?.call ?? null,
  };
}

// Deno only lets a process read its own `/proc/self/*` (and write `clear_refs`) with every
// permission granted, so the measuring child runs with --allow-all (the parent, started with
// --allow-run, could run anything anyway).
const PERMS = ["--allow-all"];

async function runChild(args: string[]): Promise<unknown> {
  const config = new URL("../deno.json", import.meta.url).pathname;
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--config=${config}`,
      ...PERMS,
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
  });
  const out = await cmd.output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`benchmark child failed (exit ${out.code}): ${text.slice(-2000)}`);
  }
  const last = text.split("\n").pop() ?? "";
  return JSON.parse(last);
}

/**
 * Measure one workload in a fresh subprocess.
 *
 * @param spec what to measure.
 * @returns the child's measurements.
 */
export async function measureInChild(spec: MeasureSpec): Promise<MeasureResult> {
  return await runChild(["--child", JSON.stringify(spec)]) as MeasureResult;
}

/**
 * The runtime's baseline: resident size (bytes) of a fresh process that has imported the
 * library (masker, reader) and collected garbage.
 */
export async function runtimeBaselineRss(): Promise<number> {
  const r = await runChild(["--baseline"]) as { rss: number };
  return r.rss;
}

/**
 * The peak resident size (bytes) of a fresh process that has imported the library, collected
 * garbage, and then made one plain native-gunzip pass over `path` (what streaming the file costs
 * the runtime alone: its inflater's chunks are garbage until the next collection). Null where the
 * peak counter cannot be reset.
 *
 * @param path a `.nii.gz` file.
 */
export async function gunzipPeakRss(path: string): Promise<number | null> {
  const r = await runChild(["--gunzip-peak", path]) as { peak: number | null };
  return r.peak;
}

if (import.meta.main) {
  const mode = Deno.args[0];
  if (mode === "--child") {
    const spec = JSON.parse(Deno.args[1] ?? "{}") as MeasureSpec;
    console.log(JSON.stringify(await measureHere(spec)));
  } else if (mode === "--baseline") {
    collectGarbage();
    await new Promise((r) => setTimeout(r, 20));
    collectGarbage();
    const m = procMemory();
    console.log(JSON.stringify({ rss: m?.rss ?? Deno.memoryUsage().rss }));
  } else if (mode === "--gunzip-peak") {
    collectGarbage();
    await new Promise((r) => setTimeout(r, 20));
    collectGarbage();
    const canReset = resetPeak();
    await gunzipPass(Deno.args[1] ?? "");
    const m = procMemory();
    console.log(JSON.stringify({ peak: canReset && m !== null ? m.hwm : null }));
  } else {
    console.error(
      "bench/measure.ts is run by bench/run.ts (modes --child <json>, --baseline, --gunzip-peak)",
    );
    Deno.exit(2);
  }
}
