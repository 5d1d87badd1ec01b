/**
 * A pool of Deno web workers extracting subjects (`extract_worker.ts`). The fitted state is
 * posted once per worker (without the dense maps, which extraction does not need: the projector
 * in the plan holds the weights), each plan once per worker; subjects are opened by the worker
 * itself (files stream there), and the signals come back with their buffer transferred.
 *
 * A subject that fails rejects its own promise; a worker that dies (uncaught error) rejects its
 * current subject and is replaced, so the pool never hangs.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import type { SubjectRequest, SubjectResult } from "./extract_subject.ts";
import {
  deserializeError,
  type ToMain,
  type ToWorker,
  type WorkerSource,
} from "./worker_protocol.ts";

interface Slot {
  worker: Worker;
  plans: Set<number>;
  busy: { id: number; resolve: (r: SubjectResult) => void; reject: (e: unknown) => void } | null;
}

const NOOP = () => {};

/** Mark a slot taken (before its job is posted). */
function reserve(slot: Slot): Slot {
  slot.busy = { id: -1, resolve: NOOP, reject: NOOP };
  return slot;
}

/** The subject pool: `run` one subject on an idle worker; `close` when done. */
export class ExtractPool {
  readonly #state: FittedState;
  readonly #slots: Slot[] = [];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  readonly #planIds = new WeakMap<ExtractionPlan, number>();
  #nextPlan = 0;
  #nextJob = 0;
  #closed = false;

  /**
   * Start `size` workers and send each the fitted state.
   *
   * @param size number of workers (>= 1).
   * @param state the fitted state (its dense maps are not sent).
   */
  constructor(size: number, state: FittedState) {
    // Extraction reads params and whether there is a mask; the plan carries the projector.
    this.#state = state;
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  #spawn(): Slot {
    const worker = new Worker(new URL("./extract_worker.ts", import.meta.url), {
      type: "module",
    });
    const slot: Slot = { worker, plans: new Set(), busy: null };
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
    const job = slot.busy;
    if (job === null || job.id !== msg.id) return;
    slot.busy = null;
    if (msg.kind === "done") {
      const signals: Matrix = { data: msg.signals, shape: msg.shape };
      job.resolve({
        signals,
        labels: new Int32Array(0),
        warnings: msg.warnings,
      });
    } else {
      job.reject(deserializeError(msg.error));
    }
    this.#release(slot);
  }

  #onCrash(slot: Slot, err: Error): void {
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

  #release(slot: Slot): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next(reserve(slot));
  }

  /** An idle worker, reserved for the caller. */
  #idle(): Promise<Slot> {
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
    request: SubjectRequest,
  ): Promise<SubjectResult> {
    if (this.#closed) throw new Error("extract pool: closed");
    const slot = await this.#idle();
    let planId = this.#planIds.get(plan);
    if (planId === undefined) {
      planId = this.#nextPlan++;
      this.#planIds.set(plan, planId);
    }
    const id = this.#nextJob++;
    const result = new Promise<SubjectResult>((resolve, reject) => {
      slot.busy = { id, resolve, reject };
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
    for (const slot of this.#slots) {
      slot.worker.terminate();
      slot.busy?.reject(new Error("extract pool: closed"));
      slot.busy = null;
    }
  }
}
