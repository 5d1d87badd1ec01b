/**
 * Same numbers whatever the inflate backend: the first subject of a workload extracted in one
 * fresh process per backend (`NIIMASK_INFLATE=isal|zlib|stream`, `bench/whole_process.ts`, same
 * cleaning and confounds as the main measurement), the signals compared bit for bit. Backends that
 * cannot run here (no `libisal.so.2`) fall back silently, as in any run; the report names the
 * backend each process used.
 *
 * @module
 */
import { openNifti } from "../image/load.ts";
import { INFLATE_BACKENDS } from "../image/inflate_select.ts";
import { confoundsTsv, wholeProcessNiimask } from "./whole_process.ts";
import { synthConfounds, type WorkloadFiles } from "./workloads.ts";

/** The comparison's fields of a bench row (null when not run). */
export interface BackendFields {
  /** The backends compared (those the processes used, `NIIMASK_INFLATE` set to each in turn). */
  backends_compared: string[] | null;
  /** Largest absolute difference between any backend's signals and the first backend's. */
  max_abs_diff_across_backends: number | null;
}

/** Fields of a row without the comparison. */
export function noBackends(): BackendFields {
  return { backends_compared: null, max_abs_diff_across_backends: null };
}

async function readBytes(path: string): Promise<Float64Array> {
  const bytes = await Deno.readFile(path);
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

/**
 * Extract the first subject of `w` once per inflate backend and compare the signals.
 *
 * @param w the workload's files.
 * @param clean apply the bench's cleaning (and the first subject's synthesized confounds).
 * @param log progress messages.
 * @returns the backends and the largest difference (0: bit-identical).
 */
export async function compareBackends(
  w: WorkloadFiles,
  clean: boolean,
  log: (m: string) => void,
): Promise<BackendFields> {
  const subject = w.subjects[0];
  if (subject === undefined) return noBackends();
  const dir = await Deno.makeTempDir({ prefix: "niimask-bench-backends-" });
  try {
    const confounds: string[] = [];
    if (clean) {
      const img = await openNifti(subject);
      await img.close();
      const path = `${dir}/confounds-0.tsv`;
      await Deno.writeTextFile(path, confoundsTsv(synthConfounds(img.shape[3] ?? 1, 77)));
      confounds.push(path);
    }
    let first: Float64Array | null = null;
    let diff = 0;
    const used: string[] = [];
    for (const backend of INFLATE_BACKENDS) {
      log(`${w.name}: first subject with NIIMASK_INFLATE=${backend}`);
      const out = `${dir}/${backend}`;
      await Deno.mkdir(out);
      const r = await wholeProcessNiimask({
        maps: w.maps,
        mask: w.mask,
        resamplingTarget: w.resamplingTarget,
        clean,
        subjects: [subject],
        confounds,
        signalsOut: out,
      }, { NIIMASK_INFLATE: backend });
      used.push(r.result.inflateBackend);
      const s = await readBytes(`${out}/sub-0.f64`);
      if (first === null) first = s;
      else if (s.length !== first.length) diff = Infinity;
      else {
        for (let i = 0; i < s.length; i++) {
          const d = Math.abs(s[i]! - first[i]!);
          if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
        }
      }
    }
    return { backends_compared: used, max_abs_diff_across_backends: diff };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
