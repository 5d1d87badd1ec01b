/**
 * Voxel grids: affine algebra on row-major 4x4 matrices, voxel/world transforms and the
 * same-grid test nilearn uses (shape equal, affines equal within `np.allclose` tolerance).
 *
 * @module
 */
import type { Affine } from "../types.ts";

/** A voxel grid, or anything on one (an image): a shape (first 3 entries used) and an affine. */
export interface Grid {
  /** `[nx, ny, nz, ...]`; only the first three entries matter. */
  readonly shape: readonly number[];
  /** Voxel-to-world affine, row-major 4x4. */
  readonly affine: Affine;
}

/**
 * Check that `affine` is a finite 4x4 matrix (length 16) and return it as a Float64Array.
 *
 * @param affine the candidate affine.
 * @param name parameter name used in error messages.
 * @returns a Float64Array copy of length 16.
 * @example
 * ```ts
 * import { checkAffine } from "./grid.ts";
 * const a = checkAffine([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], "affine");
 * ```
 */
export function checkAffine(affine: ArrayLike<number>, name = "affine"): Float64Array {
  if (affine == null || typeof affine.length !== "number") {
    throw new TypeError(`${name}: expected a 4x4 affine (16 numbers, row-major), got ${affine}`);
  }
  if (affine.length !== 16) {
    throw new TypeError(
      `${name}: expected a 4x4 affine (16 numbers, row-major), got ${affine.length} numbers`,
    );
  }
  const out = Float64Array.from(affine);
  for (let i = 0; i < 16; i++) {
    if (!Number.isFinite(out[i]!)) {
      throw new RangeError(`${name}: affine entries must be finite, found ${out[i]} at ${i}`);
    }
  }
  return out;
}

/**
 * Product of two 4x4 row-major matrices, `a @ b`.
 *
 * @param a left matrix (length 16).
 * @param b right matrix (length 16).
 * @returns `a @ b`, length 16.
 * @example
 * ```ts
 * import { multiplyAffines } from "./grid.ts";
 * const id = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * multiplyAffines(id, id);
 * ```
 */
export function multiplyAffines(a: ArrayLike<number>, b: ArrayLike<number>): Affine {
  const out = new Float64Array(16);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[4 * r + k]! * b[4 * k + c]!;
      out[4 * r + c] = s;
    }
  }
  return out;
}

/**
 * Inverse of a 4x4 row-major matrix, computed in LAPACK's order of operations (LU with
 * partial pivoting as `getf2`, triangular inverse as `trti2`, then `getri`), so that
 * affines built from scales and translations invert to the same floating-point values as
 * nilearn's `scipy.linalg.inv` (which matters where nilearn tests for whole-voxel shifts).
 *
 * @param affine the matrix to invert (length 16).
 * @param name parameter name used in error messages.
 * @returns the inverse, length 16.
 * @throws RangeError when the matrix is singular (or numerically so).
 * @example
 * ```ts
 * import { invertAffine } from "./grid.ts";
 * invertAffine(Float64Array.from([2, 0, 0, 1, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]));
 * ```
 */
