/**
 * The `clean` options a maps masker passes through to `signal.clean` (nilearn's `clean__*`
 * keyword arguments).
 *
 * @module
 */

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
