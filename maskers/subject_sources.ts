/**
 * Opening the subjects given to transform: a NIfTI path, URL, bytes or image, read volume by
 * volume in this thread, or described for a worker to open itself.
 *
 * @module
 */
import { type ImgSource, loadImg, openNifti } from "../image/load.ts";
import { imageSource, rereadNifti, type VolumeSource } from "./extract_subject.ts";
import { gridOf, type GridSpec } from "./grid_check.ts";
import type { WorkerSource } from "./worker_protocol.ts";
import { isImage } from "./type_guards.ts";
import { checkImageArg } from "./validate_call.ts";

/** The name of a subject in messages: its path or URL, else `image #<index>`. */
export function sourceName(src: ImgSource, index: number): string {
  if (typeof src === "string") return src;
  if (src instanceof URL) return src.href;
  return `image #${index}`;
}

/** A subject opened for reading; `close` releases its file (a no-op for in-memory images). */
export interface OpenedSource {
  readonly source: VolumeSource;
  close(): Promise<void>;
}

/** Open subject `index` of a call for reading, volume by volume (files are streamed). */
export async function openSubject(src: ImgSource, index: number): Promise<OpenedSource> {
  const name = sourceName(src, index);
  checkImageArg(src, `imgs: ${name}`);
  if (isImage(src)) return { source: imageSource(src, name), close: () => Promise.resolve() };
  if (Array.isArray(src)) {
    const img = await loadImg(src);
    return { source: imageSource(img, name), close: () => Promise.resolve() };
  }
  if (typeof src === "string" || src instanceof URL || src instanceof Uint8Array) {
    const stream = await openNifti(src);
    return {
      source: {
        shape: stream.shape,
        affine: stream.affine,
        name,
        dtype: stream.dtype,
        scaled: stream.header?.scaling != null,
        volumes: () => stream.volumes({ reuse: true }), // consumed volume by volume
        reread: () => rereadNifti(src),
      },
      close: () => stream.close(),
    };
  }
  throw new TypeError(
    `imgs: expected a NIfTI path, URL, bytes or an image for ${name}, found ${typeof src}`,
  );
}

/** How a worker reads a subject (null: extract in this thread, e.g. a list of images). */
export function workerSource(src: ImgSource, name: string): WorkerSource | null {
  if (typeof src === "string") return { kind: "path", path: src, name };
  if (src instanceof URL) return { kind: "url", href: src.href, name };
  if (src instanceof Uint8Array) return { kind: "bytes", bytes: src, name };
  if (isImage(src)) return { kind: "image", image: src, name };
  return null;
}

/** The grid of a list's first image, and its dimensionality (the list's reference). */
export type RefGrid = GridSpec & { readonly ndim: number };

/** The grid and dimensionality of a subject (opened, read for its header, closed). */
export async function gridOfSource(src: ImgSource, index: number): Promise<RefGrid> {
  const opened = await openSubject(src, index);
  try {
    return { ...gridOf(opened.source), ndim: opened.source.shape.length };
  } finally {
    await opened.close();
  }
}
