/**
 * The setup check of `niimask bids` that the atlas can be brought onto the runs' grid, so that a
 * bad atlas is one clear error naming the atlas file rather than one failure per run. Pure.
 *
 * @module
 */
import { invertAffine, sameGrid } from "../image/grid.ts";
import type { Affine } from "../types.ts";

/** A file's grid: its shape and affine. */
export interface FileGrid {
  /** The file. */
  readonly path: string;
  /** Its shape (the first three dimensions are the grid). */
  readonly shape: readonly number[];
  /** Its voxel-to-world affine. */
  readonly affine: Affine;
}

function describe(g: FileGrid): string {
  const a = Array.from(g.affine).map((v) => Number(v.toPrecision(6)));
  const rows = [0, 1, 2].map((r) => `[${a.slice(4 * r, 4 * r + 4).join(", ")}]`).join(", ");
  return `shape ${g.shape.slice(0, 3).join("x")}, affine [${rows}]`;
}

/**
 * Check that the atlas can be resampled onto a run (or already matches it).
 *
 * @param atlas the (first) atlas file's grid.
 * @param run a run's grid.
 * @param target the resampling target (`data`, `mask`, `maps`, or null for none).
 * @throws RangeError naming the atlas (and run) when an affine is singular or, without
 *   resampling, the grids differ.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAtlasGrid } from "./bids_grid.ts";
 * const eye = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
 * const flat = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
 * const run = { path: "run.nii.gz", shape: [4, 4, 4, 10], affine: eye };
 * checkAtlasGrid({ path: "a.nii.gz", shape: [4, 4, 4, 2], affine: eye }, run, null);
 * assert.throws(() => checkAtlasGrid({ path: "a.nii.gz", shape: [4, 4, 4], affine: flat }, run, "data"));
 * ```
 */
export function checkAtlasGrid(
  atlas: FileGrid,
  run: FileGrid,
  target: "data" | "mask" | "maps" | null,
): void {
  try {
    invertAffine(atlas.affine, "atlas");
  } catch {
    throw new RangeError(
      `--atlas ${atlas.path}: its affine is singular (${describe(atlas)}), so its grid cannot ` +
        `be resampled onto the runs`,
    );
  }
  if (target === null && !sameGrid(atlas, run)) {
    throw new RangeError(
      `--atlas ${atlas.path} (${describe(atlas)}) is not on the grid of run ${run.path} ` +
        `(${describe(run)}) and --resampling-target none resamples nothing: use ` +
        `--resampling-target data (the default)`,
    );
  }
  if (target === "data") {
    try {
      invertAffine(run.affine, "run");
    } catch {
      throw new RangeError(
        `run ${run.path}: its affine is singular (${describe(run)}), so --atlas ` +
          `${atlas.path} cannot be resampled onto it`,
      );
    }
  }
}
