/**
 * File-system and terminal helpers of the CLI (the only Deno-API code besides `extract.ts` and
 * `main.ts`): atomic writes, existence checks, checksums, stderr.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { leftoverTemporaries, temporaryFileName } from "./temporaries.ts";

/**
 * Whether a path exists and is a file.
 *
 * @param path the path.
 * @returns true for an existing file.
 * @example
 * ```ts ignore
 * if (await fileExists("out/sub-01_timeseries.tsv")) console.log("done");
 * ```
 */
export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * SHA-256 of a file's bytes, streamed.
 *
 * @param path the file.
 * @returns lowercase hex digest.
 * @example
 * ```ts ignore
 * const hex = await sha256File("maps.nii.gz");
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * The temporary name a file is written under before being renamed into place, beside it:
 * `<path>.niimask-<pid>-<8 hex>.tmp` (recognised by {@link removeLeftoverTemporaries}).
 *
 * @param path the final path.
 * @returns the temporary path.
 * @example
 * ```ts ignore
 * temporaryName("out/a.tsv"); // "out/a.tsv.niimask-1234-0a1b2c3d.tmp"
 * ```
 */
export function temporaryName(path: string): string {
  const name = temporaryFileName(basename(path), Deno.pid, crypto.randomUUID().slice(0, 8));
  return join(dirname(path), name);
}

/**
 * Remove niimask's leftover temporary files (of a killed run) for the given outputs of a
 * directory; other files, and temporaries of other outputs, are left alone.
 *
 * @param dir the output directory.
 * @param targets final file names (in `dir`) whose temporaries are removed.
 * @returns the names removed.
 * @example
 * ```ts ignore
 * await removeLeftoverTemporaries("out", new Set(["sub-01_timeseries.tsv"]));
 * ```
 */
export async function removeLeftoverTemporaries(
  dir: string,
  targets: ReadonlySet<string>,
): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) if (entry.isFile) names.push(entry.name);
  const stale = leftoverTemporaries(names.sort(), targets);
  for (const name of stale) {
    try {
      await Deno.remove(join(dir, name));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return stale;
}

/**
 * Remove niimask's leftover temporary files (of a killed run) for the given output paths, in
 * whatever directories they are (a directory that does not exist has none); other files, and
 * temporaries of other outputs, are left alone.
 *
 * @param paths final output paths whose temporaries are removed.
 * @returns the paths removed.
 * @example
 * ```ts ignore
 * await removeLeftoverTemporariesOf(["out/sub-01/func/sub-01_timeseries.tsv"]);
 * ```
 */
export async function removeLeftoverTemporariesOf(paths: readonly string[]): Promise<string[]> {
  const byDir = new Map<string, Set<string>>();
  for (const path of paths) {
    const dir = dirname(path);
    const targets = byDir.get(dir) ?? new Set<string>();
    targets.add(basename(path));
    byDir.set(dir, targets);
  }
  const removed: string[] = [];
  for (const [dir, targets] of byDir) {
    try {
      for (const name of await removeLeftoverTemporaries(dir, targets)) {
        removed.push(join(dir, name));
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return removed;
}

/**
 * Write several files so that each appears whole or not at all: every file is written under a
 * temporary name in its destination directory, then all are renamed into place (synchronously,
 * one after the other, so nothing else of this process runs in between). On a write error the
 * temporary files are removed and nothing is renamed; a rename that fails removes the
 * temporaries not yet renamed.
 *
 * @param files `[path, text]` pairs.
 * @example
 * ```ts ignore
 * await writeFilesAtomically([["out/a.tsv", "x\n"], ["out/a.json", "{}\n"]]);
 * ```
 */
export async function writeFilesAtomically(files: readonly [string, string][]): Promise<void> {
  const temps: [string, string][] = [];
  try {
    for (const [path, text] of files) {
      const tmp = temporaryName(path);
      temps.push([tmp, path]);
      await Deno.writeTextFile(tmp, text);
    }
  } catch (e) {
    for (const [tmp] of temps) {
      try {
        Deno.removeSync(tmp);
      } catch { /* never created */ }
    }
    throw e;
  }
  let renamed = 0;
  try {
    for (const [tmp, path] of temps) {
      Deno.renameSync(tmp, path);
      renamed++;
    }
  } catch (e) {
    for (const [tmp] of temps.slice(renamed)) {
      try {
        Deno.removeSync(tmp);
      } catch { /* already gone */ }
    }
    throw e;
  }
}

const encoder = new TextEncoder();

/**
 * Write text to stderr completely (synchronously, so lines never interleave).
 *
 * @param text the text.
 * @example
 * ```ts ignore
 * writeStderr("niimask: done\n");
 * ```
 */
export function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
}
