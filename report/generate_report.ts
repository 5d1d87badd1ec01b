/**
 * `generateReport`: the HTML report of a fitted maps masker (nilearn's
 * `NiftiMapsMasker.generate_report(displayed_maps)`), as one self-contained HTML string.
 *
 * @module
 */
import type { DisplayedMaps, MapsReportInput } from "./types.ts";
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
import { colourBarSvg, formatNumber, LINE_COLOURS, lineChartSvg } from "./plots_svg.ts";
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
    return { y, colour: LINE_COLOURS[pos % LINE_COLOURS.length]!, label: `map ${m}` };
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
  const note = `${nT} volumes from the last transform` +
    (tR !== null ? `, tR = ${formatNumber(tR)} s` : " (no tR: time in volumes)") +
    `. Spectra: periodogram of the demeaned signal, zero-padded to ${nfft} points; ` +
    `the zero frequency is not drawn.`;
  return `<section class="signals"><h2>Signals</h2><p class="convention">${note}</p>${legend}` +
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
  const affine = input.mapsImg.affine;
  const nVox = shape[0] * shape[1] * shape[2];

  if (input.background === null) {
    warnings.push(
      "No background image was provided (no image given to fit and no mask): " +
        "maps are shown over black.",
    );
  } else if (input.backgroundSource === "mask") {
    warnings.push(
      "No image provided to fit: maps are shown over the mask instead of a mean image.",
    );
  }

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
    const empty = vmax === 0;
    if (empty) warnings.push(`Map ${m} is empty (all values are 0): it is shown without overlay.`);
    const details = empty
      ? "empty map (all values are 0)"
      : `peak ${formatNumber(peak.value)} at voxel (${peak.ijk.join(", ")}), (${
        world.map((w) => formatNumber(Math.round(w * 10) / 10)).join(", ")
      }) mm; ` +
        `colour range ±${formatNumber(vmax)}`;
    figures.push(renderMapFigure({
      index: m,
      heading: `Map ${m}`,
      details,
      panels,
      colourBar: empty ? "" : colourBarSvg(stops, vmax, `cbar-${position}`),
      position,
    }));
  });

  const vs = axisOrientation(affine).voxelSizes.map((v) => formatNumber(v));
  const summary = [
    `The masker has ${nMaps} spatial map${nMaps === 1 ? "" : "s"} in total.`,
    indices.length === nMaps && new Set(indices).size === nMaps
      ? `All ${nMaps} maps are shown in this report.`
      : `Only ${indices.length} spatial map${
        indices.length === 1 ? " is" : "s are"
      } shown in this report: [${indices.join(", ")}].`,
    `Maps grid: ${shape.join(" x ")} voxels of ${vs.join(" x ")} mm.` +
    (input.maskImg !== null ? ` Mask: ${countNonZero(input.maskImg.data)} voxels.` : " No mask."),
  ];
  const convention = "Slices through each map's peak |value|, in neurological convention: the " +
    "subject's left (L) is on the viewer's left in coronal and axial views; anterior (A) is to " +
    "the right in sagittal views and up in axial views; superior is up. Pixels keep the voxel " +
    `aspect ratio. Colours: red to yellow for positive values, blue to cyan for negative values, ` +
    `symmetric around 0 (each map scaled to its own peak |value|); values below ` +
    `${Math.round(threshold * 100)}% of the peak are transparent, over a grayscale background.`;
  const html = renderDocument({
    title,
    summary,
    warnings: renderWarnings([...input.warnings, ...warnings]),
    figures: figures.join("\n"),
    convention,
    signals: signalsSection(input, indices),
    params: renderParamsTable(input.params),
    footer: "Generated by niimask from what the masker kept at fit and transform time. The " +
      "masker may resample images at transform time; maps are shown on their fitted grid.",
  });
  return { html, warnings };
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
