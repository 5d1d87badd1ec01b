/**
 * Parameters of the maps masker: defaults and validation (done once, when a masker is created).
 *
 * nilearn 0.11.1's `MultiNiftiMapsMasker.__init__` only stores its arguments (scikit-learn
 * style); a value is checked when `fit`/`transform` use it. niimask follows that split:
 *
 * - Checked here, at creation: TYPES and names — unknown parameters, a number where a boolean
 *   is expected, a string cutoff, a non-string `dtype`, unknown `clean` options — things nilearn
 *   could never use; and `resamplingTarget` values, which nilearn 0.11.1's `__init__` does
 *   check (not one of "data", "mask", "maps", null; "mask" without `maskImg`).
 * - Checked at `fit` ({@link checkDtypeValue}), where nilearn casts the maps: `dtype` values
 *   (nilearn: "float16" HeaderDataError, unknown names TypeError, both at fit).
 * - Accepted here and checked where nilearn checks them (at `transform`, by `signal/clean`):
 *   VALUES whose type is right — `standardize: "l1"` (unknown strategy), `lowPass: 0` /
 *   `highPass: 0` (a Butterworth cutoff must be > 0), `tR` <= 0, `clean.filter` /
 *   `clean.butterworthPadtype` strings, `clean.butterworthOrder` < 1, a negative
 *   `clean.butterworthPadlen`, a `smoothingFwhm` list whose length is not 1 or 3.
 * - Accepted and used as nilearn uses them: `standardize: null` (kept as given, used as `false`),
 *   `clean.filter: null` (no filtering), `clean.butterworthPadtype: null` (no padding), a
 *   negative `highPass`/`lowPass` (raised to a tiny positive frequency with nilearn's warning),
 *   a negative `smoothingFwhm` (that axis is not smoothed), `null` entries in a
 *   `smoothingFwhm` list (0 = not smoothed).
 *
 * Deliberate deviations from nilearn (a clear error where nilearn silently does something
 * else):
 * - an unknown `clean` option (nilearn's `clean__foo=3` is silently ignored): an error naming
 *   it at creation, so a typo such as `clean.butterworthOrdr` does not go unnoticed;
 * - `dtype` other than null, "auto", "float32", "float64" fails at `fit`: an integer dtype
 *   makes nilearn cast the maps (weights in [0, 1]) to integers, i.e. to zero, and return
 *   all-zero signals; "float16" fails in nilearn at `fit` too (nibabel cannot store it).
 *
 * @module
 */
import { isImage } from "../image/check_image.ts";
import type { ImgSource } from "../image/load.ts";
import type { CleanKwargs, MultiMapsMaskerConfig } from "./types.ts";
import { checkImageArg } from "./validate_call.ts";

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

/** True when `v` is something {@link ImgSource} allows. */
export function isImgSource(v: unknown): v is ImgSource {
  if (typeof v === "string") return v.length > 0;
  if (v instanceof URL || v instanceof Uint8Array) return true;
  if (typeof Blob !== "undefined" && v instanceof Blob) return true;
  if (isImage(v)) return true;
  if (Array.isArray(v)) {
    return v.length > 0 &&
      v.every((x) => (typeof x === "string" && x.length > 0) || x instanceof URL || isImage(x));
  }
  return false;
}

function bool(name: string, v: unknown): void {
  if (typeof v !== "boolean") {
    throw new TypeError(`${name}: expected true or false, found ${quote(v)}`);
  }
}

