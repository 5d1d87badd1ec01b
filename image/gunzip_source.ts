/**
 * Gzip decoding over any raw-inflate backend: member headers, CRC-32 and size checks of every
 * member, several members in a row (bgzip, `pigz -i`, concatenated `.gz` files) and zero padding
 * after the last one (accepted, as Python's gzip does). Decompressed bytes go straight into the
 * reader's buffer, so a file is inflated volume by volume; errors are the same on every backend.
 *
 * @module
 */
import { NiftiParseError } from "./nifti_errors.ts";
import { parseGzipHeader, readGzipTrailer } from "./gzip_member.ts";
import type { InflateBackend, InflateChoice, RawInflater } from "./inflate_types.ts";
import { createInflater } from "./inflate_select.ts";
import type { ByteSource } from "./gzip_stream.ts";

/** Fills `into` with the next compressed bytes; resolves to how many (0 at the end). */
export type FillBytes = (into: Uint8Array) => Promise<number>;

/** Compressed bytes read at a time: small first (small files), growing to a few MiB. */
const IN_FIRST = 1 << 16;
const IN_MAX = 1 << 22;
/** Bytes kept before the read position when the input buffer is compacted. */
const KEEP_BEHIND = 16;

type State = "header" | "body" | "trailer" | "done";

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/**
 * A forward-only reader of the decompressed bytes of a gzip file (one or more members).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { GunzipSource } from "./gunzip_source.ts";
 * const gz = new Uint8Array(await new Response(
 *   new Blob([new TextEncoder().encode("hello")]).stream().pipeThrough(
 *     new CompressionStream("gzip"),
 *   ),
 * ).arrayBuffer());
 * let done = false;
 * const src = new GunzipSource(async (into) => {
 *   if (done) return 0;
 *   done = true;
 *   into.set(gz);
 *   return gz.length;
 * }, "hello.gz", "stream");
 * const out = new Uint8Array(10);
 * equal(await src.read(out), 5);
 * equal(new TextDecoder().decode(out.subarray(0, 5)), "hello");
 * ```
 */
export class GunzipSource implements ByteSource {
  #fill: FillBytes;
  #name: string;
  #choice: InflateChoice;
  #onClose: (() => void) | undefined;
  #inflater: RawInflater | null = null;
  #buf = new Uint8Array(IN_FIRST);
  #start = 0;
  #end = 0;
  /** Compressed-file offset of `#buf[0]`. */
  #base = 0;
  #eof = false;
  #filledLast = false;
  #state: State = "header";
  #member = 0;
  #crc = 0;
  #size = 0;
  #scratch: Uint8Array | null = null;
  #closed = false;

  /**
   * @param fill source of compressed bytes.
   * @param name the file named in error messages.
   * @param choice inflate backend (default `"auto"`).
   * @param onClose called once when the source is closed (e.g. to close the file).
   */
  constructor(fill: FillBytes, name: string, choice: InflateChoice = "auto", onClose?: () => void) {
    this.#fill = fill;
    this.#name = name;
    this.#choice = choice;
    this.#onClose = onClose;
  }

  /** The backend in use, once reading has started (null before). */
  get backend(): InflateBackend | null {
    return this.#inflater?.backend ?? null;
  }

