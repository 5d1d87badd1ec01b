/**
 * `deno task bench`: extraction speed against a plain native-gunzip pass and `igzip -d -c` (the
 * inflate limit), throughput with 1 vs several workers, and peak memory, for the reference
 * workloads (generated once, cached in `bench/.data/`) or for given files.
 *
 * Usage:
 *
 * ```sh
 * deno task bench                         # 3 mm (6 subjects), 2 mm (2) and 1024-map (2) workloads
 * deno task bench --json                  # one JSON object per workload and line
 * deno task bench --workloads 3mm --subjects 2
 * deno task bench --maps maps.nii.gz [--mask mask.nii.gz] [--resampling-target data] sub1.nii.gz sub2.nii.gz
 * NILEARN_PATH=/path/to/nilearn deno task bench --nilearn   # + nilearn side by side (3mm, 1024)
 * ```
 *
 * Options: `--subjects N` (3 mm subjects, default 6), `--subjects-2mm N` (default 2),
 * `--subjects-1024 N` (default 2), `--workers N` (throughput run, default 2), `--no-clean` (skip
 * the cleaning configuration), `--workloads 3mm,2mm,1024`, `--nilearn` (or
 * `NIIMASK_BENCH_NILEARN=1`: niimask and nilearn's `MultiNiftiMapsMasker`, each a whole process
 * with 1 job, on the same files; `bench/nilearn.ts`), `--nilearn-workloads 3mm,1024,custom` (where
 * to compare, this default), `--nilearn-subjects N` (subjects per process, default 1),
 * `--no-backends` (skip extracting the first subject once per inflate backend to compare the
 * signals bit for bit: `bench/backends.ts`).
 *
 * @module
 */
import {
  gunzipPeakRss,
  measureInChild,
  type MeasureResult,
  runtimeBaselineRss,
} from "./measure.ts";
import { isGzipFile } from "./gunzip_baseline.ts";
import { type NilearnFields, noNilearn, sideBySide } from "./nilearn.ts";
import { type BackendFields, compareBackends, noBackends } from "./backends.ts";
import { workload1024, workload2mm, workload3mm, type WorkloadFiles } from "./workloads.ts";

/** One output row (the `--json` line); the nilearn fields are null without `--nilearn`. */
export interface BenchRow extends NilearnFields, BackendFields {
  workload: string;
  subjects: number;
  /** Median over subjects (steady state); the mean and every value follow. */
  seconds_per_subject: number;
  seconds_per_subject_mean: number;
  seconds_per_subject_all: number[];
  gunzip_seconds_per_subject_all: number[] | null;
  gunzip_seconds_per_subject: number | null;
  ratio_to_gunzip: number | null;
  /** `igzip -d -c FILE > /dev/null` (ISA-L's CLI, the hardware limit); null without igzip. */
  igzip_seconds_per_subject_all: number[] | null;
  igzip_seconds_per_subject: number | null;
  /** seconds_per_subject / igzip_seconds_per_subject (medians). */
  ratio_to_igzip: number | null;
  /** The inflate backend of the extraction (`isal`, `zlib` or `stream`). */
  inflate_backend: string;
  cpu_seconds_per_subject: number;
  gunzip_cpu_seconds_per_subject: number | null;
  cpu_ratio_to_gunzip: number | null;
  fit_seconds: number;
  /** Wall seconds of the first extraction after fit (the one that pays for a plan not made at fit). */
  first_transform_seconds: number;
  /** CPU seconds (all threads) of fit and of the first extraction (less sensitive to load). */
  fit_cpu_seconds: number;
  first_transform_cpu_seconds: number;
  workers: number;
  one_worker_seconds: number;
  multi_worker_seconds: number | null;
  /**
   * Steady state (warm workers): the 1-worker seconds per subject (mean of the sequential
   * extractions) over the N-worker steady seconds per subject (`bench/measure.ts` step 5).
   */
  throughput_speedup_vs_1_worker: number | null;
  /** Cold: the sum of the sequential extractions over one N-worker call on the list. */
  throughput_speedup_cold: number | null;
  /** Mean seconds per subject with 1 worker (sequential, warm). */
  one_worker_seconds_per_subject: number;
  /** Steady seconds per subject with N workers (first completion of each worker left out). */
  multi_worker_steady_seconds_per_subject: number | null;
  /** Items of the steady-state call (the list repeated) and the wall time of that whole call. */
  warm_items: number | null;
  warm_call_seconds: number | null;
  peak_rss_bytes: number;
  peak_rss_method: string;
  peak_rss_workers_bytes: number | null;
  runtime_baseline_rss_bytes: number;
  rss_after_fit_bytes: number;
  decompressed_bytes_per_subject: number;
  compressed_bytes_per_subject: number;
  peak_over_runtime_baseline_per_decompressed: number;
  peak_over_fitted_per_decompressed: number;
  /**
   * For reference: the peak RSS of a fresh process (library imported) making one plain
   * native-gunzip pass over the first subject, and that peak's excess over the runtime baseline
   * per decompressed byte (the floor any streaming reader in this runtime pays). Null when the
   * subjects are not gzipped or the peak cannot be measured.
   */
  gunzip_peak_rss_bytes: number | null;
  gunzip_peak_over_runtime_baseline_per_decompressed: number | null;
  max_abs_diff_1_vs_n_workers: number | null;
  cleaning: string;
  date: string;
  cores: number;
}

