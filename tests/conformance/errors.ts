/**
 * How the conformance runner words errors: a thrown error as a one-line reason, and the
 * "not implemented" stubs that must never count as an expected error.
 *
 * @module
 */

/** True when `err` comes from an API stub that is not written yet. */
export function notImplemented(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /not implemented/i.test(msg);
}

/** A thrown value as a one-line reason: `threw TypeError: message`. */
export function callError(err: unknown): string {
  if (err instanceof Error) {
    const firstLine = err.message.split("\n")[0] ?? "";
    return `threw ${err.name}: ${firstLine}`;
  }
  return `threw ${String(err)}`;
}

/** The reason of a call that should have thrown but returned. */
export function expectedError(cls: unknown, message: unknown): string {
  const what = typeof cls === "string"
    ? ` (nilearn: ${cls}` + (message ? `: "${message}")` : ")")
    : "";
  return `expected an error but the call succeeded${what}`;
}
