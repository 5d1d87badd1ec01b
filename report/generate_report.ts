/**
 * `generateReport`: the HTML report of a fitted maps masker (nilearn's
 * `NiftiMapsMasker.generate_report(displayed_maps)`), as one self-contained HTML string.
 *
 * @module
 */
import type { DisplayedMaps, MapsReportInput } from "./types.ts";
import type { Image, Matrix } from "../types.ts";
import { connectivityHeatmap, type ConnectivityPanel } from "./heatmap.ts";
import { backgroundRange, DEFAULT_THRESHOLD_FRACTION } from "./colormap.ts";
import { encodePng } from "./png.ts";
import {
  axisOrientation,
  colourBarStops,
  peakVoxel,
  pixelsPerMm,
  renderOrthoSlices,
  voxelToWorld,
} from "./slices.ts";
import { colourBarSvg, escapeXml, formatNumber, LINE_COLOURS, lineChartSvg } from "./plots_svg.ts";
import { powerSpectrum } from "./spectrum.ts";
import {
  type PanelMarkup,
  renderDocument,
  renderLegend,
  renderMapFigure,
  renderParamsTable,
  renderWarnings,
} from "./html.ts";

/** Options of `generateReport`. */
export interface GenerateReportOptions {
  /** Which maps to show: the first N (default 10, capped at the number of maps), indices, or "all". */
  readonly displayedMaps?: DisplayedMaps;
  /** Page title (default "MultiNiftiMapsMasker report"). */
  readonly title?: string;
}

/** A generated report. */
export interface MapsReport {
  /** The self-contained HTML page. */
  readonly html: string;
  /** Warnings raised while generating the report (also shown in the page). */
  readonly warnings: string[];
}

/** Default number of maps shown, as in nilearn. */
export const DEFAULT_DISPLAYED_MAPS = 10;

/** Largest extent of a slice panel (px). */
const PANEL_PX = 220;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array ${JSON.stringify(value).slice(0, 80)}`;
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "object") return `${value.constructor?.name ?? "object"}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Resolve `displayedMaps` to the map indices to show, in display order (nilearn semantics).
 *
 * @param displayedMaps A non-negative integer (the first N maps; more than `nMaps` is capped with
 *   a warning), a list of map indices (shown in that order), or "all".
 * @param nMaps Number of maps of the masker.
 * @returns The indices and the warnings raised.
 * @throws TypeError when `displayedMaps` is not "all", an integer or a list of integers.
 * @throws RangeError for a negative count, an empty list, or indices outside `[0, nMaps)`.
 *
 * @example
 * ```ts
 * import { resolveDisplayedMaps } from "./generate_report.ts";
 * resolveDisplayedMaps([3, 1], 5).indices; // [3, 1]
 * resolveDisplayedMaps(12, 5).warnings.length; // 1
 * ```
 */
export function resolveDisplayedMaps(
  displayedMaps: unknown,
  nMaps: number,
): { indices: number[]; warnings: string[] } {
  const expected = `displayedMaps must be "all", an integer, or a list of integers`;
  if (displayedMaps === "all") {
    return { indices: Array.from({ length: nMaps }, (_, i) => i), warnings: [] };
  }
  if (typeof displayedMaps === "number") {
    if (!Number.isInteger(displayedMaps)) {
      throw new TypeError(`${expected}; got ${describe(displayedMaps)}`);
    }
    if (displayedMaps < 0) {
      throw new RangeError(`displayedMaps must be >= 0 when it is a count; got ${displayedMaps}`);
    }
    const warnings: string[] = [];
    let count = displayedMaps;
    if (count > nMaps) {
      warnings.push(
        `generateReport() received displayedMaps=${displayedMaps}, but the masker only has ` +
          `${nMaps} maps. Setting the number of displayed maps to ${nMaps}.`,
      );
      count = nMaps;
    }
    return { indices: Array.from({ length: count }, (_, i) => i), warnings };
  }
  const isList = Array.isArray(displayedMaps) ||
    (ArrayBuffer.isView(displayedMaps) && !(displayedMaps instanceof DataView));
  if (!isList) throw new TypeError(`${expected}; got ${describe(displayedMaps)}`);
  const list = Array.from(displayedMaps as ArrayLike<unknown>);
  for (const v of list) {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(`${expected}; the list contains ${describe(v)}`);
    }
  }
  const indices = list as number[];
  if (indices.length === 0) {
    throw new RangeError("displayedMaps must not be an empty list");
  }
  const bad = indices.filter((i) => i < 0 || i >= nMaps);
  if (bad.length > 0) {
    throw new RangeError(
      `Report cannot display the maps [${indices.join(", ")}]: indices [${bad.join(", ")}] ` +
        `are out of range; the masker has ${nMaps} maps (valid indices 0 to ${nMaps - 1}).`,
    );
  }
  return { indices: [...indices], warnings: [] };
}