function optNumber(name: string, v: unknown, unit: string): void {
  if (v === null) return;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${name}: expected a number (${unit}) or null, found ${quote(v)}`);
  }
}

/** A string (its value is checked where it is used), null, or `false` when `allowFalse`. */
function optString(name: string, v: unknown, expected: string, allowFalse = false): void {
  if (v === null || typeof v === "string" || (allowFalse && v === false)) return;
  throw new TypeError(
    `${name}: expected one of ${expected}${allowFalse ? ", false" : ""} or null, found ${quote(v)}`,
  );
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

/**
 * The `clean` options a masker passes through (nilearn's `clean__*` arguments); it sets the
 * other options of `clean` from its own parameters.
 */
export const CLEAN_KWARG_NAMES = [
  "filter",
  "extrapolate",
  "ensureFinite",
  "butterworthOrder",
  "butterworthPadtype",
  "butterworthPadlen",
] as const;

function validateClean(v: unknown): CleanKwargs {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new TypeError(`clean: expected an object of clean options, found ${quote(v)}`);
  }
  const c = v as Record<string, unknown>;
  const known: readonly string[] = CLEAN_KWARG_NAMES;
  for (const key of Object.keys(c)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `clean.${key}: unknown clean option; expected one of ${known.join(", ")}`,
      );
    }
  }
  // Values are checked by `clean` at transform, as nilearn does; types are checked here.
  if ("filter" in c) optString("clean.filter", c.filter, '"butterworth", "cosine"', true);
  if ("extrapolate" in c) bool("clean.extrapolate", c.extrapolate);
  if ("ensureFinite" in c) bool("clean.ensureFinite", c.ensureFinite);
  if ("butterworthOrder" in c) int("clean.butterworthOrder", c.butterworthOrder, -Infinity);
  if ("butterworthPadtype" in c) {
    optString("clean.butterworthPadtype", c.butterworthPadtype, '"odd", "even", "constant"');
  }
  if ("butterworthPadlen" in c && c.butterworthPadlen !== null) {
    int("clean.butterworthPadlen", c.butterworthPadlen, -Infinity);
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
  checkImageArg(p.mapsImg, "mapsImg"); // in-memory images: typed-array data, a valid shape
  checkImageArg(p.maskImg, "maskImg");
  bool("allowOverlap", p.allowOverlap);
  const fwhm = p.smoothingFwhm;
  if (fwhm !== null) {
    // nilearn: any number (<= 0: not smoothed) or a list of them (null entries = 0); a list
    // whose length does not match the 3 spatial axes fails at transform, as in nilearn.
    const isList = Array.isArray(fwhm);
    const list: unknown[] = isList ? fwhm : [fwhm];
    const ok = (!isList || list.length > 0) &&
      list.every((f) => (typeof f === "number" && Number.isFinite(f)) || (isList && f === null));
    if (!ok) {
      throw new TypeError(
        `smoothingFwhm: expected a number (mm), a list of numbers (one per axis) or null, found ${
          quote(fwhm)
        }`,
      );
    }
  }
  // nilearn treats None as False (kept as given; extraction reads it as false); other strings
  // are rejected by `clean` at transform.
  if (
    p.standardize !== null && typeof p.standardize !== "boolean" &&
    typeof p.standardize !== "string"
  ) {
    throw new TypeError(
      `standardize: expected true, false, null, "zscore", "zscore_sample" or "psc", found ${
        quote(p.standardize)
      }`,
    );
  }
  bool("standardizeConfounds", p.standardizeConfounds);
  bool("highVarianceConfounds", p.highVarianceConfounds);
  bool("detrend", p.detrend);
  // Ranges (cutoffs > 0 for a Butterworth filter, tR > 0) are checked by `clean` at transform.
  optNumber("lowPass", p.lowPass, "Hz");
  optNumber("highPass", p.highPass, "Hz");
  optNumber("tR", p.tR, "s");
  // The value is checked at fit (checkDtypeValue), where nilearn uses it.
  optString("dtype", p.dtype, '"auto", "float32", "float64"');
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

/**
 * Check a `dtype` value, at `fit` (where nilearn casts the maps and fails for "float16" or an
 * unknown name). Integer dtypes are rejected too (a deliberate deviation, see the module doc).
 *
 * @param dtype the masker's `dtype` parameter.
 * @throws RangeError unless null, "auto", "float32" or "float64".
 * @example
 * ```ts
 * import { checkDtypeValue } from "./config.ts";
 * checkDtypeValue("float32"); // ok
 * ```
 */
export function checkDtypeValue(dtype: unknown): void {
  if ([null, "auto", "float32", "float64"].includes(dtype as string | null)) return;
  throw new RangeError(
    `dtype: expected null, "auto", "float32" or "float64", found ${quote(dtype)}` +
      (typeof dtype === "string" && /^u?int/.test(dtype)
        ? " (an integer dtype would truncate the maps' weights to 0)"
        : ""),
  );
}

/** Number of concurrent subjects for `nJobs` (-1 = all cores, -2 = all but one, ...). */
export function effectiveJobs(nJobs: number): number {
  if (nJobs > 0) return nJobs;
  const cores = typeof navigator !== "undefined" && navigator.hardwareConcurrency
    ? navigator.hardwareConcurrency
    : 1;
  return Math.max(1, cores + 1 + nJobs);
}
