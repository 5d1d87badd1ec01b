/**
 * HTML building blocks of the report: one self-contained page (inline CSS, images as data: URIs,
 * no scripts, no network). Pure functions: values in, markup strings out.
 *
 * @module
 */
import { escapeXml } from "./plots_svg.ts";

/**
 * Base64 of bytes (for data: URIs).
 *
 * @param bytes Any bytes.
 * @returns Standard base64 text.
 *
 * @example
 * ```ts
 * import { toBase64 } from "./html.ts";
 * toBase64(new TextEncoder().encode("hi")); // "aGk="
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return btoa(binary);
}

function isImageLike(v: unknown): v is { shape: readonly number[]; data: ArrayLike<number> } {
  return typeof v === "object" && v !== null && "shape" in v && "data" in v &&
    Array.isArray((v as { shape: unknown }).shape);
}

/**
 * Short, human-readable text of a parameter value (images and arrays summarised, long text cut).
 *
 * @param value Any parameter value.
 * @returns Plain text (not escaped).
 *
 * @example
 * ```ts
 * import { formatParamValue } from "./html.ts";
 * formatParamValue(null); // "null"
 * formatParamValue({ data: new Float32Array(8), shape: [2, 2, 2], affine: new Float64Array(16) }); // "image of shape [2, 2, 2]"
 * ```
 */
