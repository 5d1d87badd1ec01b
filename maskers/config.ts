/**
 * Parameters of the maps masker: defaults and validation (done once, when a masker is created).
 *
 * @module
 */
import type { ImgSource } from "../image/load.ts";
import type { CleanKwargs, MultiMapsMaskerConfig } from "./types.ts";

/** Every parameter of a maps masker, defaults filled in (what `params()` returns). */
export type MultiMapsMaskerParams =
  & Readonly<Required<Omit<MultiMapsMaskerConfig, "maskImg">>>
  & { readonly maskImg: ImgSource | null };

/** nilearn 0.11.1's defaults (camelCase), plus niimask's own options. */
export const DEFAULTS: Readonly<Omit<MultiMapsMaskerParams, "mapsImg">> = Object.freeze({
  maskImg: null,
  allowOverlap: true,
  smoothingFwhm: null,
  standardize: false,
  standardizeConfounds: true,
  highVarianceConfounds: false,
  detrend: false,
  lowPass: null,
  highPass: null,
  tR: null,
  dtype: null,
  resamplingTarget: "data",
  keepMaskedMaps: true,
  memory: null,
  memoryLevel: 0,
  verbose: 0,
  reports: true,
  nJobs: 1,
  clean: Object.freeze({}) as CleanKwargs,
  output: "matrix",
  labels: null,
});

const KNOWN = new Set<string>(["mapsImg", ...Object.keys(DEFAULTS)]);

function quote(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "undefined";
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (typeof v === "object" && v !== null) {
    try {
      const s = JSON.stringify(v);
      return s.length > 80 ? s.slice(0, 77) + "..." : s;
    } catch {
      return Object.prototype.toString.call(v);
    }
  }
  return String(v);
}

function isImageLike(v: unknown): boolean {
  return typeof v === "object" && v !== null && "data" in v && "shape" in v && "affine" in v;
}

/** True when `v` is something {@link ImgSource} allows. */
export function isImgSource(v: unknown): v is ImgSource {
  if (typeof v === "string") return v.length > 0;
  if (v instanceof URL || v instanceof Uint8Array) return true;
  if (isImageLike(v)) return true;
  if (Array.isArray(v)) {
    return v.length > 0 &&
      v.every((x) => (typeof x === "string" && x.length > 0) || x instanceof URL || isImageLike(x));
  }
  return false;
}

function bool(name: string, v: unknown): void {
  if (typeof v !== "boolean") {
    throw new TypeError(`${name}: expected true or false, found ${quote(v)}`);
  }
}

function optPositive(name: string, v: unknown, unit: string): void {
  if (v === null) return;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${name}: expected a number (${unit}) or null, found ${quote(v)}`);
  }
  if (!(v > 0)) throw new RangeError(`${name}: expected a number > 0 (${unit}), found ${v}`);
}

function oneOf(name: string, v: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(v)) {
    throw new RangeError(
      `${name}: expected one of ${allowed.map(quote).join(", ")}, found ${quote(v)}`,
    );
  }
}

function int(name: string, v: unknown, min: number): void {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${name}: expected an integer, found ${quote(v)}`);
  }
  if (v < min) throw new RangeError(`${name}: expected an integer >= ${min}, found ${v}`);
}

function validateClean(v: unknown): CleanKwargs {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new TypeError(`clean: expected an object of clean options, found ${quote(v)}`);
  }
  const c = v as Record<string, unknown>;
  const known = [
    "filter",
    "extrapolate",
    "ensureFinite",
    "butterworthOrder",
    "butterworthPadtype",
    "butterworthPadlen",
  ];
  for (const key of Object.keys(c)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `clean.${key}: unknown clean option; expected one of ${known.join(", ")}`,
      );
    }
  }
  if ("filter" in c) oneOf("clean.filter", c.filter, ["butterworth", "cosine", false]);
  if ("extrapolate" in c) bool("clean.extrapolate", c.extrapolate);
  if ("ensureFinite" in c) bool("clean.ensureFinite", c.ensureFinite);
  if ("butterworthOrder" in c) int("clean.butterworthOrder", c.butterworthOrder, 1);
  if ("butterworthPadtype" in c) {
    oneOf("clean.butterworthPadtype", c.butterworthPadtype, ["odd", "even", "constant"]);
  }
  if ("butterworthPadlen" in c && c.butterworthPadlen !== null) {
    int("clean.butterworthPadlen", c.butterworthPadlen, 0);
  }
  return Object.freeze({ ...c }) as CleanKwargs;
}

