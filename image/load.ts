/**
 * NIfTI loading: a streaming reader that yields one volume at a time ({@link openNifti}) and
 * nilearn's `load_img` ({@link loadImg}) built on it.
 *
 * @module
 */
import type { Affine, Image, VoxelData } from "../types.ts";
import {
  type ByteSource,
  isGzip,
  openBytesSource,
  type OpenedSource,
  openFileSource,
  openStreamSource,
} from "./gzip_stream.ts";
import type { InflateChoice } from "./inflate_types.ts";
import { checkInflateChoice } from "./inflate_select.ts";
import { assertImage, isImage } from "./check_image.ts";
import { hasNonFinite } from "./finite_scan.ts";
import { type ScannableArray, scannableArray } from "./finite_scan_wasm.ts";
import { allClose, formatAffine } from "./grid.ts";
import { NiftiParseError } from "./nifti_errors.ts";
import { type NiftiHeader, parseNiftiHeader, sniffNifti } from "./nifti_header.ts";
import { expandGlob, expandHome, hasGlobMagic } from "./path_glob.ts";

/** On-disk NIfTI datatypes that niimask reads. */
export type NiftiDtype =
  | "uint8"
  | "int8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "float32"
  | "float64";

/** An image as loaded from disk: values after scl_slope/scl_inter, plus where they came from. */
export interface LoadedImage extends Image {
  /** Datatype stored on disk (before scaling). */
  readonly dtype: NiftiDtype;
  /** Path the image was read from, when it came from a file. */
  readonly source?: string;
  /** The parsed NIfTI header (pixdim, codes, scaling...), when read from one file. */
  readonly header?: NiftiHeader;
}

/**
 * What {@link loadImg} accepts: a path, raw bytes, a `Blob`/`File` (browsers), an image, or a list
 * of 3D images/paths.
 */
export type ImgSource =
  | string
  | URL
  | Uint8Array
  | Blob
  | Image
  | readonly (string | URL | Image)[];

/** Options of {@link NiftiStream.volumes}. */
export interface VolumesOptions {
  /**
   * Decode every volume into the same array (default false: each yielded array is new). Saves
   * one volume-sized allocation (and its garbage collection) per volume when each volume is
   * consumed before the next is read.
   */
  readonly reuse?: boolean;
  /**
   * Check every value for NaN and ±Infinity as it is read (default false); the answer is
   * {@link NiftiStream.nonFiniteSeen}. Float data are checked chunk by chunk right after they are
   * inflated (still in cache), scaled data after scaling; unscaled integers cannot hold such values.
   */
  readonly checkFinite?: boolean;
}

/** Options of {@link openNifti} and {@link loadImg} for reading files. */
export interface ReadOptions {
  /**
   * Inflate backend for `.nii.gz` data: `"isal"` (Intel ISA-L through Deno's FFI; needs
   * `--allow-ffi` and `libisal.so.2`), `"zlib"` (`node:zlib`), `"stream"`
   * (`DecompressionStream`), or `"auto"` (default): the environment variable `NIIMASK_INFLATE`
   * when set, else the fastest available. Every backend gives the same bytes and errors.
   */
  readonly inflate?: InflateChoice;
}

