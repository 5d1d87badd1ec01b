/**
 * The small interface every inflate backend implements: raw deflate data in, bytes out, one
 * deflate stream (one gzip member) at a time. The gzip wrapper, checksums and errors are handled
 * once, above it (`gunzip_source.ts`).
 *
 * @module
 */

/** Inflate backends, fastest first: ISA-L (FFI), `node:zlib`, `DecompressionStream`. */
export type InflateBackend = "isal" | "zlib" | "stream";

/** A backend, or `"auto"`: the fastest available (or the `NIIMASK_INFLATE` environment variable). */
export type InflateChoice = InflateBackend | "auto";

/** The outcome of one {@link RawInflater.inflate} call. */
export interface InflateStep {
  /**
   * Input bytes consumed. When the stream ends this can be negative: bytes read ahead by an
   * earlier call that lie after the deflate data, handed back.
   */
  readonly read: number;
  /** Output bytes written at the start of `out`. */
  readonly written: number;
  /** The deflate stream ended (its last block was decoded and all its output written). */
  readonly ended: boolean;
  /** Set when the deflate data are invalid (the backend's own words). */
  readonly error?: string;
}

/** One raw deflate decoder, reset between gzip members. */
export interface RawInflater {
  /** Which backend this is. */
  readonly backend: InflateBackend;
  /**
   * Inflate from the start of `input` into `out`. A call that neither reads nor writes and does
   * not end means: more input is needed (or, when `final`, the data are truncated).
   *
   * @param input deflate data from the current position, possibly followed by the member's
   *   trailer and further members.
   * @param out room for output.
   * @param final true when `input` holds everything up to the end of the file.
   */
  inflate(input: Uint8Array, out: Uint8Array, final: boolean): InflateStep | Promise<InflateStep>;
  /** Continue a CRC-32 (gzip polynomial) over `bytes`. */
  crc32(crc: number, bytes: Uint8Array): number;
  /** Start a new deflate stream (next gzip member). */
  reset(): void | Promise<void>;
  /** Release native resources; safe to call more than once. */
  close(): void;
}
