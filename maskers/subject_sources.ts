/**
 * Opening the subjects given to transform: a NIfTI path, URL, bytes or image, read volume by
 * volume in this thread, or described for a worker to open itself.
 *
 * @module
 */
import { type ImgSource, loadImg, openNifti } from "../image/load.ts";
import { imageSource, niftiSource, type VolumeSource } from "./volume_source.ts";
import { describeGrid, gridOf } from "./grid_check.ts";
import { type Grid, sameGrid } from "../image/grid.ts";
import type { WorkerSource } from "./worker_protocol.ts";
import { isImage } from "../image/check_image.ts";
import { checkImageArg } from "./validate_call.ts";

/** Whether `src` is a `Blob` (a browser `File`), in runtimes that have Blobs. */
export function isBlob(src: unknown): src is Blob {
  return typeof Blob !== "undefined" && src instanceof Blob;
}

/** The name of a subject in messages: its path or URL, else `image #<index>`. */
export function sourceName(src: ImgSource, index: number): string {
  if (typeof src === "string") return src;
  if (src instanceof URL) return src.href;
  if (isBlob(src) && typeof (src as Partial<File>).name === "string") return (src as File).name;
  return `image #${index}`;
}

/** A subject opened for reading; `close` releases its file (a no-op for in-memory images). */
export interface OpenedSource {
  readonly source: VolumeSource;
  close(): Promise<void>;
}

/**
 * Open a subject where it is located (a file, URL, bytes or an in-memory image): the one opener of
 * both this thread and the extraction workers. Files are streamed.
 */
export async function openLocated(loc: WorkerSource): Promise<OpenedSource> {
  if (loc.kind === "image") {
    return { source: imageSource(loc.image, loc.name), close: () => Promise.resolve() };
  }
  const file = loc.kind === "url"
    ? new URL(loc.href)
    : loc.kind === "path"
    ? loc.path
    : loc.kind === "blob"
    ? loc.blob
    : loc.bytes;
  const stream = await openNifti(file);
  return { source: niftiSource(stream, file, loc.name), close: () => stream.close() };
}

/** Open subject `index` of a call for reading, volume by volume (files are streamed). */
export async function openSubject(src: ImgSource, index: number): Promise<OpenedSource> {
  const name = sourceName(src, index);
  checkImageArg(src, `imgs: ${name}`);
  if (Array.isArray(src)) {
    const img = await loadImg(src);
    return { source: imageSource(img, name), close: () => Promise.resolve() };
  }
  const loc = workerSource(src, name);
  if (loc === null) {
    throw new TypeError(
      `imgs: expected a NIfTI path, URL, bytes or an image for ${name}, found ${typeof src}`,
    );
  }
  return await openLocated(loc);
}

/** Where subject `src` is, for any thread to open it (null: a list of images, loaded here). */
export function workerSource(src: ImgSource, name: string): WorkerSource | null {
  if (typeof src === "string") return { kind: "path", path: src, name };
  if (src instanceof URL) return { kind: "url", href: src.href, name };
  if (src instanceof Uint8Array) return { kind: "bytes", bytes: src, name };
  if (isBlob(src)) return { kind: "blob", blob: src, name };
  if (isImage(src)) return { kind: "image", image: src, name };
  return null;
}

/** The grid of a list's first image, and its dimensionality (the list's reference). */
export type RefGrid = Grid & { readonly ndim: number };

/**
 * The reference of a list (nilearn's iter_check_niimg: image #0's grid and dimensionality), taken
 * from image #0 when it is opened for its own extraction (not opened a second time).
 */
export class ListReference {
  /** Image #0's grid; rejects with its opening error, or null when `lenient`. */
  readonly grid: Promise<RefGrid | null>;
  #resolve: (g: RefGrid | null) => void = () => {};
  #reject: (e: unknown) => void = () => {};
  readonly #lenient: boolean;

  /** @param lenient image #0 failing to open gives no reference (null) instead of its error. */
  constructor(lenient: boolean) {
    this.#lenient = lenient;
    this.grid = new Promise<RefGrid | null>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.grid.catch(() => {});
  }

  /** Image #0 is open: its header gives the reference. */
  opened(header: Grid): void {
    this.#resolve({ ...gridOf(header), ndim: header.shape.length });
  }

  /** Image #0 could not be opened. */
  failed(error: unknown): void {
    if (this.#lenient) this.#resolve(null);
    else this.#reject(error);
  }
}

/**
 * Check subject `index` of a list against the list's reference (image #0), as nilearn's
 * iter_check_niimg: the same dimensionality (TypeError) and field of view (RangeError). A null
 * reference (image #0 could not be read, outcomes collected) checks nothing.
 */
export function checkAgainstReference(
  s: Grid & { readonly name: string },
  index: number,
  ref: RefGrid | null,
): void {
  if (ref === null) return;
  if (s.shape.length !== ref.ndim) {
    throw new TypeError(
      `imgs: image #${index} (${s.name}) is ${s.shape.length}D but image #0 is ` +
        `${ref.ndim}D: input data has incompatible dimensionality (the images of a list ` +
        "must be all 3D or all 4D)",
    );
  }
  if (!sameGrid(s, ref)) {
    throw new RangeError(
      `Field of view of image #${index} (${s.name}) is different from the reference ` +
        `field of view (image #0): ${describeGrid(s)} vs ${describeGrid(ref)}`,
    );
  }
}
