/**
 * Sequential byte sources for NIfTI reading: an uncompressed file read in place, raw bytes, or a
 * gzip stream inflated chunk by chunk by the fastest available backend (ISA-L, `node:zlib` or
 * `DecompressionStream`; see `inflate_select.ts`), so the whole decompressed file is never held
 * in memory.
 *
 * @module
 */
import { NiftiParseError } from "./nifti_errors.ts";
import { GunzipSource } from "./gunzip_source.ts";
import type { InflateChoice } from "./inflate_types.ts";

/** Options of the byte sources. */
export interface SourceOptions {
  /** Inflate backend for gzip data (default `"auto"`: the fastest available). */
  readonly inflate?: InflateChoice;
}

/** A forward-only reader of bytes. */
export interface ByteSource {
  /**
   * Fill `dest` from the current position.
   * @returns the number of bytes read; less than `dest.length` only at the end of the data.
   */
  read(dest: Uint8Array): Promise<number>;
  /** Discard up to `n` bytes; returns how many were discarded. */
  skip(n: number): Promise<number>;
  /** Read to the end and discard (lets gzip verify its checksum). */
  drain(): Promise<void>;
  /** Release the underlying resource; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Whether bytes start with the gzip magic number `1f 8b`.
 *
 * @param bytes the first bytes of a file.
 * @returns true for gzip data.
 * @example
 * ```ts
 * import { isGzip } from "./gzip_stream.ts";
 * console.log(isGzip(new Uint8Array([0x1f, 0x8b, 8]))); // true
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads from a stream of (uncompressed) chunks, keeping the unread rest of the current chunk. */
class StreamSource implements ByteSource {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #done = false;
  #closed = false;
  #file: string;

  constructor(stream: ReadableStream<Uint8Array>, file: string) {
    this.#reader = stream.getReader();
    this.#file = file;
  }

  async #next(): Promise<boolean> {
    if (this.#done) return false;
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await this.#reader.read();
    } catch (e) {
      this.#done = true;
      await this.close();
      if (e instanceof NiftiParseError) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new NiftiParseError(this.#file, "read", `cannot read: ${why}`, { cause: e });
    }
    if (r.done) {
      this.#done = true;
      return false;
    }
    this.#chunk = r.value;
    this.#pos = 0;
    return true;
  }

