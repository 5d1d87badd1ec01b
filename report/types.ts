import type { Image, Matrix } from "../types.ts";
import type { ConnectivityPanel } from "./heatmap.ts";

export type { ConnectivityPanel };

/** Everything the maps report shows, gathered by the masker at fit/transform time. */
export interface MapsReportInput {
  /** Masker parameters to tabulate (camelCase name to value). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The fitted maps image (x, y, z, nMaps). */
  readonly mapsImg: Image;
  /** The fitted mask, on the maps grid, or null. */
  readonly maskImg: Image | null;
  /** 3D background on the maps grid (mean of the first fitted image, else the mask), or null. */
  readonly background: Image | null;
  /** Warnings raised during fit/transform, in order. */
  readonly warnings: readonly string[];
  /** The last transform's (time x nMaps) signals, or null when no transform ran. */
  readonly signals: Matrix | null;
  /** Repetition time (s) for the signal plots' time axis and spectra, or null. */
  readonly tR: number | null;
  /**
   * Where `background` comes from: "image" (mean of the first fitted image) or "mask" (fit got
   * no images; the report then warns, as nilearn does). Optional; omitted means "image".
   */
  readonly backgroundSource?: "image" | "mask";
  /**
   * Map names (one per map, in map order), used in headings, legends and heatmaps; omitted or
   * null means "map 0", "map 1"...
   */
  readonly labels?: readonly string[] | null;
  /** What `signals` were extracted from, e.g. "sub-01_task-rest" (shown with the plots). */
  readonly signalsSource?: string;
  /** Connectivity matrices to draw as heatmaps (one per kind computed). */
  readonly connectivity?: readonly ConnectivityPanel[];
}

/** Which maps a report displays: the first N (default 10), a list of indices, or "all". */
export type DisplayedMaps = number | readonly number[] | "all";
