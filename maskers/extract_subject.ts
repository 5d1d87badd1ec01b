/**
 * The per-subject pipeline of the maps masker, as one pure async function over plain data:
 * open volumes → (dtype cast) → (resampling to the maps grid) → (smoothing) → projection onto the
 * maps (non-finite values count as 0) → `clean` with confounds, high-variance confounds and the
 * sample mask.
 *
 * It takes a {@link FittedState} and an {@link ExtractionPlan} (plain, structured-cloneable data)
 * and a {@link VolumeSource}, so it can run unchanged inside a web worker.
 *
 * @module
 */
import type { Image, Matrix, VoxelData } from "../types.ts";
import { gatherSupport, PROJECT_BATCH, projectVolume } from "../image/maps_projection.ts";
import { makeBatchProjector } from "../image/project_simd.ts";
import { smoothImg } from "../image/smooth.ts";
import { castDtype, castValues, type HeldDtype, heldDtype } from "../image/held_dtype.ts";
import { clean, type CleanOptions } from "../signal/clean.ts";
import { describeGrid, sameFov } from "./grid_check.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import { confoundsOfKeptSeries, HighVarianceSelector } from "../image/streaming_hvc.ts";
import { StreamingDataResampler } from "./streaming_resample.ts";
import type { VolumeSource } from "./volume_source.ts";
import type { SampleMask } from "../signal/sample_mask.ts";

/** Per-subject inputs besides the image. */
export interface SubjectRequest {
  /** Confound matrices (time x k each), stacked side by side, in order. */
  readonly confounds: readonly Matrix[];
  /** Kept volume indices or boolean mask, or null. */
  readonly sampleMask: SampleMask | null;
}

/** Result of one subject. */
export interface SubjectResult {
  /** Cleaned (kept volumes x maps) signals. */
  readonly signals: Matrix;
  /** Original map index of each column. */
  readonly labels: Int32Array;
  /** Warnings the cleaning raised (nilearn's Python warnings), each once, in order. */
  readonly warnings: readonly string[];
}

/** The volumes again (second pass): `reread` when the source has it, else `volumes()`. */
function rereadVolumes(source: VolumeSource): AsyncIterable<VoxelData> {
  return source.reread !== undefined ? source.reread() : source.volumes();
}

/**
 * The dtype nilearn holds the subject's values in after its `dtype` cast (null when the source
 * does not say and the volumes' array type decides).
 */
function sourceDtype(
  source: VolumeSource,
  dtype: FittedState["params"]["dtype"],
): HeldDtype | null {
  if (source.dtype === undefined) return dtype === null ? null : castDtype("float64", dtype);
  return castDtype(heldDtype(source.dtype, source.scaled ?? false), dtype);
}

/** Whether values held in `dtype` are resampled/smoothed into float32 (rounded as float32). */
function float32Output(dtype: HeldDtype): boolean {
  return dtype === "float32" || dtype === "int8" || dtype === "int16" || dtype === "int32";
}

