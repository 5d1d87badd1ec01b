/**
 * The inputs of `niimask group`: time-series files given one by one, or output folders (of
 * `niimask bids`: `sub-*` / `ses-*` / `func` below them) searched for `*_timeseries.tsv`,
 * narrowed to one atlas and denoising strategy (`atlas-` and `desc-` entities of the names).
 *
 * @module
 */
import { UsageError } from "./errors.ts";
import { baseName } from "./naming.ts";

/** The `atlas-` and `desc-` entities of a time-series file name (undefined when absent). */
export interface SeriesEntities {
  /** `atlas-` label. */
  readonly atlas: string | undefined;
  /** `desc-` label. */
  readonly desc: string | undefined;
}

/**
 * The `atlas-` and `desc-` entities of a time-series file name.
 *
 * @param path a `..._timeseries.tsv` path.
 * @returns its entities.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesEntities } from "./group_inputs.ts";
 * assert.deepEqual(
 *   seriesEntities("out/sub-01/func/sub-01_task-rest_atlas-difumo_desc-simple_timeseries.tsv"),
 *   { atlas: "difumo", desc: "simple" },
 * );
 * ```
 */
export function seriesEntities(path: string): SeriesEntities {
  const parts = baseName(path).split("_");
  const value = (key: string) =>
    parts.find((p) => p.startsWith(`${key}-`))?.slice(key.length + 1) ?? undefined;
  return { atlas: value("atlas"), desc: value("desc") };
}

/**
 * Keep the time series of one atlas and strategy, and check that what is left is one group.
 *
 * @param files time-series paths found in folders.
 * @param want the `atlas-`/`desc-` labels asked for (undefined: any).
 * @param folders the folders searched (for messages).
 * @returns the files kept, sorted, and the entities they share.
 * @throws UsageError when nothing is left, or when several atlases or strategies are left (a
 *   group mixing them would be meaningless): it lists them and the flags that choose.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectSeries } from "./group_inputs.ts";
 * const files = ["o/sub-01_atlas-a_desc-simple_timeseries.tsv",
 *   "o/sub-01_atlas-b_desc-simple_timeseries.tsv"];
 * assert.deepEqual(selectSeries(files, { atlas: "b", desc: undefined }, ["o"]).files, [files[1]]);
 * assert.throws(() => selectSeries(files, { atlas: undefined, desc: undefined }, ["o"]));
 * ```
 */
export function selectSeries(
  files: readonly string[],
  want: SeriesEntities,
  folders: readonly string[],
): { files: string[]; entities: SeriesEntities } {
  const kept = files.filter((f) => {
    const e = seriesEntities(f);
    return (want.atlas === undefined || e.atlas === want.atlas) &&
      (want.desc === undefined || e.desc === want.desc);
  }).sort();
  const where = folders.join(", ");
  if (kept.length === 0) {
    const asked = [
      want.atlas !== undefined ? `atlas-${want.atlas}` : "",
      want.desc !== undefined ? `desc-${want.desc}` : "",
    ].filter((s) => s !== "").join(" and ");
    throw new UsageError(
      `${where}: no time series (*_timeseries.tsv)${asked === "" ? "" : ` with ${asked}`} found` +
        (files.length > 0 ? ` (${files.length} other time series found)` : ""),
    );
  }
  const atlases = [...new Set(kept.map((f) => seriesEntities(f).atlas ?? "(none)"))];
  const descs = [...new Set(kept.map((f) => seriesEntities(f).desc ?? "(none)"))];
  if (atlases.length > 1 || descs.length > 1) {
    throw new UsageError(
      `${where}: time series of several atlases or strategies (atlas: ${atlases.join(", ")}; ` +
        `desc: ${descs.join(", ")}); choose one group with --atlas-name and --denoise-strategy`,
    );
  }
  const first = seriesEntities(kept[0]!);
  return { files: kept, entities: first };
}

/**
 * Every `*_timeseries.tsv` below a folder (any depth; hidden folders skipped), sorted.
 *
 * @param dir the folder.
 * @returns the paths (`dir/...`).
 * @throws Error naming the folder when it cannot be read.
 * @example
 * ```ts ignore
 * await findSeries("derivatives/niimask"); // ["derivatives/niimask/sub-01/func/..._timeseries.tsv", ...]
 * ```
 */
export async function findSeries(dir: string): Promise<string[]> {
  const root = dir.replace(/\/+$/, "") || "/";
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(d));
    } catch (e) {
      throw new Error(`cannot read the folder ${d}: ${(e as Error).message}`);
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.isFile && e.name.endsWith("_timeseries.tsv")) found.push(p);
    }
  };
  await walk(root);
  return found.sort();
}
