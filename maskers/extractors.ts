/**
 * Where a subject's signals are extracted: in this thread, or on a pool of web workers. Both open
 * the subject once (its header read where it will be extracted), let the caller choose the plan
 * from its grid, then extract it with the same result.
 *
 * @module
 */
import type { Affine } from "../types.ts";
import type { ImgSource } from "../image/load.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import { extractSubject, type SubjectRequest, type SubjectResult } from "./extract_subject.ts";
import { ExtractPool } from "./worker_pool.ts";
import { openSubject, sourceName, workerSource } from "./subject_sources.ts";
import { abortable } from "./abort.ts";
import { checkImageArg } from "./validate_call.ts";
import { inThreadWarning } from "./worker_lifecycle.ts";

/** A subject opened for extraction: its header, then its extraction (once). */
export interface OpenedSubject {
  /** `[nx, ny, nz]` or `[nx, ny, nz, nt]`. */
  readonly shape: readonly number[];
  /** Voxel-to-world affine. */
  readonly affine: Affine;
  /** Name for messages (file path or "image #i"). */
  readonly name: string;
  /**
   * The cleaned signals of the subject.
   *
   * @param plan the plan for the subject's grid.
   * @param request confounds and sample mask.
   */
  extract(plan: ExtractionPlan, request: SubjectRequest): Promise<SubjectResult>;
  /** Release the subject (idempotent; after `extract` too). */
  close(): Promise<void>;
}

/** Opens and extracts subjects with a fitted state. */
export interface Extractor {
  /**
   * Open subject `index` of a call.
   *
   * @param src the subject as given to transform.
   * @param index its position in the call (for its name in messages).
   * @param signal stops an extraction in this thread at its next volume.
   */
  open(src: ImgSource, index: number, signal: AbortSignal | undefined): Promise<OpenedSubject>;
  /** Stop extractions in flight and release resources (idempotent). */
  close(): void;
}

/** Extraction in this thread (files streamed here). */
export function inThreadExtractor(state: FittedState): Extractor {
  return {
    open: async (src, index, signal) => {
      const opened = await openSubject(src, index);
      const s = signal === undefined ? opened.source : abortable(opened.source, signal);
      return {
        shape: s.shape,
        affine: s.affine,
        name: s.name,
        extract: (plan, request) => extractSubject(state, plan, s, request),
        close: () => opened.close(),
      };
    },
    close: () => {},
  };
}

/**
 * Extraction on `size` web workers (`worker_pool.ts`): a worker opens the subject (the only
 * opening of it) and extracts it; a subject a worker cannot open (a list of images given as one
 * subject) is extracted in this thread. When the workers cannot start (e.g. niimask's modules not
 * readable under Deno's permissions), every subject is extracted in this thread, its result
 * carrying one warning that says why. Closing terminates the workers: subjects in flight stop at
 * once.
 *
 * @param state the fitted state (posted once to each worker).
 * @param size number of workers (>= 1).
 * @param workerUrl the worker module (default the pool's `extract_worker.ts`; tests give a
 *   variant).
 */
export function workerExtractor(state: FittedState, size: number, workerUrl?: URL): Extractor {
  const pool = new ExtractPool(size, state, workerUrl);
  const local = inThreadExtractor(state);
  return {
    open: async (src, index, signal) => {
      const name = sourceName(src, index);
      const loc = workerSource(src, name);
      if (loc === null) return await local.open(src, index, signal);
      checkImageArg(src, `imgs: ${name}`); // in this thread, before it is posted
      const remote = await pool.open(loc);
      if (remote === null) {
        return saying(
          await local.open(src, index, signal),
          inThreadWarning(pool.inThreadReason ?? "web workers could not start"),
        );
      }
      return {
        shape: remote.shape,
        affine: remote.affine,
        name,
        extract: (plan, request) => remote.extract(plan, request),
        close: () => Promise.resolve(remote.close()),
      };
    },
    close: () => pool.close(),
  };
}

/** `subject` whose result carries `warning` first. */
function saying(subject: OpenedSubject, warning: string): OpenedSubject {
  return {
    shape: subject.shape,
    affine: subject.affine,
    name: subject.name,
    extract: async (plan, request) => {
      const r = await subject.extract(plan, request);
      return { ...r, warnings: [warning, ...r.warnings] };
    },
    close: () => subject.close(),
  };
}
