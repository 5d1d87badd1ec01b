/**
 * The noise components of nilearn 0.11.1's `load_confounds`: which columns of the confounds table
 * each one takes, and what happens when they are missing.
 *
 * - motion (`trans_x/y/z`, `rot_x/y/z`), wm_csf (`csf`, `white_matter`), global_signal: the base
 *   columns plus the level's suffixes (`_derivative1`, `_power2`, `_derivative1_power2`). All
 *   absent: the component is reported missing; some absent: motion reports the columns, wm_csf
 *   and global_signal fail at once (pandas' KeyError in nilearn).
 * - high_pass: every column containing `cosine` (none is fine); ica_aroma "basic": every column
 *   containing `aroma` (none is missing), "full": nothing; non_steady_state: every column
 *   containing `non_steady_state`; compcor: see `fmriprep_compcor.ts`.
 * - scrub: one-hot `motion_outlier_N` columns of the scrubbed volumes (`fmriprep_scrub.ts`).
 *
 * @module
 */
import type { ConfoundsTable } from "./fmriprep_tsv.ts";
import { EMPTY_FRAME, type Frame } from "./fmriprep_output.ts";
import { compcorColumns } from "./fmriprep_compcor.ts";
import { scrubbedVolumes } from "./fmriprep_scrub.ts";
import { MissingConfoundsError } from "./fmriprep_errors.ts";

/** Missing columns and components, collected over the strategy and reported together. */
export interface Missing {
  readonly columns: string[];
  readonly keywords: string[];
}

/** The `loadConfounds` options that choose the components' columns (as given, checked here). */
export interface ComponentOptions {
  readonly motion: unknown;
  readonly wmCsf: unknown;
  readonly globalSignal: unknown;
  readonly compcor: unknown;
  readonly nCompcor: unknown;
  readonly icaAroma: unknown;
  readonly scrub: unknown;
  readonly fdThreshold: unknown;
  readonly stdDvarsThreshold: unknown;
}

/** What a component may need besides the table. */
export interface ComponentParams extends ComponentOptions {
  /** The parsed JSON sidecar, or null when there is none. */
  readonly json: unknown;
  /** The JSON sidecar's path (for messages). */
  readonly jsonFile: string;
}

const SUFFIXES: Record<string, readonly string[]> = {
  basic: [],
  derivatives: ["derivative1"],
  power2: ["power2"],
  full: ["derivative1", "power2", "derivative1_power2"],
};

function expand(base: readonly string[], level: unknown, option: string): string[] {
  const suffixes = typeof level === "string" && Object.hasOwn(SUFFIXES, level)
    ? SUFFIXES[level] as readonly string[]
    : undefined;
  if (suffixes === undefined) {
    throw new RangeError(
      `${option}: expected one of ${Object.keys(SUFFIXES).join(", ")}, found ${
        JSON.stringify(level) ?? String(level)
      }`,
    );
  }
  return [...base, ...base.flatMap((b) => suffixes.map((s) => `${b}_${s}`))];
}

function frameOf(table: ConfoundsTable, columns: readonly string[]): Frame {
  if (columns.length === 0) return EMPTY_FRAME;
  return {
    rows: table.rows,
    columns: [...columns],
    values: columns.map((c) => table.values[table.columns.indexOf(c)] as Float64Array),
  };
}

function containing(table: ConfoundsTable, key: string): string[] {
  return table.columns.filter((c) => c.includes(key));
}

/**
 * Columns that must all be present: all absent → the component is missing; some absent →
 * `partial` decides (collect them, or fail now as pandas does).
 */
function required(
  table: ConfoundsTable,
  columns: readonly string[],
  component: string,
  missing: Missing,
  partial: "collect" | "throw",
): Frame {
  const absent = columns.filter((c) => !table.columns.includes(c));
  if (absent.length === columns.length) {
    missing.keywords.push(component);
    return EMPTY_FRAME;
  }
  if (absent.length > 0) {
    if (partial === "throw") throw new MissingConfoundsError(table.file, absent, []);
    missing.columns.push(...absent);
    return EMPTY_FRAME;
  }
  return frameOf(table, columns);
}

