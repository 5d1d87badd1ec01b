/**
 * Deterministic sharding of a batch of subjects, for SLURM job arrays and other schedulers.
 *
 * Pure: no Deno APIs. The CLI passes `Deno.env.toObject()` as the environment record.
 *
 * @module
 */

/** One shard of a batch: the `index`-th (1-based) of `count` slices. */
export interface Shard {
  /** 1-based shard number, from 1 to `count`. */
  readonly index: number;
  /** Number of shards (at least 1). */
  readonly count: number;
}

/** An environment record, as `Deno.env.toObject()` returns. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

const INT_RE = /^\s*[0-9]+\s*$/;

function parseNonNegativeInt(value: string, what: string): number {
  if (!INT_RE.test(value)) {
    throw new RangeError(`${what}: expected a non-negative integer, got "${value}"`);
  }
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`${what}: expected a non-negative integer, got "${value}"`);
  }
  return n;
}

/**
 * Parse an explicit shard spec `I/N` (1-based `I` from 1 to `N`).
 *
 * @param text the spec, e.g. `"2/3"`.
 * @returns the shard.
 * @throws RangeError when the text is not `I/N` with integers 1 <= I <= N.
 * @example
 * ```ts
 * import { parseShardSpec } from "./shard.ts";
 * parseShardSpec("2/3"); // { index: 2, count: 3 }
 * ```
 */
export function parseShardSpec(text: string): Shard {
  const parts = text.split("/");
  if (parts.length !== 2 || !INT_RE.test(parts[0]!) || !INT_RE.test(parts[1]!)) {
    throw new RangeError(
      `--shard: expected I/N (shard I of N, I from 1 to N) or "auto", got "${text}"`,
    );
  }
  const index = parseNonNegativeInt(parts[0]!, "--shard");
  const count = parseNonNegativeInt(parts[1]!, "--shard");
  if (count < 1) {
    throw new RangeError(`--shard: the number of shards N must be at least 1, got "${text}"`);
  }
  if (index < 1 || index > count) {
    throw new RangeError(
      `--shard: the shard number I is 1-based and must be from 1 to ${count}, got "${text}"`,
    );
  }
  return { index, count };
}

/**
 * The shard of the current SLURM array task, from its environment.
 *
 * Uses `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_MAX`,
 * `SLURM_ARRAY_TASK_STEP` (default 1) and `SLURM_ARRAY_TASK_COUNT`. Task `MIN` is shard 1,
 * `MIN + STEP` shard 2, and so on, so `--array=0-9`, `--array=1-10` and `--array=0-18:2` all give
 * 10 shards. When `MIN`/`MAX` are absent the ids are taken as `0..COUNT-1`. Arrays given as an
 * irregular list (`--array=1,4,9`) cannot be mapped to dense shard numbers and are an error.
 *
 * @param env environment record (e.g. `Deno.env.toObject()`).
 * @returns the shard of this task.
 * @throws Error when not inside a SLURM array task; RangeError on inconsistent variables.
 * @example
 * ```ts
 * import { shardFromSlurmEnv } from "./shard.ts";
 * shardFromSlurmEnv({ SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "3", SLURM_ARRAY_TASK_MAX: "5" });
 * // { index: 2, count: 3 }
 * ```
 */
