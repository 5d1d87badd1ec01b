/**
 * The batch runner: prepares every subject (a preparation failure is that subject's), then
 * transforms all the prepared subjects in one call — the masker's pool takes the next subject as
 * soon as a worker is free, with no chunk barrier — handling each subject as it finishes (write
 * its outputs, report progress, record the failure); skips finished subjects; stops cleanly when
 * aborted (Ctrl-C).
 *
 * All effects (reading confounds, transforming, writing, checking outputs) are injected as
 * {@link BatchDeps}, so the runner is tested without files or a masker.
 *
 * Interruption: the abort signal is passed to the transform, which starts no new subject and
 * stops those in flight; the runner stops waiting for it at once, ignores outcomes reported after
 * the abort (those subjects count as not run), and waits for the writes already started, which
 * are whole-file (temporary names, then renamed), so no partial file is left behind.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import type { SubjectOutcome } from "../maskers/types.ts";
import { errorMessage } from "./errors.ts";
import type { Progress } from "./progress.ts";

/** One subject of a batch. */
export interface BatchSubject {
  /** Image path, as given. */
  readonly image: string;
  /** Subject name (output prefix). */
  readonly subject: string;
}

/** What {@link BatchDeps.transform} receives besides the items. */
export interface TransformHooks {
  /**
   * Call as each subject finishes (`index` into the items), in completion order; await the
   * returned promise (it writes the outputs) before reporting the call done.
   */
  readonly onOutcome: (index: number, outcome: SubjectOutcome) => Promise<void>;
  /** The batch's abort signal: start nothing new once aborted. */
  readonly signal?: AbortSignal;
}

/** The effects a batch needs; `P` is what `prepare` makes of a subject (e.g. loaded confounds). */
export interface BatchDeps<P> {
  /** Whether the subject's outputs all exist already (for skip-existing). */
  outputsExist(s: BatchSubject): Promise<boolean>;
  /** Per-subject preparation (load confounds, ...); a throw is that subject's failure. */
  prepare(s: BatchSubject): Promise<P>;
  /**
   * Transform all prepared subjects in one call: one outcome per item, in order, each also
   * passed to `hooks.onOutcome` as it finishes (outcomes not reported there are handled from
   * the returned array).
   */
  transform(items: readonly P[], hooks: TransformHooks): Promise<SubjectOutcome[]>;
  /** Write a subject's outputs (atomically); a throw is that subject's failure. */
  write(s: BatchSubject, prepared: P, signals: Matrix): Promise<void>;
  /** Called after a subject succeeded (e.g. remove an old failure record). */
  onSuccess?(s: BatchSubject): Promise<void>;
  /** Called after a subject failed (e.g. write a failure record). */
  onFailure?(s: BatchSubject, error: Error): Promise<void>;
}

/** Batch settings. */
export interface BatchOptions {
  /** Skip subjects whose outputs exist. */
  readonly skipExisting: boolean;
  /** Aborting stops the batch (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Progress reporter. */
  readonly progress: Progress;
  /** Clock in seconds (default `performance.now() / 1000`). */
  readonly now?: () => number;
}

/** A failed subject. */
export interface BatchFailure extends BatchSubject {
  /** The error. */
  readonly error: Error;
}

/** What happened to every subject of a batch. */
export interface BatchSummary {
  /** Subjects processed successfully in this run. */
  readonly succeeded: readonly BatchSubject[];
  /** Subjects skipped because their outputs existed. */
  readonly skipped: readonly BatchSubject[];
  /** Subjects that failed, with their errors. */
  readonly failed: readonly BatchFailure[];
  /** Subjects not processed because the batch was interrupted. */
  readonly notRun: readonly BatchSubject[];
  /** The batch was interrupted. */
  readonly interrupted: boolean;
}

const ABORTED = Symbol("aborted");

