/**
 * The ratchet over case outcomes: which lines to print, the summary, and whether the run fails.
 *
 * Without a pending list every failure fails the run. With one (`--pending FILE`), a listed
 * case that fails is an expected failure (`pending`), a failure not listed fails the run, and a
 * listed case that passes fails the run too (it must be removed from the list, so the list only
 * shrinks). The summary line `N passed, N failed` counts, in that mode, the cases that passed
 * and were not listed, and the failures that break the run (unlisted failures plus listed cases
 * that now pass); expected failures are counted on their own line `pending: K (expected
 * failures)`. So `failed` is non-zero exactly when the run fails, in both modes, and CI's
 * summed final line stays meaningful.
 *
 * @module
 */
import type { Check } from "./compare.ts";

/** The result of one case. */
export interface CaseOutcome {
  readonly name: string;
  readonly check: Check;
}

/** The printed report of a run. */
export interface RatchetReport {
  /** One line per case, in order. */
  readonly lines: string[];
  /** Cases counted as passed. */
  readonly passed: number;
  /** Cases counted as failed (each one fails the run). */
  readonly failed: number;
  /** Listed failures (only with a pending list). */
  readonly pending: number;
  /** Listed cases that now pass (also counted in `failed`). */
  readonly stale: string[];
  /** Lines after the per-case lines, the last one being `N passed, N failed`. */
  readonly footer: string[];
  /** Whether the run fails. */
  readonly fails: boolean;
}

/**
 * Classify outcomes against an optional pending list.
 *
 * @param outcomes case results in run order.
 * @param pendingList listed case names, or null when no list was given.
 * @param listName how to name the list in messages (its path).
 */
export function applyRatchet(
  outcomes: readonly CaseOutcome[],
  pendingList: readonly string[] | null,
  listName = "the pending list",
): RatchetReport {
  const listed = new Set(pendingList ?? []);
  const lines: string[] = [];
  const stale: string[] = [];
  let passed = 0;
  let failed = 0;
  let pending = 0;
  for (const { name, check } of outcomes) {
    const isListed = pendingList !== null && listed.has(name);
    lines.push(caseLine(name, check, isListed, listName));
    if (check.ok && !isListed) passed++;
    else if (check.ok) {
      failed++;
      stale.push(name);
    } else if (isListed) pending++;
    else failed++;
  }
  const footer: string[] = [];
  if (pendingList !== null) {
    if (stale.length > 0) {
      footer.push(
        `${stale.length} listed case(s) now pass; remove them from ${listName}: ${stale.join(" ")}`,
      );
    }
    footer.push(`pending: ${pending} (expected failures, listed in ${listName})`);
  }
  footer.push(`${passed} passed, ${failed} failed`);
  return { lines, passed, failed, pending, stale, footer, fails: failed > 0 };
}

/** The printed line of one case: `ok`, `FAIL` (with the reason) or `pending` (listed failure). */
export function caseLine(
  name: string,
  check: Check,
  isListed: boolean,
  listName = "the pending list",
): string {
  if (check.ok && !isListed) return `ok   ${name}`;
  if (check.ok) {
    return `FAIL ${name}: passes now but is listed in ${listName}; remove it from the list`;
  }
  if (isListed) return `pending ${name}: ${check.reason}`;
  return `FAIL ${name}: ${check.reason}`;
}
