/**
 * The fitted masker: transform (single images and lists, across web workers, abortable),
 * settled outcomes, inverse transform and report, with nilearn's overlap-clipping history.
 *
 * @module
 */
import type { Image, Matrix } from "../types.ts";
import type { ImgSource } from "../image/load.ts";
import {
  makeMapsProjector,
  type MapsProjector,
  projectorToVoxels,
  signalsToImgMaps,
} from "../image/maps_projection.ts";
import type { DisplayedMaps, MapsReportInput } from "../report/types.ts";
import type {
  FittedMultiMapsMasker,
  MaskerReport,
  MultiMapsMasker,
  SignalsTable,
  TransformOptions,
} from "./types.ts";
import { effectiveJobs, isImgSource, type MultiMapsMaskerParams } from "./config.ts";
import {
  clipBelowEpsilon,
  type ExtractionPlan,
  type FittedState,
  makePlan,
  type ResampleFn,
} from "./fitted_state.ts";
import { LazyImage } from "./compact_maps.ts";
import { planMemo } from "./plan_at_fit.ts";
import { extractSubject, type SubjectResult } from "./extract_subject.ts";
import { describeGrid, gridKey, gridOf, type GridSpec, sameFov } from "./grid_check.ts";
import { ExtractPool } from "./worker_pool.ts";
import { isImage, isMatrix } from "./type_guards.ts";
import { makeLogger } from "./logger.ts";
import { warnOnce } from "../signal/warnings.ts";
import {
  gridOfSource,
  openSubject,
  type RefGrid,
  sourceName,
  workerSource,
} from "./subject_sources.ts";
import { abortable, abortError, isAbortError } from "./abort.ts";
import { toOutcome } from "./outcomes.ts";
import {
  isConfoundsEntry,
  isSampleMaskEntry,
  type OneConfounds,
  perSubject,
  resolveConfounds,
} from "./transform_args.ts";

