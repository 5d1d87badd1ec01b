import type { Image, Matrix, VoxelData } from "../types.ts";
import { type ImgSource, loadImg, openNifti } from "../image/load.ts";
import {
  makeMapsProjector,
  type MapsProjector,
  projectorToVoxels,
  signalsToImgMaps,
} from "../image/maps_projection.ts";
import type { DisplayedMaps, MapsReportInput } from "../report/types.ts";
import type {
  ConfoundsSource,
  FittedMultiMapsMasker,
  MaskerReport,
  MultiMapsMasker,
  MultiMapsMaskerConfig,
  SignalsTable,
  SubjectOutcome,
  TransformOptions,
} from "./types.ts";
import {
  checkDtypeValue,
  effectiveJobs,
  isImgSource,
  type MultiMapsMaskerParams,
  resolveParams,
} from "./config.ts";
import {
  type ExtractionParams,
  type ExtractionPlan,
  type FittedState,
  makePlan,
  plainResample,
  type ResampleFn,
} from "./fitted_state.ts";
import { compactMaps, expandMaps, LazyImage } from "./compact_maps.ts";
import {
  extractSubject,
  imageSource,
  rereadNifti,
  type SubjectResult,
  type VolumeSource,
} from "./extract_subject.ts";
import { describeGrid, gridKey, gridOf, type GridSpec, sameFov } from "./grid_check.ts";
import { cachedImage, hashParts, imageHash } from "./cache.ts";
import { ExtractPool } from "./worker_pool.ts";
import type { WorkerSource } from "./worker_protocol.ts";
import { highVarianceConfounds } from "../image/high_variance_confounds.ts";
import { loadConfounds } from "../signal/confounds_file.ts";

const WHO = "MultiMapsMasker";

function isImage(v: unknown): v is Image {
  return typeof v === "object" && v !== null && "data" in v && "shape" in v && "affine" in v &&
    !Array.isArray(v);
}

function isMatrix(v: unknown): v is Matrix {
  return typeof v === "object" && v !== null && "data" in v && "shape" in v &&
    !("affine" in v) && Array.isArray((v as Matrix).shape) && (v as Matrix).shape.length === 2;
}

function sourceName(src: ImgSource, index: number): string {
  if (typeof src === "string") return src;
  if (src instanceof URL) return src.href;
  return `image #${index}`;
}

/** Verbose logger: messages at `level` print to stderr when `verbose >= level`. */
function makeLogger(verbose: number): (level: number, where: string, msg: string) => void {
  return (level, where, msg) => {
    if (verbose >= level) console.error(`[${WHO}.${where}] ${msg}`);
  };
}

// ---------------------------------------------------------------------------------------------
// Loading

async function loadAnyImage(src: ImgSource, what: string): Promise<Image & { dtype?: string }> {
  if (isImage(src)) return src;
  try {
    return await loadImg(src);
  } catch (err) {
    if (err instanceof Error && !err.message.includes(what)) {
      err.message = `${what}: ${err.message}`;
    }
    throw err;
  }
}

function nonFiniteToZero(
  img: Image,
  float32: boolean,
): { img: Image; replaced: number } {
  const src = img.data;
  const out = float32 ? new Float32Array(src.length) : new Float64Array(src.length);
  let replaced = 0;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (Number.isFinite(v)) out[i] = v;
    else replaced++;
  }
  return { img: { data: out, shape: img.shape, affine: Float64Array.from(img.affine) }, replaced };
}

/** Whether maps end up float32 in nilearn (their eps drives the overlap check). */
function mapsAreFloat32(img: Image & { dtype?: string }, dtype: MultiMapsMaskerParams["dtype"]) {
  if (dtype === "float32") return true;
  if (dtype === "float64") return false;
  const onDisk = img.dtype ?? (img.data instanceof Float32Array ? "float32" : "float64");
  if (dtype === "auto") return !/^int/.test(onDisk);
  return onDisk === "float32";
}

function to4dMaps(img: Image): Image {
  if (img.shape.length === 3) return { ...img, shape: [...img.shape, 1] };
  if (img.shape.length === 4) return img;
  throw new TypeError(
    `mapsImg: expected a 4D image (x, y, z, maps) or a 3D image (one map), found shape [${
      img.shape.join(", ")
    }]`,
  );
}

function to3dMask(img: Image): Image {
  if (img.shape.length === 3) return img;
  if (img.shape.length === 4 && img.shape[3] === 1) return { ...img, shape: img.shape.slice(0, 3) };
  throw new TypeError(
    `maskImg: expected a 3D image, found shape [${img.shape.join(", ")}]`,
  );
}

interface OpenedSource {
  readonly source: VolumeSource;
  close(): Promise<void>;
}

