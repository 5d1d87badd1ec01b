/**
 * niimask's side of the whole-process comparison with nilearn (`deno task bench --nilearn`): a
 * fresh `deno run` process that imports the library, fits the masker with the bench's cleaning,
 * extracts each subject in turn with `nJobs: 1` (confounds read from the same TSV files that
 * nilearn reads), optionally writes the signals (little-endian float64, `sub-<i>.f64`, time by
 * map) and exits. The parent times the process from spawn to exit.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import { resolveInflateBackend } from "../image/inflate_select.ts";
import { BENCH_CLEANING } from "./workloads.ts";

/** What the whole-process child runs. */
export interface WholeProcessSpec {
  /** Maps image path. */
  readonly maps: string;
  /** Mask image path or null. */
  readonly mask: string | null;
  /** Masker `resamplingTarget`. */
  readonly resamplingTarget: "data" | "mask" | "maps" | null;
  /** Apply the bench's cleaning (detrend, zscore_sample, 0.01-0.1 Hz, tR 2 s, confounds). */
  readonly clean: boolean;
  /** Subject image paths. */
  readonly subjects: readonly string[];
  /** One confounds TSV per subject (header line, one column per confound), or none. */
  readonly confounds: readonly string[];
  /** Folder for the signals (`sub-<i>.f64`), or null. */
  readonly signalsOut: string | null;
}

/** What the whole-process child reports (times inside the process). */
export interface WholeProcessResult {
  readonly fitSeconds: number;
  readonly transformSeconds: number[];
  /** Peak RSS of the process (`VmHWM`), or null when unreadable. */
  readonly peakRssBytes: number | null;
  readonly signalsShape: [number, number] | null;
  /** The inflate backend the extractions used (`NIIMASK_INFLATE` or the fastest available). */
  readonly inflateBackend: string;
}

/**
 * Parse a tab-separated confounds file written by the bench (one header line, numbers).
 *
 * @param text the file's text.
 * @param path the file's name, for errors.
 * @returns the confounds, time by confound.
 * @throws {SyntaxError} a row of another width or a value that is not a number.
 */
export function parseConfoundsTsv(text: string, path: string): Matrix {
  const lines = text.split("\n").filter((l) => l.trim() !== "").slice(1);
  const k = lines[0]?.split("\t").length ?? 0;
  const data = new Float64Array(lines.length * k);
  lines.forEach((line, t) => {
    const cells = line.split("\t");
    if (cells.length !== k) {
      throw new SyntaxError(`${path}: row ${t + 2}: expected ${k} columns, found ${cells.length}`);
    }
    cells.forEach((c, j) => {
      const v = Number(c);
      if (c.trim() === "" || Number.isNaN(v)) {
        throw new SyntaxError(`${path}: row ${t + 2}: expected a number, found '${c}'`);
      }
      data[t * k + j] = v;
    });
  });
  return { data, shape: [lines.length, k] };
}

/**
 * A confounds matrix as the bench writes it: a header line (`c0`, `c1`, ...) and one row per
 * volume, tab-separated, every number in its shortest round-trip form (read back exactly by
 * `parseConfoundsTsv` and by numpy).
 *
 * @param m confounds, time by confound.
 * @returns the TSV text.
 */
export function confoundsTsv(m: Matrix): string {
  const [n, k] = m.shape;
  const rows = [Array.from({ length: k }, (_, j) => `c${j}`).join("\t")];
  for (let t = 0; t < n; t++) {
    rows.push(Array.from(m.data.subarray(t * k, (t + 1) * k), (v) => String(v)).join("\t"));
  }
  return rows.join("\n") + "\n";
}

function peakRss(): number | null {
  try {
    const s = Deno.readTextFileSync("/proc/self/status");
    const hwm = /VmHWM:\s+(\d+)\s*kB/.exec(s);
    return hwm === null ? null : Number(hwm[1]) * 1024;
  } catch {
    return null;
  }
}

async function writeSignals(m: Matrix, path: string): Promise<void> {
  const bytes = new Uint8Array(m.data.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < m.data.length; i++) view.setFloat64(i * 8, m.data[i]!, true);
  await Deno.writeFile(`${path}.tmp`, bytes);
  await Deno.rename(`${path}.tmp`, path);
}

/** Fit and extract every subject (the child's job). */
async function runHere(spec: WholeProcessSpec): Promise<WholeProcessResult> {
  const clean = spec.clean ? BENCH_CLEANING : {};
  let t = performance.now();
  const fitted = await multiMapsMasker({
    mapsImg: spec.maps,
    maskImg: spec.mask,
    resamplingTarget: spec.resamplingTarget,
    reports: false,
    ...clean,
  }).fit();
  const fitSeconds = (performance.now() - t) / 1000;
  const transformSeconds: number[] = [];
  let shape: [number, number] | null = null;
  for (let i = 0; i < spec.subjects.length; i++) {
    t = performance.now();
    const cpath = spec.clean ? spec.confounds[i] : undefined;
    const confounds = cpath === undefined
      ? null
      : parseConfoundsTsv(await Deno.readTextFile(cpath), cpath);
    const signals = await fitted.transform(spec.subjects[i]!, { confounds, nJobs: 1 });
    transformSeconds.push((performance.now() - t) / 1000);
    shape = [...signals.shape];
    if (spec.signalsOut !== null) await writeSignals(signals, `${spec.signalsOut}/sub-${i}.f64`);
  }
  return {
    fitSeconds,
    transformSeconds,
    peakRssBytes: peakRss(),
    signalsShape: shape,
    inflateBackend: await resolveInflateBackend(),
  };
}

/**
 * Run the whole-process child and time it from spawn to exit.
 *
 * @param spec what to run.
 * @param env extra environment variables of the child (e.g. `NIIMASK_INFLATE`).
 * @returns the wall seconds of the whole process and the child's own report.
 */
export async function wholeProcessNiimask(
  spec: WholeProcessSpec,
  env: Record<string, string> = {},
): Promise<{ seconds: number; result: WholeProcessResult }> {
  const config = new URL("../deno.json", import.meta.url).pathname;
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--config=${config}`,
      // --allow-all: Deno lets a process read its own /proc/self/status (the peak RSS) only so;
      // it also grants FFI, as `deno task niimask` does.
      "--allow-all",
      new URL(import.meta.url).pathname,
      JSON.stringify(spec),
    ],
    env,
    stdout: "piped",
    stderr: "inherit",
  });
  const t = performance.now();
  const out = await cmd.output();
  const seconds = (performance.now() - t) / 1000;
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`whole-process child failed (exit ${out.code}): ${text.slice(-2000)}`);
  }
  return { seconds, result: JSON.parse(text.split("\n").pop() ?? "") as WholeProcessResult };
}

if (import.meta.main) {
  const arg = Deno.args[0];
  if (arg === undefined) {
    console.error(
      "bench/whole_process.ts is run by bench/run.ts --nilearn (argument: a JSON spec)",
    );
    Deno.exit(2);
  }
  console.log(JSON.stringify(await runHere(JSON.parse(arg) as WholeProcessSpec)));
}
