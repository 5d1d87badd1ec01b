/**
 * Report: a self-contained HTML report of a fitted maps masker.
 *
 * @module
 */
export type { Affine, Image, Matrix, VoxelData } from "../types.ts";
export type { ConnectivityPanel, DisplayedMaps, MapsReportInput } from "./types.ts";
export {
  DEFAULT_DISPLAYED_MAPS,
  emptyReport,
  generateParticipantReport,
  generateReport,
  type GenerateReportOptions,
  type MapsReport,
  type ParticipantReportInput,
  type ParticipantRun,
  resolveDisplayedMaps,
} from "./generate_report.ts";
export { connectivityHeatmap, NAMED_REGIONS_LIMIT, rdbuColour } from "./heatmap.ts";
