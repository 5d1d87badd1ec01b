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
import { smoothImg } from "../image/smooth.ts";
import { castDtype, castValues, type HeldDtype, heldDtype } from "../image/held_dtype.ts";
import { clean, type CleanOptions } from "../signal/clean.ts";
import { describeGrid } from "./grid_check.ts";
import { sameGrid } from "../image/grid.ts";
import type { ExtractionPlan, FittedState } from "./fitted_state.ts";
import { confoundsOfKeptSeries, HighVarianceSelector } from "../image/streaming_hvc.ts";
import { StreamingDataResampler } from "./streaming_resample.ts";
import { hasNonFinite, NON_FINITE_WARNING } from "./non_finite.ts";
import type { VolumeSource } from "./volume_source.ts";
import { VolumeProjection } from "./volume_projection.ts";
import { type SampleMask, sampleMaskIndices } from "../signal/sample_mask.ts";

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
 * Extract the cleaned region signals of one subject: check it, project its volumes, read its
 * high-variance confounds, then clean.
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
  if (plan.overlapError !== null) throw new RangeError(plan.overlapError);
  const nT = volumesOf(source);
  const needResample = needsResampling(state, plan, source);
  // High-variance confounds: first pass during the projection, over the raw volumes (see
  // image/streaming_hvc.ts), then a second pass over the kept voxels.
  const hv = state.params.highVarianceConfounds
    ? new HighVarianceSelector(voxelsOf(source.shape), nT, { percentile: 2, detrend: true })
    : null;
  const { signals, nonFinite } = await projectSubject(state, plan, source, nT, needResample, hv);
  const hvMatrix = hv === null ? null : await highVarianceMatrix(hv, source, nT);
  const confounds = subjectConfounds(hvMatrix, request.confounds, nT, source.name);
  // Checked here to name the subject; indices may count from the end.
  const sampleMask = request.sampleMask === null
    ? null
    : sampleMaskIndices(request.sampleMask, nT, `sampleMask for ${source.name}`, true);
  const k = plan.projector.nMaps;
  const { cleaned, warnings } = cleanSignals(state, { data: signals, shape: [nT, k] }, {
    confounds,
    sampleMask,
    nonFinite,
  });
  return { signals: cleaned, labels: plan.projector.labels, warnings };
}

/** Number of voxels of a volume of `shape`. */
function voxelsOf(shape: readonly number[]): number {
  return (shape[0] ?? 1) * (shape[1] ?? 1) * (shape[2] ?? 1);
}

/** The number of volumes of a 3D (1) or 4D subject; TypeError for other dimensionalities. */
function volumesOf(source: VolumeSource): number {
  const shape = source.shape;
  if (shape.length < 3 || shape.length > 4) {
    throw new TypeError(
      `${source.name}: expected a 3D or 4D image, found shape [${shape.join(", ")}]`,
    );
  }
  return shape.length === 4 ? shape[3]! : 1;
}

/**
 * Whether the subject must be resampled to the plan's grid; RangeError when it is on another
 * grid and the plan does not resample.
 */
function needsResampling(state: FittedState, plan: ExtractionPlan, source: VolumeSource): boolean {
  const grid = plan.grid;
  if (sameGrid(source, grid)) return false;
  if (plan.dataPolicy === "resample") return true;
  throw new RangeError(
    `${source.name}: the data and the maps${
      state.maskImg !== null ? "/mask" : ""
    } do not have the same field of view (shape and affine): data ${describeGrid(source)}; maps ${
      describeGrid(grid)
    }. Use resamplingTarget "data", "maps" or "mask".`,
  );
}

/** Whether `fwhm` smooths at all (some width > 0). */
function smooths(fwhm: number | readonly number[] | null): boolean {
  return fwhm !== null && (Array.isArray(fwhm) ? fwhm.some((f) => f > 0) : (fwhm as number) > 0);
}

/**
 * The (volumes x maps) projection of the subject's volumes, each cast to the dtype nilearn holds
 * it in, resampled to the plan's grid when needed, and smoothed; `hv` sees each raw volume.
 */
