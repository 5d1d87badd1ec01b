/**
 * Inflate backend on the web-standard `DecompressionStream("deflate-raw")`, for runtimes without
 * ISA-L or `node:zlib` (browsers).
 *
 * A `DecompressionStream` does not say where its deflate data ended, and fails when written
 * bytes beyond the end. So input is written only up to the next place where the deflate data
 * could end — 8 bytes (a gzip trailer) before another member's magic number `1f 8b 08` (or
 * before the zero padding that precedes it), or before zero padding up to the end of the file,
 * or before the end of the file — and there one byte is written alone: if the
 * stream rejects it, the deflate data ended exactly there. The caller then checks the trailer
 * (CRC-32 and size), which catches a wrong guess.
 *
 * @module
 */
import type { InflateStep, RawInflater } from "./inflate_types.ts";
import { crc32 } from "./crc32.ts";

/** Largest piece written at once (large pieces make DecompressionStream slow). */
const PIECE = 1 << 16;

/** Bytes after a candidate end: an 8-byte trailer, then the next member's 3 magic bytes. */
const LOOKAHEAD = 8 + 3;

/** Where the trailing run of zero bytes of `input` starts (`input.length` when none). */
function zeroTailStart(input: Uint8Array): number {
  let i = input.length;
  while (i > 0 && input[i - 1] === 0) i--;
  return i;
}

/**
 * How far from the start of `input` writing is safe (at most `limit` bytes), and whether that
 * position is itself a possible end of the deflate data.
 */
function nextStop(
  input: Uint8Array,
  final: boolean,
  limit: number,
): { at: number; candidate: boolean } {
  const zt = zeroTailStart(input);
  // Past this, a position cannot be classified without more input.
  const decidable = final
    ? input.length
    : Math.max(0, Math.min(input.length - LOOKAHEAD + 1, zt - 8));
  const zeroCandidate = final ? Math.max(0, zt - 8) : Infinity;
  const scanEnd = Math.min(decidable, limit);
  let magic = Infinity;
  for (let i = input.indexOf(0x1f, 8); i >= 0; i = input.indexOf(0x1f, i + 1)) {
    if (input[i + 1] !== 0x8b || input[i + 2] !== 8) {
      if (i - 8 > scanEnd) break;
      continue;
    }
    // Zero padding may sit between a trailer and the next member.
    let z = i;
    while (z > 0 && input[z - 1] === 0) z--;
    magic = Math.max(0, z - 8);
    break;
  }
  const candidate = Math.min(magic, zeroCandidate);
  if (candidate <= scanEnd) return { at: candidate, candidate: true };
  return { at: scanEnd, candidate: false };
}

class StreamInflater implements RawInflater {
  readonly backend = "stream" as const;
  #writer!: WritableStreamDefaultWriter<Uint8Array>;
  #reader!: ReadableStreamDefaultReader<Uint8Array>;
  #pendingRead: Promise<void> | null = null;
  #queue: Uint8Array[] = [];
  #ended = false;
  #error: string | null = null;
  #closedReadable = false;
  #readError = false;

  constructor() {
    this.#open();
  }

