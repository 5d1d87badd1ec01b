/**
 * Fitting a masker: load and check the maps and mask, resample them to each other as
 * `resamplingTarget` asks (through the on-disk cache), plan extraction, and compute the report
 * background.
 *
 * @module
 */
import type { Image } from "../types.ts";
import type { ImgSource } from "../image/load.ts";
import type { MapsProjector } from "../image/maps_projection.ts";
import type { FittedMultiMapsMasker, MultiMapsMasker } from "./types.ts";
import type { MultiMapsMaskerParams } from "./config.ts";
import {
  extractionParams,
  type FittedState,
  makePlan,
  plainResample,
  type ResampleFn,
} from "./fitted_state.ts";
import { type CompactMaps, denseMaps, isCompactMaps, type MapsSource } from "./compact_maps.ts";
import { resampleCompactMaps } from "./compact_resample.ts";
import { describeGrid, gridOf } from "./grid_check.ts";
import { type Grid, sameGrid } from "../image/grid.ts";
import { cachedImage, hashParts, imageHash } from "./cache.ts";
import { makeLogger } from "./logger.ts";
import { meanImage, NO_FIT_IMAGE_WARNING } from "./mean_image.ts";
import { loadAnyImage, loadCompactMaps, to3dMask } from "./fit_inputs.ts";
import { makeFitted } from "./fitted_masker.ts";
import { FittedMaps } from "./fitted_maps.ts";
import { MaskerWarnings } from "./masker_warnings.ts";
import { checkLabelCount } from "./validate_call.ts";
import { makePlanAtFit } from "./plan_at_fit.ts";

function listNonEmptyIndices(p: MapsProjector, nAll: number): number[] {
  const present = new Uint8Array(nAll);
  for (let c = 0; c < p.nMaps; c++) if (p.mapNnz[c]! > 0) present[p.labels[c]!] = 1;
  const empty: number[] = [];
  for (let j = 0; j < nAll; j++) if (!present[j]) empty.push(j);
  return empty;
}

type Log = ReturnType<typeof makeLogger>;

/**
 * Fit `params` on `imgs` (used for the report background only): the fitted masker extends `base`,
 * the unfitted masker `params` came from.
 */
export async function fitMasker(
  params: MultiMapsMaskerParams,
  imgs: ImgSource | readonly ImgSource[] | null,
  base: MultiMapsMasker,
): Promise<FittedMultiMapsMasker> {
  const log = makeLogger(params.verbose);
  const warnings = new MaskerWarnings();
  // As nilearn: a cache directory with memoryLevel 0 means level 1 (with a warning).
  if (params.memory !== null && params.memoryLevel === 0) {
    warnings.add(
      "memoryLevel is 0 but a cache directory (memory) was given: using memoryLevel 1.",
    );
  }
  log(1, "fit", `loading regions from ${describeSource(params.mapsImg)}`);
  const { compact, replaced, mapsFloat32 } = await loadCompactMaps(params.mapsImg, params.dtype);
  if (replaced > 0) {
    warnings.add(`Non-finite values detected in the maps (${replaced}): replaced with zeros.`);
  }
  let loadedMask: Image | null = null;
  if (params.maskImg !== null) {
    log(1, "fit", `loading mask from ${describeSource(params.maskImg)}`);
    loadedMask = to3dMask(await loadAnyImage(params.maskImg, "maskImg"));
  }
  const resample = cachedResample(params.memory, log, warnings);
  let { mapsGrid, mapsResampled, maskImg } = await alignMapsAndMask(
    params,
    compact,
    loadedMask,
    resample,
    log,
    warnings,
  );
  const nElements = mapsGrid.shape[3] ?? 1;
  checkLabelCount(params.labels, nElements);
  const state: FittedState = {
    params: extractionParams(params),
    mapsGrid: { shape: [...mapsGrid.shape], affine: Float64Array.from(mapsGrid.affine) },
    maskImg,
    mapsFloat32,
    nElements,
  };
  // The maps stay compact: resampling works from them one map at a time, and the dense maps are
  // built only where needed (a fixed plan's projector).
  const fixedPlan = params.resamplingTarget === "data"
    ? null
    : await makePlan(state, mapsResampled ?? compact, null, resample);
  // The fitted masker keeps the projector and the compact maps (sparse unless dense is smaller);
  // maps_img_ is rebuilt from them on demand, resampled again (the same deterministic
  // computation, so the same values) when fit resampled it.
  const resampledTo = mapsResampled !== null ? gridOf(mapsResampled) : null;
  mapsGrid = resampledTo ?? mapsGrid;
  mapsResampled = null;
  if (fixedPlan !== null && maskImg !== null) {
    warnEmptyMaps(fixedPlan.projector, nElements, params.keepMaskedMaps, warnings);
  }
  const background = params.reports
    ? await reportBackground(imgs, mapsGrid, maskImg, resample, warnings)
    : null;
  // Data on the maps grid are the usual case of target "data": plan for them now.
  const planAtFit = fixedPlan === null ? await makePlanAtFit(state, compact, resample) : null;
  const maps = new FittedMaps({ state, compact, resampledTo, fixedPlan, planAtFit, resample });
  return makeFitted({ params, base, state, maps, warnings, background });
}

/** A maps or mask source in log messages. */
function describeSource(s: ImgSource): string {
  return typeof s === "string" ? s : s instanceof URL ? s.href : "<in-memory image>";
}

/**
 * The masker's resampling: through the on-disk cache in `cacheDir` (null: no cache), whose
 * problems are warnings (report, verbose >= 1), never failures.
 */