/** A NIfTI file opened for streaming: header facts plus an iterator over volumes. */
export interface NiftiStream {
  /** Image shape, 3D to 7D (trailing singleton dimensions beyond the 4th dropped). */
  readonly shape: readonly number[];
  /** Voxel-to-world affine chosen as nibabel does. */
  readonly affine: Affine;
  /** Datatype stored on disk. */
  readonly dtype: NiftiDtype;
  /** Path, when read from a file. */
  readonly source?: string;
  /** The parsed NIfTI header (pixdim, codes, scaling...). */
  readonly header?: NiftiHeader;
  /**
   * Yields each volume (nx*ny*nz values, x fastest), scaled; a 3D image yields one volume.
   * With `{ reuse: true }` every volume is decoded into the same array (one allocation for the
   * whole file): consume or copy it before asking for the next one.
   */
  volumes(options?: VolumesOptions): AsyncIterableIterator<VoxelData>;
  /**
   * Whether a value of the volumes read so far was NaN or ±Infinity; only tracked while
   * `volumes({ checkFinite: true })` reads (false otherwise).
   */
  nonFiniteSeen(): boolean;
  /** Release the underlying file. */
  close(): Promise<void>;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/**
 * Bytes read at a time when float values are checked as they are read: small enough that a chunk
 * is still in cache when checked (and its CRC computed), large enough to keep the calls few.
 * A multiple of 8 (float64).
 */
const CHECK_CHUNK = 1 << 20;
const BYTES_NAME = "<bytes>";

/** Whether the loaded values are stored as float32 (exact) or need float64. */
function usesFloat32(h: NiftiHeader): boolean {
  if (h.scaling !== null) return false;
  return h.dtype === "float32" || h.dtype === "uint8" || h.dtype === "int8" ||
    h.dtype === "int16" || h.dtype === "uint16";
}

function allocate(h: NiftiHeader, length: number, file: string): VoxelData {
  try {
    return usesFloat32(h) ? new Float32Array(length) : new Float64Array(length);
  } catch (e) {
    throw new NiftiParseError(
      file,
      "dims",
      `cannot allocate ${length} voxels for shape [${h.shape.join(", ")}]`,
      { cause: e },
    );
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  const n = bytes.length;
  if (size === 2) {
    for (let i = 0; i < n; i += 2) {
      const a = bytes[i]!;
      bytes[i] = bytes[i + 1]!;
      bytes[i + 1] = a;
    }
  } else if (size === 4) {
    for (let i = 0; i < n; i += 4) {
      const a = bytes[i]!, b = bytes[i + 1]!;
      bytes[i] = bytes[i + 3]!;
      bytes[i + 1] = bytes[i + 2]!;
      bytes[i + 2] = b;
      bytes[i + 3] = a;
    }
  } else if (size === 8) {
    for (let i = 0; i < n; i += 8) {
      for (let k = 0; k < 4; k++) {
        const a = bytes[i + k]!;
        bytes[i + k] = bytes[i + 7 - k]!;
        bytes[i + 7 - k] = a;
      }
    }
  }
}

type NumericView =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

function viewOf(h: NiftiHeader, buf: ArrayBuffer, byteOffset: number, n: number): NumericView {
  switch (h.dtype) {
    case "uint8":
      return new Uint8Array(buf, byteOffset, n);
    case "int8":
      return new Int8Array(buf, byteOffset, n);
    case "int16":
      return new Int16Array(buf, byteOffset, n);
    case "uint16":
      return new Uint16Array(buf, byteOffset, n);
    case "int32":
      return new Int32Array(buf, byteOffset, n);
    case "uint32":
      return new Uint32Array(buf, byteOffset, n);
    case "float32":
      return new Float32Array(buf, byteOffset, n);
    case "float64":
      return new Float64Array(buf, byteOffset, n);
    default:
      // 64-bit integers are read as 32-bit halves.
      return new Uint32Array(buf, byteOffset, 2 * n);
  }
}

/** Convert one volume of host-order raw values into `out[offset...]`, scaled. */
function convertVolume(
  h: NiftiHeader,
  raw: Uint8Array,
  out: VoxelData,
  offset: number,
  file: string,
): void {
  const n = h.voxelsPerVolume;
  const slope = h.scaling?.slope ?? 1;
  const inter = h.scaling?.inter ?? 0;
  const scaled = h.scaling !== null;
  if (h.dtype === "int64" || h.dtype === "uint64") {
    const words = new Uint32Array(raw.buffer, raw.byteOffset, 2 * n);
    const signed = h.dtype === "int64";
    const loIdx = HOST_LITTLE_ENDIAN ? 0 : 1;
    const hiIdx = 1 - loIdx;
    for (let i = 0; i < n; i++) {
      const lo = words[2 * i + loIdx]!;
      let hi = words[2 * i + hiIdx]!;
      if (signed && hi >= 0x80000000) hi -= 0x100000000;
      if (hi < -0x200000 || (hi > 0x1fffff && !(hi === 0x200000 && lo === 0))) {
        throw new NiftiParseError(
          file,
          "values",
          `${h.dtype} value at voxel ${i} of a volume exceeds 2^53 and cannot be represented ` +
            "exactly as a float64",
        );
      }
      const v = hi * 4294967296 + lo;
      out[offset + i] = scaled ? v * slope + inter : v;
    }
    return;
  }
  const src = viewOf(h, raw.buffer as ArrayBuffer, raw.byteOffset, n);
  if (scaled) {
    for (let i = 0; i < n; i++) out[offset + i] = src[i]! * slope + inter;
  } else {
    out.set(src, offset);
  }
}

/**
 * Whether decoded values can be NaN or ±Infinity: float data, or scaled data (a finite slope can
 * still overflow); unscaled integers cannot.
 */
function mayHoldNonFinite(h: NiftiHeader): boolean {
  return h.scaling !== null || h.dtype === "float32" || h.dtype === "float64";
}

/** A NIfTI file opened with its header parsed and positioned at the voxel data. */
class OpenedNifti {
  readonly header: NiftiHeader;
  readonly file: string;
  readonly path: string | undefined;
  #source: ByteSource;
  #volume = 0;
  #scratch: Uint8Array | null = null;
  #closed = false;
  #nonFinite = false;

  constructor(header: NiftiHeader, source: ByteSource, file: string, path: string | undefined) {
    this.header = header;
    this.#source = source;
    this.file = file;
    this.path = path;
  }

  /** Whether a value checked so far (see `readVolumeInto`'s `check`) was NaN or ±Infinity. */
  get nonFiniteSeen(): boolean {
    return this.#nonFinite;
  }

  /**
   * Decode the next volume into `out[offset ... offset + voxelsPerVolume)`; with `check`, note
   * whether a value is NaN or ±Infinity (float data chunk by chunk as they are read).
   */
  async readVolumeInto(
    out: VoxelData,
    offset: number,
    check = false,
    scannable: ScannableArray | null = null,
  ): Promise<void> {
    const h = this.header;
    const nbytes = h.voxelsPerVolume * h.bytesPerVoxel;
    const direct = h.scaling === null &&
      ((h.dtype === "float32" && out instanceof Float32Array) ||
        (h.dtype === "float64" && out instanceof Float64Array));
    let raw: Uint8Array;
    if (direct) {
      raw = new Uint8Array(out.buffer, out.byteOffset + offset * out.BYTES_PER_ELEMENT, nbytes);
    } else {
      if (this.#scratch === null) {
        try {
          this.#scratch = new Uint8Array(nbytes);
        } catch (e) {
          await this.close();
          throw new NiftiParseError(this.file, "dims", `cannot allocate a ${nbytes}-byte volume`, {
            cause: e,
          });
        }
      }
      raw = this.#scratch;
    }
    const swap = h.littleEndian !== HOST_LITTLE_ENDIAN && h.bytesPerVoxel > 1;
    const scanChunks = check && direct && !this.#nonFinite;
    const got = scanChunks
      ? await this.#readChecked(raw, out instanceof Float32Array, swap, out, offset, scannable)
      : await this.#source.read(raw);
    if (got < nbytes) {
      const t = this.#volume;
      await this.close();
      throw new NiftiParseError(
        this.file,
        "truncated",
        `truncated data: volume ${t + 1} of ${h.nVolumes} ended after ${got} of ${nbytes} bytes ` +
          `(the header announces ${h.dataBytes} bytes of ${h.dtype} for shape ` +
          `[${h.shape.join(", ")}] at offset ${h.voxOffset})`,
      );
    }
    if (swap && !scanChunks) swapBytes(raw, h.bytesPerVoxel);
    if (!direct) convertVolume(h, raw, out, offset, this.file);
    if (check && !direct && !this.#nonFinite && mayHoldNonFinite(h)) {
      this.#nonFinite = hasNonFinite(out.subarray(offset, offset + h.voxelsPerVolume));
    }
    this.#volume++;
    if (this.#volume === h.nVolumes) {
      try {
        await this.#source.drain();
      } finally {
        await this.close();
      }
    }
  }

  /**
   * Read float values into `raw` chunk by chunk, byte-swapping and checking each chunk for NaN
   * and ±Infinity right after it is written; returns the bytes read (short only at the end).
   */
  async #readChecked(
    raw: Uint8Array,
    float32: boolean,
    swap: boolean,
    out: VoxelData,
    offset: number,
    scannable: ScannableArray | null,
  ): Promise<number> {
    const fast = scannable !== null && scannable.data === out ? scannable : null;
    const size = float32 ? 4 : 8;
    let got = 0;
    while (got < raw.length) {
      const chunk = raw.subarray(got, Math.min(raw.length, got + CHECK_CHUNK));
      const n = await this.#source.read(chunk);
      const whole = n - (n % size);
      if (swap) swapBytes(chunk.subarray(0, whole), size);
      if (!this.#nonFinite && whole > 0 && fast !== null) {
        this.#nonFinite = fast.hasNonFinite(offset + got / size, whole / size);
      } else if (!this.#nonFinite && whole > 0) {
        const at = raw.byteOffset + got;
        this.#nonFinite = hasNonFinite(
          float32
            ? new Float32Array(raw.buffer, at, whole / 4)
            : new Float64Array(raw.buffer, at, whole / 8),
        );
      }
      got += n;
      if (n < chunk.length) break;
    }
    return got;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#scratch = null;
    await this.#source.close();
  }
}

