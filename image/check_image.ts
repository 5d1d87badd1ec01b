/**
 * Validation of in-memory images at API boundaries.
 *
 * @module
 */
import type { Image } from "../types.ts";

/**
 * Whether `v` is an in-memory image `{ data, shape, affine }` (not a list, path, URL or bytes);
 * only the fields' presence is tested ({@link assertImage} checks their values).
 *
 * @param v any value.
 * @returns true for an image-shaped object.
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { isImage } from "./check_image.ts";
 * const affine = new Float64Array(16);
 * equal(isImage({ data: new Float32Array(8), shape: [2, 2, 2], affine }), true);
 * equal(isImage("sub-01_bold.nii.gz"), false);
 * ```
 */
export function isImage(v: unknown): v is Image {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "data" in v &&
    "shape" in v && "affine" in v;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (Array.isArray(x)) return "an array";
  if (typeof x === "object") return (x as object).constructor?.name ?? "an object";
  return `${typeof x} ${JSON.stringify(x)}`;
}

/**
 * Check that a value is a valid {@link Image}: `data` a Float32Array or Float64Array, `shape`
 * 3 to 7 positive integers whose product is `data.length`, `affine` a finite Float64Array of
 * length 16.
 *
 * @param img the value to check.
 * @param name how to name it in error messages (e.g. a parameter name).
 * @throws {TypeError} wrong types, shape or length.
 * @throws {RangeError} non-finite affine values.
 * @example
 * ```ts
 * import { assertImage } from "./check_image.ts";
 * const img = { data: new Float32Array(8), shape: [2, 2, 2], affine: new Float64Array(16) };
 * assertImage(img, "img");
 * ```
 */
export function assertImage(img: unknown, name: string): asserts img is Image {
  if (typeof img !== "object" || img === null) {
    throw new TypeError(`${name}: expected an image { data, shape, affine }, got ${describe(img)}`);
  }
  const { data, shape, affine } = img as Partial<Image>;
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    throw new TypeError(
      `${name}: data must be a Float32Array or Float64Array, got ${describe(data)}`,
    );
  }
  if (
    !Array.isArray(shape) || shape.length < 3 || shape.length > 7 ||
    !shape.every((d) => Number.isInteger(d) && d >= 1)
  ) {
    throw new TypeError(
      `${name}: shape must be 3 to 7 positive integers, got ${JSON.stringify(shape)}`,
    );
  }
  const n = shape.reduce((a: number, b: number) => a * b, 1);
  if (n !== data.length) {
    throw new TypeError(
      `${name}: shape [${shape.join(", ")}] holds ${n} voxels but data has ${data.length} values`,
    );
  }
  if (!(affine instanceof Float64Array) || affine.length !== 16) {
    throw new TypeError(
      `${name}: affine must be a Float64Array of length 16 (4x4, row-major), got ${
        describe(affine)
      }${affine instanceof Float64Array ? ` of length ${affine.length}` : ""}`,
    );
  }
  if (!affine.every(Number.isFinite)) {
    throw new RangeError(`${name}: affine has non-finite values: [${affine.join(", ")}]`);
  }
}

/**
 * Check an image (as {@link assertImage}) and return its spatial shape and volume count.
 *
 * @param img the value to check.
 * @param name how to name it in error messages.
 * @returns `spatial` = [nx, ny, nz] and `nVol`, the number of 3D volumes (the product of the
 *   dimensions beyond the 3rd; 1 for a 3D image).
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { imageGeometry } from "./check_image.ts";
 * const img = { data: new Float32Array(16), shape: [2, 2, 2, 2], affine: new Float64Array(16) };
 * deepEqual(imageGeometry(img, "img"), { spatial: [2, 2, 2], nVol: 2 });
 * ```
 */
export function imageGeometry(
  img: unknown,
  name: string,
): { spatial: [number, number, number]; nVol: number } {
  assertImage(img, name);
  const [nx, ny, nz, ...rest] = img.shape as number[];
  return { spatial: [nx!, ny!, nz!], nVol: rest.reduce((a, b) => a * b, 1) };
}
