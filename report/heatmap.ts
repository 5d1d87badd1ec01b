/**
 * Connectivity heatmaps of the report: a square matrix drawn as a PNG inside an SVG, with a
 * symmetric blue-white-red colour bar, and row and column names when there are few regions.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { encodePng } from "./png.ts";
import { colourBarSvg, escapeXml, formatNumber } from "./plots_svg.ts";
import { toBase64 } from "./html.ts";

/** Regions up to this many get their names on the rows and columns; above, map indices. */
export const NAMED_REGIONS_LIMIT = 100;

/** Blue-white-red anchors (matplotlib's RdBu_r, as nilearn's `plot_matrix` uses). */
const RDBU_R: readonly (readonly [number, number, number])[] = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/**
 * The colour of a value on the symmetric blue-white-red scale.
 *
 * @param t Value divided by the half-width of the range (clipped to [-1, 1]; NaN is gray).
 * @returns `[r, g, b]` bytes.
 *
 * @example
 * ```ts
 * import { rdbuColour } from "./heatmap.ts";
 * import { deepEqual } from "node:assert/strict";
 * deepEqual(rdbuColour(0), [247, 247, 247]);
 * deepEqual(rdbuColour(1), [103, 0, 31]);
 * ```
 */
export function rdbuColour(t: number): [number, number, number] {
  if (Number.isNaN(t)) return [160, 160, 160];
  const x = (Math.min(1, Math.max(-1, t)) + 1) / 2 * (RDBU_R.length - 1);
  const i = Math.min(RDBU_R.length - 2, Math.floor(x));
  const f = x - i;
  const a = RDBU_R[i]!, b = RDBU_R[i + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + f * (b[c]! - a[c]!))) as [
    number,
    number,
    number,
  ];
}

/** What one heatmap shows. */
export interface ConnectivityPanel {
  /** The measure, e.g. "correlation" or "partial correlation". */
  readonly kind: string;
  /** The square (n x n) matrix, row-major. */
  readonly matrix: Matrix;
  /** Region names (length n), or null for map indices. */
  readonly labels: readonly string[] | null;
  /** What the matrix was computed from, e.g. "sub-01 run 1" (shown in the caption). */
  readonly source?: string;
}

/**
 * Half-width of the colour range: the largest |off-diagonal| finite value (the diagonal of a
 * correlation is 1 and would wash the rest out), or the largest |value| when n = 1.
 */
function symmetricRange(m: Matrix): number {
  const [n] = m.shape;
  let max = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = m.data[i * n + j]!;
      if ((i !== j || n === 1) && Number.isFinite(v)) max = Math.max(max, Math.abs(v));
    }
  }
  return max > 0 ? max : 1;
}

/**
 * A connectivity matrix as an SVG heatmap (PNG cells, names or indices on the axes) followed by a
 * symmetric colour bar.
 *
 * @param panel The matrix, its kind and region names.
 * @param id A unique id within the page (for the colour bar's gradient).
 * @returns SVG markup (a `<figure>` holding both).
 * @throws TypeError when the matrix is not square or the labels do not match it.
 *
 * @example
 * ```ts
 * import { connectivityHeatmap } from "./heatmap.ts";
 * import { ok } from "node:assert/strict";
 * const matrix = { data: Float64Array.from([1, 0.5, 0.5, 1]), shape: [2, 2] as [number, number] };
 * const html = connectivityHeatmap({ kind: "correlation", matrix, labels: ["V1", "M1"] }, "c0");
 * ok(html.includes(">V1<") && html.includes("colourbar"));
 * ```
 */
