/**
 * What the commands' HTML reports show, gathered from the written outputs: a run's time series
 * and connectivity matrices read back from its TSVs (so the report shows what was written, and
 * no signals are held for the rest of the batch), the background drawn under the maps (a
 * template the user gives, else the mean of a run, else the mask), and the masker's report input
 * completed with them.
 *
 * @module
 */
import type { Image, Matrix } from "../types.ts";
import type { ConnectivityPanel, MapsReportInput } from "../report/types.ts";
import type { ConnectivityKind } from "../connectome/connectivity_measure.ts";
import { openNifti } from "../image/load.ts";
import { meanImageOnGrid, NO_FIT_IMAGE_WARNING } from "../maskers/mean_image.ts";
import type { Grid } from "../image/grid.ts";
import { parseTimeseriesTsv } from "./timeseries_read.ts";
import { relmatPaths } from "./connectivity_outputs.ts";
import { timeseriesStem } from "./connectivity_group.ts";
import { errorMessage } from "./errors.ts";
import { baseName } from "./naming.ts";

/** A run's outputs as the report shows them. */
export interface RunReportData {
  /** The run's name, e.g. `sub-01_task-rest` (the time series file name without its suffix). */
  readonly name: string;
  /** (volumes x regions) signals read from its time series TSV. */
  readonly signals: Matrix;
  /** Column names of its time series TSV. */
  readonly columns: string[];
  /** One panel per connectivity file found, in the order of the kinds asked for. */
  readonly connectivity: ConnectivityPanel[];
  /** Problems met while reading (a connectivity file missing or unreadable). */
  readonly warnings: string[];
}

/**
 * The name a report gives a run: its time series file name without `_timeseries.tsv`.
 *
 * @param tsvPath path of `<stem>_timeseries.tsv`.
 * @returns e.g. `sub-01_task-rest`.
 * @example
 * ```ts
 * import { runNameOf } from "./report_inputs.ts";
 * import { equal } from "node:assert/strict";
 * equal(runNameOf("out/sub-01_task-rest_timeseries.tsv"), "sub-01_task-rest");
 * ```
 */
export function runNameOf(tsvPath: string): string {
  return baseName(tsvPath).replace(/_timeseries\.tsv$/, "");
}

/**
 * Read a run's time series and its connectivity matrices (`<stem>_meas-<Measure>_relmat.tsv`)
 * back from the files a command wrote.
 *
 * @param tsvPath the run's `<stem>_timeseries.tsv`.
 * @param kinds connectivity kinds computed (their files are looked for next to the time series;
 *   a missing one is a warning, not an error).
 * @returns signals, column names, panels and warnings.
 * @throws SyntaxError or a read error naming the time series file.
 * @example
 * ```ts ignore
 * const run = await readRunReportData("out/sub-01_timeseries.tsv", ["correlation"]);
 * ```
 */
export async function readRunReportData(
  tsvPath: string,
  kinds: readonly ConnectivityKind[],
): Promise<RunReportData> {
  const name = runNameOf(tsvPath);
  let text: string;
  try {
    text = await Deno.readTextFile(tsvPath);
  } catch (e) {
    throw new Error(`${tsvPath}: cannot read the time series (${errorMessage(e)})`);
  }
  const table = parseTimeseriesTsv(text, tsvPath);
  const warnings: string[] = [];
  const connectivity: ConnectivityPanel[] = [];
  const stem = timeseriesStem(tsvPath);
  for (const kind of kinds) {
    const path = relmatPaths(stem, kind).tsv;
    let rel;
    try {
      rel = parseTimeseriesTsv(await Deno.readTextFile(path), path);
    } catch (e) {
      warnings.push(`${kind} matrix of ${name} not shown: ${errorMessage(e)}`);
      continue;
    }
    const [rows, cols] = rel.signals.shape;
    if (rows !== cols) {
      warnings.push(`${path}: not square (${rows} x ${cols}); not shown`);
      continue;
    }
    connectivity.push({ kind: kind, matrix: rel.signals, labels: rel.names, source: name });
  }
  return { name, signals: table.signals, columns: table.names, connectivity, warnings };
}

/** Where the report background comes from. */
export type BackgroundSource =
  | { readonly kind: "template"; readonly path: string }
  | { readonly kind: "run"; readonly path: string; readonly name: string }
  | { readonly kind: "mask" };

/** A report background and what it is. */
export interface ReportBackground {
  /** 3D image on the maps grid, or null (maps over black). */
  readonly image: Image | null;
  /** "image" (a mean image or template) or "mask". */
  readonly source: "image" | "mask";
  /** What it is, for the parameters table (e.g. "mean of sub-01 (a.nii.gz)"). */
  readonly description: string;
  /** Why a preferred background could not be used. */
  readonly warnings: string[];
}