/** The name of a Blob in messages: a `File`'s name, else `<blob>`. */
function blobName(blob: Blob): string {
  const name = (blob as Partial<File>).name;
  return typeof name === "string" && name !== "" ? name : "<blob>";
}

/**
 * A Blob (a browser `File`) read as a stream of bytes, inflated through `DecompressionStream` when
 * it starts with the gzip magic number: never held whole in memory.
 */
async function openBlobSource(
  blob: Blob,
  name: string,
  options: ReadOptions,
): Promise<OpenedSource> {
  if (blob.size === 0) throw new NiftiParseError(name, "empty", "empty file (0 bytes)");
  let magic: Uint8Array;
  try {
    magic = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new NiftiParseError(name, "read", `cannot read: ${why}`, { cause: e });
  }
  const gzip = isGzip(magic);
  const opened = openStreamSource(
    blob.stream() as ReadableStream<Uint8Array>,
    name,
    gzip,
    options,
  );
  return gzip ? opened : { ...opened, size: blob.size };
}

function fileUrlToPath(url: URL): string {
  return decodeURIComponent(url.pathname);
}

async function openSource(
  source: string | URL | Uint8Array | Blob,
  options: ReadOptions,
): Promise<{ opened: OpenedSource; file: string; path: string | undefined }> {
  if (options.inflate !== undefined) checkInflateChoice(options.inflate, "options.inflate");
  if (source instanceof Uint8Array) {
    return {
      opened: openBytesSource(source, BYTES_NAME, options),
      file: BYTES_NAME,
      path: undefined,
    };
  }
  if (typeof Blob !== "undefined" && source instanceof Blob) {
    const name = blobName(source);
    return {
      opened: await openBlobSource(source, name, options),
      file: name,
      path: undefined,
    };
  }
  if (source instanceof URL) {
    if (source.protocol === "file:") {
      const path = fileUrlToPath(source);
      return { opened: await openFileSource(path, path, options), file: path, path };
    }
    const name = source.href;
    let res: Response;
    try {
      res = await fetch(source);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new NiftiParseError(name, "read", `cannot fetch: ${why}`, { cause: e });
    }
    if (!res.ok || res.body === null) {
      await res.body?.cancel();
      throw new NiftiParseError(
        name,
        res.status === 404 ? "not_found" : "read",
        `HTTP ${res.status}`,
      );
    }
    const gzip = /\.gz$/i.test(source.pathname);
    return {
      opened: openStreamSource(res.body, name, gzip, options),
      file: name,
      path: undefined,
    };
  }
  if (typeof source !== "string") {
    throw new TypeError(
      `NIfTI source must be a path, URL, Uint8Array or Blob, got ${describe(source)}`,
    );
  }
  const path = expandHome(source);
  return { opened: await openFileSource(path, source, options), file: source, path };
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") return (x as object).constructor?.name ?? "an object";
  return `${typeof x} ${JSON.stringify(x)}`;
}

