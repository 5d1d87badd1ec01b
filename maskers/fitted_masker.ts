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
import { effectiveJobs, type MultiMapsMaskerParams } from "./config.ts";
import type { FittedState } from "./fitted_state.ts";
import type { MaskerWarnings } from "./masker_warnings.ts";
import type { FittedMaps, OverlapHistory } from "./fitted_maps.ts";
import type { SubjectResult } from "./extract_subject.ts";
import { gridOf } from "./grid_check.ts";
import {
  type Extractor,
  inThreadExtractor,
  type OpenedSubject,
  workerExtractor,
} from "./extractors.ts";
import { type Runner, schedule, type Settled } from "./scheduler.ts";
import type { SampleMask } from "../signal/sample_mask.ts";
import { generateMaskerReport, reportInputOf } from "./fitted_report.ts";
import { makeLogger } from "./logger.ts";
import { warnOnce } from "../signal/warnings.ts";
import { checkAgainstReference, ListReference, sourceName } from "./subject_sources.ts";
import { abortError, isAbortError } from "./abort.ts";
import { toOutcome } from "./outcomes.ts";
import { checkJobs, checkSingleImgs } from "./validate_call.ts";
import {
  listArgs,
  type OneConfounds,
  resolveConfounds,
  type SingleArgs,
  singleArgs,
} from "./transform_args.ts";

/** What fit hands over to the fitted masker. */
export interface FittedParts {
  /** The masker's parameters. */
  readonly params: MultiMapsMaskerParams;
  /** The unfitted masker the fitted one extends. */
  readonly base: MultiMapsMasker;
  /** The fitted state (plain data, posted to workers). */
  readonly state: FittedState;
  /** The fitted maps and their overlap history. */
  readonly maps: FittedMaps;
  /** The report's warnings; fit's resampling cache may still add to them at transform. */
  readonly warnings: MaskerWarnings;
  /** The report background, or null. */
  readonly background: Image | null;
}

/** The fitted masker of `fitMasker`: a facade over its fitted maps, extractors and scheduler. */
export function makeFitted(parts: FittedParts): FittedMultiMapsMasker {
  const { params, base, state, maps, warnings, background } = parts;
  const log = makeLogger(params.verbose);
  /** The last transform's signals (report data). */
  let lastSignals: Matrix | null = null;
  const inThread = inThreadExtractor(state);

  function columnsOf(labels: Int32Array): string[] {
    return Array.from(labels, (j) => params.labels?.[j] ?? `map_${j}`);
  }

  function output(r: SubjectResult): Matrix {
    lastSignals = r.signals;
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
    /** The list's reference (image #0's grid), or null for a single image. */
    readonly reference: ListReference | null;
    readonly history: OverlapHistory;
  }

  async function runSubject(
    job: SubjectJob,
    extractor: Extractor,
    signal: AbortSignal | undefined,
  ): Promise<Matrix> {
    const { src, index } = job;
    const { reference } = job;
    let subject: OpenedSubject;
    try {
      if (signal?.aborted) throw abortError(signal, sourceName(src, index));
      subject = await extractor.open(src, index, signal);
    } catch (err) {
      if (index === 0) reference?.failed(err);
      throw err;
    }
    try {
      if (reference !== null) {
        if (index === 0) reference.opened(subject);
        else checkAgainstReference(subject, index, await reference.grid);
      }
      log(1, "transform", `extracting region signals from ${subject.name}`);
      const plan = await maps.planFor(gridOf(subject), job.history);
      for (const n of plan.notes) warnings.add(n);
      const request = {
        confounds: await resolveConfounds(job.confounds, subject.name),
        sampleMask: job.sampleMask,
      };
      const result = await subject.extract(plan, request);
      // Cleaning warnings (nilearn's Python warnings): shown once, and kept for the report.
      for (const w of result.warnings) if (warnings.add(w)) warnOnce(w);
      log(2, "transform", `${subject.name}: ${result.signals.shape.join(" x ")} signals`);
      return output(result);
    } finally {
      await subject.close();
    }
  }

  function transformSingle(img: ImgSource, options: TransformOptions = {}): Promise<Matrix> {
    let args: SingleArgs;
    try {
      args = singleArgs(img, options);
    } catch (err) {
      return Promise.reject(err);
    }
    const job: SubjectJob = { src: img, index: 0, ...args, reference: null, history: maps.history };
    return runSubject(job, inThread, options.signal);
  }

  async function settled(
    imgs: readonly ImgSource[],
    options: TransformOptions,
    nJobs: number,
    stopOnFailure: boolean,
  ): Promise<Settled<Matrix>[]> {
    const { confounds, masks } = listArgs(imgs, options);
    const { signal, onOutcome } = options;
    const jobs = effectiveJobs(checkJobs(nJobs, params.nJobs));
    const lanes = Math.max(1, Math.min(jobs, imgs.length));
    const setup = (): Runner<Matrix> => {
      // The first image's grid is the reference (nilearn's iter_check_niimg). When collecting
      // outcomes, a first image that cannot be read does not fail the others.
      const reference = new ListReference(!stopOnFailure);
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
              reference,
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
      return maps.current();
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
    transformSingleImgs: (img, options = {}) =>
      checkSingleImgs(img).then(() => transformSingle(img, options)),
    inverseTransform: (regionSignals) => {
      log(1, "inverseTransform", "computing image from signals");
      return maps.inverseTransform(regionSignals);
    },
    reportInput: (): MapsReportInput | null =>
      params.reports
        ? reportInputOf({
          params,
          mapsImg: maps.current(),
          maskImg: state.maskImg,
          background,
          warnings: warnings.list(),
          signals: lastSignals,
        })
        : null,
    generateReport: (displayedMaps?: DisplayedMaps): Promise<MaskerReport> =>
      generateMaskerReport(fitted.reportInput(), displayedMaps),
  };
  return Object.freeze(fitted);
}
