/**
 * Array helpers of the conformance runner: JSON array files (`{"shape", "data"}` in C order),
 * conversion between niimask's x-fastest voxel order and C order, affines.
 *
 * @module
 */
import type { Matrix } from "../../types.ts";

/** A dense n-d array: flat values and their shape. Order depends on the context. */
export interface NdArray {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Check and convert a parsed `{"shape", "data"}` JSON value to a C-order array. */
export function parseArrayJson(
  value: unknown,
  what: string,
): { shape: number[]; data: Float64Array } {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(
      `${what}: expected an object {"shape", "data"}, found ${JSON.stringify(value)}`,
    );
  }
  const v = value as { shape?: unknown; data?: unknown };
  if (!Array.isArray(v.shape) || !v.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${what}: "shape" must be a list of non-negative integers`);
  }
  if (!Array.isArray(v.data)) throw new TypeError(`${what}: "data" must be a list of numbers`);
  const shape = v.shape as number[];
  const n = shape.reduce((a, b) => a * b, 1);
  if (v.data.length !== n) {
    throw new TypeError(
      `${what}: shape ${JSON.stringify(shape)} needs ${n} values, found ${v.data.length}`,
    );
  }
  return { shape, data: Float64Array.from(v.data as number[], Number) };
}

/** Read a JSON array file (`{"shape", "data"}`, C order). */
export async function readArrayFile(
  path: string,
): Promise<{ shape: number[]; data: Float64Array }> {
  const text = await Deno.readTextFile(path);
  return parseArrayJson(JSON.parse(text), path);
}

/** A 2D (or 1D, taken as one column) C-order array as a {@link Matrix}. */
export function toMatrix(
  arr: { shape: readonly number[]; data: Float64Array },
  what: string,
): Matrix {
  if (arr.shape.length === 2) {
    return { data: arr.data, shape: [arr.shape[0] ?? 0, arr.shape[1] ?? 0] };
  }
  if (arr.shape.length === 1) return { data: arr.data, shape: [arr.shape[0] ?? 0, 1] };
  throw new TypeError(
    `${what}: expected a 1D or 2D array, found shape ${JSON.stringify(arr.shape)}`,
  );
}

/**
 * Reorder values stored x-fastest (Fortran order, as niimask images) into C order (last index
 * fastest) for the same shape.
 */
export function fortranToC(data: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) {
    throw new TypeError(
      `image data has ${data.length} values but its shape ${JSON.stringify(shape)} needs ${n}`,
    );
  }
  const out = new Float64Array(n);
  const nd = shape.length;
  if (nd <= 1) {
    for (let i = 0; i < n; i++) out[i] = data[i] ?? NaN;
    return out;
  }
  // Fortran strides of each axis.
  const fStride: number[] = [];
  let s = 1;
  for (let a = 0; a < nd; a++) {
    fStride.push(s);
    s *= shape[a] ?? 1;
  }
  const idx = new Array<number>(nd).fill(0);
  let f = 0; // Fortran offset of the current C-order position
  for (let c = 0; c < n; c++) {
    out[c] = data[f] ?? NaN;
    // Increment the multi-index, last axis fastest.
    for (let a = nd - 1; a >= 0; a--) {
      const ia = (idx[a] ?? 0) + 1;
      if (ia < (shape[a] ?? 1)) {
        idx[a] = ia;
        f += fStride[a] ?? 0;
        break;
      }
      f -= (ia - 1) * (fStride[a] ?? 0);
      idx[a] = 0;
    }
  }
  return out;
}

/** A nested list of rows (4x4 or 3x3) as a flat row-major Float64Array. */
export function flattenRows(rows: unknown, what: string): Float64Array {
  if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r))) {
    throw new TypeError(`${what}: expected a list of rows, found ${JSON.stringify(rows)}`);
  }
  return Float64Array.from((rows as number[][]).flat(), Number);
}

/** The flat-index of voxel `idx` (x fastest) in an image of shape `shape`. */
export function voxelOffset(idx: readonly number[], shape: readonly number[]): number {
  let off = 0;
  let stride = 1;
  for (let a = 0; a < shape.length; a++) {
    off += (idx[a] ?? 0) * stride;
    stride *= shape[a] ?? 1;
  }
  return off;
}
