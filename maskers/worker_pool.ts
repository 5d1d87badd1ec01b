/**
 * A pool of Deno web workers extracting subjects (`extract_worker.ts`). The fitted state is
 * posted once per worker (without the dense maps, which extraction does not need: the projector
 * in the plan holds the weights), each plan once per worker. A subject is opened by the worker
 * itself, once (its header is read there and its grid sent back, for the plan to be chosen; files
 * stream there), then extracted there, and the signals come back with their buffer transferred.
 *
 * A subject that fails rejects its own promise; a worker that dies (uncaught error) rejects its
 * current subject and is replaced, so the pool never hangs.
 *
 * @module
 */
import type { Affine, Matrix } from "../types.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import type { SubjectRequest, SubjectResult } from "./extract_subject.ts";
import {
  deserializeError,
  type ToMain,
  type ToWorker,
  type WorkerSource,
} from "./worker_protocol.ts";

/** A worker's answer to a request (failures reject instead). */
type Reply = Exclude<ToMain, { kind: "fail" }>;

/** The request a slot's worker is on, or its subject held open between requests. */
interface Pending {
  id: number;
  resolve: (r: Reply) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  plans: Set<number>;
  busy: Pending | null;
}

/**
 * A subject opened on a worker (its header read there once): its grid and dimensionality, and
 * its extraction on that worker. The worker is reserved for it until it is extracted or closed.
 */
export interface RemoteSubject {
  /** `[nx, ny, nz]` or `[nx, ny, nz, nt]`, from the header. */
  readonly shape: readonly number[];
  /** Voxel-to-world affine, from the header. */
  readonly affine: Affine;
  /**
   * Extract the subject with `plan` (once). The result's `labels` come from the plan.
   *
   * @param plan the extraction plan for the subject's grid.
   * @param request confounds and sample mask.
   */
  extract(plan: ExtractionPlan, request: SubjectRequest): Promise<SubjectResult>;
  /** Close the subject unless extracted, giving its worker back (idempotent). */
  close(): void;
}

const NOOP = () => {};

/** Mark a slot taken (before its job is posted). */
function reserve(slot: Slot): Slot {
  slot.busy = { id: -1, resolve: NOOP, reject: NOOP };
  return slot;
}

/** The subject pool: `open` one subject on an idle worker, then extract it; `close` when done. */
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
    if (msg.kind === "opened") {
      job.resolve(msg); // the worker stays reserved for this subject
      return;
    }
    slot.busy = null;
    if (msg.kind === "done") job.resolve(msg);
    else job.reject(deserializeError(msg.error));
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

  /** The next reply of `slot`'s worker to request `id`. */
  #reply(slot: Slot, id: number): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      slot.busy = { id, resolve, reject };
    });
  }

  /**
   * Open one subject on an idle worker (which reads its header, once).
   *
   * @param source where the worker reads the subject.
   * @returns the opened subject; its failures to open (e.g. a bad file) reject here.
   */
  async open(source: WorkerSource): Promise<RemoteSubject> {
    if (this.#closed) throw new Error("extract pool: closed");
    const slot = await this.#idle();
    const id = this.#nextJob++;
    const opened = this.#reply(slot, id);
    const openMsg: ToWorker = { kind: "open", id, source };
    slot.worker.postMessage(openMsg);
    const header = await opened;
    if (header.kind !== "opened") throw new Error("extract pool: unexpected reply to open");
    // Held open between requests: a crash or the pool closing meanwhile is kept for `extract`.
    let lost: { error: unknown } | null = null;
    slot.busy = { id, resolve: NOOP, reject: (error) => (lost = { error }) };
    let stage: "open" | "extracting" | "closed" = "open";
    return {
      shape: header.shape,
      affine: header.affine,
      extract: async (plan, request) => {
        if (stage !== "open") throw new Error("extract pool: subject already extracted or closed");
        stage = "extracting";
        if (lost !== null) throw (lost as { error: unknown }).error;
        const planId = this.#planId(plan);
        const result = this.#reply(slot, id);
        if (!slot.plans.has(planId)) {
          // Each worker receives each plan once; a resident projector's weights are in shared
          // memory (see image/project_simd.ts), so they are shared, not copied.
          const msg: ToWorker = { kind: "plan", planId, plan };
          slot.worker.postMessage(msg);
          slot.plans.add(planId);
        }
        const job: ToWorker = { kind: "extract", id, planId, request };
        slot.worker.postMessage(job);
        const r = await result;
        if (r.kind !== "done") throw new Error("extract pool: unexpected reply to extract");
        const signals: Matrix = { data: r.signals, shape: r.shape };
        return { signals, labels: plan.projector.labels, warnings: r.warnings };
      },
      close: () => {
        if (stage !== "open") return;
        stage = "closed";
        if (lost !== null) return; // that worker is gone
        slot.busy = null;
        const msg: ToWorker = { kind: "release", id };
        slot.worker.postMessage(msg);
        this.#release(slot);
      },
    };
  }

  #planId(plan: ExtractionPlan): number {
    let planId = this.#planIds.get(plan);
    if (planId === undefined) {
      planId = this.#nextPlan++;
      this.#planIds.set(plan, planId);
    }
    return planId;
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