function validateInput(input: MapsReportInput): {
  shape: [number, number, number];
  nMaps: number;
} {
  const { mapsImg } = input;
  const s = mapsImg.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new TypeError(
      `generateReport: mapsImg must be 4D (x, y, z, nMaps); got shape [${s.join(", ")}]`,
    );
  }
  const shape: [number, number, number] = [s[0]!, s[1]!, s[2]!];
  const nMaps = s.length === 4 ? s[3]! : 1;
  const nVox = shape[0] * shape[1] * shape[2];
  if (mapsImg.data.length !== nVox * nMaps) {
    throw new TypeError(
      `generateReport: mapsImg.data has ${mapsImg.data.length} values; shape [${
        s.join(", ")
      }] needs ${nVox * nMaps}`,
    );
  }
  if (mapsImg.affine.length !== 16) {
    throw new TypeError(
      `generateReport: mapsImg.affine must have 16 values; got ${mapsImg.affine.length}`,
    );
  }
  const bg = input.background;
  if (bg !== null) {
    const b = bg.shape;
    const same = b[0] === shape[0] && b[1] === shape[1] && b[2] === shape[2] &&
      (b.length === 3 || (b.length === 4 && b[3] === 1));
    if (!same || bg.data.length !== nVox) {
      throw new TypeError(
        `generateReport: background must be 3D on the maps grid [${shape.join(", ")}]; got shape [${
          b.join(", ")
        }]`,
      );
    }
  }
  const sig = input.signals;
  if (sig !== null) {
    if (sig.shape[1] !== nMaps || sig.data.length !== sig.shape[0] * sig.shape[1]) {
      throw new TypeError(
        `generateReport: signals must be (time x ${nMaps}) with ${
          sig.shape[0] * nMaps
        } values; got shape [${sig.shape.join(", ")}] with ${sig.data.length} values`,
      );
    }
  }
  if (input.tR !== null && !(Number.isFinite(input.tR) && input.tR > 0)) {
    throw new RangeError(
      `generateReport: tR must be a positive number of seconds or null; got ${input.tR}`,
    );
  }
  return { shape, nMaps };
}

/** The display name of map `m`: its label when the input has labels, else "map m". */
function mapName(labels: readonly string[] | null | undefined, m: number): string {
  const name = labels?.[m];
  return name !== undefined && name !== "" ? name : `map ${m}`;
}