/** The fitted masker of `fitMasker` (`base`: the unfitted masker it extends). */
export function makeFitted(
  params: MultiMapsMaskerParams,
  base: MultiMapsMasker,
  state: FittedState,
  buildMaps: () => Image,
  fixedPlan: ExtractionPlan | null,
  resample: ResampleFn,
  fitWarnings: readonly string[],
  background: Image | null,
): FittedMultiMapsMasker {
  const log = makeLogger(params.verbose);
  const plans = planMemo(state); // grid key → plan; holds the plan made at fit, if any
  const report = {
    warnings: fitWarnings as string[], // shared with fit: cache warnings may come at transform
    signals: null as Matrix | null,
  };
  const seenNotes = new Set<string>();
  /** Add a warning to the report, once. */
  const note = (message: string): void => {
    if (seenNotes.has(message)) return;
    seenNotes.add(message);
    report.warnings.push(message);
  };

  // nilearn's overlap check (allowOverlap false) clips map weights below eps *in place* on the
  // maps it extracts with; when those are maps_img_ itself (no resampling needed), maps_img_
  // stays clipped for later resampling, inverse_transform and the attribute. This history is
  // replicated here (a memo of this fitted value; parameters never change): `clipped` says
  // whether maps_img_ is clipped, `resampledGrid` is the grid of nilearn's
  // `_resampled_maps_img_` once it became a separate copy (target "data" on another grid).
  //
  // Neither is held densely: `rawMaps`/`clippedMaps` build them on demand (kept while in use).
  const mapsGrid = state.mapsGrid;
  const rawLazy = new LazyImage(buildMaps);
  const clippedLazy = params.allowOverlap
    ? rawLazy
    : new LazyImage(() => clipBelowEpsilon(rawLazy.get(), state.mapsFloat32));
  const rawMaps = () => rawLazy.get();
  const clippedMaps = () => clippedLazy.get();
  // Before any transform (`clipped` null) maps_img_ is the unclipped maps, as after nilearn's
  // bare fit; the first transform on the maps' grid clips them (nilearn's in-place clipping).
  interface OverlapHistory {
    clipped: boolean | null;
    resampledGrid: GridSpec | null;
  }
  const history: OverlapHistory = { clipped: null, resampledGrid: null };
  const currentMaps = () => (history.clipped === true ? clippedMaps() : rawMaps());
  const inverseProjectors = new Map<boolean, MapsProjector>();

  function advance(h: OverlapHistory, grid: GridSpec): void {
    if (params.allowOverlap) return;
    if (fixedPlan !== null) {
      h.clipped = true;
    } else if (h.resampledGrid === null) {
      if (sameFov(grid, mapsGrid)) {
        h.clipped = true;
      } else {
        h.resampledGrid = grid;
        h.clipped ??= false;
      }
    } else if (!sameFov(grid, h.resampledGrid)) {
      h.resampledGrid = grid;
    }
  }

  /** The plan for data on `grid`, given the overlap history `h` (advanced when `update`). */
  function planFor(grid: GridSpec, h: OverlapHistory, update: boolean): Promise<ExtractionPlan> {
    const clipped = h.clipped === true;
    if (update) advance(h, grid);
    if (fixedPlan !== null) return Promise.resolve(fixedPlan);
    const key = gridKey(grid) + (clipped ? "|clipped" : "");
    let plan = plans.get(key);
    if (plan === undefined) {
      plan = makePlan(state, clipped ? clippedMaps() : rawMaps(), grid, resample);
      plan.catch(() => plans.delete(key));
      plans.set(key, plan);
    }
    return plan;
  }

  function columnsOf(labels: Int32Array): string[] {
    return Array.from(labels, (j) => params.labels?.[j] ?? `map_${j}`);
  }

  function output(r: SubjectResult): Matrix {
    report.signals = r.signals;
    if (params.output === "table") {
      const table: SignalsTable = { ...r.signals, columns: columnsOf(r.labels) };
      return table;
    }
    return r.signals;
  }

  async function runSubject(
    src: ImgSource,
    index: number,
    confounds: OneConfounds,
    sampleMask: ArrayLike<number> | readonly boolean[] | null,
    refGrid: Promise<RefGrid | null> | null,
    h: OverlapHistory = history,
    update = true,
    pool: ExtractPool | null = null,
    signal?: AbortSignal,
  ): Promise<Matrix> {
    if (signal?.aborted) throw abortError(signal, sourceName(src, index));
    const opened = await openSubject(src, index);
    try {
      const s = signal === undefined ? opened.source : abortable(opened.source, signal);
      if (refGrid !== null) {
        const ref = await refGrid;
        // As nilearn's iter_check_niimg: the first image's dimensionality is the list's.
        if (ref !== null && s.shape.length !== ref.ndim) {
          throw new TypeError(
            `imgs: image #${index} (${s.name}) is ${s.shape.length}D but image #0 is ` +
              `${ref.ndim}D: input data has incompatible dimensionality (the images of a list ` +
              "must be all 3D or all 4D)",
          );
        }
        if (ref !== null && !sameFov(s, ref)) {
          throw new RangeError(
            `Field of view of image #${index} (${s.name}) is different from the reference ` +
              `field of view (image #0): ${describeGrid(s)} vs ${describeGrid(ref)}`,
          );
        }
      }
      log(1, "transform", `extracting region signals from ${s.name}`);
      const plan = await planFor(gridOf(s), h, update);
      plan.notes.forEach(note);
      const request = {
        confounds: await resolveConfounds(confounds, s.name),
        sampleMask,
      };
      const remote = pool === null ? null : workerSource(src, s.name);
      let result: SubjectResult;
      if (pool !== null && remote !== null) {
        await opened.close(); // the worker opens the subject itself
        result = await pool.run(plan, remote, request);
      } else {
        result = await extractSubject(state, plan, s, request);
      }
      // Cleaning warnings (nilearn's Python warnings): shown once, and kept for the report.
      for (const w of result.warnings) {
        if (!seenNotes.has(w)) warnOnce(w);
        note(w);
      }
      log(2, "transform", `${s.name}: ${result.signals.shape.join(" x ")} signals`);
      return output(result);
    } finally {
      await opened.close();
    }
  }

  function transformSingle(img: ImgSource, options: TransformOptions = {}): Promise<Matrix> {
    if (!isImgSource(img)) {
      return Promise.reject(
        new TypeError("imgs: expected a NIfTI path, URL, bytes or an image (3D or 4D)"),
      );
    }
    if (
      options.confounds !== null && options.confounds !== undefined &&
      !isConfoundsEntry(options.confounds)
    ) {
      return Promise.reject(
        new TypeError("confounds: expected a matrix, a CSV/TSV path, a list of those, or null"),
      );
    }
    const sm = options.sampleMask ?? null;
    if (sm !== null && !isSampleMaskEntry(sm)) {
      return Promise.reject(
        new TypeError("sampleMask: expected volume indices, a boolean mask or null for one image"),
      );
    }
    return runSubject(
      img,
      0,
      options.confounds as OneConfounds,
      sm as ArrayLike<number> | null,
      null,
      history,
      true,
      null,
      options.signal,
    );
  }

  /** Settled results of a list (input order); `skipped` marks subjects that never ran. */
  type Settled = PromiseSettledResult<Matrix> & { readonly skipped?: true };

  async function settled(
    imgs: readonly ImgSource[],
    options: TransformOptions,
    nJobs: number,
    stopOnFailure: boolean,
  ): Promise<Settled[]> {
    if (!Array.isArray(imgs)) throw new TypeError("imgs: expected a list of images");
    if (imgs.length === 0) throw new RangeError("imgs: the list of images is empty");
    const confounds = perSubject<OneConfounds>(
      options.confounds as OneConfounds | readonly OneConfounds[],
      imgs.length,
      "confounds",
      isConfoundsEntry,
    );
    type OneMask = ArrayLike<number> | readonly boolean[];
    const masks = perSubject<OneMask>(
      options.sampleMask as unknown as readonly OneMask[] | null,
      imgs.length,
      "sampleMask",
      isSampleMaskEntry,
    );
    const { signal, onOutcome } = options;
    if (onOutcome !== undefined && typeof onOutcome !== "function") {
      throw new TypeError("onOutcome: expected a function (index, outcome) or undefined");
    }
    const out: Settled[] = new Array(imgs.length);
    const aborted = (i: number): Settled => ({
      status: "rejected",
      reason: abortError(signal, `image #${i} (${sourceName(imgs[i]!, i)})`),
      skipped: true,
    });
    if (signal?.aborted) return imgs.map((_, i) => aborted(i));
    // The first image's grid is the reference (nilearn's iter_check_niimg). When collecting
    // outcomes, a first image that cannot be read does not fail the others.
    const refGrid: Promise<RefGrid | null> = gridOfSource(imgs[0]!, 0).catch((err) => {
      if (stopOnFailure) throw err;
      return null;
    });
    refGrid.catch(() => {});
    let failed = false;
    const jobs = effectiveJobs(nJobs);
    // nilearn runs n_jobs > 1 in separate processes, on copies of the masker: the overlap
    // history then neither carries over between subjects nor comes back.
    const snapshot = (): OverlapHistory => ({ ...history });
    // Several subjects and jobs: one pool of web workers for the whole call, one subject per
    // worker at a time; a lane takes the next subject as soon as its previous one is done.
    const lanes = Math.max(1, Math.min(jobs, imgs.length));
    const pool = jobs > 1 && imgs.length > 1 ? new ExtractPool(lanes, state) : null;
    const ABORTED = Symbol("aborted");
    let onAbort = () => {};
    const abortedP = new Promise<typeof ABORTED>((resolve) => {
      onAbort = () => {
        pool?.close(); // terminates the workers: subjects in flight stop at once
        resolve(ABORTED);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    let callbackError: { error: unknown } | null = null;
    let next = 0;
    const runOne = (src: ImgSource, i: number): Promise<Matrix> => {
      const ref = i === 0 ? null : refGrid;
      return jobs === 1
        ? runSubject(src, i, confounds[i], masks[i] ?? null, ref, history, true, null, signal)
        : runSubject(src, i, confounds[i], masks[i] ?? null, ref, snapshot(), true, pool, signal);
    };
    const lane = async (): Promise<void> => {
      while (next < imgs.length && !signal?.aborted && callbackError === null) {
        const i = next++;
        if (stopOnFailure && failed) {
          out[i] = {
            status: "rejected",
            reason: new Error("skipped after an earlier failure"),
            skipped: true,
          };
          continue;
        }
        const work: Promise<Settled> = runOne(imgs[i]!, i).then(
          (value) => ({ status: "fulfilled", value }),
          (reason) => ({ status: "rejected", reason }),
        );
        const r = signal === undefined ? await work : await Promise.race([work, abortedP]);
        if (r === ABORTED) return; // this subject stays unset: aborted
        if (r.status === "rejected") failed = true;
        out[i] = r;
        if (onOutcome === undefined) continue;
        try {
          await onOutcome(i, toOutcome(r));
        } catch (error) {
          callbackError ??= { error };
        }
        if (options.keepValues === false && r.status === "fulfilled") {
          out[i] = { status: "fulfilled", value: { data: new Float64Array(0), shape: [0, 0] } };
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: lanes }, lane));
    } finally {
      signal?.removeEventListener("abort", onAbort);
      pool?.close();
    }
    if (callbackError !== null) throw (callbackError as { error: unknown }).error;
    for (let i = 0; i < out.length; i++) out[i] ??= aborted(i);
    return out;
  }

  async function transformList(
    imgs: readonly ImgSource[],
    options: TransformOptions,
    nJobs: number,
  ): Promise<Matrix[]> {
    const outcomes = await settled(imgs, options, nJobs, true);
    const out: Matrix[] = [];
    let firstError: unknown = null;
    let abort: unknown = null;
    for (const o of outcomes) {
      if (o.status === "fulfilled") out.push(o.value);
      else if (o.skipped !== true) firstError ??= o.reason;
      else if (isAbortError(o.reason)) abort ??= o.reason;
    }
    if (firstError !== null) throw firstError;
    if (abort !== null) throw abort;
    return out;
  }

  const transform = ((imgs: ImgSource | readonly ImgSource[], options: TransformOptions = {}) => {
    if (Array.isArray(imgs)) {
      return transformList(imgs as readonly ImgSource[], options, params.nJobs);
    }
    return transformSingle(imgs as ImgSource, options);
  }) as FittedMultiMapsMasker["transform"];

  const fitted: FittedMultiMapsMasker = {
    ...base,
    get mapsImg_(): Image {
      return currentMaps();
    },
    maskImg_: state.maskImg,
    nElements_: state.nElements,
    transform,
    transformImgs: (imgs, options = {}) =>
      transformList(imgs, options, options.nJobs ?? params.nJobs),
    transformImgsSettled: async (imgs, options = {}) => {
      const outcomes = await settled(imgs, options, options.nJobs ?? params.nJobs, false);
      return outcomes.map(toOutcome);
    },
    transformSingleImgs: (img, options = {}) => transformSingle(img, options),
    inverseTransform: (regionSignals) => {
      log(1, "inverseTransform", "computing image from signals");
      if (state.maskImg !== null) {
        // Same checks (and messages) as signalsToImgMaps.
        return signalsToImgMaps(regionSignals, currentMaps(), state.maskImg);
      }
      const clippedKey = history.clipped === true;
      let projector = inverseProjectors.get(clippedKey);
      if (projector === undefined) {
        projector = makeMapsProjector(currentMaps(), null, { keepMaskedMaps: true });
        inverseProjectors.set(clippedKey, projector);
      }
      const { data, nVolumes } = projectorToVoxels(regionSignals, projector);
      const shape3 = mapsGrid.shape.slice(0, 3);
      const isMat = isMatrix(regionSignals);
      return {
        data,
        shape: isMat ? [...shape3, nVolumes] : shape3,
        affine: Float64Array.from(mapsGrid.affine),
      };
    },
    reportInput: (): MapsReportInput | null =>
      params.reports
        ? {
          params: Object.fromEntries(
            Object.entries(params).map(([k, v]) => [k, isImage(v) ? "<in-memory image>" : v]),
          ),
          mapsImg: currentMaps(),
          maskImg: state.maskImg !== null && sameFov(state.maskImg, mapsGrid)
            ? state.maskImg
            : null,
          background,
          warnings: [...report.warnings],
          signals: report.signals,
          tR: params.tR,
        }
        : null,
    generateReport: async (displayedMaps?: DisplayedMaps): Promise<MaskerReport> => {
      const input = fitted.reportInput();
      if (input === null) {
        throw new Error(
          "generateReport: this masker was created with reports: false, so no report data was " +
            "kept; create it with reports: true to generate a report",
        );
      }
      const mod = await import("../report/mod.ts") as Record<string, unknown>;
      const gen = mod.generateReport;
      if (typeof gen !== "function") {
        throw new Error("generateReport: report generation is not available in this build");
      }
      return await gen(input, displayedMaps === undefined ? {} : { displayedMaps });
    },
  };
  return Object.freeze(fitted);
}
