import type { MultiMapsMasker, MultiMapsMaskerConfig } from "./types.ts";

/**
 * Create a masker with the behaviour of nilearn 0.11.1's `MultiNiftiMapsMasker`.
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
  void config;
  throw new Error("multiMapsMasker is not implemented yet");
}
