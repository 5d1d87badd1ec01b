/**
 * Content-addressed on-disk cache of images (the `memory` parameter): resampled maps and masks
 * are stored under `<memory>/niimask-v1/<sha256>.img`, keyed by a hash of the input voxel bytes,
 * affine, shape, target grid and operation, so a second run skips the work. Files are written
 * under a temporary name then renamed (never half-written).
 *
 * @module
 */
import type { Image } from "../types.ts";

const MAGIC = "NIIMASK-IMG1";

/** SHA-256 (hex) of a list of parts (strings and byte views). */
export async function hashParts(parts: readonly (string | ArrayBufferView)[]): Promise<string> {
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const p of parts) {
    const bytes = typeof p === "string"
      ? enc.encode(p)
      : new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
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
  const digest = await crypto.subtle.digest("SHA-256", all);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hash identifying an image's content (voxels, shape, affine). */
export function imageHash(img: Image): Promise<string> {
  return hashParts([
    img.data instanceof Float32Array ? "f32" : "f64",
    JSON.stringify(img.shape),
    img.affine,
    img.data,
  ]);
}

function encodeImage(img: Image): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({
      magic: MAGIC,
      shape: img.shape,
      affine: Array.from(img.affine),
      dtype: img.data instanceof Float32Array ? "float32" : "float64",
    }),
  );
  const pad = (8 - ((4 + header.length) % 8)) % 8;
  const dataOffset = 4 + header.length + pad;
  const out = new Uint8Array(dataOffset + img.data.byteLength);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  out.set(new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength), dataOffset);
  return out;
}

function decodeImage(bytes: Uint8Array): Image | null {
  if (bytes.length < 4) return null;
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  if (4 + n > bytes.length) return null;
  let h: { magic?: string; shape?: number[]; affine?: number[]; dtype?: string };
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)));
  } catch {
    return null;
  }
  if (h.magic !== MAGIC || !Array.isArray(h.shape) || !Array.isArray(h.affine)) return null;
  const pad = (8 - ((4 + n) % 8)) % 8;
  const off = 4 + n + pad;
  const count = h.shape.reduce((a, b) => a * b, 1);
  const size = h.dtype === "float32" ? 4 : 8;
  if (bytes.length - off !== count * size) return null;
  const buf = bytes.slice(off).buffer;
  const data = h.dtype === "float32" ? new Float32Array(buf) : new Float64Array(buf);
  return { data, shape: h.shape, affine: Float64Array.from(h.affine) };
}

/**
 * Return the cached image for `key` under `dir`, or compute, store (atomically) and return it.
 * Without a directory, just computes. Unreadable or corrupt entries are recomputed.
 *
 * @param dir cache directory, or null for no caching.
 * @param key content hash (hex).
 * @param compute produces the image on a miss.
 * @param log optional logger for hits/misses.
 */
export async function cachedImage(
  dir: string | null,
  key: string,
  compute: () => Image | Promise<Image>,
  log?: (msg: string) => void,
): Promise<Image> {
  if (dir === null) return await compute();
  const folder = `${dir.replace(/\/+$/, "")}/niimask-v1`;
  const path = `${folder}/${key}.img`;
  try {
    const hit = decodeImage(await Deno.readFile(path));
    if (hit !== null) {
      log?.(`cache hit ${path}`);
      return hit;
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) log?.(`cache read failed (${String(err)})`);
  }
  const img = await compute();
  try {
    await Deno.mkdir(folder, { recursive: true });
    const tmp = `${path}.tmp-${crypto.randomUUID()}`;
    await Deno.writeFile(tmp, encodeImage(img));
    await Deno.rename(tmp, path);
    log?.(`cache stored ${path}`);
  } catch (err) {
    throw new Error(`memory: cannot write the cache entry ${path}: ${String(err)}`);
  }
  return img;
}
