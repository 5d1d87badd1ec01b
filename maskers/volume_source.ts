/**
 * A subject's image as the extraction reads it: volume by volume, from memory or streamed from a
 * NIfTI file, with a second pass when a step needs one.
 *
 * @module
 */
import type { Affine, Image, VoxelData } from "../types.ts";
import { type NiftiStream, openNifti } from "../image/load.ts";
import { imageHeldDtype } from "../image/held_dtype.ts";

/** A subject's image, consumed volume by volume. */
export interface VolumeSource {
  /** `[nx, ny, nz]` or `[nx, ny, nz, nt]`. */
  readonly shape: readonly number[];
  /** Voxel-to-world affine. */
  readonly affine: Affine;
  /** Name for messages (file path or "image #i"). */
  readonly name: string;
  /**
   * Datatype stored on disk (e.g. "uint8"), which with `scaled` decides the dtype nilearn holds
   * the values in (`image/held_dtype.ts`), hence how resampling and smoothing round them.
   * Absent: float32 for Float32Array volumes, float64 otherwise.
   */
  readonly dtype?: string;
  /** Whether scl_slope/scl_inter scale the values (then held in float64). Default false. */
  readonly scaled?: boolean;
  /** The volumes, in order (each nx*ny*nz values, x fastest). May reuse buffers. */
  volumes(): AsyncIterable<VoxelData>;
  /**
   * The volumes once more, from the start (e.g. the file opened again), for steps that need a
   * second pass (high-variance confounds). Absent: `volumes()` can be iterated again.
   */
  reread?(): AsyncIterable<VoxelData>;
  /**
   * Whether a value of the volumes read so far by `volumes()` was NaN or ±Infinity, for sources
   * that check values as they read them (a file: each chunk right after it is inflated). Absent:
   * the extraction scans each volume itself.
   */
  nonFiniteSeen?(): boolean;
}

/** A source over an in-memory 3D or 4D image. */
export function imageSource(img: Image, name: string): VolumeSource {
  const nV = (img.shape[0] ?? 1) * (img.shape[1] ?? 1) * (img.shape[2] ?? 1);
  const nT = img.shape.length >= 4 ? (img.shape[3] ?? 1) : 1;
  return {
    shape: img.shape,
    affine: img.affine,
    name,
    dtype: imageHeldDtype(img),
    async *volumes() {
      for (let t = 0; t < nT; t++) yield img.data.subarray(t * nV, (t + 1) * nV);
    },
  };
}

/**
 * A source streaming an opened NIfTI file (each volume in one reused array, its values checked
 * for NaN/±Infinity as they are read); `reread` opens `file` again for a second pass.
 */
export function niftiSource(
  stream: NiftiStream,
  file: string | URL | Uint8Array | Blob,
  name: string,
): VolumeSource {
  return {
    shape: stream.shape,
    affine: stream.affine,
    name,
    dtype: stream.dtype,
    scaled: stream.header?.scaling != null,
    volumes: () => stream.volumes({ reuse: true, checkFinite: true }), // consumed volume by volume
    nonFiniteSeen: () => stream.nonFiniteSeen(),
    reread: () => rereadNifti(file),
  };
}

/** The volumes of a NIfTI source read again from the start (a second streaming pass; one array
 * reused for every volume). */
export async function* rereadNifti(
  src: string | URL | Uint8Array | Blob,
): AsyncGenerator<VoxelData> {
  const again = await openNifti(src);
  try {
    yield* again.volumes({ reuse: true });
  } finally {
    await again.close();
  }
}