export function formatParamValue(value: unknown): string {
  let text: string;
  if (value === null) text = "null";
  else if (value === undefined) text = "undefined";
  else if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "number") text = Number.isFinite(value) ? String(value) : String(value);
  else if (typeof value === "boolean" || typeof value === "bigint") text = String(value);
  else if (value instanceof URL) text = value.href;
  else if (isImageLike(value)) text = `image of shape [${value.shape.join(", ")}]`;
  else if (ArrayBuffer.isView(value)) {
    const n = (value as unknown as ArrayLike<number>).length ?? value.byteLength;
    text = `${value.constructor.name} of length ${n}`;
  } else if (typeof value === "function") text = "function";
  else {
    try {
      text = JSON.stringify(value, (_k, v) => {
        if (isImageLike(v)) return `image of shape [${v.shape.join(", ")}]`;
        if (ArrayBuffer.isView(v)) return `${v.constructor.name}`;
        return v;
      }) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 300 ? text.slice(0, 297) + "..." : text;
}

/**
 * The parameter table (sorted by name).
 *
 * @param params Parameter name to value.
 * @returns A `<table class="params">`.
 *
 * @example
 * ```ts
 * import { renderParamsTable } from "./html.ts";
 * renderParamsTable({ smoothingFwhm: 6 }).includes("smoothingFwhm"); // true
 * ```
 */
export function renderParamsTable(params: Readonly<Record<string, unknown>>): string {
  const rows = Object.keys(params).sort().map((k) =>
    `<tr><td>${escapeXml(k)}</td><td><code>${
      escapeXml(formatParamValue(params[k]))
    }</code></td></tr>`
  );
  return `<table class="params"><thead><tr><th>Parameter</th><th>Value</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`;
}

/**
 * The warnings box (empty string when there are none).
 *
 * @param warnings Warning messages in order.
 * @returns A `<section class="warnings">` listing them.
 *
 * @example
 * ```ts
 * import { renderWarnings } from "./html.ts";
 * renderWarnings([]); // ""
 * ```
 */
export function renderWarnings(warnings: readonly string[]): string {
  if (warnings.length === 0) return "";
  const items = warnings.map((w) => `<li>${escapeXml(w.trim())}</li>`).join("");
  return `<section class="warnings"><h2>Warnings</h2><ul>${items}</ul></section>`;
}

/** One slice panel of a map figure. */
export interface PanelMarkup {
  /** View name, e.g. "sagittal". */
  readonly view: string;
  /** PNG bytes of the panel. */
  readonly png: Uint8Array;
  /** Width and height (px). */
  readonly width: number;
  /** Height (px). */
  readonly height: number;
  /** Left and right edge labels. */
  readonly edgeLabels: readonly [string, string];
  /** Caption, e.g. "x = 12 mm". */
  readonly caption: string;
}

/** What one map figure shows. */
export interface MapFigureMarkup {
  /** Map index (0-based, as in the maps image). */
  readonly index: number;
  /** Position in the report (0-based, maybe prefixed by a run's id), for a unique element id. */
  readonly position: number | string;
  /** Heading text. */
  readonly heading: string;
  /** Details line (peak value and position). */
  readonly details: string;
  /** The three panels. */
  readonly panels: readonly PanelMarkup[];
  /** Colour bar SVG, or "" when the map is empty. */
  readonly colourBar: string;
}

/**
 * A `<figure class="map-figure">` for one map: three slice images, captions and a colour bar.
 *
 * @param fig What to show.
 * @returns Markup.
 *
 * @example
 * ```ts ignore
 * import { renderMapFigure } from "./html.ts";
 * renderMapFigure({ index: 0, position: 0, heading: "Map 0", details: "", panels: [], colourBar: "" });
 * ```
 */
export function renderMapFigure(fig: MapFigureMarkup): string {
  const panels = fig.panels.map((p) =>
    `<div class="panel"><div class="slice">` +
    `<img src="data:image/png;base64,${toBase64(p.png)}" width="${p.width}" height="${p.height}" ` +
    `alt="${escapeXml(`${fig.heading}, ${p.view} slice, ${p.caption}`)}">` +
    `<span class="edge left">${escapeXml(p.edgeLabels[0])}</span>` +
    `<span class="edge right">${escapeXml(p.edgeLabels[1])}</span></div>` +
    `<div class="panel-caption">${escapeXml(p.view)}, ${escapeXml(p.caption)}</div></div>`
  ).join("");
  return `<figure class="map-figure" id="figure-${fig.position}" data-map-index="${fig.index}">` +
    `<figcaption><h3>${escapeXml(fig.heading)}</h3><span class="details">${
      escapeXml(fig.details)
    }</span></figcaption>` +
    `<div class="panels">${panels}</div>` +
    (fig.colourBar === "" ? "" : `<div class="colourbar-wrap">${fig.colourBar}</div>`) +
    `</figure>`;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;padding:16px 24px;font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:#1d1d1d;background:#fff;font-size:14px;line-height:1.4}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;color:#444}
h2{font-size:17px;margin:18px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}
.warnings{background:#fff6e0;border:1px solid #e0b84c;border-radius:4px;padding:4px 12px;margin:10px 0}
.warnings h2{border:none;margin:6px 0 2px;font-size:15px;color:#7a5500}
.warnings ul{margin:4px 0 6px;padding-left:20px}
.map-figure{margin:10px 0 14px;padding:8px 10px;border:1px solid #ddd;border-radius:4px;background:#fafafa}
.map-figure figcaption{display:flex;gap:14px;align-items:baseline}
.map-figure h3{margin:0;font-size:15px}
.details{color:#555;font-size:12px}
.panels{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end;margin-top:6px}
.panel{display:flex;flex-direction:column;align-items:center}
.slice{position:relative;line-height:0}
.slice img{display:block;background:#000}
.edge{position:absolute;top:4px;color:#fff;font-size:12px;font-weight:bold;line-height:1;
background:rgba(0,0,0,.62);padding:2px 4px;border-radius:3px;text-shadow:0 0 2px #000}
.edge.left{left:4px}.edge.right{right:4px}
.panel-caption{font-size:12px;color:#333;margin-top:3px}
.colourbar-wrap{margin-top:4px}
.convention{font-size:12px;color:#555}
.plots{display:flex;flex-wrap:wrap;gap:16px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin:4px 0}
.swatch{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
table.params{border-collapse:collapse;font-size:13px}
table.params th,table.params td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
table.params th{background:#f0f0f0}
table.params code{font-size:12px;word-break:break-all}
footer{margin-top:18px;color:#666;font-size:12px}
.heatmaps{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
.heatmap-figure{margin:0;padding:8px 10px;border:1px solid #ddd;border-radius:4px;background:#fafafa}
.heatmap-figure h3{margin:0 0 6px;font-size:15px}
.heatmap-figure .convention{max-width:520px}
section.run{border-top:3px solid #bbb;margin-top:22px}
.run-error{color:#a00;font-weight:bold}
`;

/** Sections of the page, already rendered. */
export interface ReportSections {
  /** Page title. */
  readonly title: string;
  /** Summary sentences (plain text, escaped here). */
  readonly summary: readonly string[];
  /** Warnings markup (`renderWarnings`). */
  readonly warnings: string;
  /** Map figures markup. */
  readonly figures: string;
  /** Orientation/colour convention note (plain text). */
  readonly convention: string;
  /** Signals section markup, or "". */
  readonly signals: string;
  /** Connectivity section markup (heatmaps), or "" / omitted. */
  readonly connectivity?: string;
  /**
   * Per-run sections (a participant report), or omitted. When given, they replace the maps,
   * signals and connectivity sections.
   */
  readonly runs?: string;
  /** Parameter table markup. */
  readonly params: string;
  /** Footer note (plain text). */
  readonly footer: string;
}

/**
 * The whole HTML document.
 *
 * @param s Rendered sections.
 * @returns A complete `<!DOCTYPE html>` page.
 *
 * @example
 * ```ts
 * import { renderDocument } from "./html.ts";
 * const html = renderDocument({ title: "t", summary: [], warnings: "", figures: "", convention: "",
 *   signals: "", params: "", footer: "" });
 * console.log(html.startsWith("<!DOCTYPE html>")); // true
 * ```
 */
export function renderDocument(s: ReportSections): string {
  const summary = s.summary.map((line) => `<p>${escapeXml(line)}</p>`).join("");
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeXml(s.title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    `<header><h1>${escapeXml(s.title)}</h1>${summary}</header>\n` +
    `${s.warnings}\n` +
    `<main>\n` +
    (s.runs !== undefined ? `${s.runs}\n` : `<section class="maps"><h2>Maps</h2>` +
      `<p class="convention">${escapeXml(s.convention)}</p>\n${s.figures}</section>\n` +
      `${s.signals}\n${s.connectivity ?? ""}\n`) +
    `<section class="parameters"><h2>Parameters</h2>${s.params}</section>\n</main>\n` +
    `<footer>${escapeXml(s.footer)}</footer>\n</body>\n</html>\n`;
}

/**
 * Legend markup for line colours.
 *
 * @param entries `[label, colour]` pairs.
 * @returns A `<div class="legend">`.
 *
 * @example
 * ```ts
 * import { renderLegend } from "./html.ts";
 * renderLegend([["map 0", "#1f77b4"]]).includes("map 0"); // true
 * ```
 */
export function renderLegend(entries: readonly (readonly [string, string])[]): string {
  return `<div class="legend">${
    entries.map(([label, colour]) =>
      `<span><span class="swatch" style="background:${escapeXml(colour)}"></span>${
        escapeXml(label)
      }</span>`
    ).join("")
  }</div>`;
}
