import type { Image, Matrix } from "../types.ts";

/**
 * Least-squares signals of maps, as nilearn's `regions.img_to_signals_maps`.
 *
 * @param imgs 4D image (same grid as maps).
 * @param maps 4D maps image (x, y, z, nMaps).
 * @param mask optional 3D mask on the same grid (non-zero = inside).
 * @returns (time x maps) signals.
 * @example
 * ```ts ignore
 * const signals = imgToSignalsMaps(bold, maps, null);
 * ```
 */
export function imgToSignalsMaps(imgs: Image, maps: Image, mask: Image | null = null): Matrix {
  void imgs;
  void maps;
  void mask;
  throw new Error("imgToSignalsMaps is not implemented yet");
}

/**
 * Image from region signals and maps, as nilearn's `regions.signals_to_img_maps`.
 *
 * @param regionSignals (time x maps) signals.
 * @param maps 4D maps image.
 * @param mask optional 3D mask on the same grid.
 * @returns a 4D image (x, y, z, time).
 * @example
 * ```ts ignore
 * const img = signalsToImgMaps(signals, maps, null);
 * ```
 */
export function signalsToImgMaps(
  regionSignals: Matrix,
  maps: Image,
  mask: Image | null = null,
): Image {
  void regionSignals;
  void maps;
  void mask;
  throw new Error("signalsToImgMaps is not implemented yet");
}
