/**
 * Where a subject's signals are extracted: in this thread, or on a pool of web workers. Both take
 * a subject opened in this thread (its grid read, the plan chosen) and give the same result.
 *
 * @module
 */
import type { ImgSource } from "../image/load.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import { extractSubject, type SubjectRequest, type SubjectResult } from "./extract_subject.ts";
import type { VolumeSource } from "./volume_source.ts";
import { ExtractPool } from "./worker_pool.ts";
import { workerSource } from "./subject_sources.ts";

/** A subject opened in this thread: what it was given as, and its volumes. */
export interface OpenedSubjectInput {
  /** The subject as given to transform. */
  readonly src: ImgSource;
  /** Its volumes (read in this thread). */
  readonly source: VolumeSource;
  /** Release its file (idempotent). */
  close(): Promise<void>;
}

/** Extracts subjects with a fitted state. */
export interface Extractor {
  /**
   * The cleaned signals of one subject.
   *
   * @param plan the plan for the subject's grid.
   * @param subject the opened subject (an extractor may close it and read it elsewhere).
   * @param request confounds and sample mask.
   */
  extract(
    plan: ExtractionPlan,
    subject: OpenedSubjectInput,
    request: SubjectRequest,
  ): Promise<SubjectResult>;
  /** Stop extractions in flight and release resources (idempotent). */
  close(): void;
}

/** Extraction in this thread. */
export function inThreadExtractor(state: FittedState): Extractor {
  return {
    extract: (plan, subject, request) => extractSubject(state, plan, subject.source, request),
    close: () => {},
  };
}

/**
 * Extraction on `size` web workers (`worker_pool.ts`): a worker opens the subject itself; a
 * subject a worker cannot open (a list of images given as one subject) is extracted in this
 * thread.
 *
 * @param state the fitted state (posted once to each worker).
 * @param size number of workers (>= 1).
 */
export function workerExtractor(state: FittedState, size: number): Extractor {
  const pool = new ExtractPool(size, state);
  return {
    extract: async (plan, subject, request) => {
      const remote = workerSource(subject.src, subject.source.name);
      if (remote === null) return await extractSubject(state, plan, subject.source, request);
      await subject.close(); // the worker opens the subject itself
      return await pool.run(plan, remote, request);
    },
    close: () => pool.close(),
  };
}