  #open(): void {
    const ds = new DecompressionStream("deflate-raw") as unknown as TransformStream<
      Uint8Array,
      Uint8Array
    >;
    this.#writer = ds.writable.getWriter();
    this.#reader = ds.readable.getReader();
    this.#pendingRead = null;
    this.#queue = [];
    this.#ended = false;
    this.#error = null;
    this.#closedReadable = false;
    this.#readError = false;
  }

  /** Keep one read outstanding; its result lands in the queue. */
  #arm(): Promise<void> {
    return this.#pendingRead ??= this.#reader.read().then(
      (r) => {
        this.#pendingRead = null;
        if (r.done) this.#closedReadable = true;
        else this.#queue.push(r.value);
      },
      () => {
        // The stream errored; a failed write reports it.
        this.#pendingRead = null;
        this.#readError = true;
      },
    );
  }

  /** Write one piece and collect its output; false when the stream rejected it. */
  async #write(piece: Uint8Array): Promise<boolean> {
    let outcome: boolean | null = null;
    let failure: unknown = null;
    const written = this.#writer.write(piece).then(
      () => {
        outcome = true;
      },
      (e) => {
        failure = e;
        outcome = false;
      },
    );
    while (outcome === null) await Promise.race([this.#arm(), written]);
    if (outcome === false) {
      this.#error = failure instanceof Error ? failure.message : String(failure);
    }
    return outcome;
  }

  /** Move queued output into `out`; returns the bytes moved. */
  #take(out: Uint8Array): number {
    let n = 0;
    while (n < out.length && this.#queue.length > 0) {
      const head = this.#queue[0]!;
      const k = Math.min(head.length, out.length - n);
      out.set(head.subarray(0, k), n);
      n += k;
      if (k === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(k);
    }
    return n;
  }

  async inflate(input: Uint8Array, out: Uint8Array, final: boolean): Promise<InflateStep> {
    let written = this.#take(out);
    const drained = () => this.#queue.length === 0;
    if (this.#ended || written === out.length) {
      return { read: 0, written, ended: this.#ended && drained() };
    }
    const stop = nextStop(input, final, PIECE);
    if (stop.at > 0) {
      const n = Math.min(stop.at, PIECE);
      if (!(await this.#write(input.subarray(0, n)))) {
        return { read: n, written, ended: false, error: this.#error ?? "invalid deflate data" };
      }
      written += this.#take(out.subarray(written));
      return { read: n, written, ended: false };
    }
    if (!stop.candidate || input.length === 0) return { read: 0, written, ended: false };
    // A possible end: write the next byte alone.
    if (await this.#write(input.subarray(0, 1))) {
      written += this.#take(out.subarray(written));
      return { read: 1, written, ended: false };
    }
    this.#ended = true;
    written += this.#take(out.subarray(written));
    return { read: 0, written, ended: drained() };
  }

  crc32(crc: number, bytes: Uint8Array): number {
    return crc32(crc, bytes);
  }

  reset(): void {
    this.close();
    this.#open();
  }

  close(): void {
    this.#writer.abort().catch(() => {});
    this.#reader.cancel().catch(() => {});
  }
}

/** A fixed-Huffman deflate stream of "abcabcabcabc". */
const PROBE = Uint8Array.from([0x4b, 0x4c, 0x4a, 0x4e, 0x84, 0x21, 0x00]);

/**
 * Whether this runtime's `DecompressionStream("deflate-raw")` rejects bytes written after the end
 * of the deflate data (as the Compression Streams standard asks; Node 20's does not), which is
 * how this backend finds where a gzip member's data end.
 */
async function rejectsTrailingBytes(): Promise<boolean> {
  const inf = new StreamInflater();
  try {
    const out = new Uint8Array(64);
    const input = new Uint8Array(PROBE.length + 11); // + a trailer of zeros and a magic number
    input.set(PROBE);
    input.set([0x1f, 0x8b, 8], PROBE.length + 8);
    let ip = 0;
    let op = 0;
    for (let calls = 0; calls < 64; calls++) {
      const s = await inf.inflate(input.subarray(ip), out.subarray(op), true);
      if (s.error !== undefined) return false;
      ip += s.read;
      op += s.written;
      if (s.ended) {
        return ip === PROBE.length &&
          new TextDecoder().decode(out.subarray(0, op)) === "abcabcabcabc";
      }
      if (s.read === 0 && s.written === 0) return false;
    }
    return false;
  } finally {
    inf.close();
  }
}

let usable: Promise<boolean> | null = null;

/**
 * A `DecompressionStream("deflate-raw")` raw inflater, or null where the runtime lacks it or its
 * decompressor does not reject bytes after the end of the deflate data.
 *
 * @returns a new inflater, or null.
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { streamInflater } from "./inflate_stream.ts";
 * const inf = await streamInflater();
 * equal(inf?.backend, "stream");
 * inf?.close();
 * ```
 */
export async function streamInflater(): Promise<RawInflater | null> {
  try {
    usable ??= rejectsTrailingBytes().catch(() => false);
    return (await usable) ? new StreamInflater() : null;
  } catch {
    return null;
  }
}
