/**
 * The maps given to `--maps` / `--atlas`: one 4D (or 3D) image, or a comma-separated list or glob
 * of 3D images stacked in order (as `loadImg` stacks a list), with their checksum and map count.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { openNifti } from "../image/load.ts";
import { expandGlob, expandHome, hasGlobMagic } from "../image/path_glob.ts";

/** The maps files of a `--maps` value. */
export interface MapsFiles {
  /** The value as given. */
  readonly spec: string;
  /** The files, in stacking order. */
  readonly files: readonly string[];
}

/**
 * Split a `--maps` value into its items: comma-separated paths or globs (a single path may hold
 * no comma).
 *
 * @param spec the value.
 * @returns the items (trimmed, none empty).
 * @throws RangeError on an empty item.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitMapsSpec } from "./maps_files.ts";
 * assert.deepEqual(splitMapsSpec("a.nii, b.nii"), ["a.nii", "b.nii"]);
 * ```
 */
export function splitMapsSpec(spec: string): string[] {
  const items = spec.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) {
    throw new RangeError(`"${spec}": expected a path, a glob or a comma-separated list of paths`);
  }
  return items;
}

/**
 * Expand a `--maps` value into files (globs sorted, as `loadImg` sorts them).
 *
 * @param flag the flag name, for messages (`maps` or `atlas`).
 * @param spec the value.
 * @returns the files.
 * @throws Error naming the flag when a glob matches nothing.
 * @example
 * ```ts ignore
 * const { files } = await expandMapsSpec("atlas", "maps/*.nii.gz");
 * ```
 */
export async function expandMapsSpec(flag: string, spec: string): Promise<MapsFiles> {
  const files: string[] = [];
  for (const item of splitMapsSpec(spec)) {
    if (hasGlobMagic(item)) {
      const found = await expandGlob(expandHome(item));
      if (found.length === 0) throw new Error(`--${flag} ${item}: no file matches this pattern`);
      files.push(...found);
    } else files.push(expandHome(item));
  }
  return { spec, files };
}

/**
 * Number of maps of the files, from their headers; several files must each be 3D (one map).
 *
 * @param flag the flag name, for messages.
 * @param maps the files.
 * @returns the number of maps.
 * @throws Error naming the file when one cannot be read or a listed file is 4D.
 * @example
 * ```ts ignore
 * const n = await countMapsOf("maps", await expandMapsSpec("maps", "m.nii.gz"));
 * ```
 */
export async function countMapsOf(flag: string, maps: MapsFiles): Promise<number> {
  let n = 0;
  for (const file of maps.files) {
    let shape: readonly number[];
    try {
      const stream = await openNifti(file);
      shape = stream.shape;
      await stream.close();
    } catch (e) {
      throw new Error(`--${flag} ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const count = shape.length >= 4 ? shape.slice(3).reduce((a, b) => a * b, 1) : 1;
    if (maps.files.length > 1 && count !== 1) {
      throw new Error(
        `--${flag} ${file}: a list of maps takes 3D images (one map each); this one holds ` +
          `${count} maps (shape ${shape.join("x")})`,
      );
    }
    n += count;
  }
  return n;
}

/**
 * SHA-256 of the maps: of the file's bytes for one file, of the files' bytes concatenated in
 * order for several.
 *
 * @param flag the flag name, for messages.
 * @param maps the files.
 * @returns lowercase hex digest.
 * @example
 * ```ts ignore
 * const hex = await mapsSha256("maps", { spec: "m.nii.gz", files: ["m.nii.gz"] });
 * ```
 */
export async function mapsSha256(flag: string, maps: MapsFiles): Promise<string> {
  const hash = createHash("sha256");
  for (const file of maps.files) {
    try {
      using f = await Deno.open(file, { read: true });
      for await (const chunk of f.readable) hash.update(chunk);
    } catch (e) {
      throw new Error(
        `--${flag} ${file}: cannot read the file (${e instanceof Error ? e.message : String(e)})`,
      );
    }
  }
  return hash.digest("hex");
}

/**
 * What the masker's `mapsImg` gets: the single file, or the list to stack.
 *
 * @param maps the files.
 * @returns a path or a list of paths.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapsImgOf } from "./maps_files.ts";
 * assert.equal(mapsImgOf({ spec: "m.nii", files: ["m.nii"] }), "m.nii");
 * ```
 */
export function mapsImgOf(maps: MapsFiles): string | string[] {
  return maps.files.length === 1 ? maps.files[0]! : [...maps.files];
}