/** Open and parse the header; positions the source at the voxel data. */
async function openParsed(
  source: string | URL | Uint8Array | Blob,
  options: ReadOptions = {},
): Promise<OpenedNifti> {
  const { opened, file, path } = await openSource(source, options);
  const src = opened.source;
  try {
    const head = new Uint8Array(540);
    const got = await src.read(head.subarray(0, 348));
    if (got === 0) {
      throw new NiftiParseError(
        file,
        "empty",
        opened.gzip ? "empty file (gzip stream holds no data)" : "empty file (0 bytes)",
      );
    }
    const sniff = sniffNifti(head.subarray(0, got));
    let have = got;
    if (sniff !== null && sniff.headerSize > got && got === 348) {
      have += await src.read(head.subarray(348, sniff.headerSize));
    }
    const header = parseNiftiHeader(head.subarray(0, have), file);
    const needed = header.voxOffset + header.dataBytes;
    if (opened.size !== null && opened.size < needed) {
      throw new NiftiParseError(
        file,
        "truncated",
        `truncated data: the file has ${opened.size} bytes, the header announces ` +
          `${header.dataBytes} bytes of ${header.dtype} for shape [${header.shape.join(", ")}] ` +
          `at offset ${header.voxOffset} (${needed} bytes in all)`,
      );
    }
    const gap = header.voxOffset - header.headerSize;
    const skipped = await src.skip(gap);
    if (skipped < gap) {
      throw new NiftiParseError(
        file,
        "truncated",
        `truncated data: the file ends before the voxel data offset ${header.voxOffset}`,
      );
    }
    return new OpenedNifti(header, src, file, path);
  } catch (e) {
    await src.close();
    throw e;
  }
}

