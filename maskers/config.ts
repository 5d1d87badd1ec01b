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
import type { ImgSource } from "../image/load.ts";
import type { CleanKwargs, MultiMapsMaskerConfig } from "./types.ts";
import { MASKER_PARAMS } from "./param_table.ts";
import { quote } from "./param_checks.ts";

export { CLEAN_KWARG_NAMES } from "./clean_kwargs.ts";
export { isImgSource } from "./param_checks.ts";

/** Every parameter of a maps masker, defaults filled in (what `params()` returns). */
export type MultiMapsMaskerParams =
  & Readonly<Required<Omit<MultiMapsMaskerConfig, "maskImg">>>
  & { readonly maskImg: ImgSource | null };

/**
 * nilearn 0.11.1's defaults (camelCase), plus niimask's own options: each parameter's `default`
 * in the parameter table (`param_table.ts`).
 */
export const DEFAULTS: Readonly<Omit<MultiMapsMaskerParams, "mapsImg">> = Object.freeze(
  Object.fromEntries(
    MASKER_PARAMS.filter((p) => "default" in p).map((p) => [p.name, p.default]),
  ) as Omit<MultiMapsMaskerParams, "mapsImg"> & { clean: CleanKwargs },
);

const KNOWN = new Set<string>(MASKER_PARAMS.map((p) => p.name));

/**
 * Validate a masker configuration and fill in defaults: each parameter's type check from the
 * parameter table (`param_table.ts`), in the table's order.
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
  for (const spec of MASKER_PARAMS) p[spec.name] = spec.check(p[spec.name], p);
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