interface Args {
  json: boolean;
  workloads: string[];
  subjects3: number;
  subjects2: number;
  subjects1024: number;
  workers: number;
  clean: boolean;
  maps: string | null;
  mask: string | null;
  target: "data" | "mask" | "maps" | null;
  files: string[];
  nilearn: boolean;
  nilearnWorkloads: string[];
  nilearnSubjects: number;
  backends: boolean;
}

function usage(msg: string): never {
  console.error(`bench: ${msg}`);
  console.error(
    "usage: deno task bench [--json] [--workloads 3mm,2mm,1024] [--subjects N] [--subjects-2mm N] " +
      "[--subjects-1024 N] " +
      "[--workers N] [--no-clean] [--no-backends] [--nilearn] [--nilearn-workloads L] " +
      "[--nilearn-subjects N] " +
      "[--maps F [--mask F] [--resampling-target T] subject...]",
  );
  Deno.exit(2);
}

function positiveInt(v: string | undefined, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) usage(`${name}: expected a positive integer, found '${v}'`);
  return n;
}

/** Parse the command line. */
function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    json: false,
    workloads: ["3mm", "2mm", "1024"],
    subjects3: 6,
    subjects2: 2,
    subjects1024: 2,
    workers: 2,
    clean: true,
    maps: null,
    mask: null,
    target: "data",
    files: [],
    nilearn: Deno.env.get("NIIMASK_BENCH_NILEARN") === "1",
    nilearnWorkloads: ["3mm", "1024", "custom"],
    nilearnSubjects: 1,
    backends: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    if (arg === "--json") a.json = true;
    else if (arg === "--no-clean") a.clean = false;
    else if (arg === "--nilearn") a.nilearn = true;
    else if (arg === "--no-backends") a.backends = false;
    else if (arg === "--nilearn-workloads") {
      a.nilearn = true;
      a.nilearnWorkloads = value().split(",").filter((s) => s !== "");
    } else if (arg === "--nilearn-subjects") a.nilearnSubjects = positiveInt(value(), arg);
    else if (arg === "--workloads") a.workloads = value().split(",").filter((s) => s !== "");
    else if (arg === "--subjects") a.subjects3 = positiveInt(value(), arg);
    else if (arg === "--subjects-2mm") a.subjects2 = positiveInt(value(), arg);
    else if (arg === "--subjects-1024") a.subjects1024 = positiveInt(value(), arg);
    else if (arg === "--workers") a.workers = positiveInt(value(), arg);
    else if (arg === "--maps") a.maps = value();
    else if (arg === "--mask") a.mask = value();
    else if (arg === "--resampling-target") {
      const t = value();
      if (!["data", "mask", "maps", "null"].includes(t)) {
        usage(`--resampling-target: expected data, mask, maps or null, found '${t}'`);
      }
      a.target = t === "null" ? null : t as Args["target"];
    } else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
    else a.files.push(arg);
  }
  for (const w of a.workloads) {
    if (w !== "3mm" && w !== "2mm" && w !== "1024") {
      usage(`--workloads: unknown workload '${w}' (3mm, 2mm, 1024)`);
    }
  }
  if (a.files.length > 0 && a.maps === null) usage("subject files given without --maps");
  if (a.maps !== null && a.files.length === 0) usage("--maps given without subject files");
  return a;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