export function shardFromSlurmEnv(env: EnvRecord): Shard {
  const idText = env.SLURM_ARRAY_TASK_ID;
  if (idText === undefined || idText.trim() === "") {
    throw new Error(
      "--shard auto: SLURM_ARRAY_TASK_ID is not set, so this is not a SLURM array task " +
        "(submit with sbatch --array=0-(N-1), or give --shard I/N explicitly)",
    );
  }
  const id = parseNonNegativeInt(idText, "--shard auto: SLURM_ARRAY_TASK_ID");
  const read = (name: string): number | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : parseNonNegativeInt(
      v,
      `--shard auto: ${name}`,
    );
  };
  const countVar = read("SLURM_ARRAY_TASK_COUNT");
  const minVar = read("SLURM_ARRAY_TASK_MIN");
  const maxVar = read("SLURM_ARRAY_TASK_MAX");
  const step = read("SLURM_ARRAY_TASK_STEP") ?? 1;
  if (step < 1) {
    throw new RangeError(`--shard auto: SLURM_ARRAY_TASK_STEP must be at least 1, got ${step}`);
  }
  let min: number;
  let count: number;
  if (minVar !== undefined && maxVar !== undefined) {
    if (maxVar < minVar) {
      throw new RangeError(
        `--shard auto: SLURM_ARRAY_TASK_MAX (${maxVar}) is below SLURM_ARRAY_TASK_MIN (${minVar})`,
      );
    }
    min = minVar;
    const span = Math.floor((maxVar - minVar) / step) + 1;
    if (countVar !== undefined && countVar !== span) {
      throw new RangeError(
        `--shard auto: the array ${minVar}-${maxVar}` + (step > 1 ? `:${step}` : "") +
          ` spans ${span} ids but SLURM_ARRAY_TASK_COUNT is ${countVar}; irregular arrays ` +
          `(e.g. --array=1,4,9) cannot be sharded automatically: use --array=0-(N-1) or --shard I/N`,
      );
    }
    count = span;
  } else if (countVar !== undefined) {
    min = minVar ?? 0;
    count = countVar;
  } else {
    throw new Error(
      "--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor " +
        "SLURM_ARRAY_TASK_MIN/SLURM_ARRAY_TASK_MAX are; give --shard I/N explicitly",
    );
  }
  if (count < 1) {
    throw new RangeError(`--shard auto: SLURM_ARRAY_TASK_COUNT must be at least 1, got ${count}`);
  }
  const offset = id - min;
  if (offset < 0 || offset % step !== 0 || offset / step >= count) {
    throw new RangeError(
      `--shard auto: SLURM_ARRAY_TASK_ID ${id} is not one of the ${count} ids ${min}, ` +
        `${min + step}, ... of this array; use --array=0-(N-1) or --shard I/N`,
    );
  }
  return { index: offset / step + 1, count };
}

/**
 * Parse the value of `--shard`: `I/N`, or `auto` (from the SLURM array environment).
 *
 * @param text `"I/N"` or `"auto"`.
 * @param env environment record consulted for `auto`.
 * @returns the shard.
 * @example
 * ```ts
 * import { parseShard } from "./shard.ts";
 * parseShard("auto", { SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "3" }); // 1 of 3
 * ```
 */
export function parseShard(text: string, env: EnvRecord = {}): Shard {
  return text.trim() === "auto" ? shardFromSlurmEnv(env) : parseShardSpec(text);
}

/**
 * Bounds `[start, end)` of a shard over `n` sorted items: contiguous, balanced slices (sizes
 * differ by at most one), covering every item exactly once across the `count` shards.
 *
 * @param n number of items.
 * @param shard the shard.
 * @returns `[start, end)` indices into the sorted list.
 * @example
 * ```ts
 * import { shardBounds } from "./shard.ts";
 * shardBounds(7, { index: 1, count: 3 }); // [0, 2]
 * ```
 */
export function shardBounds(n: number, shard: Shard): [number, number] {
  const { index, count } = shard;
  if (
    !Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 1 || index > count
  ) {
    throw new RangeError(`shard: expected 1 <= index <= count, got ${index}/${count}`);
  }
  return [Math.floor(((index - 1) * n) / count), Math.floor((index * n) / count)];
}

/** Compare strings by UTF-16 code units: the same order on every machine and locale. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The items of one shard: the list is sorted (by `key`, code-unit order, independent of the
 * order given and of the locale), then cut into `count` contiguous balanced slices.
 *
 * @param items all items of the batch (e.g. image paths), in any order.
 * @param shard which slice.
 * @param key sort key of an item (default: `String(item)`).
 * @returns the items of this shard, sorted.
 * @example
 * ```ts
 * import { selectShard } from "./shard.ts";
 * selectShard(["c", "a", "b", "d"], { index: 2, count: 2 }); // ["c", "d"]
 * ```
 */
export function selectShard<T>(
  items: readonly T[],
  shard: Shard,
  key: (item: T) => string = String,
): T[] {
  const sorted = items
    .map((item, i) => ({ item, k: key(item), i }))
    .sort((a, b) => compareCodeUnits(a.k, b.k) || a.i - b.i);
  const [start, end] = shardBounds(sorted.length, shard);
  return sorted.slice(start, end).map((e) => e.item);
}

/**
 * Human-readable form `I/N` of a shard.
 *
 * @param shard the shard.
 * @returns e.g. `"2/3"`.
 * @example
 * ```ts
 * import { formatShard } from "./shard.ts";
 * formatShard({ index: 2, count: 3 }); // "2/3"
 * ```
 */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
