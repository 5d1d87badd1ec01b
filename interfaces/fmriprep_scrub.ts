/**
 * Scrubbing (Power et al. 2014) as nilearn 0.11.1 does it: volumes whose framewise displacement
 * or standardized DVARS is strictly above its threshold are outliers (NaN, as in row 0, never
 * is); then, when `scrub` > 0, segments of kept volumes shorter than `scrub` are removed too: the
 * head before the first outlier, the tail after the last, and every segment between two.
 *
 * @module
 */

function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

/**
 * Add to sorted outlier indices the volumes of segments shorter than `scrub`.
 *
 * @param outliers outlier volume indices, sorted, distinct, at least one.
 * @param nScans number of volumes.
 * @param scrub minimal length of a kept segment, in volumes.
 * @returns the removed volumes, sorted and distinct.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { removeShortSegments } from "./fmriprep_scrub.ts";
 * // head 0-2 (3 < 4), middle 5 (1 < 4) removed; tail 7-12 (6 volumes) kept
 * deepStrictEqual(removeShortSegments([3, 4, 6], 13, 4), [0, 1, 2, 3, 4, 5, 6]);
 * ```
 */
export function removeShortSegments(
  outliers: readonly number[],
  nScans: number,
  scrub: number,
): number[] {
  let idx = [...outliers];
  const first = idx[0] as number;
  if (first < scrub) idx = [...range(0, first), ...idx];
  const last = idx[idx.length - 1] as number;
  if (nScans - (last + 1) < scrub) idx = [...idx, ...range(last, nScans)];
  const added: number[] = [];
  for (let i = 0; i + 1 < idx.length; i++) {
    const a = idx[i] as number;
    const b = idx[i + 1] as number;
    const gap = b - a;
    if (gap > 1 && gap < scrub + 1) added.push(...range(a + 1, b));
  }
  return [...new Set([...idx, ...added])].sort((a, b) => a - b);
}

/**
 * The volumes scrubbing removes.
 *
 * @param fd framewise displacement per volume, in mm (NaN never exceeds).
 * @param stdDvars standardized DVARS per volume.
 * @param fdThreshold FD threshold, in mm (strictly above is an outlier).
 * @param stdDvarsThreshold standardized DVARS threshold (strictly above is an outlier).
 * @param scrub minimal segment length in volumes (0: remove the outliers only).
 * @returns removed volume indices, sorted.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { scrubbedVolumes } from "./fmriprep_scrub.ts";
 * const fd = Float64Array.from([NaN, 0.1, 0.5, 0.2, 0.1, 0.1]);
 * const dvars = Float64Array.from([NaN, 1, 1, 1, 1, 4]);
 * deepStrictEqual(scrubbedVolumes(fd, dvars, 0.2, 3, 0), [2, 5]);
 * ```
 */
export function scrubbedVolumes(
  fd: Float64Array,
  stdDvars: Float64Array,
  fdThreshold: number,
  stdDvarsThreshold: number,
  scrub: number,
): number[] {
  const outliers: number[] = [];
  for (let t = 0; t < fd.length; t++) {
    if ((fd[t] as number) > fdThreshold || (stdDvars[t] as number) > stdDvarsThreshold) {
      outliers.push(t);
    }
  }
  if (scrub > 0 && outliers.length > 0) return removeShortSegments(outliers, fd.length, scrub);
  return outliers;
}
