/**
 * The public factory of the masker (`multiMapsMasker`) and its unfitted value.
 *
 * @module
 */
import type { ImgSource } from "../image/load.ts";
import type { MultiMapsMasker, MultiMapsMaskerConfig, TransformOptions } from "./types.ts";
import { type MultiMapsMaskerParams, resolveParams } from "./config.ts";
import { fitMasker } from "./fit.ts";

/**
 * Create a masker with the behaviour of nilearn 0.11.1's `MultiNiftiMapsMasker`: one time series
 * per map (least squares of each volume on the maps), cleaned per subject.
 *
 * Parameter types are validated here (TypeError naming the parameter); values are checked where
 * nilearn checks them — `resamplingTarget` here, `dtype` at `fit`, cleaning values at transform —
 * so a call fails at the same step as in nilearn (RangeError/TypeError naming the parameter). The
 * masker is immutable: `fit` resolves to a new fitted masker, `with` returns a new unfitted one.
 *
 * - `memory` (a directory) caches resampled maps and masks on disk, content-addressed; as in
 *   nilearn, a directory with `memoryLevel: 0` is used as `memoryLevel: 1`, with a warning.
 * - `output: "table"` makes results {@link SignalsTable}s (columns named from `labels`, default
 *   `map_<index>`).
 * - `nJobs` > 1 (or -1: all cores) runs subjects of a list in web workers
 *   (`maskers/extract_worker.ts`); results in input order, identical to `nJobs: 1`.
 *
 * @param config constructor parameters (camelCase); see {@link MultiMapsMaskerConfig}.
 * @returns an immutable, unfitted masker.
 * @example Signals of an in-memory image (paths work the same: `mapsImg: "maps.nii.gz"`,
 * `transform("bold.nii.gz")`)
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { multiMapsMasker } from "./multi_maps_masker.ts";
 * const affine = Float64Array.from([3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, 0, 1]);
 * const maps = { data: Float64Array.from([1, 1, 0, 0, 0, 0, 1, 1]), shape: [4, 1, 1, 2], affine };
 * const bold = { data: Float64Array.from([2, 2, 5, 5, 3, 3, 7, 7]), shape: [4, 1, 1, 2], affine };
 * const fitted = await multiMapsMasker({ mapsImg: maps }).fit();
 * const signals = await fitted.transform(bold); // one row per volume, one column per map
 * deepEqual(signals.shape, [2, 2]);
 * deepEqual(Array.from(signals.data), [2, 5, 3, 7]);
 * ```
 */
export function multiMapsMasker(config: MultiMapsMaskerConfig): MultiMapsMasker {
  const params = resolveParams(config);
  return unfitted(params);
}

function unfitted(params: MultiMapsMaskerParams): MultiMapsMasker {
  const masker: MultiMapsMasker = {
    params: () => params,
    with: (partial) => multiMapsMasker({ ...params, ...partial } as MultiMapsMaskerConfig),
    fit: (imgs) => fitMasker(params, imgs ?? null, masker),
    fitTransform: (async (imgs: ImgSource | readonly ImgSource[], options?: TransformOptions) => {
      const fitted = await fitMasker(params, imgs, masker);
      return await fitted.transform(imgs as ImgSource, options);
    }) as MultiMapsMasker["fitTransform"],
  };
  return Object.freeze(masker);
}