export function invertAffine(affine: ArrayLike<number>, name = "affine"): Affine {
  const a = checkAffine(affine, name);
  const n = 4;
  let scale = 0;
  for (let i = 0; i < 16; i++) scale = Math.max(scale, Math.abs(a[i]!));
  const singular = () =>
    new RangeError(
      `${name}: the affine is not invertible (singular matrix ${formatAffine(affine)})`,
    );
  // LU factorisation with partial pivoting (right-looking, as LAPACK's getf2)
  const ipiv = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let jp = j;
    for (let i = j + 1; i < n; i++) {
      if (Math.abs(a[4 * i + j]!) > Math.abs(a[4 * jp + j]!)) jp = i;
    }
    ipiv[j] = jp;
    const p = a[4 * jp + j]!;
    if (!(Math.abs(p) > 1e-13 * scale)) throw singular();
    if (jp !== j) {
      for (let c = 0; c < n; c++) {
        const t = a[4 * j + c]!;
        a[4 * j + c] = a[4 * jp + c]!;
        a[4 * jp + c] = t;
      }
    }
    const r = 1 / a[4 * j + j]!;
    for (let i = j + 1; i < n; i++) a[4 * i + j]! *= r;
    for (let k = j + 1; k < n; k++) {
      const t = -a[4 * j + k]!;
      if (t === 0) continue;
      for (let i = j + 1; i < n; i++) a[4 * i + k]! += a[4 * i + j]! * t;
    }
  }
  // inverse of U in place (trti2, upper, non-unit)
  for (let j = 0; j < n; j++) {
    a[4 * j + j] = 1 / a[4 * j + j]!;
    const ajj = -a[4 * j + j]!;
    // x := inv(U[0:j, 0:j]) * x with x = U[0:j, j] (trmv, upper, no transpose)
    for (let c = 0; c < j; c++) {
      const t = a[4 * c + j]!;
      if (t !== 0) {
        for (let i = 0; i < c; i++) a[4 * i + j]! += t * a[4 * i + c]!;
        a[4 * c + j] = t * a[4 * c + c]!;
      }
    }
    for (let i = 0; i < j; i++) a[4 * i + j]! *= ajj;
  }
  // solve inv(A) * L = inv(U) (getri, unblocked)
  const work = new Float64Array(n);
  for (let j = n - 1; j >= 0; j--) {
    for (let i = j + 1; i < n; i++) {
      work[i] = a[4 * i + j]!;
      a[4 * i + j] = 0;
    }
    for (let c = j + 1; c < n; c++) {
      const t = -work[c]!;
      if (t === 0) continue;
      for (let i = 0; i < n; i++) a[4 * i + j]! += t * a[4 * i + c]!;
    }
  }
  for (let j = n - 2; j >= 0; j--) {
    const jp = ipiv[j]!;
    if (jp !== j) {
      for (let i = 0; i < n; i++) {
        const t = a[4 * i + j]!;
        a[4 * i + j] = a[4 * i + jp]!;
        a[4 * i + jp] = t;
      }
    }
  }
  return a;
}

/**
 * An affine for messages: its rows as nested lists, e.g. `[[2, 0, 0, -90], [0, 2, 0, -126], ...]`.
 *
 * @param a the affine (row-major, 16 numbers).
 * @param options `rows` shown (default 4; 3 leaves out the constant last row), `digits`
 *   significant digits (default: every digit).
 * @returns the text.
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatAffine } from "./grid.ts";
 * const a = [1 / 3, 0, 0, 1, 0, 1, 0, 2, 0, 0, 1, 3, 0, 0, 0, 1];
 * equal(formatAffine(a, { rows: 3, digits: 3 }), "[[0.333, 0, 0, 1], [0, 1, 0, 2], [0, 0, 1, 3]]");
 * ```
 */
export function formatAffine(
  a: ArrayLike<number>,
  options: { readonly rows?: number; readonly digits?: number } = {},
): string {
  const { rows = 4, digits } = options;
  const show = (v: number) => (digits === undefined ? v : Number(v.toPrecision(digits)));
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    out.push(`[${Array.from({ length: 4 }, (_, c) => show(a[4 * r + c]!)).join(", ")}]`);
  }
  return `[${out.join(", ")}]`;
}

/**
 * Apply an affine to one point: `affine @ [x, y, z, 1]`.
 *
 * @param affine 4x4 row-major.
 * @param x first coordinate.
 * @param y second coordinate.
 * @param z third coordinate.
 * @returns the transformed `[x, y, z]`.
 * @example
 * ```ts
 * import { applyAffine } from "./grid.ts";
 * applyAffine(Float64Array.from([2, 0, 0, 1, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]), 1, 1, 1);
 * ```
 */
export function applyAffine(
  affine: ArrayLike<number>,
  x: number,
  y: number,
  z: number,
): [number, number, number] {
  return [
    affine[0]! * x + affine[1]! * y + affine[2]! * z + affine[3]!,
    affine[4]! * x + affine[5]! * y + affine[6]! * z + affine[7]!,
    affine[8]! * x + affine[9]! * y + affine[10]! * z + affine[11]!,
  ];
}