async function openSubject(src: ImgSource, index: number): Promise<OpenedSource> {
  const name = sourceName(src, index);
  if (isImage(src)) return { source: imageSource(src, name), close: () => Promise.resolve() };
  if (Array.isArray(src)) {
    const img = await loadImg(src);
    return { source: imageSource(img, name), close: () => Promise.resolve() };
  }
  if (typeof src === "string" || src instanceof URL || src instanceof Uint8Array) {
    const stream = await openNifti(src);
    return {
      source: {
        shape: stream.shape,
        affine: stream.affine,
        name,
        dtype: stream.dtype,
        scaled: stream.header?.scaling != null,
        volumes: () => stream.volumes({ reuse: true }), // consumed volume by volume
        reread: () => rereadNifti(src),
      },
      close: () => stream.close(),
    };
  }
  throw new TypeError(
    `imgs: expected a NIfTI path, URL, bytes or an image for ${name}, found ${typeof src}`,
  );
}

/** How a worker reads a subject (null: extract in this thread, e.g. a list of images). */
function workerSource(src: ImgSource, name: string): WorkerSource | null {
  if (typeof src === "string") return { kind: "path", path: src, name };
  if (src instanceof URL) return { kind: "url", href: src.href, name };
  if (src instanceof Uint8Array) return { kind: "bytes", bytes: src, name };
  if (isImage(src)) return { kind: "image", image: src, name };
  return null;
}

/** The grid of a list's first image, and its dimensionality (the list's reference). */
type RefGrid = GridSpec & { readonly ndim: number };

