/**
 * Report: a self-contained HTML report of a fitted maps masker.
 *
 * @module
 */
export * from "./types.ts";
export {
  DEFAULT_DISPLAYED_MAPS,
  emptyReport,
  generateReport,
  type GenerateReportOptions,
  type MapsReport,
  resolveDisplayedMaps,
} from "./generate_report.ts";
