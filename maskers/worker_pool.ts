/**
 * A pool of Deno web workers extracting subjects (`extract_worker.ts`). The fitted state is
 * posted once per worker (without the dense maps, which extraction does not need: the projector
 * in the plan holds the weights), each plan once per worker; subjects are opened by the worker
 * itself (files stream there), and the signals come back with their buffer transferred.
 *
 * A subject that fails rejects its own promise; a worker that dies (uncaught error) or ends
 * itself (`self.close()`, `Deno.exit()`: announced by the worker) rejects its current subject and
 * is replaced, so the pool never hangs.
 *
 * Workers that cannot start — their modules not readable under the process's permissions (see
 * `worker_lifecycle.ts`), or a worker failing before it is loaded — make the pool extract every
 * subject in this thread instead, each result carrying one warning that says why.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import { extractSubject, type SubjectResult } from "./extract_subject.ts";
import { abortable } from "./abort.ts";
import { openWorkerSource } from "./open_worker_source.ts";
import { inThreadWarning, workerStartProblem } from "./worker_lifecycle.ts";
import {
  deserializeError,
  type ToMain,
  type ToWorker,
  type WorkerRequest,
  type WorkerSource,
} from "./worker_protocol.ts";

interface Job {
  id: number;
  resolve: (r: SubjectResult) => void;
  reject: (e: unknown) => void;
  /** The subject's name, for messages. */
  name: string;
  /** Extract the subject in this thread instead (when the workers cannot start). */
  local: (() => Promise<SubjectResult>) | null;
}

interface Slot {
  worker: Worker;
  plans: Set<number>;
  busy: Job | null;
  /** The worker has loaded its modules (posted "ready"). */
  ready: boolean;
}

const NOOP = () => {};

/** The worker module of the pool. */
const WORKER_URL = new URL("./extract_worker.ts", import.meta.url);

/** Mark a slot taken (before its job is posted). */
function reserve(slot: Slot): Slot {
  slot.busy = { id: -1, resolve: NOOP, reject: NOOP, name: "", local: null };
  return slot;
}

/** The subject pool: `run` one subject on an idle worker; `close` when done. */
export class ExtractPool {
  readonly #state: FittedState;
  readonly #slots: Slot[] = [];
  readonly #waiting: ((slot: Slot | null) => void)[] = [];
  readonly #url: URL;
  /** Why workers cannot start (then subjects are extracted in this thread), or null. */
  #fallback: string | null = null;
  /** Stops in-thread extractions when the pool is closed. */
  readonly #stop = new AbortController();
  readonly #planIds = new WeakMap<ExtractionPlan, number>();
  #nextPlan = 0;
  #nextJob = 0;
  #closed = false;

