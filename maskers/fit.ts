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
  type ExtractionParams,
  type FittedState,
  makePlan,
  plainResample,
  type ResampleFn,
} from "./fitted_state.ts";
import { compactSourceOf, lazyMapsImage } from "./compact_maps.ts";
import { resampleCompactMaps } from "./compact_resample.ts";
import { describeGrid, gridOf, type GridSpec, sameFov } from "./grid_check.ts";
import { cachedImage, hashParts, imageHash } from "./cache.ts";
import { makeLogger } from "./logger.ts";
import { openSubject } from "./subject_sources.ts";
import { loadAnyImage, loadCompactMaps, to3dMask } from "./fit_inputs.ts";
import { makeFitted } from "./fitted_masker.ts";
import { makePlanAtFit } from "./plan_at_fit.ts";

function extractionParams(p: MultiMapsMaskerParams): ExtractionParams {
  return {
    allowOverlap: p.allowOverlap,
    smoothingFwhm: p.smoothingFwhm,
    standardize: p.standardize,
    standardizeConfounds: p.standardizeConfounds,
    highVarianceConfounds: p.highVarianceConfounds,
    detrend: p.detrend,
    lowPass: p.lowPass,
    highPass: p.highPass,
    tR: p.tR,
    dtype: p.dtype,
    resamplingTarget: p.resamplingTarget,
    keepMaskedMaps: p.keepMaskedMaps,
    clean: p.clean,
  };
}

function listNonEmptyIndices(p: MapsProjector, nAll: number): number[] {
  const present = new Uint8Array(nAll);
  for (let c = 0; c < p.nMaps; c++) if (p.mapNnz[c]! > 0) present[p.labels[c]!] = 1;
  const empty: number[] = [];
  for (let j = 0; j < nAll; j++) if (!present[j]) empty.push(j);
  return empty;
}

