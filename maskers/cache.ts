/**
 * Content-addressed on-disk cache of images (the `memory` parameter): resampled maps and masks
 * are stored under `<memory>/niimask-v1/<key>.img`, `key` a SHA-256 of the input voxel bytes,
 * affine, shape, target grid and operation, so a second run (or another task of a SLURM array
 * sharing the directory) skips the work.
 *
 * Safe with many concurrent readers and writers on shared storage:
 *
 * - An entry is `magic (8 bytes) | SHA-256 (32 bytes) | header length (uint32 LE) | JSON header
 *   | padding to 8 | voxel bytes`; the SHA-256 covers everything after it (header and voxels),
 *   and the header records the key, shape, affine, dtype and payload length. Readers verify all
 *   of it: a partial, truncated, corrupt or misnamed entry is ignored (never returned), the image
 *   is recomputed, and the entry atomically replaced.
 * - Writers write a unique temporary file in the same directory (`<key>.img.tmp-<pid>-<uuid>`),
 *   fsync it, then rename it over the entry: readers see no entry or a whole one. Concurrent
 *   writers of one key write identical bytes; the last rename wins.
 * - A cache directory that cannot be written (read-only, full, not a directory) does not fail the
 *   computation: the image is computed and returned uncached, with a warning.
 *
 * @module
 */
import type { Image } from "../types.ts";

/** Sub-folder of the cache directory (entries of an older format fail the magic check and are replaced). */
const FOLDER = "niimask-v1";
/** Magic of an entry ("NIIMIMG2"). */
const MAGIC = new TextEncoder().encode("NIIMIMG2");
const DIGEST_BYTES = 32;
/** Offset of the header length: after the magic and the digest. */
const PREFIX = MAGIC.length + DIGEST_BYTES;

function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function bytesOf(view: ArrayBufferView): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view.buffer as ArrayBuffer, view.byteOffset, view.byteLength);
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/**
 * SHA-256 (hex) of a list of parts (strings and byte views), each prefixed with its length so
 * that different splits never collide.
 *
 * @param parts strings and typed arrays.
 * @returns 64 lowercase hex characters.
 * @example
 * ```ts ignore
 * const key = await hashParts(["resample-v1", "continuous", Float64Array.of(1, 0, 0, 1)]);
 * ```
 */
export async function hashParts(parts: readonly (string | ArrayBufferView)[]): Promise<string> {
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const p of parts) {
    const bytes = typeof p === "string" ? enc.encode(p) : bytesOf(p);
    const len = new Uint8Array(8);
    new DataView(len.buffer).setFloat64(0, bytes.length);
    chunks.push(len, bytes);
  }
  let total = 0;
  for (const c of chunks) total += c.length;
  const all = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  return toHex(await sha256(all));
}

/**
 * Hash identifying an image's content (voxels, dtype, shape, affine).
 *
 * @param img the image.
 * @returns 64 lowercase hex characters.
 * @example
 * ```ts ignore
 * const h = await imageHash({ data: new Float32Array(8), shape: [2, 2, 2], affine });
 * ```
 */
export function imageHash(img: Image): Promise<string> {
  return hashParts([
    img.data instanceof Float32Array ? "f32" : "f64",
    JSON.stringify(img.shape),
    img.affine,
    img.data,
  ]);
}