/**
 * The background drawn under the maps: the template when given (its mean over time when 4D),
 * else the mean of the run, each resampled (continuous) onto the maps grid; else the mask (on
 * the maps grid); else none. A run whose mean cannot be computed falls back to the mask, with a
 * warning; a template that cannot be read is an error (the user asked for it).
 *
 * @param choice template or run (or "mask" only).
 * @param mapsGrid the maps grid (shape, affine in mm).
 * @param mask the fitted mask on the maps grid, or null.
 * @returns the background.
 * @throws Error naming `--report-background FILE` when the template cannot be read.
 * @example
 * ```ts
 * import { reportBackground } from "./report_inputs.ts";
 * import { equal } from "node:assert/strict";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const mask = { data: Float64Array.from([1, 0]), shape: [2, 1, 1], affine };
 * const bg = await reportBackground({ kind: "mask" }, { shape: [2, 1, 1, 3], affine }, mask);
 * equal(bg.source, "mask");
 * ```
 */
export async function reportBackground(
  choice: BackgroundSource,
  mapsGrid: Grid,
  mask: Image | null,
): Promise<ReportBackground> {
  const warnings: string[] = [];
  if (choice.kind === "template") {
    try {
      const image = await meanImageOnGrid(choice.path, mapsGrid);
      return { image, source: "image", description: `${choice.path} (template)`, warnings };
    } catch (e) {
      throw new Error(`--report-background ${choice.path}: ${errorMessage(e)}`);
    }
  }
  if (choice.kind === "run") {
    try {
      const image = await meanImageOnGrid(choice.path, mapsGrid);
      return {
        image,
        source: "image",
        description: `mean of ${choice.name} (${choice.path})`,
        warnings,
      };
    } catch (e) {
      warnings.push(`Could not compute the mean of ${choice.path}: ${errorMessage(e)}`);
    }
  }
  if (mask !== null) return { image: mask, source: "mask", description: "the mask", warnings };
  return { image: null, source: "image", description: "none (black)", warnings };
}

/**
 * Check before a batch that a `--report-background` file is a readable NIfTI image (its header).
 *
 * @param path the template.
 * @throws Error naming the flag and the file.
 * @example
 * ```ts ignore
 * await checkBackgroundFile("mni152_2mm.nii.gz");
 * ```
 */
export async function checkBackgroundFile(path: string): Promise<void> {
  try {
    const stream = await openNifti(path);
    await stream.close();
  } catch (e) {
    throw new Error(`--report-background ${path}: ${errorMessage(e)}`);
  }
}

/** What completes the masker's report input. */
export interface ReportAdditions {
  /** The background. */
  readonly background: ReportBackground;
  /** Map names (one per map), or null for "map 0", "map 1"... */
  readonly labels: readonly string[] | null;
  /** The run shown (its signals and matrices), or null when no run succeeded. */
  readonly run: RunReportData | null;
  /** Extra parameters to tabulate (e.g. the command's connectivity flags). */
  readonly params?: Readonly<Record<string, unknown>>;
}

/**
 * The masker's report input completed for a command: background (and the "no image provided to
 * fit" warning dropped when there is one), names, the signals of the run shown and its
 * connectivity panels. Time series whose columns are not one per map (maps dropped by
 * `--no-keep-masked-maps`) are not plotted, with a warning; so is the absence of a run.
 *
 * @param base what the fitted masker kept (`fitted.reportInput()`).
 * @param add the additions.
 * @returns the input for report/'s `generateReport`.
 * @example
 * ```ts
 * import { completeReportInput } from "./report_inputs.ts";
 * import { equal } from "node:assert/strict";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const mapsImg = { data: new Float64Array(2), shape: [1, 1, 1, 2], affine };
 * const base = { params: {}, mapsImg, maskImg: null, background: null, warnings: [],
 *   signals: null, tR: 2 };
 * const signals = { data: Float64Array.from([1, 2, 3, 4]), shape: [2, 2] as [number, number] };
 * const input = completeReportInput(base, {
 *   background: { image: null, source: "image", description: "none", warnings: [] },
 *   labels: ["A", "B"],
 *   run: { name: "sub-01", signals, columns: ["A", "B"], connectivity: [], warnings: [] },
 * });
 * equal(input.signalsSource, "sub-01");
 * equal(input.signals, signals);
 * ```
 */
export function completeReportInput(base: MapsReportInput, add: ReportAdditions): MapsReportInput {
  const nMaps = base.mapsImg.shape[3] ?? 1;
  const warnings = base.warnings.filter((w) =>
    add.background.image === null || w !== NO_FIT_IMAGE_WARNING
  );
  warnings.push(...add.background.warnings);
  let signals: Matrix | null = null;
  if (add.run === null) {
    warnings.push("No run was extracted successfully: there are no signals or matrices to show.");
  } else {
    warnings.push(...add.run.warnings);
    if (add.run.signals.shape[1] === nMaps) {
      signals = add.run.signals;
    } else {
      warnings.push(
        `The time series of ${add.run.name} have ${add.run.signals.shape[1]} columns for ` +
          `${nMaps} maps (maps emptied by the mask were dropped): they are not plotted.`,
      );
    }
  }
  return {
    ...base,
    params: { ...base.params, reportBackground: add.background.description, ...add.params },
    background: add.background.image,
    backgroundSource: add.background.source,
    warnings,
    signals,
    labels: add.labels,
    ...(add.run !== null ? { signalsSource: add.run.name } : {}),
    connectivity: add.run?.connectivity ?? [],
  };
}