function signalsSection(input: MapsReportInput, indices: readonly number[]): string {
  const sig = input.signals;
  if (sig === null) {
    return `<section class="signals"><h2>Signals</h2><p>No transform has run yet: ` +
      `there are no extracted signals to show.</p></section>`;
  }
  const [nT, nMaps] = sig.shape;
  const unique = [...new Set(indices)];
  if (unique.length === 0 || nT === 0) return "";
  const tR = input.tR;
  const x = Float64Array.from({ length: nT }, (_, t) => (tR !== null ? t * tR : t));
  const series = unique.map((m, pos) => {
    const y = new Float64Array(nT);
    for (let t = 0; t < nT; t++) y[t] = sig.data[t * nMaps + m]!;
    return {
      y,
      colour: LINE_COLOURS[pos % LINE_COLOURS.length]!,
      label: mapName(input.labels, m),
    };
  });
  const timeSvg = lineChartSvg(x, series, {
    title: "Time series of the displayed maps",
    xLabel: tR !== null ? "time (s)" : "time (volumes)",
    yLabel: "signal",
  });
  const spectra = series.map((s) => ({ ...s, spec: powerSpectrum(s.y, tR) }));
  const freqs = spectra[0]!.spec.freqs;
  const nfft = spectra[0]!.spec.nfft;
  const specSvg = lineChartSvg(
    freqs.subarray(1),
    spectra.map((s) => ({ y: s.spec.power.subarray(1), colour: s.colour, label: s.label })),
    {
      title: "Power spectra (log scale)",
      xLabel: tR !== null ? "frequency (Hz)" : "frequency (cycles per volume)",
      yLabel: "power",
      logY: true,
    },
  );
  const legend = renderLegend(series.map((s) => [s.label, s.colour]));
  const from = input.signalsSource !== undefined
    ? `${nT} volumes of ${input.signalsSource}`
    : `${nT} volumes from the last transform`;
  const note = from +
    (tR !== null ? `, tR = ${formatNumber(tR)} s` : " (no tR: time in volumes)") +
    `. Spectra: periodogram of the demeaned signal, zero-padded to ${nfft} points; ` +
    `the zero frequency is not drawn.`;
  const heading = input.signalsSource !== undefined
    ? `Signals of ${escapeXml(input.signalsSource)}`
    : "Signals";
  return `<section class="signals"><h2>${heading}</h2><p class="convention">${note}</p>${legend}` +
    `<div class="plots">${timeSvg}${specSvg}</div></section>`;
}

/**
 * Generate the HTML report of a fitted maps masker (nilearn's `generate_report(displayed_maps)`).
 *
 * The page shows the masker's parameters, the number of maps and of displayed maps, for each
 * displayed map three orthogonal slices through its peak |value| over the background with a
 * signed colour map and colour bar, the warnings raised, and (when a transform ran) the displayed
 * maps' time series and power spectra. It is self-contained: inline CSS, PNG images as data: URIs,
 * SVG plots, no scripts, no network.
 *
 * @param input Report data gathered by the masker.
 * @param options `displayedMaps` (default 10) and `title`.
 * @returns The HTML and the warnings raised while generating it (e.g. the count was capped).
 * @throws TypeError for an invalid `displayedMaps` type or inconsistent input shapes.
 * @throws RangeError for out-of-range map indices.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { generateReport } from "./generate_report.ts";
 * const shape = [4, 4, 4, 2];
 * const data = new Float32Array(4 * 4 * 4 * 2);
 * data[21] = 1;
 * data[64 + 42] = -2;
 * const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
 * const { html, warnings } = generateReport(
 *   { params: { smoothingFwhm: null }, mapsImg: { data, shape, affine }, maskImg: null,
 *     background: null, warnings: [], signals: null, tR: null },
 *   { displayedMaps: "all" },
 * );
 * equal(html.includes('data-map-index="1"'), true);
 * equal(Array.isArray(warnings), true);
 * ```
 */
