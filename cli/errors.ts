/**
 * Error types and exit codes of the `niimask` command line.
 *
 * @module
 */

/** Exit status: everything succeeded. */
export const EXIT_OK = 0;
/** Exit status: the batch ran but at least one subject failed. */
export const EXIT_FAILURES = 1;
/** Exit status: bad command line (unknown flag, bad value) or a setup error before any subject ran. */
export const EXIT_USAGE = 2;
/** Exit status: interrupted by SIGINT (Ctrl-C), as shells report 128 + 2. */
export const EXIT_INTERRUPTED = 130;

/**
 * A bad command line: unknown flag, missing or malformed value. The CLI prints the message and
 * exits with {@link EXIT_USAGE}.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * const err = new UsageError('--low-pass: expected a positive number (Hz), got "abc"');
 * console.log(err.name);
 * ```
 */
export class UsageError extends Error {
  /**
   * Create a usage error.
   *
   * @param message what was expected and what was found, naming the flag.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The message of anything thrown, for one-line reports.
 *
 * @param err what was thrown.
 * @returns its message (or its string form).
 * @example
 * ```ts
 * import { errorMessage } from "./errors.ts";
 * errorMessage(new Error("boom")); // "boom"
 * ```
 */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
