/**
 * Messages between the subject pool and its web workers, and errors across the boundary.
 *
 * @module
 */
import type { Affine, Image } from "../types.ts";
import { type NiftiErrorCode, NiftiParseError } from "../image/nifti_errors.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import type { SubjectRequest } from "./extract_subject.ts";

/** Where a worker reads a subject from (it opens files itself, streaming). */
export type WorkerSource =
  | { readonly kind: "path"; readonly path: string; readonly name: string }
  | { readonly kind: "url"; readonly href: string; readonly name: string }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array; readonly name: string }
  | { readonly kind: "blob"; readonly blob: Blob; readonly name: string }
  | { readonly kind: "image"; readonly image: Image; readonly name: string };

/** Main → worker. */
export type ToWorker =
  | { readonly kind: "state"; readonly state: FittedState }
  | { readonly kind: "plan"; readonly planId: number; readonly plan: ExtractionPlan }
  /** Open a subject (its header is read there, once) and keep it open under `id`. */
  | { readonly kind: "open"; readonly id: number; readonly source: WorkerSource }
  /** Extract the subject opened under `id` with a plan already sent, then close it. */
  | {
    readonly kind: "extract";
    readonly id: number;
    readonly planId: number;
    readonly request: SubjectRequest;
  }
  /** Close the subject opened under `id` without extracting it (no reply). */
  | { readonly kind: "release"; readonly id: number };

/** An error as plain data. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly file?: string;
  readonly code?: string;
}

/** Worker → main. */
export type ToMain =
  /** The subject opened under `id`: its grid and dimensionality, from its header. */
  | {
    readonly kind: "opened";
    readonly id: number;
    readonly shape: readonly number[];
    readonly affine: Affine;
  }
  | {
    readonly kind: "done";
    readonly id: number;
    readonly signals: Float64Array;
    readonly shape: [number, number];
    readonly warnings: readonly string[];
  }
  | { readonly kind: "fail"; readonly id: number; readonly error: SerializedError }
  /** The worker's modules are loaded: it has started. */
  | { readonly kind: "ready" }
  /** The worker is ending itself (`how`: e.g. "self.close()"); it answers nothing more. */
  | { readonly kind: "exit"; readonly how: string };

/** An error (or anything thrown) as plain data. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof NiftiParseError) {
    return {
      name: err.name,
      message: err.message,
      ...(err.stack !== undefined ? { stack: err.stack } : {}),
      file: err.file,
      code: err.code,
    };
  }
  if (err instanceof Error) {
    return {
      name: err.name,
      message: err.message,
      ...(err.stack !== undefined ? { stack: err.stack } : {}),
    };
  }
  return { name: "Error", message: String(err) };
}

/** Rebuild an error of the same class (standard errors, `NiftiParseError`) and message. */
export function deserializeError(e: SerializedError): Error {
  let err: Error;
  if (e.name === "NiftiParseError" && e.file !== undefined && e.code !== undefined) {
    err = new NiftiParseError(e.file, e.code as NiftiErrorCode, "");
  } else if (e.name === "TypeError") err = new TypeError();
  else if (e.name === "RangeError") err = new RangeError();
  else if (e.name === "SyntaxError") err = new SyntaxError();
  else if (e.name === "ReferenceError") err = new ReferenceError();
  else {
    err = new Error();
    err.name = e.name;
  }
  err.message = e.message;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}
