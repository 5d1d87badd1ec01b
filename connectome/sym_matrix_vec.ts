/**
 * Symmetric matrices as vectors and back (nilearn 0.11.1's `sym_matrix_to_vec` and
 * `vec_to_sym_matrix`): the lower triangle read row by row, `(0,0), (1,0), (1,1), (2,0), ...`,
 * with the diagonal divided by √2 (so that the Euclidean norm of the vector is the Frobenius norm
 * of the matrix), or left out.
 *
 * @module
 */
import type { Matrix } from "../types.ts";

/** Options of {@link symMatrixToVec}. */
export interface SymMatrixToVecOptions {
  /** Leave the diagonal out (no √2 scaling then). Default false. */
  discardDiagonal?: boolean;
}

/** Length of the vector of an (n x n) matrix. */
export function vecLength(n: number, discardDiagonal = false): number {
  return discardDiagonal ? (n * (n - 1)) / 2 : (n * (n + 1)) / 2;
}

/**
 * The lower triangle of a square matrix as a vector, row by row; the diagonal divided by √2
 * unless `discardDiagonal`. Only the lower triangle is read.
 *
 * @param symmetric (n x n) matrix.
 * @param options `discardDiagonal`.
 * @returns a vector of n(n+1)/2 values (n(n-1)/2 without the diagonal).
 * @example
 * ```ts
 * import { symMatrixToVec } from "@niimask/niimask/connectome";
 * import { deepStrictEqual } from "node:assert/strict";
 * const m = { data: Float64Array.from([2, 5, 5, 4]), shape: [2, 2] as [number, number] };
 * deepStrictEqual(Array.from(symMatrixToVec(m, { discardDiagonal: true })), [5]);
 * deepStrictEqual(Array.from(symMatrixToVec(m)), [2 / Math.SQRT2, 5, 4 / Math.SQRT2]);
 * ```
 */
export function symMatrixToVec(
  symmetric: Matrix,
  options: SymMatrixToVecOptions = {},
): Float64Array {
  if (
    typeof symmetric !== "object" || symmetric === null || !Array.isArray(symmetric.shape) ||
    symmetric.shape.length !== 2 || symmetric.shape[0] !== symmetric.shape[1]
  ) {
    throw new TypeError(
      `symmetric: expected a square matrix {data, shape: [n, n]}, found shape ` +
        `${JSON.stringify(symmetric?.shape)}`,
    );
  }
  const n = symmetric.shape[0];
  if (!symmetric.data || symmetric.data.length !== n * n) {
    throw new TypeError(`symmetric: expected ${n * n} values, found ${symmetric.data?.length}`);
  }
  const discard = options.discardDiagonal ?? false;
  const out = new Float64Array(vecLength(n, discard));
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) out[k++] = symmetric.data[i * n + j] as number;
    if (!discard) out[k++] = (symmetric.data[i * n + i] as number) / Math.SQRT2;
  }
  return out;
}

/**
 * Rebuild a symmetric matrix from its vector ({@link symMatrixToVec}'s inverse): both triangles
 * are filled and the diagonal multiplied by √2. With `diagonal`, the vector holds no diagonal
 * and the given diagonal (also multiplied by √2) is used.
 *
 * @param vec vector of n(n+1)/2 values, or n(n-1)/2 when `diagonal` is given.
 * @param diagonal the n diagonal values, or undefined.
 * @returns the (n x n) symmetric matrix.
 * @throws {TypeError} when the lengths do not fit (nilearn's messages).
 * @example
 * ```ts
 * import { vecToSymMatrix } from "@niimask/niimask/connectome";
 * import { deepStrictEqual } from "node:assert/strict";
 * const m = vecToSymMatrix(Float64Array.from([Math.SQRT2, 5, 2 * Math.SQRT2]));
 * deepStrictEqual(m.shape, [2, 2]);
 * deepStrictEqual(Array.from(m.data).map((v) => Math.round(v * 1e12) / 1e12), [2, 5, 5, 4]);
 * ```
 */
