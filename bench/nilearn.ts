/**
 * `deno task bench --nilearn`: niimask side by side with nilearn's `MultiNiftiMapsMasker`, whole
 * process, one job, on the same files with the same cleaning and the same confounds (written once
 * as TSV files). Each side runs in a fresh process timed from spawn to exit: niimask
 * (`bench/whole_process.ts`) first, then nilearn (`bench/nilearn_side_by_side.py`), back to back.
 *
 * nilearn is not a dependency: the Python script imports it from `NILEARN_PATH` (folders separated
 * by `:`), run by `NILEARN_PYTHON` (default `python3`). BLAS threads are limited to
 * `NILEARN_BLAS_THREADS` (default 1: one job on one core, as niimask's `nJobs: 1`). When nilearn is
 * not importable the comparison is skipped with a message and its fields stay null.
 *
 * @module
 */
import { openNifti } from "../image/load.ts";
import { synthConfounds } from "./workloads.ts";
import { confoundsTsv, wholeProcessNiimask } from "./whole_process.ts";
import type { WorkloadFiles } from "./workloads.ts";

/** The comparison's fields of a bench row (null when not run or skipped). */
export interface NilearnFields {
  /** Subjects extracted in each process (the first ones of the workload). */
  nilearn_subjects: number | null;
  /** nilearn's whole process (Python start, imports, fit, every extraction), wall seconds. */
  nilearn_seconds: number | null;
  nilearn_fit_seconds: number | null;
  nilearn_transform_seconds: number[] | null;
  nilearn_import_seconds: number | null;
  nilearn_peak_rss_bytes: number | null;
  nilearn_version: string | null;
  /** niimask's whole process on the same subjects (Deno start, imports, fit, extractions). */
  niimask_whole_process_seconds: number | null;
  niimask_whole_process_fit_seconds: number | null;
  niimask_whole_process_transform_seconds: number[] | null;
  niimask_whole_process_peak_rss_bytes: number | null;
  /** nilearn_seconds / niimask_whole_process_seconds. */
  speedup_vs_nilearn: number | null;
  /** Largest absolute difference between the two sides' signals (z-scored, so unit scale). */
  max_abs_diff_vs_nilearn: number | null;
  /** Why the comparison was skipped, or null. */
  nilearn_skipped: string | null;
}

/** Fields of a row without the comparison. */
export function noNilearn(skipped: string | null = null): NilearnFields {
  return {
    nilearn_subjects: null,
    nilearn_seconds: null,
    nilearn_fit_seconds: null,
    nilearn_transform_seconds: null,
    nilearn_import_seconds: null,
    nilearn_peak_rss_bytes: null,
    nilearn_version: null,
    niimask_whole_process_seconds: null,
    niimask_whole_process_fit_seconds: null,
    niimask_whole_process_transform_seconds: null,
    niimask_whole_process_peak_rss_bytes: null,
    speedup_vs_nilearn: null,
    max_abs_diff_vs_nilearn: null,
    nilearn_skipped: skipped,
  };
}

interface PythonReport {
  skipped?: string;
  nilearn_version?: string;
  import_seconds: number;
  fit_seconds: number;
  transform_seconds: number[];
  peak_rss_bytes: number;
}

async function readF64(path: string): Promise<Float64Array> {
  const bytes = await Deno.readFile(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

async function runNilearn(
  args: string[],
): Promise<{ seconds: number; report: PythonReport }> {
  const python = Deno.env.get("NILEARN_PYTHON") ?? "python3";
  const threads = Deno.env.get("NILEARN_BLAS_THREADS") ?? "1";
  const script = new URL("./nilearn_side_by_side.py", import.meta.url).pathname;
  const cmd = new Deno.Command(python, {
    args: [script, ...args],
    env: {
      OPENBLAS_NUM_THREADS: threads,
      OMP_NUM_THREADS: threads,
      MKL_NUM_THREADS: threads,
    },
    stdout: "piped",
    stderr: "inherit",
  });
  const t = performance.now();
  let out: Deno.CommandOutput;
  try {
    out = await cmd.output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return {
        seconds: NaN,
        report: { skipped: `${python} not found (set NILEARN_PYTHON)` } as PythonReport,
      };
    }
    throw e;
  }
  const seconds = (performance.now() - t) / 1000;
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`${script} failed (exit ${out.code}): ${text.slice(-2000)}`);
  }
  return { seconds, report: JSON.parse(text.split("\n").pop() ?? "") as PythonReport };
}

