/**
 * SVG line charts (time series, power spectra) and colour bars for the report. Pure functions:
 * numbers in, SVG markup strings out (no scripts, no external resources).
 *
 * @module
 */

/** Categorical line colours (colour-blind-friendly "tab10"-like palette). */
export const LINE_COLOURS: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

/**
 * Escape text for HTML/SVG content and attribute values.
 *
 * @param text Any text.
 * @returns The text with `& < > " '` escaped.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./plots_svg.ts";
 * escapeXml("a<b"); // "a&lt;b"
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * Format a number for an axis label or colour bar: up to 3 significant digits, no trailing zeros.
 *
 * @param v The number.
 * @returns A short label.
 *
 * @example
 * ```ts
 * import { formatNumber } from "./plots_svg.ts";
 * formatNumber(0.123456); // "0.123"
 * formatNumber(12000); // "1.2e+4"
 * ```
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(3)));
}

/**
 * "Nice" tick positions covering [lo, hi] (about `count` of them, steps of 1, 2 or 5 x 10^k).
 *
 * @param lo Lower bound.
 * @param hi Upper bound.
 * @param count Desired number of ticks (default 5).
 * @returns Tick values within [lo, hi].
 *
 * @example
 * ```ts
 * import { niceTicks } from "./plots_svg.ts";
 * niceTicks(0, 10); // [0, 2, 4, 6, 8, 10]
 * ```
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  }
  return ticks;
}

/** One line of a chart. */
export interface LineSeries {
  /** Y values, one per x value. */
  readonly y: ArrayLike<number>;
  /** CSS colour. */
  readonly colour: string;
  /** Legend label. */
  readonly label: string;
}

/** Options of `lineChartSvg`. */
export interface LineChartOptions {
  /** Width (px, default 560). */
  readonly width?: number;
  /** Height (px, default 260). */
  readonly height?: number;
  /** X axis title. */
  readonly xLabel: string;
  /** Y axis title. */
  readonly yLabel: string;
  /** Chart title (also the SVG's accessible name). */
  readonly title: string;
  /** Plot log10(y) (values <= 0 clipped at the smallest positive value shown). */
  readonly logY?: boolean;
}

/**
 * An SVG line chart with axes, ticks and titles.
 *
 * @param x Shared x values (increasing).
 * @param series Lines to draw.
 * @param options Size, titles and scale.
 * @returns SVG markup.
 *
 * @example
 * ```ts
 * import { lineChartSvg } from "./plots_svg.ts";
 * const svg = lineChartSvg(Float64Array.from([0, 1, 2]), [{ y: [1, 3, 2], colour: "#000", label: "a" }], {
 *   xLabel: "time (s)", yLabel: "signal", title: "Signals",
 * });
 * console.log(svg.startsWith("<svg")); // true
 * ```
 */