/**
 * Open a NIfTI-1/2 file (`.nii` or `.nii.gz`) for streaming, volume by volume.
 *
 * The header is read at once; `volumes()` then inflates (see {@link ReadOptions.inflate}) and decodes
 * one volume at a time, never holding the whole decompressed file. Each yielded array is new
 * (safe to keep) unless `volumes({ reuse: true })` asks for one array reused for every volume:
 * float32 for float32 and unscaled 8/16-bit data, float64 otherwise. Values are
 * scaled by `scl_slope`/`scl_inter` as nibabel does. `volumes()` can be iterated once; breaking
 * out of the loop releases the file, as does `close()`.
 *
 * @param source path (`~` expanded), URL (`file:` or http(s)), raw bytes or a `Blob`/`File`
 *   (streamed; gzip detected by its magic number).
 * @param options inflate backend.
 * @returns the opened stream.
 * @throws {NiftiParseError} missing, empty, not NIfTI, corrupt gzip, unsupported datatype, bad
 *   dims; truncated data is reported when reached (plain files: at open).
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { encodeNifti1Header } from "./nifti_write.ts";
 * import { openNifti } from "./load.ts";
 * // A 2 x 1 x 1 image of 3 volumes, as the bytes of a .nii file (a path or URL works the same).
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const header = encodeNifti1Header([2, 1, 1, 3], affine, "float32");
 * const bytes = new Uint8Array(header.length + 6 * 4);
 * bytes.set(header);
 * new Float32Array(bytes.buffer, header.length, 6).set([1, 2, 3, 4, 5, 6]);
 * const s = await openNifti(bytes);
 * const volumes: number[][] = [];
 * for await (const vol of s.volumes()) volumes.push(Array.from(vol));
 * deepEqual(volumes, [[1, 2], [3, 4], [5, 6]]);
 * ```
 */
export async function openNifti(
  source: string | URL | Uint8Array | Blob,
  options: ReadOptions = {},
): Promise<NiftiStream> {
  const nifti = await openParsed(source, options);
  const h = nifti.header;
  let started = false;
  async function* volumes(options: VolumesOptions = {}): AsyncGenerator<VoxelData> {
    if (started) throw new Error(`'${nifti.file}': volumes() can be iterated only once`);
    started = true;
    const reuse = options.reuse === true;
    const check = options.checkFinite === true;
    let shared: VoxelData | null = null;
    // One reused float volume, checked as read: held in a WebAssembly memory for the SIMD check.
    const scannable = reuse && check && h.scaling === null &&
        (h.dtype === "float32" || h.dtype === "float64")
      ? scannableArray(h.dtype === "float32", h.voxelsPerVolume)
      : null;
    if (scannable !== null) shared = scannable.data;
    try {
      for (let t = 0; t < h.nVolumes; t++) {
        const out = reuse
          ? (shared ??= allocate(h, h.voxelsPerVolume, nifti.file))
          : allocate(h, h.voxelsPerVolume, nifti.file);
        await nifti.readVolumeInto(out, 0, check, scannable);
        yield out;
      }
    } finally {
      await nifti.close();
    }
  }
  return {
    shape: h.shape,
    affine: h.affine,
    dtype: h.dtype,
    ...(nifti.path !== undefined ? { source: nifti.path } : {}),
    header: h,
    volumes,
    nonFiniteSeen: () => nifti.nonFiniteSeen,
    close: () => nifti.close(),
  };
}