  /**
   * Start `size` workers and send each the fitted state.
   *
   * @param size number of workers (>= 1).
   * @param state the fitted state (its dense maps are not sent).
   * @param workerUrl the worker module (default `extract_worker.ts`; tests give a variant).
   */
  constructor(size: number, state: FittedState, workerUrl: URL = WORKER_URL) {
    // Extraction reads params and whether there is a mask; the plan carries the projector.
    this.#state = state;
    this.#url = workerUrl;
    this.#fallback = workerStartProblem(workerUrl);
    try {
      for (let i = 0; i < size && this.#fallback === null; i++) this.#slots.push(this.#spawn());
    } catch (err) {
      this.#startFailed(err instanceof Error ? err.message : String(err));
    }
  }

  #spawn(): Slot {
    const worker = new Worker(this.#url, { type: "module" });
    const slot: Slot = { worker, plans: new Set(), busy: null, ready: false };
    worker.onmessage = (event: MessageEvent<ToMain>) => this.#onMessage(slot, event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#onCrash(slot, new Error(`extract worker failed: ${event.message}`));
    };
    worker.onmessageerror = () => {
      this.#onCrash(slot, new Error("extract worker: a message could not be deserialized"));
    };
    const msg: ToWorker = { kind: "state", state: this.#state };
    worker.postMessage(msg);
    return slot;
  }

  #onMessage(slot: Slot, msg: ToMain): void {
    if (msg.kind === "ready") {
      slot.ready = true;
      return;
    }
    if (msg.kind === "exit") {
      const what = slot.busy !== null && slot.busy.id >= 0 ? ` for ${slot.busy.name}` : "";
      this.#onCrash(
        slot,
        new Error(
          `extract worker ended itself (${msg.how}) without answering${what}: the subject was ` +
            "not extracted",
        ),
      );
      return;
    }
    const job = slot.busy;
    if (job === null || job.id !== msg.id) return;
    slot.busy = null;
    if (msg.kind === "done") {
      const signals: Matrix = { data: msg.signals, shape: msg.shape };
      job.resolve({
        signals,
        labels: new Int32Array(0),
        nVolumes: msg.nVolumes,
        warnings: msg.warnings,
      });
    } else {
      job.reject(deserializeError(msg.error));
    }
    this.#release(slot);
  }

  #onCrash(slot: Slot, err: Error): void {
    if (!slot.ready && !this.#closed) {
      this.#startFailed(err.message);
      return;
    }
    const job = slot.busy;
    slot.busy = null;
    slot.worker.terminate();
    const i = this.#slots.indexOf(slot);
    if (this.#closed || i < 0) {
      job?.reject(err);
      return;
    }
    const fresh = this.#spawn();
    this.#slots[i] = fresh;
    job?.reject(err);
    this.#release(fresh);
  }

  /** Workers cannot start: stop them all, and extract every subject in this thread. */
  #startFailed(reason: string): void {
    if (this.#fallback !== null) return;
    this.#fallback = `web workers could not start (${reason})`;
    for (const slot of this.#slots.splice(0)) {
      slot.worker.terminate();
      const job = slot.busy;
      slot.busy = null;
      if (job?.local) job.local().then(job.resolve, job.reject);
    }
    for (const next of this.#waiting.splice(0)) next(null);
  }

  /** Extract a subject in this thread (workers cannot start); the result says why. */
  async #local(
    plan: ExtractionPlan,
    source: WorkerSource,
    request: WorkerRequest,
  ): Promise<SubjectResult> {
    const opened = await openWorkerSource(source);
    try {
      const r = await extractSubject(
        this.#state,
        plan,
        abortable(opened.source, this.#stop.signal),
        request,
      );
      return { ...r, warnings: [inThreadWarning(this.#fallback ?? "workers"), ...r.warnings] };
    } finally {
      await opened.close();
    }
  }

  #release(slot: Slot): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next(reserve(slot));
  }

  /** An idle worker, reserved for the caller (null: workers cannot start). */
  #idle(): Promise<Slot | null> {
    if (this.#fallback !== null) return Promise.resolve(null);
    const free = this.#slots.find((s) => s.busy === null);
    if (free !== undefined) return Promise.resolve(reserve(free));
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /**
   * Extract one subject on a worker. The result's `labels` come from the plan.
   *
   * @param plan the extraction plan for the subject's grid.
   * @param source where the worker reads the subject.
   * @param request confounds and sample mask.
   */
  async run(
    plan: ExtractionPlan,
    source: WorkerSource,
    request: WorkerRequest,
  ): Promise<SubjectResult> {
    if (this.#closed) throw new Error("extract pool: closed");
    // Worker events arrive between promise continuations: the reserved worker may have died
    // (or every worker failed to start) before this continues.
    let slot = await this.#idle();
    while (slot !== null && this.#fallback === null && !this.#slots.includes(slot)) {
      slot = await this.#idle();
    }
    if (slot === null || this.#fallback !== null) return await this.#local(plan, source, request);
    let planId = this.#planIds.get(plan);
    if (planId === undefined) {
      planId = this.#nextPlan++;
      this.#planIds.set(plan, planId);
    }
    const id = this.#nextJob++;
    const result = new Promise<SubjectResult>((resolve, reject) => {
      slot.busy = {
        id,
        resolve,
        reject,
        name: source.name,
        local: () => this.#local(plan, source, request),
      };
    });
    if (!slot.plans.has(planId)) {
      // Each worker receives each plan once; a resident projector's weights are in shared
      // memory (see image/project_simd.ts), so they are shared, not copied.
      const msg: ToWorker = { kind: "plan", planId, plan };
      slot.worker.postMessage(msg);
      slot.plans.add(planId);
    }
    const job: ToWorker = { kind: "job", id, planId, source, request };
    slot.worker.postMessage(job);
    const r = await result;
    return { ...r, labels: plan.projector.labels };
  }

  /** Terminate every worker (pending subjects are rejected). */
  close(): void {
    this.#closed = true;
    this.#stop.abort();
    for (const slot of this.#slots) {
      slot.worker.terminate();
      slot.busy?.reject(new Error("extract pool: closed"));
      slot.busy = null;
    }
  }
}