export function generateReport(
  input: MapsReportInput,
  options: GenerateReportOptions = {},
): MapsReport {
  const { shape, nMaps } = validateInput(input);
  const displayed = options.displayedMaps === undefined
    ? DEFAULT_DISPLAYED_MAPS
    : options.displayedMaps;
  const { indices, warnings } = resolveDisplayedMaps(displayed, nMaps);
  const title = options.title ?? "MultiNiftiMapsMasker report";
  warnings.push(...backgroundWarnings(input));
  const figures = renderFigures(input, shape, indices, "", warnings);
  const html = renderDocument({
    title,
    summary: summaryLines(input, shape, nMaps, indices),
    warnings: renderWarnings([...input.warnings, ...warnings]),
    figures,
    convention: CONVENTION,
    signals: signalsSection(input, indices),
    connectivity: connectivitySection(input.connectivity ?? [], ""),
    params: renderParamsTable(input.params),
    footer: "Generated by niimask from what the masker kept at fit and transform time. The " +
      "masker may resample images at transform time; maps are shown on their fitted grid.",
  });
  return { html, warnings };
}

/** One run of a participant report: its mean image, signals and connectivity matrices. */
export interface ParticipantRun {
  /** The run's name, e.g. "sub-01_ses-1_task-rest_run-1" (a heading and an anchor). */
  readonly name: string;
  /** The run's mean image on the maps grid (the maps are drawn over it), or null. */
  readonly background: Image | null;
  /** The run's (time x nMaps) signals as written, or null when its extraction failed. */
  readonly signals: Matrix | null;
  /** Its repetition time (s), or null. */
  readonly tR: number | null;
  /** Its connectivity matrices. */
  readonly connectivity?: readonly ConnectivityPanel[];
  /** Why the run has no signals (its error), shown instead of the plots. */
  readonly error?: string;
}

/** Everything a participant report shows (as fMRIPrep's `sub-L.html`, one page per participant). */
export interface ParticipantReportInput {
  /** Participant label without "sub-". */
  readonly participant: string;
  /** Parameters of the extraction (camelCase or CLI names to values). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The fitted maps image (x, y, z, nMaps). */
  readonly mapsImg: Image;
  /** Map names, or null. */
  readonly labels: readonly string[] | null;
  /** The participant's runs, in order. */
  readonly runs: readonly ParticipantRun[];
  /** Warnings raised while processing this participant. */
  readonly warnings: readonly string[];
}

/**
 * One self-contained HTML report per participant (as fMRIPrep writes `sub-L.html`): for each of the
 * participant's runs, the displayed maps over that run's mean image, its time series and power
 * spectra, and its connectivity heatmaps; then the parameters.
 *
 * @param input The participant's maps, runs and parameters.
 * @param options `displayedMaps` (default 10) and `title` (default "sub-L").
 * @returns The HTML and the warnings raised while generating it.
 * @throws TypeError or RangeError as {@link generateReport}.
 *
 * @example
 * ```ts
 * import { generateParticipantReport } from "./generate_report.ts";
 * import { ok } from "node:assert/strict";
 * const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
 * const mapsImg = { data: new Float64Array(8 * 2).fill(1), shape: [2, 2, 2, 2], affine };
 * const signals = { data: Float64Array.from([1, 2, 3, 1, 2, 2]), shape: [3, 2] as [number, number] };
 * const { html } = generateParticipantReport({
 *   participant: "01", params: {}, mapsImg, labels: ["DMN", "Visual"], warnings: [],
 *   runs: [{ name: "sub-01_task-rest", background: null, signals, tR: 2 }],
 * });
 * ok(html.includes("sub-01_task-rest") && html.includes("Visual"));
 * ```
 */
