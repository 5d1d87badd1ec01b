/**
 * Type guards for the in-memory values a masker accepts (images, signal matrices).
 *
 * @module
 */
import type { Image, Matrix } from "../types.ts";

/** An in-memory image `{ data, shape, affine }` (not a list of images). */
export function isImage(v: unknown): v is Image {
  return typeof v === "object" && v !== null && "data" in v && "shape" in v && "affine" in v &&
    !Array.isArray(v);
}

/** A 2D matrix `{ data, shape: [rows, cols] }` (no affine). */
export function isMatrix(v: unknown): v is Matrix {
  return typeof v === "object" && v !== null && "data" in v && "shape" in v &&
    !("affine" in v) && Array.isArray((v as Matrix).shape) && (v as Matrix).shape.length === 2;
}
