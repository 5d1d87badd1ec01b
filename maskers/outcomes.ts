/**
 * Subject outcomes (`{ ok, value }` or `{ ok, error }`) of a settled list transform.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import type { SubjectOutcome } from "./types.ts";

const outcomes = new WeakMap<PromiseSettledResult<Matrix>, SubjectOutcome>();

/** The outcome of a settled subject (the same object each time: `onOutcome` gets the returned one). */
export function toOutcome(o: PromiseSettledResult<Matrix>): SubjectOutcome {
  let outcome = outcomes.get(o);
  if (outcome === undefined) {
    outcome = o.status === "fulfilled"
      ? { ok: true, value: o.value }
      : { ok: false, error: o.reason instanceof Error ? o.reason : new Error(String(o.reason)) };
    outcomes.set(o, outcome);
  }
  return outcome;
}
