/**
 * The fitted masker: transform (single images and lists, across web workers, abortable),
 * settled outcomes, inverse transform and report, with nilearn's overlap-clipping history.
 *
 * @module
 */
import type { Image, Matrix } from "../types.ts";
import type { ImgSource } from "../image/load.ts";
import type { DisplayedMaps, MapsReportInput } from "../report/types.ts";
import type {
  FittedMultiMapsMasker,
  MaskerReport,
  MultiMapsMasker,
  SignalsTable,
  TransformOptions,
} from "./types.ts";
import { effectiveJobs, isImgSource, type MultiMapsMaskerParams } from "./config.ts";
import type { ExtractionPlan, FittedState, ResampleFn } from "./fitted_state.ts";
import { FittedMaps, type OverlapHistory } from "./fitted_maps.ts";
import type { SubjectResult } from "./extract_subject.ts";
import { gridOf, sameFov } from "./grid_check.ts";
import { type Extractor, inThreadExtractor, workerExtractor } from "./extractors.ts";
import { type Runner, schedule, type Settled } from "./scheduler.ts";
import type { SampleMask } from "../signal/sample_mask.ts";
import { isImage } from "./type_guards.ts";
import { makeLogger } from "./logger.ts";
import { warnOnce } from "../signal/warnings.ts";
import {
  checkAgainstReference,
  gridOfSource,
  openSubject,
  type RefGrid,
  sourceName,
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

  const maps = new FittedMaps({ state, buildMaps, fixedPlan, resample });
  const inThread = inThreadExtractor(state);
  const currentMaps = () => maps.current();
  const mapsGrid = state.mapsGrid;

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

  /** One subject of a call: where it is, its per-subject inputs, the history it runs with. */
  interface SubjectJob {
    readonly src: ImgSource;
    readonly index: number;
    readonly confounds: OneConfounds;
    readonly sampleMask: SampleMask | null;
    /** The list's reference grid (image #0's), or null for a single image and for image #0. */
    readonly refGrid: Promise<RefGrid | null> | null;
    readonly history: OverlapHistory;
  }

  async function runSubject(
    job: SubjectJob,
    extractor: Extractor,
    signal: AbortSignal | undefined,
  ): Promise<Matrix> {
    const { src, index } = job;
    if (signal?.aborted) throw abortError(signal, sourceName(src, index));
    const opened = await openSubject(src, index);
    try {
      const s = signal === undefined ? opened.source : abortable(opened.source, signal);
      if (job.refGrid !== null) checkAgainstReference(s, index, await job.refGrid);
      log(1, "transform", `extracting region signals from ${s.name}`);
      const plan = await maps.planFor(gridOf(s), job.history);
      plan.notes.forEach(note);
      const request = {
        confounds: await resolveConfounds(job.confounds, s.name),
        sampleMask: job.sampleMask,
      };
      const result = await extractor.extract(
        plan,
        { src, source: s, close: opened.close },
        request,
      );
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
    const job: SubjectJob = {
      src: img,
      index: 0,
      confounds: options.confounds as OneConfounds,
      sampleMask: sm as SampleMask | null,
      refGrid: null,
      history: maps.history,
    };
    return runSubject(job, inThread, options.signal);
  }

  async function settled(
    imgs: readonly ImgSource[],
    options: TransformOptions,
    nJobs: number,
    stopOnFailure: boolean,
  ): Promise<Settled<Matrix>[]> {
    if (!Array.isArray(imgs)) throw new TypeError("imgs: expected a list of images");
    if (imgs.length === 0) throw new RangeError("imgs: the list of images is empty");
    const confounds = perSubject<OneConfounds>(
      options.confounds as OneConfounds | readonly OneConfounds[],
      imgs.length,
      "confounds",
      isConfoundsEntry,
    );
    const masks = perSubject<SampleMask>(
      options.sampleMask as unknown as readonly SampleMask[] | null,
      imgs.length,
      "sampleMask",
      isSampleMaskEntry,
    );
    const { signal, onOutcome } = options;
    if (onOutcome !== undefined && typeof onOutcome !== "function") {
      throw new TypeError("onOutcome: expected a function (index, outcome) or undefined");
    }
    const jobs = effectiveJobs(nJobs);
    const lanes = Math.max(1, Math.min(jobs, imgs.length));
    const setup = (): Runner<Matrix> => {
      // The first image's grid is the reference (nilearn's iter_check_niimg). When collecting
      // outcomes, a first image that cannot be read does not fail the others.
      const refGrid: Promise<RefGrid | null> = gridOfSource(imgs[0]!, 0).catch((err) => {
        if (stopOnFailure) throw err;
        return null;
      });
      refGrid.catch(() => {});
      // Several subjects and jobs: one pool of web workers for the whole call, one subject per
      // worker at a time.
      const extractor = jobs > 1 && imgs.length > 1 ? workerExtractor(state, lanes) : inThread;
      return {
        run: (i) =>
          runSubject(
            {
              src: imgs[i]!,
              index: i,
              confounds: confounds[i],
              sampleMask: masks[i] ?? null,
              refGrid: i === 0 ? null : refGrid,
              // Separate jobs run on copies of the masker (see FittedMaps.snapshot).
              history: jobs === 1 ? maps.history : maps.snapshot(),
            },
            extractor,
            signal,
          ),
        stop: () => extractor.close(), // terminates the workers: subjects in flight stop at once
        close: () => extractor.close(),
      };
    };
    return await schedule<Matrix>({
      count: imgs.length,
      lanes,
      signal,
      stopOnFailure,
      onSettled: onOutcome === undefined ? undefined : (i, r) => onOutcome(i, toOutcome(r)),
      keepValues: options.keepValues !== false,
      emptyValue: () => ({ data: new Float64Array(0), shape: [0, 0] }),
      describe: (i) => `image #${i} (${sourceName(imgs[i]!, i)})`,
    }, setup);
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
      return maps.inverseTransform(regionSignals);
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