export function vecToSymMatrix(vec: ArrayLike<number>, diagonal?: ArrayLike<number>): Matrix {
  if (vec === null || typeof vec !== "object" || typeof vec.length !== "number") {
    throw new TypeError(`vec: expected an array of numbers, found ${String(vec)}`);
  }
  const len = vec.length;
  let nf = 0.5 * (Math.sqrt(8 * len + 1) - 1);
  if (diagonal !== undefined) nf += 1;
  if (!Number.isInteger(nf)) {
    throw new TypeError(
      `Vector of unsuitable shape (${len},) cannot be transformed to a symmetric matrix.`,
    );
  }
  const n = nf;
  if (diagonal !== undefined && diagonal.length !== n) {
    throw new TypeError(
      `diagonal of shape (${diagonal.length},) incompatible with vector of shape (${len},)`,
    );
  }
  const out = new Float64Array(n * n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = vec[k++] as number;
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
    const d = diagonal !== undefined ? diagonal[i] as number : vec[k++] as number;
    out[i * n + i] = d * Math.SQRT2;
  }
  return { data: out, shape: [n, n] };
}

/**
 * {@link symMatrixToVec} on each matrix of a list: one row per matrix (nilearn's
 * `sym_matrix_to_vec` on a stack of matrices).
 *
 * @param matrices (n x n) matrices, all of the same n.
 * @param options `discardDiagonal`.
 * @returns a (matrices x vector length) matrix.
 * @example
 * ```ts
 * import { symMatricesToVecs } from "@niimask/niimask/connectome";
 * import { deepStrictEqual } from "node:assert/strict";
 * const a = { data: Float64Array.from([1, 2, 2, 1]), shape: [2, 2] as [number, number] };
 * const b = { data: Float64Array.from([1, 3, 3, 1]), shape: [2, 2] as [number, number] };
 * const v = symMatricesToVecs([a, b], { discardDiagonal: true });
 * deepStrictEqual(v.shape, [2, 1]);
 * deepStrictEqual(Array.from(v.data), [2, 3]);
 * ```
 */
export function symMatricesToVecs(
  matrices: readonly Matrix[],
  options: SymMatrixToVecOptions = {},
): Matrix {
  if (!Array.isArray(matrices)) {
    throw new TypeError("matrices: expected an array of square matrices");
  }
  const n = matrices[0]?.shape[0] ?? 0;
  const len = vecLength(n, options.discardDiagonal ?? false);
  const out = new Float64Array(matrices.length * len);
  matrices.forEach((m, s) => {
    if (m.shape[0] !== n) {
      throw new TypeError(
        `matrices[${s}]: expected shape [${n}, ${n}] as matrices[0], found [${m.shape.join(", ")}]`,
      );
    }
    out.set(symMatrixToVec(m, options), s * len);
  });
  return { data: out, shape: [matrices.length, len] };
}

/**
 * {@link vecToSymMatrix} on each row of a matrix (nilearn's `vec_to_sym_matrix` on a stack of
 * vectors), with an optional diagonal per row.
 *
 * @param vecs (count x vector length) matrix, one vector per row.
 * @param diagonals (count x n) diagonals, or undefined.
 * @returns one (n x n) symmetric matrix per row.
 * @example
 * ```ts
 * import { vecsToSymMatrices } from "@niimask/niimask/connectome";
 * import { deepStrictEqual } from "node:assert/strict";
 * const vecs = { data: Float64Array.from([2, 3]), shape: [2, 1] as [number, number] };
 * const diag = { data: Float64Array.from([0, 0, 0, 0]), shape: [2, 2] as [number, number] };
 * const ms = vecsToSymMatrices(vecs, diag);
 * deepStrictEqual(Array.from(ms[1]!.data), [0, 3, 3, 0]);
 * ```
 */
export function vecsToSymMatrices(vecs: Matrix, diagonals?: Matrix): Matrix[] {
  const [count, len] = vecs.shape;
  if (diagonals !== undefined) {
    const nf = 0.5 * (Math.sqrt(8 * len + 1) - 1) + 1;
    if (Number.isInteger(nf) && (diagonals.shape[0] !== count || diagonals.shape[1] !== nf)) {
      throw new TypeError(
        `diagonal of shape (${diagonals.shape.join(", ")}) incompatible with vector of shape ` +
          `(${count}, ${len})`,
      );
    }
  }
  const out: Matrix[] = [];
  for (let r = 0; r < count; r++) {
    const v = vecs.data.subarray(r * len, (r + 1) * len);
    const d = diagonals === undefined
      ? undefined
      : diagonals.data.subarray(r * diagonals.shape[1], (r + 1) * diagonals.shape[1]);
    out.push(vecToSymMatrix(v, d));
  }
  return out;
}
