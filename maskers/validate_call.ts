/**
 * Checks of per-call arguments of a fitted masker (and of what fit learns), done at the boundary
 * so that a bad value fails with a message naming the parameter instead of deep inside the
 * extraction: the per-call `nJobs`, the number of `labels`, and the list given to
 * `transformSingleImgs`.
 *
 * @module
 */
import type { Image } from "../types.ts";
import { type ImgSource, openNifti } from "../image/load.ts";
import { assertImage } from "../image/check_image.ts";
import { hasGlobMagic } from "../image/path_glob.ts";
import { isImage } from "../image/check_image.ts";

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/**
 * Check an `nJobs` value as the masker's creation does: a non-zero integer (-1 = all cores).
 *
 * @param value the value given (undefined: none given).
 * @param fallback what to use when `value` is undefined (the masker's own `nJobs`).
 * @param name the parameter's name in messages.
 * @returns the number of jobs to use.
 * @throws TypeError for a non-integer; RangeError for 0.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkJobs } from "./validate_call.ts";
 * assert.equal(checkJobs(undefined, 1), 1);
 * assert.equal(checkJobs(2, 1), 2);
 * assert.throws(() => checkJobs(1.5, 1), TypeError);
 * assert.throws(() => checkJobs(0, 1), RangeError);
 * ```
 */
export function checkJobs(value: unknown, fallback: number, name = "nJobs"): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${name}: expected an integer, found ${show(value)}`);
  }
  if (value === 0) {
    throw new RangeError(`${name}: expected a non-zero integer (-1 = all cores), found 0`);
  }
  return value;
}

/**
 * Check that `labels` names every map exactly once (one name per map, in map order).
 *
 * @param labels the masker's `labels` parameter (null: default names).
 * @param nMaps number of maps of the fitted maps image.
 * @throws RangeError when the counts differ.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLabelCount } from "./validate_call.ts";
 * checkLabelCount(["a", "b"], 2);
 * checkLabelCount(null, 5);
 * assert.throws(() => checkLabelCount(["a"], 2), RangeError);
 * ```
 */
export function checkLabelCount(labels: readonly string[] | null, nMaps: number): void {
  if (labels === null || labels.length === nMaps) return;
  throw new RangeError(
    `labels: expected one name per map (${nMaps} maps in mapsImg), found ${labels.length} ` +
      `name${labels.length === 1 ? "" : "s"}`,
  );
}

/**
 * Check an in-memory image given as a parameter (typed-array data, a shape of positive
 * integers matching the data, a 4x4 affine); paths, URLs and bytes are left to the reader.
 *
 * @param src an image source.
 * @param name the parameter (and image) in messages, e.g. `"imgs: image #2"`.
 * @throws TypeError as {@link assertImage} (e.g. `data` a plain Array, a negative dimension).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkImageArg } from "./validate_call.ts";
 * const affine = new Float64Array(16);
 * checkImageArg({ data: new Float64Array(8), shape: [2, 2, 2], affine }, "imgs");
 * assert.throws(
 *   () => checkImageArg({ data: [0, 0] as never, shape: [2, 1, 1], affine }, "imgs"),
 *   /imgs: data must be a Float32Array or Float64Array/,
 * );
 * ```
 */
export function checkImageArg(src: unknown, name: string): void {
  if (isImage(src)) assertImage(src, name);
  else if (Array.isArray(src)) {
    src.forEach((item, i) => {
      if (isImage(item)) assertImage(item, `${name}[${i}]`);
    });
  }
}

/** The dimensionality of one list entry (a 4D image of one volume counts as 3D, as nilearn). */
async function entryNdim(item: string | URL | Image): Promise<number> {
  const shape: readonly number[] = isImage(item) ? item.shape : await (async () => {
    const stream = await openNifti(item);
    try {
      return stream.shape;
    } finally {
      await stream.close();
    }
  })();
  return shape.length === 4 && shape[3] === 1 ? 3 : shape.length;
}

/**
 * Check what `transformSingleImgs` was given: one image, or a list of 3D volumes (one run, one
 * volume each). A list holding a 4D image is a list of runs, which nilearn 0.11.1 rejects with a
 * DimensionError: here a TypeError with nilearn's message (use `transform` or `transformImgs`
 * for a list of runs).
 *
 * @param img the argument of `transformSingleImgs`.
 * @throws TypeError "Input data has incompatible dimensionality: ... a list of 4D images (5D)".
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSingleImgs } from "./validate_call.ts";
 * const affine = new Float64Array(16);
 * const run = { data: new Float64Array(16), shape: [2, 2, 2, 2], affine };
 * await checkSingleImgs(run); // one 4D image: fine
 * await assert.rejects(checkSingleImgs([run, run]), /a list of 4D images \(5D\)/);
 * ```
 */
export async function checkSingleImgs(img: ImgSource): Promise<void> {
  if (!Array.isArray(img)) return;
  const list = img as readonly (string | URL | Image)[];
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (typeof item === "string" && hasGlobMagic(item)) continue;
    const ndim = await entryNdim(item);
    if (ndim !== 3) {
      throw new TypeError(
        `imgs: Input data has incompatible dimensionality: Expected dimension is 4D and you ` +
          `provided a list of ${ndim}D images (${ndim + 1}D) (entry #${i} is ${ndim}D). ` +
          "transformSingleImgs takes one image or a list of 3D volumes; transform a list of " +
          "runs with transform or transformImgs (one result per run).",
      );
    }
  }
}