/** Median: the steady per-subject cost (the first subject also pays JIT warm-up and the plan). */
const median = (xs: readonly number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
};

/** Turn a child's measurements into a report row. */
export function toRow(
  r: MeasureResult,
  baseline: number,
  cleaning: string,
  gunzipPeak: number | null = null,
  nilearn: NilearnFields = noNilearn(),
  backends: BackendFields = noBackends(),
): BenchRow {
  const perSubject = median(r.secondsPerSubject);
  const gz = r.gunzipSecondsPerSubject === null ? null : median(r.gunzipSecondsPerSubject);
  const ig = r.igzipSecondsPerSubject === null ? null : median(r.igzipSecondsPerSubject);
  const decompressed = mean(r.decompressedBytes);
  const cpu = median(r.cpuSecondsPerSubject);
  const gzCpu = r.gunzipCpuSecondsPerSubject === null ? null : median(r.gunzipCpuSecondsPerSubject);
  const steady = r.warmSeconds === null || r.warmItems === null || r.warmSkipped === null
    ? null
    : r.warmSeconds / (r.warmItems - r.warmSkipped);
  return {
    workload: r.name,
    subjects: r.subjects,
    seconds_per_subject: perSubject,
    seconds_per_subject_mean: mean(r.secondsPerSubject),
    seconds_per_subject_all: r.secondsPerSubject,
    gunzip_seconds_per_subject_all: r.gunzipSecondsPerSubject,
    gunzip_seconds_per_subject: gz,
    ratio_to_gunzip: gz === null ? null : perSubject / gz,
    igzip_seconds_per_subject_all: r.igzipSecondsPerSubject,
    igzip_seconds_per_subject: ig,
    ratio_to_igzip: ig === null ? null : perSubject / ig,
    inflate_backend: r.inflateBackend,
    cpu_seconds_per_subject: cpu,
    gunzip_cpu_seconds_per_subject: gzCpu,
    cpu_ratio_to_gunzip: gzCpu === null || !(gzCpu > 0) ? null : cpu / gzCpu,
    fit_seconds: r.fitSeconds,
    first_transform_seconds: r.firstTransformSeconds,
    fit_cpu_seconds: r.fitCpuSeconds,
    first_transform_cpu_seconds: r.firstTransformCpuSeconds,
    workers: r.multiWorkerSeconds === null ? 1 : r.workers,
    one_worker_seconds: r.oneWorkerSeconds,
    multi_worker_seconds: r.multiWorkerSeconds,
    throughput_speedup_vs_1_worker: steady === null ? null : mean(r.secondsPerSubject) / steady,
    throughput_speedup_cold: r.multiWorkerSeconds === null
      ? null
      : r.oneWorkerSeconds / r.multiWorkerSeconds,
    one_worker_seconds_per_subject: mean(r.secondsPerSubject),
    multi_worker_steady_seconds_per_subject: steady,
    warm_items: r.warmItems,
    warm_call_seconds: r.warmCallSeconds,
    peak_rss_bytes: r.peakRssBytes,
    peak_rss_method: r.peakRssMethod,
    peak_rss_workers_bytes: r.peakRssMultiWorkerBytes,
    runtime_baseline_rss_bytes: baseline,
    rss_after_fit_bytes: r.rssAfterFitBytes,
    decompressed_bytes_per_subject: decompressed,
    compressed_bytes_per_subject: mean(r.compressedBytes),
    peak_over_runtime_baseline_per_decompressed: (r.peakRssBytes - baseline) / decompressed,
    peak_over_fitted_per_decompressed: (r.peakRssBytes - r.rssAfterFitBytes) / decompressed,
    gunzip_peak_rss_bytes: gunzipPeak,
    gunzip_peak_over_runtime_baseline_per_decompressed: gunzipPeak === null
      ? null
      : (gunzipPeak - baseline) / decompressed,
    max_abs_diff_1_vs_n_workers: r.maxAbsDiffWorkers,
    cleaning,
    date: new Date().toISOString(),
    cores: navigator.hardwareConcurrency ?? 1,
    ...nilearn,
    ...backends,
  };
}

const mb = (b: number | null) => (b === null ? "–" : (b / 2 ** 20).toFixed(0));
const f = (x: number | null, d = 2) => (x === null ? "–" : x.toFixed(d));