/** Read a whole file into one array of the final size (no intermediate copies). */
async function loadFile(
  source: string | URL | Uint8Array | Blob,
  options: ReadOptions,
): Promise<LoadedImage> {
  const nifti = await openParsed(source, options);
  const h = nifti.header;
  try {
    const data = allocate(h, h.voxelsPerVolume * h.nVolumes, nifti.file);
    for (let t = 0; t < h.nVolumes; t++) await nifti.readVolumeInto(data, t * h.voxelsPerVolume);
    return {
      data,
      shape: h.shape,
      affine: h.affine,
      dtype: h.dtype,
      ...(nifti.path !== undefined ? { source: nifti.path } : {}),
      header: h,
    };
  } finally {
    await nifti.close();
  }
}

/** Check an in-memory image; returns it (with `dtype` added when absent). */
function checkImage(img: Image, name: string): LoadedImage {
  assertImage(img, name);
  if ("dtype" in img && typeof (img as LoadedImage).dtype === "string") return img as LoadedImage;
  return { ...img, dtype: img.data instanceof Float32Array ? "float32" : "float64" };
}

type ListItem = string | URL | Image;

function itemName(item: ListItem, i: number): string {
  if (typeof item === "string") return `image #${i} ('${item}')`;
  if (item instanceof URL) return `image #${i} ('${item.href}')`;
  return `image #${i}`;
}

/** Header-level facts of a list item, read without loading voxel data. */
interface ItemInfo {
  readonly shape: readonly number[];
  readonly affine: Affine;
  readonly dtype: NiftiDtype;
  readonly float32: boolean;
}

async function itemInfo(item: ListItem, i: number, options: ReadOptions): Promise<ItemInfo> {
  if (isImage(item)) {
    const img = checkImage(item, itemName(item, i));
    return {
      shape: img.shape,
      affine: img.affine,
      dtype: img.dtype,
      float32: img.data instanceof Float32Array,
    };
  }
  if (typeof item === "string" && hasGlobMagic(item)) {
    throw new TypeError(
      `${itemName(item, i)}: glob patterns are not expanded inside a list of images`,
    );
  }
  const nifti = await openParsed(item, options);
  await nifti.close();
  const h = nifti.header;
  return { shape: h.shape, affine: h.affine, dtype: h.dtype, float32: usesFloat32(h) };
}

/** nilearn's `concat_imgs` for a list of 3D images (stacked) or of 4D images (joined in time). */
async function concatItems(
  items: readonly ListItem[],
  options: ReadOptions,
  label?: string,
): Promise<LoadedImage> {
  if (items.length === 0) throw new TypeError("Cannot concatenate an empty list of images");
  const infos: ItemInfo[] = [];
  for (let i = 0; i < items.length; i++) infos.push(await itemInfo(items[i]!, i, options));
  const first = infos[0]!;
  const is4d = first.shape.length === 4;
  const [nx, ny, nz] = first.shape as [number, number, number];
  const lengths: number[] = [];
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i]!;
    const name = itemName(items[i]!, i);
    const nd = info.shape.length;
    if (is4d ? nd !== 4 : !(nd === 3 || (nd === 4 && info.shape[3] === 1))) {
      throw new TypeError(
        `${name} is ${nd}D with shape [${info.shape.join(", ")}]; expected a ${
          is4d ? "4D" : "3D"
        } image like the first one`,
      );
    }
    if (info.shape[0] !== nx || info.shape[1] !== ny || info.shape[2] !== nz) {
      throw new TypeError(
        `Field of view of ${name} differs: shape [${info.shape.join(", ")}], ` +
          `expected [${nx}, ${ny}, ${nz}] as the first image`,
      );
    }
    if (!allClose(info.affine, first.affine)) {
      throw new TypeError(
        `Field of view of ${name} differs: affine ${formatAffine(info.affine)}, ` +
          `expected ${formatAffine(first.affine)} as the first image`,
      );
    }
    lengths.push(is4d ? info.shape[3]! : 1);
  }
  const nt = lengths.reduce((a, b) => a + b, 0);
  const vpv = nx * ny * nz;
  const float32 = infos.every((x) => x.float32);
  let data: VoxelData;
  try {
    data = float32 ? new Float32Array(vpv * nt) : new Float64Array(vpv * nt);
  } catch (e) {
    throw new RangeError(
      `Cannot allocate ${vpv * nt} voxels for shape [${nx}, ${ny}, ${nz}, ${nt}]`,
      {
        cause: e,
      },
    );
  }
  let t = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (isImage(item)) {
      data.set(item.data, t * vpv);
    } else {
      const nifti = await openParsed(item as string | URL, options);
      try {
        const h = nifti.header;
        if (h.voxelsPerVolume * h.nVolumes !== vpv * lengths[i]!) {
          throw new NiftiParseError(nifti.file, "read", "file changed while being read");
        }
        for (let k = 0; k < h.nVolumes; k++) {
          await nifti.readVolumeInto(data, (t + k) * vpv);
        }
      } finally {
        await nifti.close();
      }
    }
    t += lengths[i]!;
  }
  return {
    data,
    shape: [nx, ny, nz, nt],
    affine: first.affine,
    dtype: first.dtype,
    ...(label !== undefined ? { source: label } : {}),
  };
}