function numberParam(value: unknown, name: string): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`${name}: expected a number, found ${String(value)}`);
  }
  return value;
}

function columnValues(table: ConfoundsTable, name: string): Float64Array {
  const i = table.columns.indexOf(name);
  if (i < 0) throw new MissingConfoundsError(table.file, [name], []);
  return table.values[i] as Float64Array;
}

function scrubFrame(table: ConfoundsTable, p: ComponentParams): Frame {
  const scrub = numberParam(p.scrub, "scrub");
  const fdThreshold = numberParam(p.fdThreshold, "fdThreshold");
  const dvarsThreshold = numberParam(p.stdDvarsThreshold, "stdDvarsThreshold");
  const fd = columnValues(table, "framewise_displacement");
  const dvars = columnValues(table, "std_dvars");
  const removed = scrubbedVolumes(fd, dvars, fdThreshold, dvarsThreshold, scrub);
  return {
    rows: table.rows,
    columns: removed.map((_, i) => `motion_outlier_${i}`),
    values: removed.map((t) => {
      const v = new Float64Array(table.rows);
      v[t] = 1;
      return v;
    }),
  };
}

/**
 * The columns of one noise component.
 *
 * @param table the confounds table.
 * @param component a strategy component (checked beforehand).
 * @param p the component's parameters.
 * @param missing collects missing columns and components (reported after the whole strategy).
 * @returns the component's columns (the empty frame when it adds none).
 * @throws RangeError for an unknown level, compcor flavour or ICA-AROMA option; TypeError for a
 *   parameter of the wrong type; MissingConfoundsError for partially missing wm_csf,
 *   global_signal or compcor columns and for scrubbing without FD/DVARS columns.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { componentFrame } from "./fmriprep_components.ts";
 * import { parseFmriprepConfounds } from "./fmriprep_tsv.ts";
 * const table = parseFmriprepConfounds("csf\twhite_matter\tcosine00\n1\t2\t3\n", "c.tsv");
 * const missing = { columns: [], keywords: [] };
 * const p = { wmCsf: "basic" } as unknown as Parameters<typeof componentFrame>[2];
 * deepStrictEqual(componentFrame(table, "wm_csf", p, missing).columns, ["csf", "white_matter"]);
 * ```
 */
export function componentFrame(
  table: ConfoundsTable,
  component: string,
  p: ComponentParams,
  missing: Missing,
): Frame {
  switch (component) {
    case "motion": {
      const base = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"];
      return required(table, expand(base, p.motion, "motion"), "motion", missing, "collect");
    }
    case "wm_csf": {
      const columns = expand(["csf", "white_matter"], p.wmCsf, "wmCsf");
      return required(table, columns, "wm_csf", missing, "throw");
    }
    case "global_signal": {
      const columns = expand(["global_signal"], p.globalSignal, "globalSignal");
      return required(table, columns, "global_signal", missing, "throw");
    }
    case "compcor": {
      if (typeof p.compcor !== "string") {
        throw new TypeError(`compcor: expected a string, found ${String(p.compcor)}`);
      }
      const nCompcor = p.nCompcor as number | "all";
      const columns = compcorColumns(p.json, p.compcor, nCompcor, p.jsonFile);
      return required(table, columns, "compcor", missing, "throw");
    }
    case "high_pass":
      return frameOf(table, containing(table, "cosine"));
    case "non_steady_state":
      return frameOf(table, containing(table, "non_steady_state"));
    case "ica_aroma": {
      if (p.icaAroma === "full") return EMPTY_FRAME;
      if (p.icaAroma !== "basic") {
        throw new RangeError(
          `icaAroma: please select an option when using the ICA-AROMA strategy ("full" or ` +
            `"basic"), found ${JSON.stringify(p.icaAroma) ?? String(p.icaAroma)}`,
        );
      }
      const columns = containing(table, "aroma");
      if (columns.length === 0) missing.keywords.push("ica_aroma");
      return frameOf(table, columns);
    }
    case "scrub":
      return scrubFrame(table, p);
    default:
      throw new RangeError(`strategy: ${component} is not a supported type of confounds`);
  }
}
