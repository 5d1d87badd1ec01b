/**
 * Web-worker entry of the subject pool ({@link ./worker_pool.ts}): receives the fitted state once,
 * each extraction plan once, then subjects one at a time. It opens each subject itself (the one
 * opening of it: its header is read here and its grid posted back, so the main thread can choose
 * the plan), then runs {@link extractSubject} on it (streaming from its file) and posts the
 * signals back with their buffer transferred.
 *
 * Reachable as `new URL("./extract_worker.ts", import.meta.url)` so that
 * `deno compile --include maskers/extract_worker.ts` bundles it.
 *
 * @module
 */
import { residentProjector } from "../image/project_simd.ts";
import { extractSubject } from "./extract_subject.ts";
import { type OpenedSource, openLocated } from "./subject_sources.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import type { ToMain, ToWorker } from "./worker_protocol.ts";
import { serializeError } from "./worker_protocol.ts";
import { announceExit } from "./worker_lifecycle.ts";

let state: FittedState | null = null;
const plans = new Map<number, ExtractionPlan>();
/** Subjects opened and not yet extracted or released, by job id. */
const subjects = new Map<number, OpenedSource>();

/** The worker global scope, typed for what this module uses. */
const scope = self as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

const post = (msg: ToMain, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);

scope.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.kind === "state") {
    state = msg.state;
    return;
  }
  if (msg.kind === "plan") {
    // This thread's SIMD kernel over the projector: on the sender's shared memory (nothing
    // copied), or, without shared memory, on a copy of the received weights (the clone is dropped).
    plans.set(msg.planId, { ...msg.plan, projector: residentProjector(msg.plan.projector) });
    return;
  }
  const { id } = msg;
  if (msg.kind === "release") {
    const opened = subjects.get(id);
    subjects.delete(id);
    await opened?.close();
    return;
  }
  if (msg.kind === "open") {
    try {
      const opened = await openLocated(msg.source);
      subjects.set(id, opened);
      post({ kind: "opened", id, shape: [...opened.source.shape], affine: opened.source.affine });
    } catch (err) {
      post({ kind: "fail", id, error: serializeError(err) });
    }
    return;
  }
  const opened = subjects.get(id);
  subjects.delete(id);
  try {
    if (state === null) throw new Error("extract worker: no fitted state received");
    if (opened === undefined) throw new Error(`extract worker: subject ${id} is not open`);
    const plan = plans.get(msg.planId);
    if (plan === undefined) throw new Error(`extract worker: unknown plan ${msg.planId}`);
    const r = await extractSubject(state, plan, opened.source, msg.request);
    post({
      kind: "done",
      id,
      signals: r.signals.data,
      shape: [r.signals.shape[0], r.signals.shape[1]],
      warnings: r.warnings,
    }, [r.signals.data.buffer as ArrayBuffer]);
  } catch (err) {
    post({ kind: "fail", id, error: serializeError(err) });
  } finally {
    await opened?.close();
  }
};

// Ending this worker (self.close(), Deno.exit()) is announced first: the pool then fails the
// subject in flight instead of waiting for an answer that never comes.
announceExit(post);
// Loaded: a worker that fails before this message could not start (the pool then has the
// subjects extracted in the caller's thread).
post({ kind: "ready" });