export function generateParticipantReport(
  input: ParticipantReportInput,
  options: GenerateReportOptions = {},
): MapsReport {
  const title = options.title ?? `sub-${input.participant}`;
  const warnings: string[] = [];
  const sections: string[] = [];
  let summary: string[] = [];
  input.runs.forEach((run, r) => {
    const runInput: MapsReportInput = {
      params: input.params,
      mapsImg: input.mapsImg,
      maskImg: null,
      background: run.background,
      warnings: [],
      signals: run.signals,
      tR: run.tR,
      labels: input.labels,
      signalsSource: run.name,
      connectivity: run.connectivity ?? [],
    };
    const { shape, nMaps } = validateInput(runInput);
    const displayed = options.displayedMaps === undefined
      ? DEFAULT_DISPLAYED_MAPS
      : options.displayedMaps;
    const resolved = resolveDisplayedMaps(displayed, nMaps);
    if (r === 0) {
      warnings.push(...resolved.warnings);
      summary = summaryLines(runInput, shape, nMaps, resolved.indices);
    }
    if (run.background === null) {
      warnings.push(`${run.name}: no mean image; maps are shown over black.`);
    }
    const prefix = `r${r}-`;
    const body = run.error !== undefined
      ? `<p class="run-error">Extraction failed: ${escapeXml(run.error)}</p>`
      : signalsSection(runInput, resolved.indices) +
        connectivitySection(runInput.connectivity ?? [], prefix);
    sections.push(
      `<section class="run" id="${escapeXml(run.name)}"><h2>${escapeXml(run.name)}</h2>` +
        `<p class="convention">${escapeXml(CONVENTION)}</p>` +
        renderFigures(runInput, shape, resolved.indices, prefix, warnings) + body +
        `</section>`,
    );
  });
  const runList = input.runs.map((run) => run.name);
  const html = renderDocument({
    title,
    summary: [
      `Participant ${input.participant}: ${runList.length} run${runList.length === 1 ? "" : "s"} (${
        runList.join(", ")
      }).`,
      ...summary,
    ],
    warnings: renderWarnings([...input.warnings, ...warnings]),
    figures: "",
    convention: "",
    signals: "",
    runs: sections.join("\n"),
    params: renderParamsTable(input.params),
    footer: "Generated by niimask: one page per participant, each run's maps drawn over that " +
      "run's mean image resampled to the maps grid.",
  });
  return { html, warnings };
}

const CONVENTION = "Slices through each map's peak |value|, in neurological convention: the " +
  "subject's left (L) is on the viewer's left in coronal and axial views; anterior (A) is to " +
  "the right in sagittal views and up in axial views; superior is up. Pixels keep the voxel " +
  `aspect ratio. Colours: red to yellow for positive values, blue to cyan for negative values, ` +
  `symmetric around 0 (each map scaled to its own peak |value|); values below ` +
  `${Math.round(DEFAULT_THRESHOLD_FRACTION * 100)}% of the peak are transparent, over a ` +
  "grayscale background.";

function backgroundWarnings(input: MapsReportInput): string[] {
  if (input.background === null) {
    return [
      "No background image was provided (no image given to fit and no mask): " +
      "maps are shown over black.",
    ];
  }
  if (input.backgroundSource === "mask") {
    return ["No image provided to fit: maps are shown over the mask instead of a mean image."];
  }
  return [];
}

function summaryLines(
  input: MapsReportInput,
  shape: readonly [number, number, number],
  nMaps: number,
  indices: readonly number[],
): string[] {
  const vs = axisOrientation(input.mapsImg.affine).voxelSizes.map((v) => formatNumber(v));
  const shown = indices.map((m) => input.labels?.[m] ?? String(m));
  return [
    `The masker has ${nMaps} spatial map${nMaps === 1 ? "" : "s"} in total.`,
    indices.length === nMaps && new Set(indices).size === nMaps
      ? `All ${nMaps} maps are shown in this report.`
      : `Only ${indices.length} spatial map${
        indices.length === 1 ? " is" : "s are"
      } shown in this report: [${shown.join(", ")}].`,
    `Maps grid: ${shape.join(" x ")} voxels of ${vs.join(" x ")} mm.` +
    (input.maskImg !== null ? ` Mask: ${countNonZero(input.maskImg.data)} voxels.` : " No mask."),
  ];
}

