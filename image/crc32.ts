/**
 * CRC-32 (the gzip/zlib polynomial 0xEDB88320, reflected) in plain JavaScript, slice-by-4. Used
 * to check gzip members where no native CRC is at hand (browsers).
 *
 * @module
 */

/** Four 256-entry tables for slice-by-4. */
const TABLES: Uint32Array = (() => {
  const t = new Uint32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let s = 1; s < 4; s++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[s * 256 + n] = c >>> 0;
    }
  }
  return t;
})();

/**
 * Continue a CRC-32 over more bytes (as zlib's `crc32(crc, buf, len)`).
 *
 * @param crc the CRC of the bytes before (0 to start).
 * @param bytes the next bytes.
 * @returns the CRC of all bytes so far, an unsigned 32-bit integer.
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { crc32 } from "./crc32.ts";
 * equal(crc32(0, new TextEncoder().encode("123456789")), 0xcbf43926);
 * ```
 */
export function crc32(crc: number, bytes: Uint8Array): number {
  const t = TABLES;
  let c = ~crc >>> 0;
  const n = bytes.length;
  let i = 0;
  const end4 = n - (n & 3);
  for (; i < end4; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^
      t[c >>> 24]!;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