/** `[min(values, 0), max(values, 0)]` over the first `nT` volumes (resample_img's clip range). */
async function valueRange(
  volumes: AsyncIterable<VoxelData>,
  nT: number,
): Promise<[number, number]> {
  let lo = 0, hi = 0, t = 0;
  for await (const vol of volumes) {
    if (t++ >= nT) break;
    for (let i = 0; i < vol.length; i++) {
      const v = vol[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

/**
 * Validate a sample mask against the number of volumes: boolean masks must have one entry per
 * volume; indices must be integers in [-nT, nT) (negative counts from the end).
 */
export function normalizeSampleMask(
  sampleMask: ArrayLike<number> | readonly boolean[] | null,
  nT: number,
  name: string,
): number[] | null {
  if (sampleMask === null || sampleMask === undefined) return null;
  const n = sampleMask.length;
  if (n > 0 && typeof sampleMask[0] === "boolean") {
    if (n !== nT) {
      throw new RangeError(
        `sampleMask for ${name}: boolean mask of length ${n}, expected one entry per volume (${nT})`,
      );
    }
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (sampleMask[i]) out.push(i);
    return out;
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sampleMask[i] as unknown;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(
        `sampleMask for ${name}: expected integer volume indices, found ${String(v)} at ${i}`,
      );
    }
    if (v < -nT || v >= nT) {
      throw new RangeError(
        `sampleMask for ${name}: invalid index ${v} (the image has ${nT} volumes)`,
      );
    }
    out.push(v < 0 ? v + nT : v);
  }
  return out;
}

/**
 * Extract the cleaned region signals of one subject.
 *
 * @param state fitted state (plain data).
 * @param plan extraction plan for the subject's grid (see `makePlan`).
 * @param source the subject's volumes.
 * @param request confounds and sample mask.
 * @returns the signals and the map index of each column.
 */
export async function extractSubject(
  state: FittedState,
  plan: ExtractionPlan,
  source: VolumeSource,
  request: SubjectRequest,
): Promise<SubjectResult> {
  const p = state.params;
  const name = source.name;
  if (plan.overlapError !== null) throw new RangeError(plan.overlapError);
  const shape = source.shape;
  if (shape.length < 3 || shape.length > 4) {
    throw new TypeError(
      `${name}: expected a 3D or 4D image, found shape [${shape.join(", ")}]`,
    );
  }
  const nT = shape.length === 4 ? shape[3]! : 1;
  const grid = plan.grid;
  const same = sameFov(source, grid);
  let needResample = false;
  if (!same) {
    if (plan.dataPolicy === "resample") {
      needResample = true;
    } else {
      throw new RangeError(
        `${name}: the data and the maps${
          state.maskImg !== null ? "/mask" : ""
        } do not have the same field of view (shape and affine): data ${
          describeGrid(source)
        }; maps ${describeGrid(grid)}. Use resamplingTarget "data", "maps" or "mask".`,
      );
    }
  }
  const wantHv = p.highVarianceConfounds;
  const nSrcV = (shape[0] ?? 1) * (shape[1] ?? 1) * (shape[2] ?? 1);
  // The dtype nilearn holds the values in after its `dtype` cast: resampling and smoothing
  // round to it (unsigned integers stay integers). null: the first volume's array type decides.
  let held = sourceDtype(source, p.dtype);

  const k = plan.projector.nMaps;
  const signals = new Float64Array(nT * k);
  const scratch = new Float64Array(3 * k + plan.projector.support.length);
  const fwhm = p.smoothingFwhm;
  const doSmooth = fwhm !== null &&
    (Array.isArray(fwhm) ? fwhm.some((f) => f > 0) : (fwhm as number) > 0);
  const shape3 = [grid.shape[0] ?? 1, grid.shape[1] ?? 1, grid.shape[2] ?? 1];
  // High-variance confounds: first pass here, over the raw volumes (see image/streaming_hvc.ts).
  const hvSelector = wantHv
    ? new HighVarianceSelector(nSrcV, nT, { percentile: 2, detrend: true })
    : null;
  // Unsigned data smoothed after resampling: smoothing truncates each pass (not linear), so the
  // clip to the whole image's range cannot be corrected afterwards; a first pass reads it.
  const range = needResample && doSmooth && held !== null && held.startsWith("uint")
    ? await valueRange(rereadVolumes(source), nT)
    : null;
  let resampler: StreamingDataResampler | null = null;
  // Volumes are projected PROJECT_BATCH at a time (one pass over the weights for all), by the
  // WebAssembly SIMD kernel when the projector is resident (bit-identical to the JavaScript one).
  using batcher = plan.projector.refine ? null : makeBatchProjector(plan.projector);
  let inBatch = 0;
  let t = 0;
  for await (const raw of source.volumes()) {
    if (t >= nT) break;
    if (raw.length !== nSrcV) {
      throw new TypeError(`${name}: volume ${t} has ${raw.length} values, expected ${nSrcV}`);
    }
    hvSelector?.add(raw);
    held ??= raw instanceof Float32Array ? "float32" : "float64";
    let vol: VoxelData = castValues(raw, held);
    if (needResample) {
      resampler ??= new StreamingDataResampler(
        source,
        grid,
        held,
        doSmooth ? null : plan.projector.support,
        range,
      );
      vol = resampler.next(vol);
    }
    if (doSmooth) {
      const img: Image & { readonly dtype: HeldDtype } = {
        data: vol,
        shape: shape3,
        affine: grid.affine,
        dtype: held,
      };
      vol = smoothImg(img, fwhm).data;
    }
    if (batcher !== null) {
      gatherSupport(plan.projector, vol, batcher.batch, inBatch++);
      if (inBatch === PROJECT_BATCH) {
        batcher.project(inBatch, signals, t + 1 - inBatch);
        inBatch = 0;
      }
    } else {
      projectVolume(plan.projector, vol, signals, t * k, scratch);
    }
    t++;
  }
  if (batcher !== null && inBatch > 0) {
    batcher.project(inBatch, signals, t - inBatch);
  }
  if (t !== nT) throw new RangeError(`${name}: ${t} volumes read, expected ${nT}`);
  // Clipping to the whole image's range (resample_img's clip) is only known now: volumes with
  // values beyond it get the (linear) projection of their correction added.
  resampler?.correct((t, delta) => {
    const d = doSmooth
      ? smoothImg({ data: delta, shape: shape3, affine: grid.affine }, fwhm).data
      : delta;
    const row = new Float64Array(k);
    projectVolume(plan.projector, d, row, 0, scratch);
    for (let j = 0; j < k; j++) signals[t * k + j]! += row[j]!;
  }, held !== null && float32Output(held) ? Math.fround : (x: number) => x);

  let hvMatrix: Matrix | null = null;
  if (hvSelector !== null) {
    // Second pass: the series of the kept (2 %) voxels only.
    const gather = hvSelector.gather();
    let t2 = 0;
    for await (const raw of rereadVolumes(source)) {
      if (t2 >= nT) break;
      gather.add(raw);
      t2++;
    }
    const kept = hvSelector.kept();
    hvMatrix = confoundsOfKeptSeries(gather.data(), nT, kept.length, {
      nConfounds: 5,
      detrend: true,
    });
  }

  const confounds: Matrix[] = [];
  if (hvMatrix !== null) confounds.push(hvMatrix);
  for (const c of request.confounds) {
    if (c.shape[0] !== nT) {
      throw new RangeError(
        `confounds for ${name}: incorrect length: ${c.shape[0]} rows but the image has ${nT} ` +
          "volumes (one row per volume expected)",
      );
    }
    confounds.push(c);
  }
  const sampleMask = normalizeSampleMask(request.sampleMask, nT, name);
  const options: CleanOptions = {
    detrend: p.detrend,
    standardize: p.standardize,
    standardizeConfounds: p.standardizeConfounds,
    tR: p.tR,
    lowPass: p.lowPass,
    highPass: p.highPass,
    confounds: confounds.length > 0 ? confounds : null,
    sampleMask,
    ...p.clean,
    onWarning: (message) => {
      if (!warnings.includes(message)) warnings.push(message);
    },
  };
  const warnings: string[] = [];
  const cleaned = clean({ data: signals, shape: [nT, k] }, options);
  return { signals: cleaned, labels: plan.projector.labels, warnings };
}
