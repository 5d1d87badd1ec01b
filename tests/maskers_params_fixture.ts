/**
 * The extraction parameters the masker tests build fitted states from: the masker's defaults
 * (nilearn 0.11.1's), so a state only projects (no smoothing, no cleaning, float as given).
 */
import { DEFAULTS, type MultiMapsMaskerParams } from "../maskers/config.ts";
import { type ExtractionParams, extractionParams } from "../maskers/fitted_state.ts";

/** The masker's default extraction parameters (a fresh object; spread it to change some). */
export const DEFAULT_EXTRACTION_PARAMS: ExtractionParams = extractionParams(
  DEFAULTS as MultiMapsMaskerParams,
);