async function projectSubject(
  state: FittedState,
  plan: ExtractionPlan,
  source: VolumeSource,
  nT: number,
  needResample: boolean,
  hv: HighVarianceSelector | null,
): Promise<{ signals: Float64Array; nonFinite: boolean }> {
  const p = state.params;
  const name = source.name;
  const grid = plan.grid;
  const nSrcV = voxelsOf(source.shape);
  // The dtype nilearn holds the values in after its `dtype` cast: resampling and smoothing
  // round to it (unsigned integers stay integers). null: the first volume's array type decides.
  let held = sourceDtype(source, p.dtype);
  const fwhm = p.smoothingFwhm;
  const doSmooth = smooths(fwhm);
  const shape3 = [grid.shape[0] ?? 1, grid.shape[1] ?? 1, grid.shape[2] ?? 1];
  // Unsigned data smoothed after resampling: smoothing truncates each pass (not linear), so the
  // clip to the whole image's range cannot be corrected afterwards; a first pass reads it.
  const range = needResample && doSmooth && held !== null && held.startsWith("uint")
    ? await valueRange(rereadVolumes(source), nT)
    : null;
  let resampler: StreamingDataResampler | null = null;
  using projection = new VolumeProjection(plan.projector, nT);
  // nilearn warns once per image about NaN/Inf in the data or the mask (then reads them as 0).
  let nonFinite = state.maskImg !== null && hasNonFinite(state.maskImg.data);
  // A file source checks each volume as it reads it (still in cache): no second scan here.
  const sourceChecks = source.nonFiniteSeen !== undefined;
  for await (const raw of source.volumes()) {
    const t = projection.count;
    if (t >= nT) break;
    if (raw.length !== nSrcV) {
      throw new TypeError(`${name}: volume ${t} has ${raw.length} values, expected ${nSrcV}`);
    }
    if (!sourceChecks) nonFinite ||= hasNonFinite(raw);
    hv?.add(raw);
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
    projection.add(vol);
  }
  projection.finish();
  const t = projection.count;
  if (t !== nT) throw new RangeError(`${name}: ${t} volumes read, expected ${nT}`);
  if (sourceChecks) nonFinite ||= source.nonFiniteSeen!();
  // Clipping to the whole image's range (resample_img's clip) is only known now: volumes with
  // values beyond it get the (linear) projection of their correction added.
  resampler?.correct((t, delta) => {
    const d = doSmooth
      ? smoothImg({ data: delta, shape: shape3, affine: grid.affine }, fwhm).data
      : delta;
    projection.addCorrection(t, d);
  }, held !== null && float32Output(held) ? Math.fround : (x: number) => x);
  return { signals: projection.signals, nonFinite };
}

/** The high-variance confounds (second pass: the series of the kept 2 % of voxels only). */
async function highVarianceMatrix(
  hv: HighVarianceSelector,
  source: VolumeSource,
  nT: number,
): Promise<Matrix> {
  const gather = hv.gather();
  let t = 0;
  for await (const raw of rereadVolumes(source)) {
    if (t >= nT) break;
    gather.add(raw);
    t++;
  }
  const kept = hv.kept();
  return confoundsOfKeptSeries(gather.data(), nT, kept.length, { nConfounds: 5, detrend: true });
}

/** The confounds to regress out: high-variance ones first, then the given ones (checked). */
function subjectConfounds(
  hvMatrix: Matrix | null,
  given: readonly Matrix[],
  nT: number,
  name: string,
): Matrix[] {
  const confounds: Matrix[] = [];
  if (hvMatrix !== null) confounds.push(hvMatrix);
  for (const c of given) {
    if (c.shape[0] !== nT) {
      throw new RangeError(
        `confounds for ${name}: incorrect length: ${c.shape[0]} rows but the image has ${nT} ` +
          "volumes (one row per volume expected)",
      );
    }
    confounds.push(c);
  }
  return confounds;
}

/** `clean` with the masker's options; its warnings collected, each once, in order. */
function cleanSignals(
  state: FittedState,
  signals: Matrix,
  inputs: {
    readonly confounds: readonly Matrix[];
    readonly sampleMask: Int32Array | null;
    /** The data or mask held NaN/Inf: nilearn's warning comes first. */
    readonly nonFinite: boolean;
  },
): { cleaned: Matrix; warnings: string[] } {
  const p = state.params;
  const warnings: string[] = inputs.nonFinite ? [NON_FINITE_WARNING] : [];
  const options: CleanOptions = {
    detrend: p.detrend,
    standardize: p.standardize ?? false, // null (kept as given in params) means no standardization
    standardizeConfounds: p.standardizeConfounds,
    tR: p.tR,
    lowPass: p.lowPass,
    highPass: p.highPass,
    confounds: inputs.confounds.length > 0 ? inputs.confounds : null,
    sampleMask: inputs.sampleMask,
    ...p.clean,
    onWarning: (message) => {
      if (!warnings.includes(message)) warnings.push(message);
    },
  };
  return { cleaned: clean(signals, options), warnings };
}
