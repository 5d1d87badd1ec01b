/**
 * File-system and terminal helpers of the CLI (the only Deno-API code besides `extract.ts` and
 * `main.ts`): atomic writes, existence checks, checksums, stderr.
 *
 * @module
 */
import { createHash } from "node:crypto";

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

/** The temporary name a file is written under before being renamed into place. */
export function temporaryName(path: string): string {
  return `${path}.${Deno.pid}-${crypto.randomUUID().slice(0, 8)}.tmp`;
}

/**
 * Write several files so that each appears whole or not at all: every file is written under a
 * temporary name in its destination directory, then all are renamed into place (synchronously,
 * one after the other, so nothing else of this process runs in between). On a write error the
 * temporary files are removed and nothing is renamed.
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
  for (const [tmp, path] of temps) Deno.renameSync(tmp, path);
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
