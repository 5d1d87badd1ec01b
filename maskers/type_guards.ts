/**
 * Type guard for the signal matrices a masker accepts (images: `image/check_image.ts`'s
 * `isImage`).
 *
 * @module
 */
import type { Matrix } from "../types.ts";

/** A 2D matrix `{ data, shape: [rows, cols] }` (no affine). */
export function isMatrix(v: unknown): v is Matrix {
  return typeof v === "object" && v !== null && "data" in v && "shape" in v &&
    !("affine" in v) && Array.isArray((v as Matrix).shape) && (v as Matrix).shape.length === 2;
}
