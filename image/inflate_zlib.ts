/**
 * Inflate backend on `node:zlib` (Deno and Node), imported dynamically so that the core still
 * loads where there is no `node:zlib` (browsers). It drives one raw-inflate engine synchronously
 * (`_handle.writeSync`, as Node's own synchronous zlib functions do), which tells exactly how
 * much input each call consumed.
 *
 * @module
 */
import type { InflateStep, RawInflater } from "./inflate_types.ts";
import { crc32 as jsCrc32 } from "./crc32.ts";

type ZlibModule = typeof import("node:zlib");

/** The synchronous engine behind a zlib stream object (Node's and Deno's `_handle`). */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}

interface ZlibEngine {
  readonly _handle?: ZlibHandle;
  readonly _writeState?: Uint32Array;
  close(): void;
}

const Z_NO_FLUSH = 0;

class ZlibInflater implements RawInflater {
  readonly backend = "zlib" as const;
  #zlib: ZlibModule;
  #engine: ZlibEngine;
  #handle: ZlibHandle;
  #state: Uint32Array;
  #error: string | null = null;
  #ended = false;

  constructor(zlib: ZlibModule) {
    this.#zlib = zlib;
    this.#engine = zlib.createInflateRaw() as unknown as ZlibEngine;
    const handle = this.#engine._handle;
    const state = this.#engine._writeState;
    if (handle === undefined || state === undefined || typeof handle.writeSync !== "function") {
      this.#engine.close();
      throw new Error("node:zlib has no synchronous engine");
    }
    this.#handle = handle;
    this.#state = state;
    handle.onerror = (message: string) => {
      this.#error = message;
    };
  }

  inflate(input: Uint8Array, out: Uint8Array): InflateStep {
    if (this.#ended) return { read: 0, written: 0, ended: true };
    this.#handle.writeSync(Z_NO_FLUSH, input, 0, input.length, out, 0, out.length);
    const availOut = this.#state[0]!;
    const availIn = this.#state[1]!;
    const read = input.length - availIn;
    const written = out.length - availOut;
    if (this.#error !== null) return { read, written, ended: false, error: this.#error };
    // zlib stops at the end of the deflate stream: input left over with room to spare in the
    // output means it ended (the gzip trailer always follows, so the input never runs out
    // exactly there unless the file is truncated).
    this.#ended = availIn > 0 && availOut > 0;
    return { read, written, ended: this.#ended };
  }

  crc32(crc: number, bytes: Uint8Array): number {
    const native = (this.#zlib as { crc32?: (data: Uint8Array, value: number) => number }).crc32;
    return native === undefined ? jsCrc32(crc, bytes) : native(bytes, crc) >>> 0;
  }

  reset(): void {
    this.#handle.reset();
    this.#error = null;
    this.#ended = false;
  }

  close(): void {
    try {
      this.#engine.close();
    } catch {
      // already closed
    }
  }
}

let loaded: Promise<ZlibModule | null> | null = null;

/** Deno or Node: the runtimes that have `node:zlib` (a browser never tries to import it). */
function hasNodeModules(): boolean {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: unknown } } };
  return g.Deno !== undefined || typeof g.process?.versions?.node === "string";
}

async function loadZlib(): Promise<ZlibModule | null> {
  if (!hasNodeModules()) return null;
  try {
    // Dynamic, so that the core still loads where node:zlib does not exist (browsers: the
    // import rejects and the next backend is used; bundlers keep `node:*` external).
    const zlib = await import("node:zlib") as ZlibModule;
    new ZlibInflater(zlib).close();
    return zlib;
  } catch {
    return null;
  }
}

/**
 * A `node:zlib` raw inflater, or null where `node:zlib` (or its synchronous engine) is missing.
 *
 * @returns a new inflater, or null.
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { zlibInflater } from "./inflate_zlib.ts";
 * const inf = await zlibInflater();
 * equal(inf?.backend, "zlib");
 * inf?.close();
 * ```
 */
export async function zlibInflater(): Promise<RawInflater | null> {
  const zlib = await (loaded ??= loadZlib());
  return zlib === null ? null : new ZlibInflater(zlib);
}
