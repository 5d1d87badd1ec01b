/**
 * Non-finite values (NaN, ±Infinity) in a subject's data or in the mask: extraction treats them
 * as 0 (data) or outside (mask), and says so with nilearn 0.11.1's warning, raised where nilearn
 * raises it (`img_to_signals_maps`, once per transformed image) and shown through the masker's
 * warning channel (printed once, kept for the report).
 *
 * @module
 */

/**
 * nilearn 0.11.1's warning text (`_utils.niimg.safe_get_data(..., ensure_finite=True)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NON_FINITE_WARNING } from "./non_finite.ts";
 * assert.match(NON_FINITE_WARNING, /^Non-finite values detected\./);
 * ```
 */
export const NON_FINITE_WARNING =
  "Non-finite values detected. These values will be replaced with zeros.";

export { hasNonFinite } from "../image/finite_scan.ts";
