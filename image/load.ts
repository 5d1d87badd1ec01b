import type { Affine, Image, VoxelData } from "../types.ts";

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
}

/** What {@link loadImg} accepts: a path, raw bytes, an image, or a list of 3D images/paths. */
export type ImgSource =
  | string
  | URL
  | Uint8Array
  | Image
  | readonly (string | URL | Image)[];

/** A NIfTI file opened for streaming: header facts plus an iterator over volumes. */
export interface NiftiStream {
  /** Image shape (trailing singleton dimensions beyond the 4th dropped). */
  readonly shape: readonly number[];
  /** Voxel-to-world affine chosen as nibabel does. */
  readonly affine: Affine;
  /** Datatype stored on disk. */
  readonly dtype: NiftiDtype;
  /** Path, when read from a file. */
  readonly source?: string;
  /** Yields each volume (nx*ny*nz values, x fastest), scaled; a 3D image yields one volume. */
  volumes(): AsyncIterableIterator<VoxelData>;
  /** Release the underlying file. */
  close(): Promise<void>;
}

/**
 * Open a NIfTI-1/2 file (`.nii` or `.nii.gz`) for streaming, volume by volume.
 *
 * @param source path (`~` expanded), URL or raw bytes.
 * @returns the opened stream.
 * @example
 * ```ts ignore
 * import { openNifti } from "./load.ts";
 * const s = await openNifti("bold.nii.gz");
 * for await (const vol of s.volumes()) console.log(vol.length);
 * ```
 */
export function openNifti(source: string | URL | Uint8Array): Promise<NiftiStream> {
  void source;
  return Promise.reject(new Error("openNifti is not implemented yet"));
}

/**
 * Load an image as nilearn's `load_img` does.
 *
 * @param source see {@link ImgSource}.
 * @returns the loaded image.
 * @example
 * ```ts ignore
 * import { loadImg } from "./load.ts";
 * const img = await loadImg("bold.nii.gz");
 * ```
 */
export function loadImg(source: ImgSource): Promise<LoadedImage> {
  void source;
  return Promise.reject(new Error("loadImg is not implemented yet"));
}