function raceAbort<T>(p: Promise<T>, signal?: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal === undefined) return p;
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Run a batch.
 *
 * @param subjects the subjects, in processing order.
 * @param deps the effects.
 * @param options skip-existing, abort signal, progress.
 * @returns the summary (never throws for a subject's failure).
 * @example
 * ```ts ignore
 * const summary = await runBatch(subjects, deps, { skipExisting: true, progress });
 * ```
 */
export async function runBatch<P>(
  subjects: readonly BatchSubject[],
  deps: BatchDeps<P>,
  options: BatchOptions,
): Promise<BatchSummary> {
  const { signal, progress } = options;
  const now = options.now ?? (() => performance.now() / 1000);
  const succeeded: BatchSubject[] = [];
  const skipped: BatchSubject[] = [];
  const failed: BatchFailure[] = [];
  const todo: BatchSubject[] = [];
  for (const s of subjects) {
    if (options.skipExisting && await deps.outputsExist(s)) skipped.push(s);
    else todo.push(s);
  }
  progress.start(todo.length, skipped.length);
  const t0 = now();
  let finishedCount = 0;
  /** Average wall seconds per finished subject so far (subjects overlap across workers). */
  const perSubject = () => (now() - t0) / Math.max(1, finishedCount);

  const fail = async (s: BatchSubject, e: unknown) => {
    const error = asError(e);
    failed.push({ ...s, error });
    finishedCount++;
    progress.failed(s.subject, errorMessage(error));
    try {
      await deps.onFailure?.(s, error);
    } catch (hookError) {
      progress.log(`${s.subject}: could not record the failure: ${errorMessage(hookError)}`);
    }
  };

  let interrupted = false;
  // 1. Preparation, subject by subject.
  const ready: { s: BatchSubject; p: P }[] = [];
  for (const s of todo) {
    const prepared = await raceAbort(
      deps.prepare(s).then((p) => ({ ok: true as const, p }), (e) => ({ ok: false as const, e })),
      signal,
    );
    if (prepared === ABORTED) {
      interrupted = true;
      break;
    }
    if (prepared.ok) ready.push({ s, p: prepared.p });
    else await fail(s, prepared.e);
  }

  // 2. One transform over every prepared subject, each handled as it finishes.
  const handled = new Set<number>();
  const writes = new Set<Promise<void>>();
  let closed = false; // after an abort (or the end), late outcomes are ignored
  const handle = async (i: number, outcome: SubjectOutcome): Promise<void> => {
    const item = ready[i];
    if (closed || signal?.aborted || item === undefined || handled.has(i)) return;
    handled.add(i);
    const { s, p } = item;
    if (!outcome.ok) return await fail(s, outcome.error);
    try {
      await deps.write(s, p, outcome.value);
    } catch (e) {
      return await fail(s, e);
    }
    succeeded.push(s);
    finishedCount++;
    progress.succeeded(s.subject, perSubject());
    try {
      await deps.onSuccess?.(s);
    } catch (hookError) {
      progress.log(`${s.subject}: ${errorMessage(hookError)}`);
    }
  };
  const onOutcome = (i: number, outcome: SubjectOutcome): Promise<void> => {
    const w = handle(i, outcome);
    writes.add(w);
    return w.finally(() => writes.delete(w));
  };
  if (!interrupted && ready.length > 0) {
    let outcomes: SubjectOutcome[] | typeof ABORTED;
    try {
      outcomes = await raceAbort(
        deps.transform(ready.map((r) => r.p), { onOutcome, ...(signal ? { signal } : {}) }),
        signal,
      );
    } catch (e) {
      // The whole call failed (not one subject): every subject not yet handled failed with it.
      outcomes = ready.map(() => ({ ok: false as const, error: asError(e) }));
    }
    if (outcomes === ABORTED || signal?.aborted) {
      interrupted = true;
    } else {
      if (outcomes.length !== ready.length) {
        const e = new Error(
          `internal error: the masker returned ${outcomes.length} results for ${ready.length} subjects`,
        );
        outcomes = ready.map(() => ({ ok: false as const, error: e }));
      }
      for (let i = 0; i < ready.length; i++) await onOutcome(i, outcomes[i]!);
      if (signal?.aborted) interrupted = true;
    }
  } else if (signal?.aborted) {
    interrupted = true;
  }
  closed = true;
  while (writes.size > 0) await Promise.allSettled([...writes]); // writes already started
  progress.finish();
  const finished = new Set([...succeeded, ...failed].map((s) => s.subject));
  const notRun = interrupted ? todo.filter((s) => !finished.has(s.subject)) : [];
  return { succeeded, skipped, failed, notRun, interrupted };
}

/**
 * The end-of-batch summary text: counts, then every failure (subject, image, error), then what
 * was not run when interrupted.
 *
 * @param summary the batch summary.
 * @returns the text (newline-terminated).
 * @example
 * ```ts
 * import { formatSummary } from "./batch.ts";
 * formatSummary({ succeeded: [], skipped: [], failed: [], notRun: [], interrupted: false });
 * ```
 */
export function formatSummary(summary: BatchSummary): string {
  const { succeeded, skipped, failed, notRun, interrupted } = summary;
  const total = succeeded.length + skipped.length + failed.length + notRun.length;
  const parts = [`${succeeded.length} succeeded`];
  if (skipped.length > 0) parts.push(`${skipped.length} skipped (outputs existed)`);
  parts.push(`${failed.length} failed`);
  if (interrupted) parts.push(`${notRun.length} not run`);
  const lines = [
    `niimask: ${interrupted ? "interrupted; " : ""}${total} subject${total === 1 ? "" : "s"}: ${
      parts.join(", ")
    }`,
  ];
  if (failed.length > 0) {
    lines.push("Failed subjects:");
    for (const f of failed) lines.push(`  ${f.subject} (${f.image}): ${errorMessage(f.error)}`);
  }
  if (interrupted && notRun.length > 0) {
    lines.push(
      "Not run (rerun the same command with --skip-existing to resume):",
      ...notRun.map((s) => `  ${s.subject} (${s.image})`),
    );
  }
  return lines.join("\n") + "\n";
}
