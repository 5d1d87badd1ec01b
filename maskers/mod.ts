/**
 * Maskers: `multiMapsMasker`, the analog of nilearn's `MultiNiftiMapsMasker`.
 *
 * @module
 */
export * from "./types.ts";
export * from "./multi_maps_masker.ts";
