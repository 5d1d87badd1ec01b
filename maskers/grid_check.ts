/**
 * The grids of maps, masks and subjects as the masker compares and names them; the grid type
 * and nilearn's field-of-view test (`check_same_fov`) are `image/grid.ts`'s `Grid` and
 * `sameGrid`.
 *
 * @module
 */
import { formatAffine, type Grid } from "../image/grid.ts";

/** The grid of an image: first three dimensions and a copy of its affine. */
export function gridOf(img: Grid): Grid {
  return {
    shape: [img.shape[0] ?? 1, img.shape[1] ?? 1, img.shape[2] ?? 1],
    affine: Float64Array.from(img.affine),
  };
}

/** A string key identifying a grid exactly (for memoization). */
export function gridKey(g: Grid): string {
  return `${g.shape.slice(0, 3).join("x")}|${Array.from(g.affine).join(",")}`;
}

/** Human-readable description of a grid for error messages. */
export function describeGrid(g: Grid): string {
  return `shape [${g.shape.slice(0, 3).join(", ")}], affine ${
    formatAffine(g.affine, { rows: 3, digits: 6 })
  }`;
}
