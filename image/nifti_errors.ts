/**
 * The error thrown for files that cannot be read as NIfTI.
 *
 * @module
 */

/** What went wrong while reading a NIfTI file (see {@link NiftiParseError.code}). */
export type NiftiErrorCode =
  | "not_found"
  | "read"
  | "empty"
  | "not_nifti"
  | "gzip"
  | "truncated"
  | "datatype"
  | "dims"
  | "header"
  | "values";

/**
 * A file is missing, unreadable, or not a valid NIfTI-1/2 image. The message names the file,
 * says what was expected and what was found.
 *
 * @example
 * ```ts ignore
 * import { loadImg, NiftiParseError } from "@niimask/niimask/image";
 * try {
 *   await loadImg("broken.nii.gz");
 * } catch (e) {
 *   if (e instanceof NiftiParseError) console.error(e.code, e.file, e.message);
 * }
 * ```
 */
export class NiftiParseError extends Error {
  /** The file (path), or `"<bytes>"` when reading raw bytes. */
  readonly file: string;
  /** Machine-readable kind of failure. */
  readonly code: NiftiErrorCode;

  /**
   * Create the error; the message is `'<file>': <detail>`.
   *
   * @param file path of the file (or `"<bytes>"`).
   * @param code kind of failure.
   * @param detail what is wrong, appended to `'<file>': `.
   * @param options standard error options (`cause`).
   */
  constructor(file: string, code: NiftiErrorCode, detail: string, options?: ErrorOptions) {
    super(`'${file}': ${detail}`, options);
    this.name = "NiftiParseError";
    this.file = file;
    this.code = code;
  }
}