  async read(dest: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < dest.length) {
      if (this.#pos >= this.#chunk.length && !(await this.#next())) break;
      const n = Math.min(dest.length - filled, this.#chunk.length - this.#pos);
      dest.set(this.#chunk.subarray(this.#pos, this.#pos + n), filled);
      this.#pos += n;
      filled += n;
    }
    return filled;
  }

  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      if (this.#pos >= this.#chunk.length && !(await this.#next())) break;
      const k = Math.min(n - skipped, this.#chunk.length - this.#pos);
      this.#pos += k;
      skipped += k;
    }
    return skipped;
  }

  async drain(): Promise<void> {
    this.#pos = this.#chunk.length;
    while (await this.#next()) this.#pos = this.#chunk.length;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#reader.cancel();
    } catch {
      // already errored or closed
    }
  }
}

/** Reads an uncompressed file in place (no intermediate chunks). */
class FileSource implements ByteSource {
  #file: Deno.FsFile;
  #name: string;
  #closed = false;

  constructor(file: Deno.FsFile, name: string) {
    this.#file = file;
    this.#name = name;
  }

  async read(dest: Uint8Array): Promise<number> {
    let filled = 0;
    try {
      while (filled < dest.length) {
        const n = await this.#file.read(dest.subarray(filled));
        if (n === null) break;
        filled += n;
      }
    } catch (e) {
      await this.close();
      const why = e instanceof Error ? e.message : String(e);
      throw new NiftiParseError(this.#name, "read", `cannot read: ${why}`, { cause: e });
    }
    return filled;
  }

  async skip(n: number): Promise<number> {
    const buf = new Uint8Array(Math.min(n, 1 << 16));
    let skipped = 0;
    while (skipped < n) {
      const k = await this.read(buf.subarray(0, Math.min(buf.length, n - skipped)));
      skipped += k;
      if (k === 0) break;
    }
    return skipped;
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#file.close();
      } catch {
        // already closed
      }
    }
    return Promise.resolve();
  }
}

/** Reads from bytes held in memory. */
class BytesSource implements ByteSource {
  #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  read(dest: Uint8Array): Promise<number> {
    const n = Math.min(dest.length, this.#bytes.length - this.#pos);
    dest.set(this.#bytes.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return Promise.resolve(n);
  }

  skip(n: number): Promise<number> {
    const k = Math.min(n, this.#bytes.length - this.#pos);
    this.#pos += k;
    return Promise.resolve(k);
  }

  drain(): Promise<void> {
    this.#pos = this.#bytes.length;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A byte source plus facts known when it was opened. */
export interface OpenedSource {
  /** The (decompressed) bytes, read sequentially. */
  readonly source: ByteSource;
  /** Whether the input was gzip-compressed. */
  readonly gzip: boolean;
  /** Size of the uncompressed input in bytes, when known up front (plain files and bytes). */
  readonly size: number | null;
}

/**
 * Open a file for sequential reading, inflating it when it starts with the gzip magic number
 * (whatever its extension).
 *
 * @param path file path (already `~`-expanded).
 * @param name the name used in error messages.
 * @param options inflate backend.
 * @returns the opened source.
 * @throws {NiftiParseError} missing/unreadable or empty file.
 * @example
 * ```ts ignore
 * import { openFileSource } from "./gzip_stream.ts";
 * const { source } = await openFileSource("img.nii.gz", "img.nii.gz");
 * const head = new Uint8Array(348);
 * await source.read(head);
 * await source.close();
 * ```
 */
export async function openFileSource(
  path: string,
  name: string = path,
  options: SourceOptions = {},
): Promise<OpenedSource> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new NiftiParseError(name, "not_found", "file not found", { cause: e });
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new NiftiParseError(name, "read", `cannot open: ${why}`, { cause: e });
  }
  try {
    const info = await file.stat();
    if (info.isDirectory) {
      throw new NiftiParseError(name, "read", "is a directory, expected a NIfTI file");
    }
    if (info.size === 0) throw new NiftiParseError(name, "empty", "empty file (0 bytes)");
    const magic = new Uint8Array(2);
    const plain = new FileSource(file, name);
    const n = await plain.read(magic);
    if (isGzip(magic.subarray(0, n))) {
      await file.seek(0, Deno.SeekMode.Start);
      const fill = async (into: Uint8Array) => (await file.read(into)) ?? 0;
      const source = new GunzipSource(fill, name, options.inflate, () => {
        try {
          file.close();
        } catch {
          // already closed
        }
      });
      return { source, gzip: true, size: null };
    }
    await file.seek(0, Deno.SeekMode.Start);
    return { source: plain, gzip: false, size: info.size };
  } catch (e) {
    try {
      file.close();
    } catch {
      // already closed
    }
    if (e instanceof NiftiParseError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new NiftiParseError(name, "read", `cannot read: ${why}`, { cause: e });
  }
}

/**
 * Sequential reading over bytes in memory, inflated when they start with the gzip magic number.
 *
 * @param bytes file contents.
 * @param name the name used in error messages.
 * @param options inflate backend.
 * @returns the opened source.
 * @throws {NiftiParseError} empty input.
 * @example
 * ```ts
 * import { openBytesSource } from "./gzip_stream.ts";
 * const { gzip, size } = openBytesSource(new Uint8Array(400), "<bytes>");
 * console.log(gzip, size); // false 400
 * ```
 */
export function openBytesSource(
  bytes: Uint8Array,
  name: string,
  options: SourceOptions = {},
): OpenedSource {
  if (bytes.length === 0) throw new NiftiParseError(name, "empty", "empty input (0 bytes)");
  if (isGzip(bytes)) {
    let pos = 0;
    const fill = (into: Uint8Array) => {
      const n = Math.min(into.length, bytes.length - pos);
      into.set(bytes.subarray(pos, pos + n));
      pos += n;
      return Promise.resolve(n);
    };
    return { source: new GunzipSource(fill, name, options.inflate), gzip: true, size: null };
  }
  return { source: new BytesSource(bytes), gzip: false, size: bytes.length };
}

/**
 * Sequential reading over a stream of bytes (e.g. an HTTP response body), inflated when
 * `gzip` is true.
 *
 * @param stream the byte stream.
 * @param name the name used in error messages.
 * @param gzip whether to inflate.
 * @param options inflate backend.
 * @returns the opened source.
 * @example
 * ```ts ignore
 * import { openStreamSource } from "./gzip_stream.ts";
 * const res = await fetch("https://example.org/img.nii.gz");
 * const { source } = openStreamSource(res.body!, "img.nii.gz", true);
 * ```
 */
export function openStreamSource(
  stream: ReadableStream<Uint8Array>,
  name: string,
  gzip: boolean,
  options: SourceOptions = {},
): OpenedSource {
  if (!gzip) return { source: new StreamSource(stream, name), gzip, size: null };
  const reader = stream.getReader();
  let rest: Uint8Array = new Uint8Array(0);
  const fill = async (into: Uint8Array) => {
    while (rest.length === 0) {
      const r = await reader.read();
      if (r.done) return 0;
      rest = r.value;
    }
    const n = Math.min(into.length, rest.length);
    into.set(rest.subarray(0, n));
    rest = rest.subarray(n);
    return n;
  };
  const close = () => {
    reader.cancel().catch(() => {});
  };
  return { source: new GunzipSource(fill, name, options.inflate, close), gzip, size: null };
}
