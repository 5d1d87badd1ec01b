/**
 * Running the items of a list on a few lanes: a lane takes the next item as soon as its previous
 * one is done (no batch barrier), results come back in input order, and the call can be aborted,
 * report each item as it settles, stop after a failure and release values once reported. It
 * knows nothing about what an item is.
 *
 * @module
 */
import { abortError } from "./abort.ts";

/** How one item ended; `skipped` marks items that never ran (aborted, or after a failure). */
export type Settled<T> = PromiseSettledResult<T> & { readonly skipped?: true };

/** The work of one call, set up once the call is known not to be aborted already. */
export interface Runner<T> {
  /** Run item `index`. */
  run(index: number): Promise<T>;
  /** Stop the items in flight at once (on abort); may be called before {@link Runner.close}. */
  stop(): void;
  /** Release what the call holds (always called, once, at the end). */
  close(): void;
}

/** Options of {@link schedule}. */
export interface ScheduleOptions<T> {
  /** Number of items. */
  readonly count: number;
  /** Items run at once (>= 1). */
  readonly lanes: number;
  /** Stops the call: no new item starts, items in flight are left unset (aborted). */
  readonly signal?: AbortSignal | undefined;
  /** After an item fails, the items not started are skipped. */
  readonly stopOnFailure: boolean;
  /**
   * Called as each item that ran settles, awaited before its lane goes on; if it throws, no new
   * item starts and the call rejects with that error once the items in flight settle.
   */
  readonly onSettled?: ((index: number, settled: Settled<T>) => unknown) | undefined;
  /** With `onSettled`: false replaces a fulfilled value by `emptyValue()` once reported. */
  readonly keepValues: boolean;
  /** The value kept in place of a released one. */
  readonly emptyValue: () => T;
  /** Item `index` in the error of an aborted item (e.g. `image #3 (sub-03.nii.gz)`). */
  readonly describe: (index: number) => string;
}

/**
 * Run `count` items on `lanes` lanes; the settled results in input order.
 *
 * @param options see {@link ScheduleOptions}.
 * @param setup makes the call's {@link Runner} (not called when the signal is already aborted).
 * @returns one settled result per item, in input order; items aborted are rejected with an
 *   `AbortError`, marked `skipped`.
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { schedule } from "./scheduler.ts";
 * const out = await schedule(
 *   { count: 3, lanes: 2, stopOnFailure: false, keepValues: true, emptyValue: () => 0,
 *     describe: (i) => `item ${i}` },
 *   () => ({ run: (i) => Promise.resolve(i * 10), stop: () => {}, close: () => {} }),
 * );
 * equal(out.map((o) => o.status === "fulfilled" ? o.value : -1).join(","), "0,10,20");
 * ```
 */
export async function schedule<T>(
  options: ScheduleOptions<T>,
  setup: () => Runner<T>,
): Promise<Settled<T>[]> {
  const { count, signal, onSettled, stopOnFailure } = options;
  const aborted = (i: number): Settled<T> => ({
    status: "rejected",
    reason: abortError(signal, options.describe(i)),
    skipped: true,
  });
  if (signal?.aborted) return Array.from({ length: count }, (_, i) => aborted(i));
  const runner = setup();
  const out: Settled<T>[] = new Array(count);
  const ABORTED = Symbol("aborted");
  let onAbort = () => {};
  const abortedP = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => {
      runner.stop(); // items in flight stop at once
      resolve(ABORTED);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  let failed = false;
  let callbackError: { error: unknown } | null = null;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count && !signal?.aborted && callbackError === null) {
      const i = next++;
      if (stopOnFailure && failed) {
        out[i] = {
          status: "rejected",
          reason: new Error("skipped after an earlier failure"),
          skipped: true,
        };
        continue;
      }
      const work: Promise<Settled<T>> = runner.run(i).then(
        (value) => ({ status: "fulfilled", value }),
        (reason) => ({ status: "rejected", reason }),
      );
      const r = signal === undefined ? await work : await Promise.race([work, abortedP]);
      if (r === ABORTED) return; // this item stays unset: aborted
      if (r.status === "rejected") failed = true;
      out[i] = r;
      if (onSettled === undefined) continue;
      try {
        await onSettled(i, r);
      } catch (error) {
        callbackError ??= { error };
      }
      if (!options.keepValues && r.status === "fulfilled") {
        out[i] = { status: "fulfilled", value: options.emptyValue() };
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.lanes, count));
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    signal?.removeEventListener("abort", onAbort);
    runner.close();
  }
  if (callbackError !== null) throw (callbackError as { error: unknown }).error;
  for (let i = 0; i < out.length; i++) out[i] ??= aborted(i);
  return out;
}
