/**
 * A minimal PNG encoder (8-bit RGB/RGBA, non-interlaced, per-row adaptive filter) and decoder
 * (8-bit gray/RGB/RGBA/gray-alpha, all five filters; used by tests to read screenshots).
 * zlib streams come from `fflate` (pure JavaScript, synchronous), so the encoder runs unchanged in
 * Deno, Node and browsers.
 *
 * @module
 */
import { unzlibSync, zlibSync } from "fflate";

const SIGNATURE = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);

let crcTable: Uint32Array | null = null;

function getCrcTable(): Uint32Array {
  if (crcTable !== null) return crcTable;
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  crcTable = table;
  return table;
}

/**
 * CRC-32 (as used by PNG chunks) of bytes.
 *
 * @param bytes Input bytes.
 * @returns Unsigned 32-bit CRC.
 *
 * @example
 * ```ts
 * import { crc32 } from "./png.ts";
 * crc32(new TextEncoder().encode("IEND")); // 0xae426082
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  const table = getCrcTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(payload, 8);
  view.setUint32(8 + payload.length, crc32(out.subarray(4, 8 + payload.length)));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/**
 * Encode 8-bit pixels as a PNG file.
 *
 * @param pixels Interleaved samples, row by row from the top, `width * height * channels` bytes.
 * @param width Image width (pixels).
 * @param height Image height (pixels).
 * @param channels 3 (RGB) or 4 (RGBA).
 * @returns The PNG file bytes.
 *
 * @example
 * ```ts
 * import { encodePng } from "./png.ts";
 * const png = encodePng(new Uint8Array(2 * 2 * 3).fill(255), 2, 2, 3);
 * console.log(png[1] === 0x50); // true ("PNG")
 * ```
 */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 3 | 4,
): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(
      `encodePng: width and height must be positive integers, got ${width}x${height}`,
    );
  }
  if (pixels.length !== width * height * channels) {
    throw new TypeError(
      `encodePng: expected ${
        width * height * channels
      } bytes for ${width}x${height}x${channels}, got ${pixels.length}`,
    );
  }
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    // Pick the filter (None, Sub, Up, Paeth) with the smallest sum of absolute residuals.
    let bestType = 0;
    let bestScore = Infinity;
    const dst = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (const type of [0, 1, 2, 4]) {
      if ((type === 2 || type === 4) && prev === null) continue;
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= channels ? row[i - channels]! : 0;
        const b = prev !== null ? prev[i]! : 0;
        const c = prev !== null && i >= channels ? prev[i - channels]! : 0;
        const predicted = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : paeth(a, b, c);
        const r = (row[i]! - predicted) & 0xff;
        candidate[i] = r;
        score += r < 128 ? r : 256 - r;
      }
      if (score < bestScore) {
        bestScore = score;
        bestType = type;
        dst.set(candidate);
      }
    }
    raw[y * (stride + 1)] = bestType;
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 4 ? 6 : 2; // colour type
  const idat = zlibSync(raw, { level: 9 });
  const parts = [
    SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A decoded PNG: RGBA pixels, row by row from the top. */
export interface DecodedPng {
  /** Width (pixels). */
  readonly width: number;
  /** Height (pixels). */
  readonly height: number;
  /** RGBA bytes, `4 * width * height`. */
  readonly rgba: Uint8Array;
}

/**
 * Decode an 8-bit, non-interlaced PNG (gray, gray+alpha, RGB or RGBA) to RGBA.
 *
 * @param file PNG file bytes.
 * @returns Width, height and RGBA pixels.
 * @throws TypeError when the bytes are not a PNG of a supported kind.
 *
 * @example
 * ```ts
 * import { decodePng, encodePng } from "./png.ts";
 * const img = decodePng(encodePng(new Uint8Array(3).fill(9), 1, 1, 3));
 * console.log(img.rgba); // Uint8Array [9, 9, 9, 255]
 * ```
 */
export function decodePng(file: Uint8Array): DecodedPng {
  for (let i = 0; i < 8; i++) {
    if (file[i] !== SIGNATURE[i]) throw new TypeError("decodePng: not a PNG file (bad signature)");
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= file.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...file.subarray(pos + 4, pos + 8));
    const data = file.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      const depth = data[8];
      colorType = data[9]!;
      if (depth !== 8 || data[12] !== 0) {
        throw new TypeError(
          `decodePng: only 8-bit non-interlaced PNGs are supported (depth ${depth})`,
        );
      }
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (type === "IEND") {
      break;
    }
    pos += 12 + len;
  }
  const channelsByType: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };
  const channels = channelsByType[colorType];
  if (channels === undefined) {
    throw new TypeError(`decodePng: unsupported colour type ${colorType}`);
  }
  const compressed = new Uint8Array(idat.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of idat) {
    compressed.set(p, offset);
    offset += p.length;
  }
  let raw: Uint8Array;
  try {
    raw = unzlibSync(compressed);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new TypeError(`decodePng: corrupt image data (${why})`, { cause: e });
  }
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new TypeError("decodePng: truncated image data");
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const base = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[base + i - channels]! : 0;
      const b = y > 0 ? pixels[base - stride + i]! : 0;
      const c = y > 0 && i >= channels ? pixels[base - stride + i - channels]! : 0;
      let predicted: number;
      if (type === 0) predicted = 0;
      else if (type === 1) predicted = a;
      else if (type === 2) predicted = b;
      else if (type === 3) predicted = (a + b) >> 1;
      else if (type === 4) predicted = paeth(a, b, c);
      else throw new TypeError(`decodePng: bad filter type ${type} on row ${y}`);
      pixels[base + i] = (src[i]! + predicted) & 0xff;
    }
  }
  const rgba = new Uint8Array(4 * width * height);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    if (channels === 1 || channels === 2) {
      rgba[4 * p] = rgba[4 * p + 1] = rgba[4 * p + 2] = pixels[s]!;
      rgba[4 * p + 3] = channels === 2 ? pixels[s + 1]! : 255;
    } else {
      rgba[4 * p] = pixels[s]!;
      rgba[4 * p + 1] = pixels[s + 1]!;
      rgba[4 * p + 2] = pixels[s + 2]!;
      rgba[4 * p + 3] = channels === 4 ? pixels[s + 3]! : 255;
    }
  }
  return { width, height, rgba };
}
