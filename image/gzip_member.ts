/**
 * The gzip wrapper (RFC 1952) around deflate data: member headers and trailers, parsed without
 * inflating anything. The inflate backends only see raw deflate data; these functions find where
 * it starts and check what follows it, the same way for every backend.
 *
 * @module
 */

/** A gzip member header: its length, or why it is not one. */
export type GzipHeaderResult =
  | { readonly kind: "header"; readonly length: number }
  | { readonly kind: "need_more" }
  | { readonly kind: "invalid"; readonly reason: string };

const FTEXT_FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

/**
 * Parse the header of a gzip member at the start of `bytes`.
 *
 * @param bytes bytes from the start of a member (possibly fewer than the whole header).
 * @returns the header length in bytes, `need_more` when `bytes` ends inside the header, or
 *   `invalid` with the reason (wrong magic, method other than deflate, reserved flags set).
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseGzipHeader } from "./gzip_member.ts";
 * const h = parseGzipHeader(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xaa]));
 * equal(h.kind === "header" && h.length, 10);
 * equal(parseGzipHeader(Uint8Array.from([0x1f, 0x8b])).kind, "need_more");
 * ```
 */
export function parseGzipHeader(bytes: Uint8Array): GzipHeaderResult {
  const n = bytes.length;
  if (n >= 1 && bytes[0] !== 0x1f || n >= 2 && bytes[1] !== 0x8b) {
    return { kind: "invalid", reason: "no gzip magic number (1f 8b)" };
  }
  if (n >= 3 && bytes[2] !== 8) {
    return { kind: "invalid", reason: `compression method ${bytes[2]}, expected 8 (deflate)` };
  }
  if (n < 10) return { kind: "need_more" };
  const flags = bytes[3]!;
  if (flags & FRESERVED) {
    return { kind: "invalid", reason: `reserved header flags set (0x${flags.toString(16)})` };
  }
  let pos = 10;
  if (flags & FEXTRA) {
    if (n < pos + 2) return { kind: "need_more" };
    pos += 2 + (bytes[pos]! | (bytes[pos + 1]! << 8));
    if (n < pos) return { kind: "need_more" };
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      const end = bytes.indexOf(0, pos);
      if (end < 0) return { kind: "need_more" };
      pos = end + 1;
    }
  }
  if (flags & FTEXT_FHCRC) pos += 2;
  if (n < pos) return { kind: "need_more" };
  return { kind: "header", length: pos };
}

/** The 8-byte gzip member trailer. */
export interface GzipTrailer {
  /** CRC-32 of the member's uncompressed data. */
  readonly crc: number;
  /** Uncompressed size modulo 2^32 (bytes). */
  readonly isize: number;
}

/**
 * Read a gzip member trailer (CRC-32 then ISIZE, both little-endian).
 *
 * @param bytes at least 8 bytes starting at the trailer.
 * @returns the stored CRC-32 and size.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { readGzipTrailer } from "./gzip_member.ts";
 * deepEqual(readGzipTrailer(Uint8Array.from([1, 0, 0, 0, 5, 0, 0, 0])), { crc: 1, isize: 5 });
 * ```
 */
export function readGzipTrailer(bytes: Uint8Array): GzipTrailer {
  const v = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return { crc: v.getUint32(0, true), isize: v.getUint32(4, true) };
}

/**
 * Whether every byte is zero (gzip readers such as Python's accept zero padding after the last
 * member).
 *
 * @param bytes bytes after the last member.
 * @returns true when all are zero (also for no bytes).
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { allZero } from "./gzip_member.ts";
 * equal(allZero(new Uint8Array(4)), true);
 * equal(allZero(Uint8Array.from([0, 1])), false);
 * ```
 */
export function allZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
