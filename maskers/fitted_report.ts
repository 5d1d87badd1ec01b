/**
 * The report of a fitted masker: what it shows (parameters, maps, mask, background, warnings,
 * the last signals), and the HTML page made by `report/` (imported on demand, so that builds
 * without the report module still extract).
 *
 * @module
 */
import type { Image, Matrix } from "../types.ts";
import type { DisplayedMaps, MapsReportInput } from "../report/types.ts";
import type { MaskerReport } from "./types.ts";
import type { MultiMapsMaskerParams } from "./config.ts";
import { sameGrid } from "../image/grid.ts";
import { isImage } from "../image/check_image.ts";

/** What the report input is made from, at the time it is asked for. */
export interface ReportSources {
  readonly params: MultiMapsMaskerParams;
  /** `maps_img_` now. */
  readonly mapsImg: Image;
  /** `mask_img_`, or null. */
  readonly maskImg: Image | null;
  readonly background: Image | null;
  readonly warnings: readonly string[];
  /** The last transform's signals, or null. */
  readonly signals: Matrix | null;
}

/** The report input of a fitted masker (in-memory images among the parameters named, not kept). */
export function reportInputOf(s: ReportSources): MapsReportInput {
  return {
    params: Object.fromEntries(
      Object.entries(s.params).map(([k, v]) => [k, isImage(v) ? "<in-memory image>" : v]),
    ),
    mapsImg: s.mapsImg,
    maskImg: s.maskImg !== null && sameGrid(s.maskImg, s.mapsImg) ? s.maskImg : null,
    background: s.background,
    warnings: [...s.warnings],
    signals: s.signals,
    tR: s.params.tR,
  };
}

/**
 * The HTML report of `input` (null: the masker keeps no report data), by `report/`'s
 * `generateReport`, imported on demand.
 */
export async function generateMaskerReport(
  input: MapsReportInput | null,
  displayedMaps: DisplayedMaps | undefined,
): Promise<MaskerReport> {
  if (input === null) {
    throw new Error(
      "generateReport: this masker was created with reports: false, so no report data was " +
        "kept; create it with reports: true to generate a report",
    );
  }
  const mod = await import("../report/mod.ts") as Record<string, unknown>;
  const gen = mod.generateReport;
  if (typeof gen !== "function") {
    throw new Error("generateReport: report generation is not available in this build");
  }
  return await gen(input, displayedMaps === undefined ? {} : { displayedMaps });
}
