/**
 * NIfTI-1 writing (`.nii`, or `.nii.gz` through the native `CompressionStream("gzip")`), atomic:
 * data go to a temporary file in the destination directory, renamed into place when complete.
 *
 * @module
 */
import type { Image } from "../types.ts";
import { assertImage } from "./check_image.ts";
import { encodeNifti1Header } from "./nifti_write.ts";
import { expandHome } from "./path_glob.ts";

/** Options of {@link saveImg}. */
export interface SaveOptions {
  /** Datatype written: "float32" or "float64"; default follows the data's array type. */
  dtype?: "float32" | "float64";
  /**
   * sform_code and qform_code written (1 scanner, 2 aligned, 3 Talairach, 4 MNI152);
   * default 2.
   */
  xformCode?: 1 | 2 | 3 | 4;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Values converted per chunk when the stored type differs from the array type. */
const CHUNK_VALUES = 1 << 18;

/** Little-endian bytes of `data` as `dtype`, in chunks (no copy when types already match). */
function* dataChunks(
  data: Float32Array | Float64Array,
  dtype: "float32" | "float64",
): Generator<Uint8Array> {
  const same = (dtype === "float32") === (data instanceof Float32Array);
  if (same && HOST_LITTLE_ENDIAN) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const step = CHUNK_VALUES * data.BYTES_PER_ELEMENT * 4;
    for (let i = 0; i < bytes.length; i += step) yield bytes.subarray(i, i + step);
    return;
  }
  for (let i = 0; i < data.length; i += CHUNK_VALUES) {
    const part = data.subarray(i, Math.min(data.length, i + CHUNK_VALUES));
    const out = dtype === "float32" ? new Float32Array(part.length) : new Float64Array(part.length);
    out.set(part);
    const bytes = new Uint8Array(out.buffer);
    if (!HOST_LITTLE_ENDIAN) {
      const size = out.BYTES_PER_ELEMENT;
      for (let k = 0; k < bytes.length; k += size) bytes.subarray(k, k + size).reverse();
    }
    yield bytes;
  }
}

function splitPath(path: string): { dir: string; base: string } {
  const slash = path.lastIndexOf("/");
  return slash < 0
    ? { dir: ".", base: path }
    : { dir: slash === 0 ? "/" : path.slice(0, slash), base: path.slice(slash + 1) };
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}

/**
 * Write an image as a single-file NIfTI-1 (`.nii`, or gzip-compressed `.nii.gz`), atomically.
 *
 * Little-endian float32 or float64 data at offset 352; the affine in the sform (authoritative,
 * stored as float32 as NIfTI-1 requires) and the closest qform, both with code `xformCode`;
 * `pixdim` from the affine's column norms. Nothing is left half-written: the file is written under
 * a temporary name in the same directory, then renamed.
 *
 * @param img the image (`data` Float32Array/Float64Array, 3D to 7D `shape`, `affine`).
 * @param path destination path ending in `.nii` or `.nii.gz` (`~` expanded) or `file:` URL.
 * @param options see {@link SaveOptions}.
 * @throws {TypeError} invalid image.
 * @throws {RangeError} unsupported extension, dtype or dimensions.
 * @throws {Error} the file cannot be written (message names the path).
 * @example
 * ```ts ignore
 * import { saveImg } from "./save.ts";
 * const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
 * await saveImg({ data: new Float32Array(8), shape: [2, 2, 2], affine }, "out.nii.gz");
 * ```
 */
export async function saveImg(
  img: Image,
  path: string | URL,
  options: SaveOptions = {},
): Promise<void> {
  assertImage(img, "saveImg img");
  const target = path instanceof URL
    ? (path.protocol === "file:" ? decodeURIComponent(path.pathname) : null)
    : typeof path === "string"
    ? expandHome(path)
    : null;
  if (target === null) {
    throw new TypeError(`saveImg: path must be a string or file: URL, got ${String(path)}`);
  }
  const gzip = /\.nii\.gz$/i.test(target);
  if (!gzip && !/\.nii$/i.test(target)) {
    throw new RangeError(`saveImg: '${target}' must end in .nii or .nii.gz`);
  }
  const dtype = options.dtype ?? (img.data instanceof Float32Array ? "float32" : "float64");
  if (dtype !== "float32" && dtype !== "float64") {
    throw new RangeError(`saveImg: dtype must be "float32" or "float64", got ${String(dtype)}`);
  }
  const xformCode = options.xformCode ?? 2;
  if (![1, 2, 3, 4].includes(xformCode)) {
    throw new RangeError(`saveImg: xformCode must be 1, 2, 3 or 4, got ${String(xformCode)}`);
  }
  const header = encodeNifti1Header(img.shape, img.affine, dtype, xformCode);

  const { dir, base } = splitPath(target);
  const tmp = `${dir === "/" ? "" : dir}/.${base}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    if (gzip) {
      const chunks = (function* () {
        yield header;
        yield* dataChunks(img.data, dtype);
      })();
      const input = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
      });
      const gz = new CompressionStream("gzip") as unknown as TransformStream<
        Uint8Array,
        Uint8Array
      >;
      await input.pipeThrough(gz).pipeTo(file.writable); // closes the file
    } else {
      try {
        await writeAll(file, header);
        for (const chunk of dataChunks(img.data, dtype)) await writeAll(file, chunk);
        await file.sync();
      } finally {
        file.close();
      }
    }
    await Deno.rename(tmp, target);
  } catch (e) {
    try {
      await Deno.remove(tmp);
    } catch {
      // never created, or already gone
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`saveImg: cannot write '${target}': ${why}`, { cause: e });
  }
}
