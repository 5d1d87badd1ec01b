/**
 * Opening a subject described by a {@link WorkerSource} (a path, URL, bytes or an in-memory
 * image), volume by volume: what a web worker of the subject pool does, and what the pool does
 * in this thread when workers cannot start.
 *
 * @module
 */
import { openNifti } from "../image/load.ts";
import { imageSource, rereadNifti, type VolumeSource } from "./extract_subject.ts";
import type { WorkerSource } from "./worker_protocol.ts";

/**
 * Open a subject for reading (files are streamed; `close` releases them).
 *
 * @param src where to read the subject.
 * @returns its volume source and a `close` function.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openWorkerSource } from "./open_worker_source.ts";
 * const image = { data: new Float64Array(16), shape: [2, 2, 2, 2], affine: new Float64Array(16) };
 * const opened = await openWorkerSource({ kind: "image", image, name: "sub-01" });
 * assert.deepEqual(opened.source.shape, [2, 2, 2, 2]);
 * await opened.close();
 * ```
 */
export async function openWorkerSource(
  src: WorkerSource,
): Promise<{ source: VolumeSource; close: () => Promise<void> }> {
  if (src.kind === "image") {
    return { source: imageSource(src.image, src.name), close: () => Promise.resolve() };
  }
  const target = src.kind === "url"
    ? new URL(src.href)
    : src.kind === "path"
    ? src.path
    : src.bytes;
  const stream = await openNifti(target);
  return {
    source: {
      shape: stream.shape,
      affine: stream.affine,
      name: src.name,
      dtype: stream.dtype,
      scaled: stream.header?.scaling != null,
      volumes: () => stream.volumes({ reuse: true }), // consumed volume by volume
      reread: () => rereadNifti(target),
    },
    close: () => stream.close(),
  };
}
