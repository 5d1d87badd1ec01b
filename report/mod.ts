/**
 * Report: a self-contained HTML report of a fitted maps masker.
 *
 * @module
 */
export * from "./types.ts";