/** Markdown table of rows. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const head = [
    "workload",
    "subjects",
    "s/subject (median)",
    "gunzip s/subject (median)",
    "ratio to gunzip",
    "igzip s/subject (median)",
    "ratio to igzip",
    "inflate",
    "CPU ratio to gunzip",
    "fit s",
    "first transform s",
    "workers",
    "throughput speedup (steady)",
    "throughput speedup (cold)",
    "peak RSS MiB",
    "runtime baseline MiB",
    "RSS after fit MiB",
    "decompressed MiB/subject",
    "(peak − baseline) / decompressed",
    "(peak − after fit) / decompressed",
    "plain gunzip: (peak − baseline) / decompressed",
    "max \\|Δ\\| 1 vs N workers",
    "max \\|Δ\\| across inflate backends",
    "whole process s (niimask, 1 job)",
    "nilearn s (whole process, 1 job)",
    "speedup vs nilearn",
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const r of rows) {
    lines.push(
      `| ${
        [
          r.workload,
          String(r.subjects),
          f(r.seconds_per_subject),
          f(r.gunzip_seconds_per_subject),
          f(r.ratio_to_gunzip),
          f(r.igzip_seconds_per_subject),
          f(r.ratio_to_igzip),
          r.inflate_backend,
          f(r.cpu_ratio_to_gunzip),
          f(r.fit_seconds),
          f(r.first_transform_seconds),
          String(r.workers),
          f(r.throughput_speedup_vs_1_worker),
          f(r.throughput_speedup_cold),
          mb(r.peak_rss_bytes),
          mb(r.runtime_baseline_rss_bytes),
          mb(r.rss_after_fit_bytes),
          mb(r.decompressed_bytes_per_subject),
          f(r.peak_over_runtime_baseline_per_decompressed),
          f(r.peak_over_fitted_per_decompressed),
          f(r.gunzip_peak_over_runtime_baseline_per_decompressed),
          r.max_abs_diff_1_vs_n_workers === null
            ? "–"
            : r.max_abs_diff_1_vs_n_workers.toExponential(1),
          r.max_abs_diff_across_backends === null
            ? "–"
            : r.max_abs_diff_across_backends.toExponential(1),
          f(r.niimask_whole_process_seconds),
          f(r.nilearn_seconds),
          f(r.speedup_vs_nilearn),
        ].join(" | ")
      } |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const args = parseArgs(Deno.args);
  const log = (m: string) => console.error(`[bench] ${m}`);
  const cleaning = args.clean
    ? "detrend, zscore_sample, band-pass 0.01-0.1 Hz, tR 2 s, 8 confounds"
    : "none";
  const workloads: WorkloadFiles[] = [];
  if (args.maps !== null) {
    workloads.push({
      name: "custom",
      maps: args.maps,
      mask: args.mask,
      subjects: args.files,
      resamplingTarget: args.target,
    });
  } else {
    for (const w of args.workloads) {
      workloads.push(
        w === "3mm"
          ? await workload3mm(args.subjects3, log)
          : w === "2mm"
          ? await workload2mm(args.subjects2, log)
          : await workload1024(args.subjects1024, log),
      );
    }
  }
  const baseline = await runtimeBaselineRss();
  const rows: BenchRow[] = [];
  for (const w of workloads) {
    log(`measuring ${w.name} (${w.subjects.length} subjects) in a fresh process`);
    const r = await measureInChild({
      name: w.name,
      maps: w.maps,
      mask: w.mask,
      subjects: w.subjects,
      resamplingTarget: w.resamplingTarget,
      clean: args.clean,
      workers: args.workers,
    });
    const first = w.subjects[0];
    const gzPeak = first !== undefined && (await isGzipFile(first))
      ? await gunzipPeakRss(first)
      : null;
    const nilearn = args.nilearn && args.nilearnWorkloads.includes(w.name)
      ? await sideBySide(w, args.clean, args.nilearnSubjects, log)
      : noNilearn();
    const backends = args.backends ? await compareBackends(w, args.clean, log) : noBackends();
    const row = toRow(r, baseline, cleaning, gzPeak, nilearn, backends);
    rows.push(row);
    if (args.json) console.log(JSON.stringify(row));
  }
  if (!args.json) {
    console.log(markdownTable(rows));
    console.log(
      `\n${navigator.hardwareConcurrency} cores, ${
        new Date().toISOString()
      }; cleaning: ${cleaning}`,
    );
  }
}

if (import.meta.main) await main();
