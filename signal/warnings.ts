/**
 * The warnings channel of the signal functions: nilearn emits Python warnings where niimask calls
 * an `onWarning(message)` callback (the masker forwards them to its report).
 *
 * @module
 */

/** Receives one warning message. */
export type WarningSink = (message: string) => void;

const seen = new Set<string>();

/**
 * Default sink: `console.warn` once per distinct message per process (like Python's default
 * warning filter, which shows a warning once per location).
 *
 * @param message the warning text.
 * @example
 * ```ts
 * import { warnOnce } from "./warnings.ts";
 * warnOnce("something odd happened");
 * ```
 */
export function warnOnce(message: string): void {
  if (seen.has(message)) return;
  seen.add(message);
  console.warn(`niimask warning: ${message}`);
}
