/**
 * Choosing an inflate backend: the fastest available (ISA-L, then `node:zlib`, then
 * `DecompressionStream`), an explicit choice, or the `NIIMASK_INFLATE` environment variable.
 *
 * @module
 */
import type { InflateBackend, InflateChoice, RawInflater } from "./inflate_types.ts";
import { isalInflater } from "./inflate_isal.ts";
import { zlibInflater } from "./inflate_zlib.ts";
import { streamInflater } from "./inflate_stream.ts";

/**
 * The inflate backends, fastest first.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { INFLATE_BACKENDS } from "./inflate_select.ts";
 * deepEqual(INFLATE_BACKENDS, ["isal", "zlib", "stream"]);
 * ```
 */
export const INFLATE_BACKENDS: readonly InflateBackend[] = ["isal", "zlib", "stream"];

/**
 * The environment variable that overrides `"auto"` (e.g. `NIIMASK_INFLATE=zlib`).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { INFLATE_ENV } from "./inflate_select.ts";
 * equal(INFLATE_ENV, "NIIMASK_INFLATE");
 * ```
 */
export const INFLATE_ENV = "NIIMASK_INFLATE";

/**
 * Check an inflate backend name.
 *
 * @param choice the value given.
 * @param where what it was given as (named in the error).
 * @returns the choice.
 * @throws {RangeError} not `"auto"` nor a backend name.
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { checkInflateChoice } from "./inflate_select.ts";
 * equal(checkInflateChoice("zlib", "inflate"), "zlib");
 * throws(() => checkInflateChoice("gzip", "inflate"), RangeError);
 * ```
 */
export function checkInflateChoice(choice: unknown, where: string): InflateChoice {
  if (choice === "auto" || INFLATE_BACKENDS.includes(choice as InflateBackend)) {
    return choice as InflateChoice;
  }
  throw new RangeError(
    `${where} must be one of "auto", ${INFLATE_BACKENDS.map((b) => `"${b}"`).join(", ")}; ` +
      `got ${JSON.stringify(choice)}`,
  );
}

/** `NIIMASK_INFLATE` when set and readable without a permission prompt; otherwise undefined. */
function envChoice(): InflateChoice | undefined {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  let value: string | undefined;
  try {
    if (deno !== undefined) {
      const st = deno.permissions.querySync?.({ name: "env", variable: INFLATE_ENV });
      if (st?.state !== "granted") return undefined;
      value = deno.env.get(INFLATE_ENV);
    } else {
      const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } })
        .process;
      value = proc?.env?.[INFLATE_ENV];
    }
  } catch {
    return undefined;
  }
  if (value === undefined || value === "") return undefined;
  return checkInflateChoice(value, `the environment variable ${INFLATE_ENV}`);
}

async function make(backend: InflateBackend): Promise<RawInflater | null> {
  if (backend === "isal") return await isalInflater();
  if (backend === "zlib") return await zlibInflater();
  return await streamInflater();
}

/**
 * Create a raw inflater.
 *
 * @param choice a backend, or `"auto"` (default): `NIIMASK_INFLATE` when set, else the fastest
 *   available. ISA-L needs Deno with FFI permission already granted and `libisal.so.2`;
 *   without them the fallback is silent.
 * @returns a new inflater.
 * @throws {RangeError} an unknown backend name (option or environment variable).
 * @throws {Error} a backend asked for by name that is not available here.
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { createInflater } from "./inflate_select.ts";
 * const inf = await createInflater("stream");
 * equal(inf.backend, "stream");
 * inf.close();
 * ```
 */
export async function createInflater(choice: InflateChoice = "auto"): Promise<RawInflater> {
  let wanted = checkInflateChoice(choice, "inflate");
  if (wanted === "auto") wanted = envChoice() ?? "auto";
  if (wanted !== "auto") {
    const inf = await make(wanted);
    if (inf === null) {
      throw new Error(
        `inflate backend "${wanted}" is not available here` +
          (wanted === "isal"
            ? " (needs Deno with --allow-ffi and libisal.so.2, e.g. Debian's libisal2)"
            : ""),
      );
    }
    return inf;
  }
  for (const backend of INFLATE_BACKENDS) {
    const inf = await make(backend);
    if (inf !== null) return inf;
  }
  throw new Error(
    "no inflate backend is available (no node:zlib, and no DecompressionStream that rejects " +
      "bytes after the end of deflate data)",
  );
}

/**
 * Which backend {@link createInflater} would use for `choice` (for logs and sidecars).
 *
 * @param choice as for {@link createInflater}.
 * @returns the backend name.
 * @throws as {@link createInflater}.
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { resolveInflateBackend } from "./inflate_select.ts";
 * ok(["isal", "zlib", "stream"].includes(await resolveInflateBackend()));
 * ```
 */
export async function resolveInflateBackend(
  choice: InflateChoice = "auto",
): Promise<InflateBackend> {
  const inf = await createInflater(choice);
  inf.close();
  return inf.backend;
}

/**
 * The backends available in this runtime, fastest first.
 *
 * @returns their names.
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { availableInflateBackends } from "./inflate_select.ts";
 * ok((await availableInflateBackends()).includes("stream"));
 * ```
 */
export async function availableInflateBackends(): Promise<InflateBackend[]> {
  const out: InflateBackend[] = [];
  for (const backend of INFLATE_BACKENDS) {
    const inf = await make(backend);
    if (inf !== null) {
      inf.close();
      out.push(backend);
    }
  }
  return out;
}
