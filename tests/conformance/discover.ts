/**
 * Finding case folders (a folder holding `case.json`) and reading the pending list.
 *
 * @module
 */
import { basename, join, resolve } from "node:path";

/** One case folder found on disk. */
export interface CaseRef {
  /** Absolute path of the case folder. */
  readonly dir: string;
  /** The case's `name` (falls back to the folder name when case.json cannot be read). */
  readonly name: string;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function caseName(dir: string): Promise<string> {
  try {
    const json = JSON.parse(await Deno.readTextFile(join(dir, "case.json")));
    if (typeof json?.name === "string" && json.name !== "") return json.name;
  } catch {
    // Unreadable case.json: the run reports it; name the case after its folder.
  }
  return basename(dir);
}

/**
 * Every case folder at or below each path (a path may itself be a case folder), sorted by path,
 * without duplicates. Folders below a case folder are not searched.
 *
 * @throws Error when a path does not exist or is not a folder.
 */
export async function discoverCases(paths: readonly string[]): Promise<CaseRef[]> {
  const dirs = new Set<string>();
  async function walk(dir: string): Promise<void> {
    if (await isFile(join(dir, "case.json"))) {
      dirs.add(dir);
      return;
    }
    const subs: string[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory && !entry.name.startsWith(".")) subs.push(join(dir, entry.name));
    }
    subs.sort();
    for (const s of subs) await walk(s);
  }
  for (const p of paths) {
    const abs = resolve(p);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(abs);
    } catch {
      throw new Error(`no such folder: ${abs}`);
    }
    if (!info.isDirectory) throw new Error(`not a folder: ${abs}`);
    await walk(abs);
  }
  const out: CaseRef[] = [];
  for (const dir of [...dirs].sort()) out.push({ dir, name: await caseName(dir) });
  return out;
}

/** Case names of a pending-list text: one per line, `#` starts a comment, blanks ignored. */
export function parsePendingList(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = (raw.split("#")[0] ?? "").trim();
    if (line !== "") names.push(line);
  }
  return names;
}
