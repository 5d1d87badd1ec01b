/**
 * Field-of-view comparisons as nilearn's maskers make them (`check_same_fov`): same first three
 * dimensions and affines equal within `numpy.allclose` (rtol 1e-5, atol 1e-8).
 *
 * @module
 */
import type { Affine } from "../types.ts";

/** A voxel grid: the first three dimensions and the affine. */
export interface GridSpec {
  /** `[nx, ny, nz]` (extra dimensions ignored). */
  readonly shape: readonly number[];
  /** Voxel-to-world affine, row-major, length 16. */
  readonly affine: Affine;
}

/** True when two grids have the same shape (first 3 dims) and allclose affines. */
export function sameFov(a: GridSpec, b: GridSpec): boolean {
  for (let d = 0; d < 3; d++) if ((a.shape[d] ?? 1) !== (b.shape[d] ?? 1)) return false;
  for (let i = 0; i < 16; i++) {
    const x = a.affine[i] ?? 0, y = b.affine[i] ?? 0;
    if (!(Math.abs(x - y) <= 1e-8 + 1e-5 * Math.abs(y))) return false;
  }
  return true;
}

/** The grid of an image: first three dimensions and a copy of its affine. */
export function gridOf(img: GridSpec): GridSpec {
  return {
    shape: [img.shape[0] ?? 1, img.shape[1] ?? 1, img.shape[2] ?? 1],
    affine: Float64Array.from(img.affine),
  };
}

/** A string key identifying a grid exactly (for memoization). */
export function gridKey(g: GridSpec): string {
  return `${g.shape.slice(0, 3).join("x")}|${Array.from(g.affine).join(",")}`;
}

/** Human-readable description of a grid for error messages. */
export function describeGrid(g: GridSpec): string {
  const a = Array.from(g.affine).map((v) => Number(v.toPrecision(6)));
  const rows = [0, 1, 2].map((r) => `[${a.slice(4 * r, 4 * r + 4).join(", ")}]`).join(", ");
  return `shape [${g.shape.slice(0, 3).join(", ")}], affine [${rows}]`;
}
