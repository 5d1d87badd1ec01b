/**
 * Signal cleaning with nilearn 0.11.1 semantics: detrending, filtering, confound regression,
 * standardization and scrubbing of (time x features) matrices.
 *
 * @module
 */
export * from "./clean.ts";