/** The map figures: three slices through each displayed map's peak over the background. */
function renderFigures(
  input: MapsReportInput,
  shape: [number, number, number],
  indices: readonly number[],
  idPrefix: string,
  warnings: string[],
): string {
  const affine = input.mapsImg.affine;
  const nVox = shape[0] * shape[1] * shape[2];
  const bgData = input.background?.data ?? null;
  let bgRange: [number, number] = bgData !== null ? backgroundRange(bgData) : [0, 1];
  if (input.backgroundSource === "mask") {
    // A binary mask shown mid-gray, so that the colour map stays readable over it.
    bgRange = [bgRange[0], bgRange[0] + 1.8 * (bgRange[1] - bgRange[0])];
  }
  const pxPerMm = pixelsPerMm(shape, affine, PANEL_PX);
  const threshold = DEFAULT_THRESHOLD_FRACTION;
  const stops = colourBarStops(threshold);
  const axisNames = ["x", "y", "z"];
  const figures: string[] = [];
  indices.forEach((m, position) => {
    const map = input.mapsImg.data.subarray(m * nVox, (m + 1) * nVox);
    const peak = peakVoxel(map, shape);
    const vmax = Math.abs(peak.value);
    const world = voxelToWorld(affine, peak.ijk);
    const views = renderOrthoSlices({
      map,
      background: bgData,
      shape,
      affine,
      cut: peak.ijk,
      vmax,
      threshold,
      backgroundRange: bgRange,
      pxPerMm,
    });
    const panels: PanelMarkup[] = views.map((v, a) => ({
      view: v.view,
      png: encodePng(v.rgb, v.width, v.height, 3),
      width: v.width,
      height: v.height,
      edgeLabels: v.edgeLabels,
      caption: `${axisNames[a]} = ${formatNumber(Math.round(world[a]! * 10) / 10)} mm`,
    }));
    const name = input.labels?.[m];
    const heading = name !== undefined && name !== "" ? `${name} (map ${m})` : `Map ${m}`;
    const empty = vmax === 0;
    if (empty) {
      warnings.push(`${heading} is empty (all values are 0): it is shown without overlay.`);
    }
    const details = empty
      ? "empty map (all values are 0)"
      : `peak ${formatNumber(peak.value)} at voxel (${peak.ijk.join(", ")}), (${
        world.map((w) => formatNumber(Math.round(w * 10) / 10)).join(", ")
      }) mm; ` +
        `colour range ±${formatNumber(vmax)}`;
    figures.push(renderMapFigure({
      index: m,
      heading,
      details,
      panels,
      colourBar: empty ? "" : colourBarSvg(stops, vmax, `cbar-${idPrefix}${position}`),
      position: `${idPrefix}${position}`,
    }));
  });
  return figures.join("\n");
}

/** The connectivity section: one heatmap per measure, or "" when none was computed. */
function connectivitySection(panels: readonly ConnectivityPanel[], idPrefix: string): string {
  if (panels.length === 0) return "";
  const figures = panels.map((p, i) => connectivityHeatmap(p, `${idPrefix}${i}`)).join("");
  return `<section class="connectivity"><h2>Connectivity</h2>` +
    `<div class="heatmaps">${figures}</div></section>`;
}

function countNonZero(data: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0 && !Number.isNaN(data[i])) n++;
  return n;
}

/**
 * An "empty" report page for a masker that kept no report data (`reports: false`, or not fitted),
 * as nilearn returns; the message is also returned as a warning.
 *
 * @param message Why there is no report, e.g. "Report generation not enabled (reports: false)".
 * @param title Page title (default "Empty report").
 * @returns The HTML and `[message]`.
 *
 * @example
 * ```ts
 * import { emptyReport } from "./generate_report.ts";
 * emptyReport("Report generation not enabled (reports: false): no report data was kept.").warnings;
 * ```
 */
export function emptyReport(message: string, title = "Empty report"): MapsReport {
  const html = renderDocument({
    title,
    summary: [],
    warnings: renderWarnings([message]),
    figures: "<p>No maps to show.</p>",
    convention: "",
    signals: "",
    params: renderParamsTable({}),
    footer: "Generated by niimask.",
  });
  return { html, warnings: [message] };
}
