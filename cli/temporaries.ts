/**
 * niimask's temporary files in an output directory: an output is written under a temporary name
 * beside its final path, then renamed into place. A process killed in between leaves the
 * temporary behind; these names are recognisable so that a resumed batch removes its own
 * leftovers — and nothing else.
 *
 * @module
 */

/** What marks niimask's temporary names: `<final name>.niimask-<pid>-<8 hex>.tmp`. */
const CURRENT = /^(.+)\.niimask-\d+-[0-9a-f]{8}\.tmp$/;
/** Names written by earlier versions: `<name>.<pid>-<8 hex>.tmp`, `<name>.tmp-<pid>-<uuid>`. */
const LEGACY = [
  /^(.+)\.\d+-[0-9a-f]{8}\.tmp$/,
  /^(.+)\.tmp-\d+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
];

/**
 * The temporary name (file name only) for a final file name.
 *
 * @param name the final file name, e.g. `sub-01_timeseries.tsv`.
 * @param pid the writing process's id.
 * @param random 8 lowercase hex digits.
 * @returns `<name>.niimask-<pid>-<random>.tmp`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { temporaryFileName } from "./temporaries.ts";
 * assert.equal(temporaryFileName("a.tsv", 42, "0123abcd"), "a.tsv.niimask-42-0123abcd.tmp");
 * ```
 */
export function temporaryFileName(name: string, pid: number, random: string): string {
  return `${name}.niimask-${pid}-${random}.tmp`;
}

/**
 * The final file name a niimask temporary file was written for, or null when `name` is not one
 * of niimask's temporary names (current or earlier versions).
 *
 * @param name a file name (no directory).
 * @returns the final name, or null.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { temporaryTarget } from "./temporaries.ts";
 * assert.equal(temporaryTarget("s_timeseries.tsv.niimask-7-0a1b2c3d.tmp"), "s_timeseries.tsv");
 * assert.equal(temporaryTarget("notes.tmp"), null);
 * ```
 */
export function temporaryTarget(name: string): string | null {
  for (const re of [CURRENT, ...LEGACY]) {
    const m = re.exec(name);
    if (m !== null) return m[1]!;
  }
  return null;
}

/**
 * Which files of a directory listing are niimask's leftover temporaries of the given outputs.
 *
 * @param names file names in the directory.
 * @param targets final file names whose temporaries may be removed (this run's outputs).
 * @returns the names to remove, in listing order.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leftoverTemporaries } from "./temporaries.ts";
 * const names = ["a.tsv", "a.tsv.niimask-1-00000000.tmp", "b.tsv.niimask-1-00000000.tmp", "x.tmp"];
 * assert.deepEqual(leftoverTemporaries(names, new Set(["a.tsv"])), ["a.tsv.niimask-1-00000000.tmp"]);
 * ```
 */
export function leftoverTemporaries(
  names: Iterable<string>,
  targets: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (const name of names) {
    const target = temporaryTarget(name);
    if (target !== null && targets.has(target)) out.push(name);
  }
  return out;
}
