/**
 * A pool of Deno web workers extracting subjects (`extract_worker.ts`). The fitted state is
 * posted once per worker (without the dense maps, which extraction does not need: the projector
 * in the plan holds the weights), each plan once per worker. A subject is opened by the worker
 * itself, once (its header is read there and its grid sent back, for the plan to be chosen; files
 * stream there), then extracted there, and the signals come back with their buffer transferred.
 *
 * A subject that fails rejects its own promise; a worker that dies (uncaught error) or ends
 * itself (`self.close()`, `Deno.exit()`: announced by the worker) rejects its current subject and
 * is replaced, so the pool never hangs.
 *
 * Workers that cannot start — their modules not readable under the process's permissions (see
 * `worker_lifecycle.ts`), or a worker failing before it is loaded — make {@link ExtractPool.open}
 * answer null: the caller then extracts the subject in its own thread ({@link
 * ExtractPool.inThreadReason} says why). A worker that had started finishes its subject.
 *
 * @module
 */
import type { Affine, Matrix } from "../types.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import type { SubjectRequest, SubjectResult } from "./extract_subject.ts";
import { workerStartProblem } from "./worker_lifecycle.ts";
import {
  deserializeError,
  type ToMain,
  type ToWorker,
  type WorkerSource,
} from "./worker_protocol.ts";

/**
 * A worker's answer to a request (failures reject instead), or `in-thread` when the workers
 * could not start before answering.
 */
type Reply =
  | Exclude<ToMain, { kind: "fail" } | { kind: "ready" } | { kind: "exit" }>
  | { readonly kind: "in-thread" };

/** The request a slot's worker is on, or its subject held open between requests. */
interface Pending {
  id: number;
  /** The subject's name, for messages. */
  name: string;
  resolve: (r: Reply) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  plans: Set<number>;
  busy: Pending | null;
  /** The worker has loaded its modules (posted "ready"). */
  ready: boolean;
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

/** The worker module of the pool. */
const WORKER_URL = new URL("./extract_worker.ts", import.meta.url);

/** Mark a slot taken (before its job is posted). */
function reserve(slot: Slot): Slot {
  slot.busy = { id: -1, name: "", resolve: NOOP, reject: NOOP };
  return slot;
}

/** The subject pool: `open` one subject on an idle worker, then extract it; `close` when done. */
export class ExtractPool {
  readonly #state: FittedState;
  readonly #slots: Slot[] = [];
  readonly #waiting: ((slot: Slot | null) => void)[] = [];
  readonly #url: URL;
  /** Why workers cannot start (then subjects are extracted by the caller), or null. */
  #fallback: string | null = null;
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

  /**
   * Why the workers cannot start, when they cannot (subjects are then to be extracted in the
   * caller's thread: {@link ExtractPool.open} answers null), else null.
   */
  get inThreadReason(): string | null {
    return this.#fallback;
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
    if (!slot.ready && !this.#closed) {
      this.#startFailed(err.message);
      return;
    }
    const job = slot.busy;
    slot.busy = null;
    slot.worker.terminate();
    const i = this.#slots.indexOf(slot);
    if (this.#closed || i < 0 || this.#fallback !== null) {
      if (i >= 0) this.#slots.splice(i, 1);
      job?.reject(err);
      return;
    }
    const fresh = this.#spawn();
    this.#slots[i] = fresh;
    job?.reject(err);
    this.#release(fresh);
  }

  /**
   * Workers cannot start: stop those not started or idle (a subject waiting for a worker that
   * never started is handed back to the caller), and answer every later `open` with null.
   */
  #startFailed(reason: string): void {
    if (this.#fallback !== null) return;
    this.#fallback = `web workers could not start (${reason})`;
    for (const slot of [...this.#slots]) {
      if (slot.ready && slot.busy !== null) continue; // started: it finishes its subject
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      slot.worker.terminate();
      const job = slot.busy;
      slot.busy = null;
      job?.resolve({ kind: "in-thread" });
    }
    for (const next of this.#waiting.splice(0)) next(null);
  }

  #release(slot: Slot): void {
    if (this.#fallback !== null) {
      // Workers cannot start any more: the subjects left are extracted by the caller.
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots.splice(i, 1);
      slot.worker.terminate();
      return;
    }
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

  /** The next reply of `slot`'s worker to request `id` (about subject `name`). */
  #reply(slot: Slot, id: number, name: string): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      slot.busy = { id, name, resolve, reject };
    });
  }

  /**
   * Open one subject on an idle worker (which reads its header, once).
   *
   * @param source where the worker reads the subject.
   * @returns the opened subject, or null when the workers cannot start (the caller then
   *   extracts the subject itself; see {@link ExtractPool.inThreadReason}); its failures to open
   *   (e.g. a bad file) reject here.
   */
  async open(source: WorkerSource): Promise<RemoteSubject | null> {
    if (this.#closed) throw new Error("extract pool: closed");
    // Worker events arrive between promise continuations: the reserved worker may have died
    // (or every worker failed to start) before this continues.
    let slot = await this.#idle();
    while (slot !== null && this.#fallback === null && !this.#slots.includes(slot)) {
      slot = await this.#idle();
    }
    if (this.#closed) throw new Error("extract pool: closed");
    if (slot === null || this.#fallback !== null) return null;
    const id = this.#nextJob++;
    const opened = this.#reply(slot, id, source.name);
    const openMsg: ToWorker = { kind: "open", id, source };
    slot.worker.postMessage(openMsg);
    const header = await opened;
    if (header.kind === "in-thread") return null;
    if (header.kind !== "opened") throw new Error("extract pool: unexpected reply to open");
    // Held open between requests: a crash or the pool closing meanwhile is kept for `extract`.
    let lost: { error: unknown } | null = null;
    slot.busy = { id, name: source.name, resolve: NOOP, reject: (error) => (lost = { error }) };
    let stage: "open" | "extracting" | "closed" = "open";
    return {
      shape: header.shape,
      affine: header.affine,
      extract: async (plan, request) => {
        if (stage !== "open") throw new Error("extract pool: subject already extracted or closed");
        stage = "extracting";
        if (lost !== null) throw (lost as { error: unknown }).error;
        const planId = this.#planId(plan);
        const result = this.#reply(slot, id, source.name);
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
    for (const next of this.#waiting.splice(0)) next(null);
  }
}