async function meanImage(src: ImgSource): Promise<Image> {
  const opened = await openSubject(src, 0);
  try {
    const s = opened.source;
    const nV = (s.shape[0] ?? 1) * (s.shape[1] ?? 1) * (s.shape[2] ?? 1);
    const acc = new Float64Array(nV);
    let n = 0;
    for await (const vol of s.volumes()) {
      for (let v = 0; v < nV; v++) {
        const x = vol[v]!;
        if (Number.isFinite(x)) acc[v]! += x;
      }
      n++;
    }
    if (n > 0) { for (let v = 0; v < nV; v++) acc[v]! /= n; }
    return { data: acc, shape: s.shape.slice(0, 3), affine: Float64Array.from(s.affine) };
  } finally {
    await opened.close();
  }
}

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
  const warnings: string[] = [];
  // As nilearn: a cache directory with memoryLevel 0 means level 1 (with a warning).
  if (params.memory !== null && params.memoryLevel === 0) {
    warnings.push(
      "memoryLevel is 0 but a cache directory (memory) was given: using memoryLevel 1.",
    );
  }
  const cacheDir = params.memory;
  const describe = (s: ImgSource) =>
    typeof s === "string" ? s : s instanceof URL ? s.href : "<in-memory image>";

  log(1, "fit", `loading regions from ${describe(params.mapsImg)}`);
  const { compact, replaced, mapsFloat32 } = await loadCompactMaps(params.mapsImg, params.dtype);
  if (replaced > 0) {
    warnings.push(`Non-finite values detected in the maps (${replaced}): replaced with zeros.`);
  }
  // The maps as an image whose dense data are only built if something reads them (a fixed plan
  // does); resampling works from the compact maps, one map at a time.
  const cleanMaps = (): Image => lazyMapsImage(compact);
  // maps_img_'s grid, and its dense values when fit had to compute them (resampled to the mask).
  let mapsImg: GridSpec = { shape: compact.shape, affine: compact.affine };
  let mapsResampled: Image | null = null;
  let maskImg: Image | null = null;
  if (params.maskImg !== null) {
    log(1, "fit", `loading mask from ${describe(params.maskImg)}`);
    maskImg = to3dMask(await loadAnyImage(params.maskImg, "maskImg"));
  }

  // Resampling hook with the on-disk cache.
  const hashes = new WeakMap<Image, Promise<string>>(); // not keeping the maps alive
  const hashOf = (img: Image) => {
    let h = hashes.get(img);
    if (h === undefined) {
      h = imageHash(img);
      hashes.set(img, h);
    }
    return h;
  };
  const resample: ResampleFn = async (img, grid, interpolation) => {
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
    const warn = (w: string) => { // an unusable cache warns (report, verbose >= 1), never fails
      log(1, "memory", w);
      if (!warnings.includes(w)) warnings.push(w);
    };
    return await cachedImage(cacheDir, key, compute, (m) => log(2, "memory", m), warn);
  };

  if (params.resamplingTarget === null && maskImg !== null) {
    if (!sameFov(maskImg, mapsImg)) {
      throw new RangeError(
        `maskImg and mapsImg do not have the same field of view (shape and affine): mask ${
          describeGrid(maskImg)
        }; maps ${describeGrid(mapsImg)}. resamplingTarget is null, so nothing is resampled.`,
      );
    }
  } else if (params.resamplingTarget === "mask" && maskImg !== null) {
    if (!sameFov(maskImg, mapsImg)) {
      log(1, "fit", "resampling maps to the mask grid");
      warnings.push(`Maps resampled (cubic spline) to the mask grid: ${describeGrid(maskImg)}.`);
      mapsResampled = await resample(cleanMaps(), gridOf(maskImg), "continuous");
      mapsImg = mapsResampled;
    }
  } else if (params.resamplingTarget === "maps" && maskImg !== null) {
    if (!sameFov(maskImg, mapsImg)) {
      log(1, "fit", "resampling mask to the maps grid");
      warnings.push(`Mask resampled (nearest) to the maps grid: ${describeGrid(mapsImg)}.`);
      maskImg = await resample(maskImg, gridOf(mapsImg), "nearest");
    }
  }
  const nElements = mapsImg.shape[3] ?? 1;
  const state: FittedState = {
    params: extractionParams(params),
    mapsGrid: { shape: [...mapsImg.shape], affine: Float64Array.from(mapsImg.affine) },
    maskImg,
    mapsFloat32,
    nElements,
  };
  const fixedPlan = params.resamplingTarget === "data"
    ? null
    : await makePlan(state, mapsResampled ?? cleanMaps(), null, resample);
  if (fixedPlan === null) await makePlanAtFit(state, cleanMaps(), resample);
  // The fitted masker keeps the projector and the compact maps (sparse unless dense is smaller);
  // maps_img_ is rebuilt from them on demand, resampled again (the same deterministic
  // computation, so the same values) when fit resampled it.
  const resampledTo = mapsResampled !== null ? gridOf(mapsResampled) : null;
  mapsResampled = null;
  const buildMaps = (): Image =>
    resampledTo === null
      ? lazyMapsImage(compact)
      : resampleCompactMaps(compact, resampledTo, "continuous");
  if (fixedPlan !== null) {
    const empty = listNonEmptyIndices(fixedPlan.projector, nElements);
    if (empty.length > 0 && maskImg !== null) {
      warnings.push(
        `Maps ${JSON.stringify(empty)} are empty after applying the mask: ${
          params.keepMaskedMaps ? "kept as zero signals" : "removed from the output"
        }.`,
      );
    }
  }

  // Report background: mean of the first fitted image, on the maps grid; else the mask.
  let background: Image | null = null;
  if (params.reports) {
    const first: ImgSource | null = imgs === null
      ? null
      : Array.isArray(imgs)
      ? ((imgs as readonly ImgSource[])[0] ?? null)
      : imgs as ImgSource;
    if (imgs === null) {
      warnings.push("No image provided to fit: only the spatial maps are shown in the report.");
    } else if (Array.isArray(imgs) && (imgs as unknown[]).length > 1) {
      warnings.push("A list of images was provided to fit: only the first one is shown.");
    }
    if (first !== null && first !== undefined) {
      // As nilearn (reports on), an image given to fit that cannot be read fails the fit.
      let mean = await meanImage(first);
      try {
        if (!sameFov(mean, mapsImg)) mean = await resample(mean, gridOf(mapsImg), "continuous");
        background = mean;
      } catch (err) {
        warnings.push(`Could not compute the report background: ${String(err)}`);
      }
    }
    if (background === null && maskImg !== null && sameFov(maskImg, mapsImg)) background = maskImg;
  }

  return makeFitted(params, base, state, buildMaps, fixedPlan, resample, warnings, background);
}

/** Resampling without the cache (maps stay float32 when they were). */
function resampleNow(img: Image, grid: GridSpec, interpolation: "continuous" | "nearest"): Image {
  // Maps held compact (lazyMapsImage): resampled map by map, the dense maps never built.
  const compact = compactSourceOf(img);
  if (compact !== undefined) return resampleCompactMaps(compact, grid, interpolation);
  const out = plainResample(img, grid, interpolation) as Image;
  return img.data instanceof Float32Array && !(out.data instanceof Float32Array)
    ? { ...out, data: Float32Array.from(out.data) }
    : out;
}