interface EntryHeader {
  key: string;
  shape: number[];
  affine: number[];
  dtype: "float32" | "float64";
  payloadBytes: number;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * Serialize an image as a cache entry for `key` (pure): magic, SHA-256 of the rest, header
 * length, JSON header, padding, voxel bytes.
 *
 * @param key the entry's key (recorded in the header and checked on read).
 * @param img the image.
 * @returns the bytes of the entry file.
 * @example
 * ```ts ignore
 * const bytes = await encodeCacheEntry(key, img);
 * ```
 */
export async function encodeCacheEntry(key: string, img: Image): Promise<Uint8Array> {
  const header: EntryHeader = {
    key,
    shape: [...img.shape],
    affine: Array.from(img.affine),
    dtype: img.data instanceof Float32Array ? "float32" : "float64",
    payloadBytes: img.data.byteLength,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const payloadStart = align8(PREFIX + 4 + headerBytes.length);
  const out = new Uint8Array(payloadStart + img.data.byteLength);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(PREFIX, headerBytes.length, true);
  out.set(headerBytes, PREFIX + 4);
  out.set(bytesOf(img.data), payloadStart);
  out.set(await sha256(out.subarray(PREFIX)), MAGIC.length);
  return out;
}

/**
 * Parse and verify a cache entry (pure). Anything but a whole, intact entry for `key` gives the
 * reason it was rejected instead of an image.
 *
 * @param key the expected key.
 * @param bytes the file content.
 * @returns `{ img }` (data copied into its own buffer) or `{ reason }`.
 * @example
 * ```ts ignore
 * const r = await decodeCacheEntry(key, await Deno.readFile(path));
 * if ("img" in r) use(r.img);
 * ```
 */
export async function decodeCacheEntry(
  key: string,
  bytes: Uint8Array,
): Promise<{ img: Image } | { reason: string }> {
  if (bytes.length < PREFIX + 4) return { reason: `truncated (${bytes.length} bytes)` };
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) return { reason: "not a niimask cache entry (bad magic)" };
  }
  const digest = await sha256(bytes.subarray(PREFIX));
  for (let i = 0; i < DIGEST_BYTES; i++) {
    if (digest[i] !== bytes[MAGIC.length + i]) {
      return { reason: "checksum mismatch (partial or corrupt entry)" };
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = dv.getUint32(PREFIX, true);
  if (PREFIX + 4 + headerLength > bytes.length) return { reason: "header longer than the file" };
  let h: EntryHeader;
  try {
    h = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        bytes.subarray(PREFIX + 4, PREFIX + 4 + headerLength),
      ),
    );
  } catch {
    return { reason: "unreadable header" };
  }
  if (typeof h !== "object" || h === null) return { reason: "unreadable header" };
  if (h.key !== key) return { reason: `entry of another key (${String(h.key)})` };
  const size = h.dtype === "float32" ? 4 : h.dtype === "float64" ? 8 : 0;
  if (
    size === 0 || !Array.isArray(h.shape) || !Array.isArray(h.affine) || h.affine.length !== 16 ||
    !h.shape.every((n) => Number.isSafeInteger(n) && n >= 0)
  ) return { reason: "inconsistent header" };
  const count = h.shape.reduce((a, b) => a * b, 1);
  const payloadStart = align8(PREFIX + 4 + headerLength);
  if (h.payloadBytes !== count * size || bytes.length - payloadStart !== h.payloadBytes) {
    return { reason: "payload length does not match the header" };
  }
  const buf = bytes.slice(payloadStart).buffer;
  const data = size === 4 ? new Float32Array(buf) : new Float64Array(buf);
  return { img: { data, shape: h.shape, affine: Float64Array.from(h.affine) } };
}

/** The entry file of `key` in cache directory `dir`. */
export function cacheEntryPath(dir: string, key: string): string {
  if (!/^[0-9a-zA-Z_-]{1,128}$/.test(key)) {
    throw new RangeError(`memory cache: key must be 1-128 characters [0-9a-zA-Z_-], got "${key}"`);
  }
  return `${dir.replace(/\/+$/, "")}/${FOLDER}/${key}.img`;
}

/** Write `bytes` to `path` atomically: unique temp file in the same folder, fsync, rename. */
async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const folder = path.slice(0, path.lastIndexOf("/"));
  await Deno.mkdir(folder, { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID()}`;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o644 });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
  // Make the rename itself durable where the platform allows syncing a directory.
  try {
    const d = await Deno.open(folder, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch { /* best effort */ }
}

/** An OS error without the path part (stable across calls, for de-duplicated warnings). */
function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const cut = msg.replace(/(\(os error \d+\))\s*:.*$/s, "$1");
  const name = err instanceof Error && err.name !== "Error" ? `${err.name}: ` : "";
  return `${name}${cut}`;
}

/**
 * Return the cached image for `key` under `dir`, or compute, store (atomically) and return it.
 * Without a directory, just computes.
 *
 * A corrupt or partial entry is never returned: it is logged, recomputed and replaced. When the
 * entry cannot be written (unwritable, full or missing storage), the computed image is returned
 * anyway and `warn` is called with a message naming the directory (the same message for the same
 * directory and cause, so callers can de-duplicate). Errors of `compute` propagate.
 *
 * @param dir cache directory, or null for no caching.
 * @param key content hash (hex, from {@link hashParts}).
 * @param compute produces the image on a miss.
 * @param log optional logger for hits, misses and rejected entries.
 * @param warn optional sink for warnings (the cache could not be used); defaults to `log`.
 * @returns the image (from the cache, or computed).
 * @example
 * ```ts ignore
 * const img = await cachedImage("/scratch/cache", key, () => resample(maps, grid), console.log);
 * ```
 */
export async function cachedImage(
  dir: string | null,
  key: string,
  compute: () => Image | Promise<Image>,
  log?: (msg: string) => void,
  warn?: (msg: string) => void,
): Promise<Image> {
  if (dir === null) return await compute();
  const path = cacheEntryPath(dir, key);
  let bytes: Uint8Array | null = null;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      log?.(`cache read failed for ${path} (${reasonOf(err)}): recomputing`);
    }
  }
  if (bytes !== null) {
    const got = await decodeCacheEntry(key, bytes);
    if ("img" in got) {
      log?.(`cache hit ${path}`);
      return got.img;
    }
    log?.(`cache entry ${path} ignored: ${got.reason}; recomputing`);
  }
  const img = await compute();
  try {
    await writeAtomic(path, await encodeCacheEntry(key, img));
    log?.(`cache stored ${path}`);
  } catch (err) {
    const msg = `memory: cannot write to the cache directory "${dir}" (${
      reasonOf(err)
    }): computing without caching.`;
    (warn ?? log)?.(msg);
  }
  return img;
}