export function connectivityHeatmap(panel: ConnectivityPanel, id: string): string {
  const { matrix, labels } = panel;
  const [n, cols] = matrix.shape;
  if (n !== cols || matrix.data.length !== n * n || n < 1) {
    throw new TypeError(
      `connectivity heatmap (${panel.kind}): expected a square matrix, got shape [${
        matrix.shape.join(", ")
      }] with ${matrix.data.length} values`,
    );
  }
  if (labels !== null && labels.length !== n) {
    throw new TypeError(
      `connectivity heatmap (${panel.kind}): ${labels.length} region names for ${n} regions`,
    );
  }
  const vmax = symmetricRange(matrix);
  const cell = Math.max(1, Math.min(24, Math.floor(480 / n)));
  const side = cell * n;
  const rgb = new Uint8Array(side * side * 3);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const c = rdbuColour(matrix.data[i * n + j]! / vmax);
      for (let y = i * cell; y < (i + 1) * cell; y++) {
        for (let x = j * cell; x < (j + 1) * cell; x++) rgb.set(c, (y * side + x) * 3);
      }
    }
  }
  const png = toBase64(encodePng(rgb, side, side, 3));
  const named = labels !== null && n <= NAMED_REGIONS_LIMIT;
  const longest = named ? Math.max(...labels.map((l) => l.length)) : 0;
  const margin = named ? Math.min(220, 8 + 6.2 * longest) : 36;
  const font = named ? Math.max(7, Math.min(11, cell - 1)) : 10;
  const texts: string[] = [];
  if (named) {
    labels.forEach((name, i) => {
      const c = (margin + (i + 0.5) * cell).toFixed(1);
      const t = escapeXml(name);
      texts.push(
        `<text x="${margin - 4}" y="${c}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
        `<text transform="translate(${c},${margin - 4}) rotate(-90)" ` +
          `dominant-baseline="middle">${t}</text>`,
      );
    });
  } else {
    // Unnamed: index ticks along both axes, in map order.
    const step = Math.max(1, Math.ceil(n / 8 / 10) * 10);
    for (let i = 0; i < n; i += step) {
      const c = (margin + (i + 0.5) * cell).toFixed(1);
      texts.push(
        `<text x="${margin - 4}" y="${c}" text-anchor="end" dominant-baseline="middle">${i}</text>`,
        `<text x="${c}" y="${margin - 6}" text-anchor="middle">${i}</text>`,
      );
    }
  }
  const total = margin + side + 4;
  const title = `${panel.kind}${panel.source ? ` — ${panel.source}` : ""}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="${total}" ` +
    `height="${total}" viewBox="0 0 ${total} ${total}" role="img" ` +
    `aria-label="${escapeXml(`${title}: ${n} x ${n} matrix`)}" font-family="sans-serif" ` +
    `font-size="${font}">` +
    `<image x="${margin}" y="${margin}" width="${side}" height="${side}" ` +
    `style="image-rendering:pixelated" href="data:image/png;base64,${png}"/>` +
    `<rect x="${margin}" y="${margin}" width="${side}" height="${side}" fill="none" ` +
    `stroke="#555"/>${texts.join("")}</svg>`;
  const stops = [-1, -0.8, -0.6, -0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => {
    const [r, g, b] = rdbuColour(t);
    return [(t + 1) / 2, `rgb(${r},${g},${b})`] as const;
  });
  const axes = named
    ? "rows and columns are named after the regions"
    : labels === null
    ? "rows and columns in map order (indices shown)"
    : `${n} regions: rows and columns in map order (indices shown, names omitted)`;
  const caption = `${title}: ${n} x ${n}; ${axes}; colour range ±${formatNumber(vmax)}` +
    (n > 1 ? " (largest off-diagonal |value|; the diagonal is clipped to it)" : "");
  return `<figure class="heatmap-figure" data-kind="${escapeXml(panel.kind)}">` +
    `<figcaption><h3>${escapeXml(title)}</h3></figcaption>${svg}` +
    `<div class="colourbar-wrap">${colourBarSvg(stops, vmax, `hm-${id}`)}</div>` +
    `<p class="convention">${escapeXml(caption)}</p></figure>`;
}