  #error(code: "gzip" | "truncated", detail: string, cause?: unknown): NiftiParseError {
    return new NiftiParseError(
      this.#name,
      code,
      code === "truncated" ? `truncated gzip data: ${detail}` : `corrupt gzip data: ${detail}`,
      cause === undefined ? undefined : { cause },
    );
  }

  /**
   * The file ended inside a member's header, or inside its data or trailer (not told apart: a
   * backend cannot always say whether its deflate data ended exactly at the end of the file).
   */
  #truncated(inHeader: boolean): NiftiParseError {
    return this.#error(
      "truncated",
      `the file ends inside ${inHeader ? "the header of " : ""}gzip member ${this.#member} ` +
        `(after ${this.#base + this.#end} compressed bytes)`,
    );
  }

  #advance(n: number): void {
    this.#start += n;
    if (this.#start < 0 || this.#start > this.#end) {
      throw this.#error("gzip", `invalid compressed data in gzip member ${this.#member}`);
    }
  }

  /** Read more compressed bytes (sets `#eof` at the end). */
  async #more(): Promise<void> {
    const keep = Math.max(0, this.#start - KEEP_BEHIND);
    if (keep > 0) {
      this.#buf.copyWithin(0, keep, this.#end);
      this.#start -= keep;
      this.#end -= keep;
      this.#base += keep;
    }
    // Grow when full (a stream backend may need more lookahead), or when the last read filled the
    // buffer (a large file: fewer, larger reads and inflate calls).
    if (this.#end === this.#buf.length || (this.#filledLast && this.#buf.length < IN_MAX)) {
      const size = this.#end === this.#buf.length
        ? this.#buf.length * 2
        : Math.min(IN_MAX, this.#buf.length * 4);
      const bigger = new Uint8Array(size);
      bigger.set(this.#buf.subarray(0, this.#end));
      this.#buf = bigger;
    }
    let n: number;
    try {
      n = await this.#fill(this.#buf.subarray(this.#end));
    } catch (e) {
      if (e instanceof NiftiParseError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new NiftiParseError(this.#name, "read", `cannot read: ${why}`, { cause: e });
    }
    const room = this.#buf.length - this.#end;
    this.#filledLast = n === room;
    if (n === 0) this.#eof = true;
    else this.#end += n;
  }

  async #inflaterFor(): Promise<RawInflater> {
    if (this.#inflater === null) {
      try {
        this.#inflater = await createInflater(this.#choice);
      } catch (e) {
        if (e instanceof RangeError) throw e; // a bad backend name (option or environment)
        const why = e instanceof Error ? e.message : String(e);
        throw new NiftiParseError(this.#name, "read", `cannot inflate: ${why}`, { cause: e });
      }
    }
    return this.#inflater;
  }

  /** Parse the next member's header; false at the clean end of the file. */
  async #header(): Promise<boolean> {
    for (;;) {
      const avail = this.#buf.subarray(this.#start, this.#end);
      if (this.#member > 0 && avail.length > 0 && avail[0] === 0) {
        // Zero padding after a member: skip it.
        let z = 0;
        while (z < avail.length && avail[z] === 0) z++;
        this.#advance(z);
        continue;
      }
      if (avail.length === 0) {
        if (this.#eof) return false;
        await this.#more();
        continue;
      }
      const h = parseGzipHeader(avail);
      if (h.kind === "header") {
        this.#advance(h.length);
        const inf = await this.#inflaterFor();
        if (this.#member > 0) await inf.reset();
        this.#member++;
        this.#crc = 0;
        this.#size = 0;
        this.#state = "body";
        return true;
      }
      if (h.kind === "need_more" && !this.#eof) {
        await this.#more();
        continue;
      }
      if (h.kind === "need_more") {
        this.#member++;
        throw this.#truncated(true);
      }
      if (this.#member === 0) throw this.#error("gzip", `invalid gzip header (${h.reason})`);
      throw this.#error(
        "gzip",
        `unexpected bytes at offset ${this.#base + this.#start} after gzip member ` +
          `${this.#member} (neither another gzip member nor zero padding)`,
      );
    }
  }

  /** Check the current member's trailer. */
  async #trailer(): Promise<void> {
    while (this.#end - this.#start < 8) {
      if (this.#eof) throw this.#truncated(false);
      await this.#more();
    }
    const t = readGzipTrailer(this.#buf.subarray(this.#start, this.#start + 8));
    if (t.crc !== this.#crc) {
      throw this.#error(
        "gzip",
        `CRC-32 mismatch in gzip member ${this.#member} (trailer ${hex(t.crc)}, data ` +
          `${hex(this.#crc)})`,
      );
    }
    const size = this.#size % 0x100000000;
    if (t.isize !== size) {
      throw this.#error(
        "gzip",
        `size mismatch in gzip member ${this.#member} (trailer says ${t.isize} bytes modulo ` +
          `2^32, inflated ${size})`,
      );
    }
    this.#advance(8);
    this.#state = "header";
  }

  async #readInto(dest: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < dest.length) {
      if (this.#state === "done") break;
      if (this.#state === "header") {
        if (!(await this.#header())) this.#state = "done";
        continue;
      }
      if (this.#state === "trailer") {
        await this.#trailer();
        continue;
      }
      const inf = this.#inflater!;
      const out = dest.subarray(filled);
      const step = await inf.inflate(this.#buf.subarray(this.#start, this.#end), out, this.#eof);
      if (step.written > 0) {
        this.#crc = inf.crc32(this.#crc, out.subarray(0, step.written));
        this.#size += step.written;
        filled += step.written;
      }
      if (step.error !== undefined) {
        throw this.#error(
          "gzip",
          `invalid compressed data in gzip member ${this.#member}`,
          new Error(`${inf.backend}: ${step.error}`),
        );
      }
      this.#advance(step.read);
      if (step.ended) this.#state = "trailer";
      else if (step.read === 0 && step.written === 0) {
        if (this.#eof) throw this.#truncated(false);
        await this.#more();
      }
    }
    return filled;
  }

  /**
   * Fill `dest` with the next decompressed bytes.
   *
   * @param dest where to write.
   * @returns bytes written; less than `dest.length` only at the end of the data.
   * @throws {NiftiParseError} corrupt or truncated gzip data (the source is then closed).
   */
  async read(dest: Uint8Array): Promise<number> {
    if (this.#closed) return 0;
    try {
      return await this.#readInto(dest);
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  /**
   * Discard up to `n` decompressed bytes.
   *
   * @param n bytes to skip.
   * @returns bytes skipped.
   */
  async skip(n: number): Promise<number> {
    this.#scratch ??= new Uint8Array(1 << 16);
    let skipped = 0;
    while (skipped < n) {
      const k = await this.read(
        this.#scratch.subarray(0, Math.min(this.#scratch.length, n - skipped)),
      );
      skipped += k;
      if (k === 0) break;
    }
    return skipped;
  }

  /** Read to the end, checking every remaining member. */
  async drain(): Promise<void> {
    while ((await this.skip(1 << 20)) > 0) {
      // keep going
    }
  }

  /** Release the inflater and the input; safe to call more than once. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#inflater?.close();
      this.#inflater = null;
      this.#onClose?.();
    }
    return Promise.resolve();
  }
}