/**
 * Run both sides on the first `nSubjects` subjects of a workload.
 *
 * @param w the workload's files.
 * @param clean apply the bench's cleaning (and its synthesized confounds).
 * @param nSubjects subjects per process (at least 1).
 * @param log progress messages.
 * @returns the comparison's fields.
 */
export async function sideBySide(
  w: WorkloadFiles,
  clean: boolean,
  nSubjects: number,
  log: (m: string) => void,
): Promise<NilearnFields> {
  const subjects = w.subjects.slice(0, Math.max(1, nSubjects));
  const dir = await Deno.makeTempDir({ prefix: "niimask-bench-nilearn-" });
  try {
    const confounds: string[] = [];
    if (clean) {
      for (let s = 0; s < subjects.length; s++) {
        const header = await openNifti(subjects[s]!);
        await header.close();
        const nT = header.shape[3] ?? 1;
        const path = `${dir}/confounds-${s}.tsv`;
        // The same confounds as the main measurement's (same seeds).
        await Deno.writeTextFile(path, confoundsTsv(synthConfounds(nT, 77 + s)));
        confounds.push(path);
      }
    }
    const outNiimask = `${dir}/niimask`, outNilearn = `${dir}/nilearn`;
    await Deno.mkdir(outNiimask);
    log(`${w.name}: niimask, whole process, ${subjects.length} subject(s), 1 job`);
    const ours = await wholeProcessNiimask({
      maps: w.maps,
      mask: w.mask,
      resamplingTarget: w.resamplingTarget,
      clean,
      subjects,
      confounds,
      signalsOut: outNiimask,
    });
    log(`${w.name}: nilearn, whole process, ${subjects.length} subject(s), 1 job`);
    const pyArgs = [
      "--maps",
      w.maps,
      ...(w.mask === null ? [] : ["--mask", w.mask]),
      "--resampling-target",
      w.resamplingTarget === null ? "null" : w.resamplingTarget,
      ...(clean ? confounds.flatMap((c) => ["--confounds", c]) : ["--no-clean"]),
      "--signals-out",
      outNilearn,
      ...subjects,
    ];
    const theirs = await runNilearn(pyArgs);
    if (theirs.report.skipped !== undefined) {
      log(`${w.name}: nilearn comparison skipped: ${theirs.report.skipped}`);
      return noNilearn(theirs.report.skipped);
    }
    let diff = 0;
    for (let s = 0; s < subjects.length; s++) {
      const a = await readF64(`${outNiimask}/sub-${s}.f64`);
      const b = await readF64(`${outNilearn}/sub-${s}.f64`);
      if (a.length !== b.length) {
        diff = Infinity;
        break;
      }
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i]! - b[i]!);
        if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
      }
    }
    return {
      nilearn_subjects: subjects.length,
      nilearn_seconds: theirs.seconds,
      nilearn_fit_seconds: theirs.report.fit_seconds,
      nilearn_transform_seconds: theirs.report.transform_seconds,
      nilearn_import_seconds: theirs.report.import_seconds,
      nilearn_peak_rss_bytes: theirs.report.peak_rss_bytes,
      nilearn_version: theirs.report.nilearn_version ?? null,
      niimask_whole_process_seconds: ours.seconds,
      niimask_whole_process_fit_seconds: ours.result.fitSeconds,
      niimask_whole_process_transform_seconds: ours.result.transformSeconds,
      niimask_whole_process_peak_rss_bytes: ours.result.peakRssBytes,
      speedup_vs_nilearn: theirs.seconds / ours.seconds,
      max_abs_diff_vs_nilearn: diff,
      nilearn_skipped: null,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