async function gridOfSource(src: ImgSource, index: number): Promise<RefGrid> {
  const opened = await openSubject(src, index);
  try {
    return { ...gridOf(opened.source), ndim: opened.source.shape.length };
  } finally {
    await opened.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Abort and outcomes

/** The error of a subject stopped by an abort signal (`name` "AbortError", `cause` the reason). */
function abortError(signal: AbortSignal | undefined, what: string): Error {
  const err = new Error(`${what}: not extracted, the transform was aborted`, {
    cause: signal?.reason,
  });
  err.name = "AbortError";
  return err;
}

function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === "AbortError";
}

/** A volume source that stops (AbortError) at the next volume once `signal` is aborted. */
function abortable(src: VolumeSource, signal: AbortSignal): VolumeSource {
  const guard = (volumes: () => AsyncIterable<VoxelData>) =>
    async function* () {
      for await (const vol of volumes()) {
        if (signal.aborted) throw abortError(signal, src.name);
        yield vol;
      }
    };
  const reread = src.reread;
  return {
    ...src,
    volumes: guard(() => src.volumes()),
    ...(reread !== undefined ? { reread: guard(() => reread.call(src)) } : {}),
  };
}

const outcomes = new WeakMap<PromiseSettledResult<Matrix>, SubjectOutcome>();

/** The outcome of a settled subject (the same object each time: `onOutcome` gets the returned one). */
function toOutcome(o: PromiseSettledResult<Matrix>): SubjectOutcome {
  let outcome = outcomes.get(o);
  if (outcome === undefined) {
    outcome = o.status === "fulfilled"
      ? { ok: true, value: o.value }
      : { ok: false, error: o.reason instanceof Error ? o.reason : new Error(String(o.reason)) };
    outcomes.set(o, outcome);
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Per-call argument normalization

type OneConfounds = ConfoundsSource | readonly ConfoundsSource[] | null | undefined;

async function resolveConfounds(spec: OneConfounds, name: string): Promise<Matrix[]> {
  if (spec === null || spec === undefined) return [];
  const list: readonly unknown[] = Array.isArray(spec) ? spec : [spec];
  const out: Matrix[] = [];
  for (const entry of list) {
    if (entry === null || entry === undefined) continue;
    if (typeof entry === "string" || entry instanceof URL) {
      out.push(await loadConfounds(entry));
    } else if (isMatrix(entry)) {
      if (entry.data.length !== entry.shape[0] * entry.shape[1]) {
        throw new TypeError(
          `confounds for ${name}: matrix data length ${entry.data.length} does not match shape [${
            entry.shape.join(", ")
          }]`,
        );
      }
      out.push(entry);
    } else {
      throw new TypeError(
        `confounds for ${name}: expected a matrix { data, shape }, a CSV/TSV path or null`,
      );
    }
  }
  return out;
}

function perSubject<T>(
  value: T | readonly T[] | null | undefined,
  n: number,
  what: string,
  isEntry: (v: unknown) => boolean,
): (T | null)[] {
  if (value === null || value === undefined) return Array.from({ length: n }, () => null);
  if (
    !Array.isArray(value) || value.length !== n || !value.every((v) => v === null || isEntry(v))
  ) {
    throw new TypeError(
      `${what}: for a list of ${n} images, expected null or a list of ${n} entries (one per image)`,
    );
  }
  return value as (T | null)[];
}

function isSampleMaskEntry(v: unknown): boolean {
  return typeof v === "object" && v !== null && "length" in v &&
    ((v as ArrayLike<unknown>).length === 0 ||
      typeof (v as ArrayLike<unknown>)[0] === "number" ||
      typeof (v as ArrayLike<unknown>)[0] === "boolean");
}

function isConfoundsEntry(v: unknown): boolean {
  return typeof v === "string" || v instanceof URL || isMatrix(v) ||
    (Array.isArray(v) && v.every((x) => x === null || isConfoundsEntry(x)));
}

// ---------------------------------------------------------------------------------------------
// The factory

/**
 * Create a masker with the behaviour of nilearn 0.11.1's `MultiNiftiMapsMasker`: one time series
 * per map (least squares of each volume on the maps), cleaned per subject.
 *
 * Parameters are validated here, once (TypeError/RangeError naming the parameter). The masker is
 * immutable: `fit` resolves to a new fitted masker, `with` returns a new unfitted one.
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
 * @example
 * ```ts ignore
 * const fitted = await multiMapsMasker({ mapsImg: "maps.nii.gz" }).fit();
 * const signals = await fitted.transform("bold.nii.gz");
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
    fit: (imgs) => fitMasker(params, imgs ?? null),
    fitTransform: (async (imgs: ImgSource | readonly ImgSource[], options?: TransformOptions) => {
      const fitted = await fitMasker(params, imgs);
      return await fitted.transform(imgs as ImgSource, options);
    }) as MultiMapsMasker["fitTransform"],
  };
  return Object.freeze(masker);
}

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
  for (let q = 0; q < p.colIdx.length; q++) present[p.labels[p.colIdx[q]!]!] = 1;
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

async function fitMasker(
  params: MultiMapsMaskerParams,
  imgs: ImgSource | readonly ImgSource[] | null,
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
  const rawMaps = await loadAnyImage(params.mapsImg, "mapsImg");
  checkDtypeValue(params.dtype); // as nilearn: the maps are cast to it once loaded
  const mapsFloat32 = mapsAreFloat32(rawMaps, params.dtype);
  const maps4 = to4dMaps(rawMaps);
  const { img: mapsClean, replaced } = nonFiniteToZero(maps4, mapsFloat32);
  if (replaced > 0) {
    warnings.push(`Non-finite values detected in the maps (${replaced}): replaced with zeros.`);
  }
  let mapsImg: Image = mapsClean;
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
      mapsImg = await resample(mapsImg, gridOf(maskImg), "continuous");
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
    : await makePlan(state, mapsImg, null, resample);
  // The fitted masker keeps the projector and a compact exact copy of the maps as loaded (sparse
  // unless dense is smaller); maps_img_ is rebuilt from it on demand, resampled again (the same
  // deterministic computation, so the same values) when fit resampled it.
  const compact = compactMaps(mapsClean);
  const resampledTo = mapsImg !== mapsClean ? gridOf(mapsImg) : null;
  const buildMaps = (): Image =>
    resampledTo === null
      ? expandMaps(compact)
      : resampleNow(expandMaps(compact), resampledTo, "continuous");
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

  return makeFitted(params, state, buildMaps, fixedPlan, resample, warnings, background);
}

/** Resampling without the cache (maps stay float32 when they were). */
function resampleNow(img: Image, grid: GridSpec, interpolation: "continuous" | "nearest"): Image {
  const out = plainResample(img, grid, interpolation) as Image;
  return img.data instanceof Float32Array && !(out.data instanceof Float32Array)
    ? { ...out, data: Float32Array.from(out.data) }
    : out;
}

function makeFitted(
  params: MultiMapsMaskerParams,
  state: FittedState,
  buildMaps: () => Image,
  fixedPlan: ExtractionPlan | null,
  resample: ResampleFn,
  fitWarnings: readonly string[],
  background: Image | null,
): FittedMultiMapsMasker {
  const log = makeLogger(params.verbose);
  const base = unfitted(params);
  const plans = new Map<string, Promise<ExtractionPlan>>();
  const report = {
    warnings: fitWarnings as string[], // shared with fit: cache warnings may come at transform
    signals: null as Matrix | null,
  };
  const seenNotes = new Set<string>();

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
  const clippedLazy = params.allowOverlap ? rawLazy : new LazyImage(() => {
    const raw = rawLazy.get();
    const eps = state.mapsFloat32 ? 2 ** -23 : 2 ** -52;
    const d = raw.data;
    const c = state.mapsFloat32 ? new Float32Array(d.length) : new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) c[i] = d[i]! < eps ? 0 : d[i]!;
    return { data: c, shape: raw.shape, affine: raw.affine };
  });
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
      for (const note of plan.notes) {
        if (!seenNotes.has(note)) {
          seenNotes.add(note);
          report.warnings.push(note);
        }
      }
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
        result = await extractSubject(state, plan, s, request, highVarianceConfounds);
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