export function lineChartSvg(
  x: ArrayLike<number>,
  series: readonly LineSeries[],
  options: LineChartOptions,
): string {
  const width = options.width ?? 560;
  const height = options.height ?? 260;
  const m = { left: 62, right: 12, top: 26, bottom: 42 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const n = x.length;
  const logY = options.logY === true;
  let ymin = Infinity;
  let ymax = -Infinity;
  let maxPositive = 0;
  for (const s of series) {
    for (let i = 0; i < n; i++) {
      const v = s.y[i]!;
      if (Number.isFinite(v) && v > maxPositive) maxPositive = v;
    }
  }
  const floor = logY ? (maxPositive > 0 ? maxPositive * 1e-6 : 1e-12) : 0;
  const tf = (v: number): number => (logY ? Math.log10(Math.max(v, floor)) : v);
  for (const s of series) {
    for (let i = 0; i < n; i++) {
      const v = s.y[i]!;
      if (!Number.isFinite(v)) continue;
      const t = tf(v);
      if (t < ymin) ymin = t;
      if (t > ymax) ymax = t;
    }
  }
  if (!Number.isFinite(ymin)) {
    ymin = 0;
    ymax = 1;
  }
  if (!(ymax > ymin)) {
    ymin -= 0.5;
    ymax += 0.5;
  }
  const pad = 0.05 * (ymax - ymin);
  ymin -= pad;
  ymax += pad;
  const xmin = n > 0 ? x[0]! : 0;
  let xmax = n > 0 ? x[n - 1]! : 1;
  if (!(xmax > xmin)) xmax = xmin + 1;
  const px = (v: number): number => m.left + ((v - xmin) / (xmax - xmin)) * pw;
  const py = (t: number): number => m.top + (1 - (t - ymin) / (ymax - ymin)) * ph;
  const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}" ` +
      `font-family="sans-serif" font-size="11">`,
  );
  parts.push(
    `<text x="${width / 2}" y="15" text-anchor="middle" font-size="13" font-weight="bold">${
      escapeXml(options.title)
    }</text>`,
  );
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="#fff" stroke="#888"/>`,
  );
  for (const t of niceTicks(xmin, xmax, 8)) {
    const X = r1(px(t));
    parts.push(
      `<line x1="${X}" y1="${m.top + ph}" x2="${X}" y2="${m.top + ph + 4}" stroke="#444"/>` +
        `<text x="${X}" y="${m.top + ph + 15}" text-anchor="middle">${formatNumber(t)}</text>`,
    );
  }
  for (const t of niceTicks(ymin, ymax, 5)) {
    const Y = r1(py(t));
    const label = logY ? (Number.isInteger(t) ? `1e${t}` : formatNumber(10 ** t)) : formatNumber(t);
    parts.push(
      `<line x1="${m.left - 4}" y1="${Y}" x2="${m.left + pw}" y2="${Y}" stroke="#e4e4e4"/>` +
        `<text x="${
          m.left - 6
        }" y="${Y}" text-anchor="end" dominant-baseline="middle">${label}</text>`,
    );
  }
  parts.push(
    `<text x="${m.left + pw / 2}" y="${height - 6}" text-anchor="middle">${
      escapeXml(options.xLabel)
    }</text>`,
  );
  parts.push(
    `<text transform="translate(13 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${
      escapeXml(options.yLabel)
    }</text>`,
  );
  for (const s of series) {
    const d: string[] = [];
    let pen = false;
    for (let i = 0; i < n; i++) {
      const v = s.y[i]!;
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d.push(`${pen ? "L" : "M"}${r1(px(x[i]!))} ${r1(py(tf(v)))}`);
      pen = true;
    }
    parts.push(
      `<path d="${d.join("")}" fill="none" stroke="${escapeXml(s.colour)}" stroke-width="1.2">` +
        `<title>${escapeXml(s.label)}</title></path>`,
    );
  }
  parts.push("</svg>");
  return parts.join("");
}

/**
 * A horizontal colour bar for a symmetric range [-vmax, vmax], with value labels.
 *
 * @param stops Gradient stops `[offset 0-1, css colour]` from -vmax to vmax.
 * @param vmax Half-width of the range (> 0).
 * @param id Unique id for the gradient within the document.
 * @param width Width (px, default 320).
 * @returns SVG markup.
 *
 * @example
 * ```ts
 * import { colourBarSvg } from "./plots_svg.ts";
 * colourBarSvg([[0, "#00f"], [1, "#f00"]], 2, "cb0").includes(">2<"); // true
 * ```
 */
export function colourBarSvg(
  stops: readonly (readonly [number, string])[],
  vmax: number,
  id: string,
  width = 320,
): string {
  const h = 44;
  const barX = 24;
  const barW = width - 48;
  const stopMarkup = stops
    .map(([o, c]) => `<stop offset="${(o * 100).toFixed(2)}%" stop-color="${escapeXml(c)}"/>`)
    .join("");
  const ticks = [-1, -0.5, 0, 0.5, 1].map((f) => {
    const X = (barX + ((f + 1) / 2) * barW).toFixed(1);
    return `<line x1="${X}" y1="18" x2="${X}" y2="24" stroke="#333"/>` +
      `<text x="${X}" y="36" text-anchor="middle">${formatNumber(f * vmax)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="colourbar" width="${width}" height="${h}" ` +
    `viewBox="0 0 ${width} ${h}" role="img" aria-label="colour bar from ${formatNumber(-vmax)} to ${
      formatNumber(vmax)
    }" font-family="sans-serif" font-size="11">` +
    `<defs><linearGradient id="${escapeXml(id)}" x1="0" x2="1" y1="0" y2="0">${stopMarkup}` +
    `</linearGradient></defs>` +
    `<rect x="${barX}" y="4" width="${barW}" height="14" fill="url(#${
      escapeXml(id)
    })" stroke="#555"/>` +
    ticks.join("") + `</svg>`;
}
