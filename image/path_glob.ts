/**
 * Path helpers for {@link loadImg}: `~` expansion and glob patterns (`*`, `?`, `[...]`) matched
 * as Python's `glob.glob` does (sorted by the caller; hidden files only when the pattern
 * component starts with a dot).
 *
 * @module
 */

/**
 * Replace a leading `~` (alone or followed by `/`) by the home directory (`HOME`, or
 * `USERPROFILE` on Windows). Other paths are returned unchanged.
 *
 * @param path a path.
 * @returns the expanded path.
 * @example
 * ```ts ignore
 * import { expandHome } from "./path_glob.ts";
 * console.log(expandHome("~/data/img.nii.gz")); // "/home/me/data/img.nii.gz"
 * ```
 */
export function expandHome(path: string): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  let home: string | undefined;
  try {
    home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  } catch {
    home = undefined;
  }
  if (home === undefined) return path;
  return home + path.slice(1);
}

/**
 * Whether a path holds glob wildcards (`*`, `?` or `[`), as Python's `glob.has_magic`.
 *
 * @param path a path or pattern.
 * @returns true when the path is a pattern.
 * @example
 * ```ts
 * import { hasGlobMagic } from "./path_glob.ts";
 * console.log(hasGlobMagic("sub-*.nii.gz"), hasGlobMagic("sub-01.nii.gz")); // true false
 * ```
 */
export function hasGlobMagic(path: string): boolean {
  return /[*?[]/.test(path);
}

function segmentRegex(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      body = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      re += `[${negate ? "^" : ""}${body}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, (m) => `\\${m}`);
  }
  return new RegExp(`^${re}$`, "s");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The paths matching a glob pattern, sorted ascending (as `sorted(glob.glob(pattern))`).
 * Relative patterns give relative paths. Unreadable directories match nothing.
 *
 * @param pattern a pattern such as `data/sub-*&#47;func/*_bold.nii.gz` (already `~`-expanded).
 * @returns matching paths, sorted.
 * @example
 * ```ts ignore
 * import { expandGlob } from "./path_glob.ts";
 * console.log(await expandGlob("data/sub-0?_bold.nii.gz"));
 * ```
 */
export async function expandGlob(pattern: string): Promise<string[]> {
  const absolute = pattern.startsWith("/");
  const parts = pattern.split("/").filter((p, i) => p !== "" || i === 0);
  let bases: string[] = [absolute ? "/" : ""];
  if (absolute) parts.shift();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasGlobMagic(part)) {
        const p = base + part;
        if (last ? await exists(p) : true) next.push(p);
        continue;
      }
      const re = segmentRegex(part);
      const dir = base === "" ? "." : base;
      try {
        for await (const entry of Deno.readDir(dir)) {
          if (entry.name.startsWith(".") && !part.startsWith(".")) continue;
          if (!re.test(entry.name)) continue;
          if (!last && !entry.isDirectory && !entry.isSymlink) continue;
          next.push(base + entry.name);
        }
      } catch {
        // missing or unreadable directory: no match
      }
    }
    bases = last ? next : next.map((b) => b + "/");
  }
  return bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
