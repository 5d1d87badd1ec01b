/**
 * Report: a self-contained HTML report of a fitted maps masker.
 *
 * @module
 */
export type { Affine, Image, Matrix, VoxelData } from "../types.ts";
export type { DisplayedMaps, MapsReportInput } from "./types.ts";
export {
  DEFAULT_DISPLAYED_MAPS,
  emptyReport,
  generateReport,
  type GenerateReportOptions,
  type MapsReport,
  resolveDisplayedMaps,
} from "./generate_report.ts";