/**
 * World (mm) coordinates of a voxel index `(i, j, k)` (fractional indices allowed).
 *
 * @param affine voxel-to-world affine of the image.
 * @param i voxel index along x.
 * @param j voxel index along y.
 * @param k voxel index along z.
 * @returns `[x, y, z]` in mm.
 * @example
 * ```ts
 * import { voxelToWorld } from "./grid.ts";
 * voxelToWorld(Float64Array.from([2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1]), 45, 63, 36);
 * ```
 */
export function voxelToWorld(
  affine: ArrayLike<number>,
  i: number,
  j: number,
  k: number,
): [number, number, number] {
  return applyAffine(checkAffine(affine, "affine"), i, j, k);
}

/**
 * Fractional voxel index of a world (mm) point; round it to get the voxel containing it.
 *
 * @param affine voxel-to-world affine of the image.
 * @param x world x (mm).
 * @param y world y (mm).
 * @param z world z (mm).
 * @returns `[i, j, k]`, fractional.
 * @throws RangeError when the affine is not invertible.
 * @example
 * ```ts
 * import { worldToVoxel } from "./grid.ts";
 * worldToVoxel(Float64Array.from([2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1]), 0, 0, 0);
 * ```
 */
export function worldToVoxel(
  affine: ArrayLike<number>,
  x: number,
  y: number,
  z: number,
): [number, number, number] {
  return applyAffine(invertAffine(affine, "affine"), x, y, z);
}

/**
 * Voxel sizes (mm) along the three axes: the norms of the affine's first three columns, as
 * nilearn computes them for smoothing.
 *
 * @param affine voxel-to-world affine.
 * @returns `[sx, sy, sz]` in mm.
 * @example
 * ```ts
 * import { voxelSizes } from "./grid.ts";
 * voxelSizes(Float64Array.from([2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1])); // [2, 3, 4]
 * ```
 */
export function voxelSizes(affine: ArrayLike<number>): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let r = 0; r < 3; r++) s += affine[4 * r + c]! ** 2;
    out[c] = Math.sqrt(s);
  }
  return out;
}

/**
 * Elementwise `np.allclose(a, b)`: `|a - b| <= atol + rtol * |b|` (defaults rtol 1e-5,
 * atol 1e-8).
 *
 * @param a first array.
 * @param b second array (the reference, as in numpy).
 * @param rtol relative tolerance.
 * @param atol absolute tolerance.
 * @returns true when lengths match and every pair is close.
 * @example
 * ```ts
 * import { allClose } from "./grid.ts";
 * allClose([1, 2], [1, 2 + 1e-9]); // true
 * ```
 */
export function allClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rtol = 1e-5,
  atol = 1e-8,
): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return false;
  }
  return true;
}

/**
 * Whether two images share a voxel grid, as nilearn's `check_same_fov`: equal spatial shapes
 * (first three entries) and affines equal within `np.allclose` tolerance.
 *
 * @param a first grid.
 * @param b second grid.
 * @returns true when both have the same field of view.
 * @example
 * ```ts
 * import { sameGrid } from "./grid.ts";
 * const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
 * sameGrid({ shape: [4, 4, 4, 10], affine }, { shape: [4, 4, 4], affine }); // true
 * ```
 */
export function sameGrid(a: Grid, b: Grid): boolean {
  for (let d = 0; d < 3; d++) {
    if ((a.shape[d] ?? 1) !== (b.shape[d] ?? 1)) return false;
  }
  return allClose(a.affine, b.affine);
}

/**
 * Embed a 3x3 matrix (row-major, length 9) in a 4x4 affine with zero translation.
 *
 * @param m 3x3 row-major.
 * @returns the 4x4 affine.
 * @example
 * ```ts
 * import { affineFrom3x3 } from "./grid.ts";
 * affineFrom3x3([2, 0, 0, 0, 2, 0, 0, 0, 2]);
 * ```
 */
export function affineFrom3x3(m: ArrayLike<number>): Affine {
  if (m.length !== 9) {
    throw new TypeError(`expected a 3x3 matrix (9 numbers, row-major), got ${m.length} numbers`);
  }
  const out = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[4 * r + c] = m[3 * r + c]!;
  }
  out[15] = 1;
  return out;
}