/**
 * Validate a masker configuration and fill in defaults.
 *
 * @param config the configuration given to `multiMapsMasker`.
 * @returns the frozen full parameter set.
 * @throws TypeError/RangeError naming the offending parameter.
 */
export function resolveParams(config: MultiMapsMaskerConfig): MultiMapsMaskerParams {
  if (typeof config !== "object" || config === null) {
    throw new TypeError(`multiMapsMasker: expected a config object, found ${quote(config)}`);
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN.has(key)) {
      throw new TypeError(
        `${key}: unknown masker parameter (known: ${[...KNOWN].join(", ")})`,
      );
    }
  }
  const given = Object.fromEntries(
    Object.entries(config).filter(([, v]) => v !== undefined),
  ) as Partial<MultiMapsMaskerConfig>;
  const p = { ...DEFAULTS, ...given } as Record<string, unknown>;
  if (!("mapsImg" in given) || !isImgSource(given.mapsImg)) {
    throw new TypeError(
      `mapsImg: expected a NIfTI path, URL, bytes or an image (x, y, z, maps), found ${
        quote(given.mapsImg)
      }`,
    );
  }
  if (p.maskImg !== null && !isImgSource(p.maskImg)) {
    throw new TypeError(
      `maskImg: expected a NIfTI path, URL, bytes, a 3D image or null, found ${quote(p.maskImg)}`,
    );
  }
  bool("allowOverlap", p.allowOverlap);
  const fwhm = p.smoothingFwhm;
  if (fwhm !== null) {
    const list = Array.isArray(fwhm) ? fwhm : [fwhm];
    if (Array.isArray(fwhm) && fwhm.length !== 3) {
      throw new RangeError(
        `smoothingFwhm: expected one number or 3 (one per axis, mm), found ${fwhm.length}`,
      );
    }
    for (const f of list) {
      if (typeof f !== "number" || !Number.isFinite(f)) {
        throw new TypeError(`smoothingFwhm: expected a number (mm) or null, found ${quote(fwhm)}`);
      }
      if (f < 0) throw new RangeError(`smoothingFwhm: expected values >= 0 mm, found ${f}`);
    }
  }
  oneOf("standardize", p.standardize, [false, true, "zscore", "zscore_sample", "psc"]);
  bool("standardizeConfounds", p.standardizeConfounds);
  bool("highVarianceConfounds", p.highVarianceConfounds);
  bool("detrend", p.detrend);
  optPositive("lowPass", p.lowPass, "Hz");
  optPositive("highPass", p.highPass, "Hz");
  optPositive("tR", p.tR, "s");
  oneOf("dtype", p.dtype, [null, "auto", "float32", "float64"]);
  oneOf("resamplingTarget", p.resamplingTarget, ["data", "mask", "maps", null]);
  if (p.resamplingTarget === "mask" && p.maskImg === null) {
    throw new RangeError(
      'resamplingTarget: "mask" but no mask has been provided (maskImg is null); ' +
        "set resamplingTarget to something else or provide a mask",
    );
  }
  bool("keepMaskedMaps", p.keepMaskedMaps);
  if (p.memory !== null && (typeof p.memory !== "string" || p.memory.length === 0)) {
    throw new TypeError(
      `memory: expected a cache directory path or null, found ${quote(p.memory)}`,
    );
  }
  int("memoryLevel", p.memoryLevel, 0);
  if (typeof p.verbose === "boolean") p.verbose = p.verbose ? 1 : 0;
  int("verbose", p.verbose, 0);
  bool("reports", p.reports);
  int("nJobs", p.nJobs, -Infinity);
  if (p.nJobs === 0) throw new RangeError("nJobs: expected a non-zero integer (-1 = all cores)");
  p.clean = validateClean(p.clean);
  oneOf("output", p.output, ["matrix", "table"]);
  if (p.labels !== null) {
    if (!Array.isArray(p.labels) || !p.labels.every((s) => typeof s === "string")) {
      throw new TypeError(`labels: expected a list of strings (one per map) or null`);
    }
    p.labels = Object.freeze([...p.labels]);
  }
  if (Array.isArray(p.smoothingFwhm)) p.smoothingFwhm = Object.freeze([...p.smoothingFwhm]);
  return Object.freeze(p) as unknown as MultiMapsMaskerParams;
}

/** Number of concurrent subjects for `nJobs` (-1 = all cores, -2 = all but one, ...). */
export function effectiveJobs(nJobs: number): number {
  if (nJobs > 0) return nJobs;
  const cores = typeof navigator !== "undefined" && navigator.hardwareConcurrency
    ? navigator.hardwareConcurrency
    : 1;
  return Math.max(1, cores + 1 + nJobs);
}