/**
 * Load an image as nilearn's `load_img` does.
 *
 * - a path (`.nii`/`.nii.gz`, `~` expanded; gzip detected by magic number) or `file:`/http(s)
 *   URL: read whole (built on the streaming reader, decoded straight into the final array);
 * - a glob pattern (`*`, `?`, `[...]`): the matching files, sorted, concatenated into one 4D
 *   image (3D files stacked, 4D files joined in time), as nilearn does;
 * - raw bytes (`Uint8Array`) of a `.nii` or `.nii.gz`;
 * - a `Blob` or `File` (a file chosen or dropped in a browser page) of a `.nii` or `.nii.gz`,
 *   streamed through `DecompressionStream` (errors name the `File`'s name, else `<blob>`);
 * - an in-memory {@link Image}: validated and returned (with `dtype` added if absent);
 * - a list of 3D images/paths: stacked into one 4D image (a list of 4D ones: joined in time).
 *   All must share shape and affine (within nilearn's `allclose`).
 *
 * Data: float32 on disk gives a Float32Array, float64 a Float64Array, unscaled 8/16-bit integers a
 * Float32Array, other integers and any scaled data a Float64Array (values as nibabel computes:
 * `raw * scl_slope + scl_inter` in float64). The affine is nibabel's choice (sform, else qform,
 * else the pixdim fallback); trailing singleton dimensions beyond the 4th are dropped, and images
 * of 5 to 7 dimensions keep them all (as nibabel; the maskers take 3D and 4D images only).
 *
 * @param source see {@link ImgSource}.
 * @param options inflate backend for `.nii.gz` files.
 * @returns the loaded image.
 * @throws {NiftiParseError} for missing or bad files, naming the file.
 * @throws {TypeError} for a source of the wrong kind, or list items of mismatched dimensionality
 *   or field of view.
 * @example
 * ```ts ignore
 * import { loadImg } from "./load.ts";
 * const img = await loadImg("bold.nii.gz");
 * const stacked = await loadImg("~/data/sub-*_T1w.nii.gz");
 * ```
 */
export async function loadImg(
  source: ImgSource,
  options: ReadOptions = {},
): Promise<LoadedImage> {
  if (Array.isArray(source)) return await concatItems(source as readonly ListItem[], options);
  if (typeof source === "string") {
    if (hasGlobMagic(source)) {
      const files = await expandGlob(expandHome(source));
      if (files.length === 0) {
        throw new NiftiParseError(source, "not_found", "no files match this glob pattern");
      }
      return await concatItems(files, options, source);
    }
    return await loadFile(source, options);
  }
  if (source instanceof URL || source instanceof Uint8Array) {
    return await loadFile(source, options);
  }
  if (typeof Blob !== "undefined" && source instanceof Blob) return await loadFile(source, options);
  if (isImage(source)) return checkImage(source, "image");
  throw new TypeError(
    `loadImg: expected a path, URL, Uint8Array, Blob, image or list of images, got ${
      describe(source)
    }`,
  );
}