function cachedResample(cacheDir: string | null, log: Log, warnings: MaskerWarnings): ResampleFn {
  const hashes = new WeakMap<MapsSource, Promise<string>>(); // not keeping the maps alive
  const hashOf = (img: MapsSource) => {
    let h = hashes.get(img);
    if (h === undefined) {
      h = imageHash(denseMaps(img));
      hashes.set(img, h);
    }
    return h;
  };
  return async (img, grid, interpolation) => {
    const compute = () => {
      log(1, "resample", `resampling (${interpolation}) to ${describeGrid(grid)}`);
      return resampleNow(img, grid, interpolation);
    };
    if (cacheDir === null) return compute();
    const key = await hashParts([
      "resample-v1",
      await hashOf(img),
      interpolation,
      JSON.stringify(grid.shape.slice(0, 3)),
      grid.affine,
    ]);
    const warn = (w: string) => {
      log(1, "memory", w);
      warnings.add(w);
    };
    return await cachedImage(cacheDir, key, compute, (m) => log(2, "memory", m), warn);
  };
}

/**
 * The maps and mask on one grid, as `resamplingTarget` asks: `mapsGrid` is `maps_img_`'s grid,
 * `mapsResampled` its dense values when fit resampled the maps (to the mask), `maskImg` the mask
 * (resampled to the maps for "maps"). RangeError when the target is null and the grids differ.
 */
async function alignMapsAndMask(
  params: MultiMapsMaskerParams,
  compact: CompactMaps,
  maskImg: Image | null,
  resample: ResampleFn,
  log: Log,
  warnings: MaskerWarnings,
): Promise<{ mapsGrid: Grid; mapsResampled: Image | null; maskImg: Image | null }> {
  const mapsGrid: Grid = { shape: compact.shape, affine: compact.affine };
  const unchanged = { mapsGrid, mapsResampled: null, maskImg };
  if (maskImg === null || sameGrid(maskImg, mapsGrid)) return unchanged;
  if (params.resamplingTarget === null) {
    throw new RangeError(
      `maskImg and mapsImg do not have the same field of view (shape and affine): mask ${
        describeGrid(maskImg)
      }; maps ${describeGrid(mapsGrid)}. resamplingTarget is null, so nothing is resampled.`,
    );
  }
  if (params.resamplingTarget === "mask") {
    log(1, "fit", "resampling maps to the mask grid");
    warnings.add(`Maps resampled (cubic spline) to the mask grid: ${describeGrid(maskImg)}.`);
    const mapsResampled = await resample(compact, gridOf(maskImg), "continuous");
    return { mapsGrid: mapsResampled, mapsResampled, maskImg };
  }
  if (params.resamplingTarget === "maps") {
    log(1, "fit", "resampling mask to the maps grid");
    warnings.add(`Mask resampled (nearest) to the maps grid: ${describeGrid(mapsGrid)}.`);
    return { ...unchanged, maskImg: await resample(maskImg, gridOf(mapsGrid), "nearest") };
  }
  return unchanged; // "data": both are resampled to each subject's grid by its plan
}

/** Warn about the maps the mask leaves empty (kept as zeros or removed). */
function warnEmptyMaps(
  projector: MapsProjector,
  nElements: number,
  keepMaskedMaps: boolean,
  warnings: MaskerWarnings,
): void {
  const empty = listNonEmptyIndices(projector, nElements);
  if (empty.length === 0) return;
  warnings.add(
    `Maps ${JSON.stringify(empty)} are empty after applying the mask: ${
      keepMaskedMaps ? "kept as zero signals" : "removed from the output"
    }.`,
  );
}

/**
 * The report background: the mean of the first image given to fit, on the maps grid; else the
 * mask when it is on that grid; else null. As nilearn (reports on), an image given to fit that
 * cannot be read fails the fit.
 */
async function reportBackground(
  imgs: ImgSource | readonly ImgSource[] | null,
  mapsGrid: Grid,
  maskImg: Image | null,
  resample: ResampleFn,
  warnings: MaskerWarnings,
): Promise<Image | null> {
  const first: ImgSource | null = imgs === null
    ? null
    : Array.isArray(imgs)
    ? ((imgs as readonly ImgSource[])[0] ?? null)
    : imgs as ImgSource;
  if (imgs === null) {
    warnings.add(NO_FIT_IMAGE_WARNING);
  } else if (Array.isArray(imgs) && (imgs as unknown[]).length > 1) {
    warnings.add("A list of images was provided to fit: only the first one is shown.");
  }
  if (first !== null && first !== undefined) {
    let mean = await meanImage(first);
    try {
      if (!sameGrid(mean, mapsGrid)) mean = await resample(mean, gridOf(mapsGrid), "continuous");
      return mean;
    } catch (err) {
      warnings.add(`Could not compute the report background: ${String(err)}`);
    }
  }
  return maskImg !== null && sameGrid(maskImg, mapsGrid) ? maskImg : null;
}

/** Resampling without the cache (maps stay float32 when they were). */
function resampleNow(
  img: MapsSource,
  grid: Grid,
  interpolation: "continuous" | "nearest",
): Image {
  // Compact maps: resampled map by map, the dense maps never built.
  if (isCompactMaps(img)) return resampleCompactMaps(img, grid, interpolation);
  const out = plainResample(img, grid, interpolation) as Image;
  return img.data instanceof Float32Array && !(out.data instanceof Float32Array)
    ? { ...out, data: Float32Array.from(out.data) }
    : out;
}
