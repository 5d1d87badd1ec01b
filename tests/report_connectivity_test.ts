/**
 * The report as a researcher reads it: map names in headings and legends, which subject the
 * signals come from, connectivity heatmaps (named below 100 regions, unnamed above), readable
 * corner letters, and the per-participant page.
 */
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import {
  connectivityHeatmap,
  generateParticipantReport,
  generateReport,
  NAMED_REGIONS_LIMIT,
  rdbuColour,
} from "../report/mod.ts";
import { decodePng } from "../report/png.ts";
import type { Matrix } from "../types.ts";

const affine = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);

function twoMaps() {
  const data = new Float64Array(4 * 4 * 4 * 2);
  data[21] = 1;
  data[64 + 42] = -2;
  return { data, shape: [4, 4, 4, 2], affine };
}

function corr(n: number): Matrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) data[i * n + j] = i === j ? 1 : Math.cos(i + 2 * j + i * j) / 2;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) data[i * n + j] = data[j * n + i]!;
  }
  return { data, shape: [n, n] };
}

function pngsOf(html: string): Uint8Array[] {
  return [...html.matchAll(/data:image\/png;base64,([A-Za-z0-9+/=]+)/g)].map((m) =>
    Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0))
  );
}

Deno.test("report: map names appear in headings and legends, and the signals say whose", () => {
  const signals: Matrix = { data: Float64Array.from([1, 2, 3, 4, 2, 1]), shape: [3, 2] };
  const { html } = generateReport({
    params: {},
    mapsImg: twoMaps(),
    maskImg: null,
    background: null,
    warnings: [],
    signals,
    tR: 2,
    labels: ["Default mode", "Visual"],
    signalsSource: "sub-07_task-rest",
  }, { displayedMaps: "all" });
  match(html, /<h3>Default mode \(map 0\)<\/h3>/);
  match(html, /<h3>Visual \(map 1\)<\/h3>/);
  // Legend entries of the time series carry the names, not "map 0".
  match(html, /class="swatch"[^>]*><\/span>Default mode</);
  ok(!/>map 0</.test(html), "no legend entry falls back to the index");
  match(html, /Signals of sub-07_task-rest/);
  match(html, /3 volumes of sub-07_task-rest/);
});

Deno.test("report: the orientation letters sit on a dark box, readable over white", () => {
  const { html } = generateReport({
    params: {},
    mapsImg: twoMaps(),
    maskImg: null,
    background: null,
    warnings: [],
    signals: null,
    tR: null,
  });
  const rule = html.match(/\.edge\{[^}]*\}/)?.[0] ?? "";
  match(rule, /color:#fff/);
  match(rule, /background:rgba\(0,0,0,\.6\d?\)/);
});

Deno.test("report: a connectivity section draws each matrix with names below 100 regions", () => {
  const matrix = corr(5);
  const labels = ["A", "B", "C", "D", "E"];
  const { html } = generateReport({
    params: {},
    mapsImg: twoMaps(),
    maskImg: null,
    background: null,
    warnings: [],
    signals: null,
    tR: null,
    labels: ["A", "B"],
    connectivity: [{ kind: "correlation", matrix, labels, source: "sub-01" }],
  });
  match(html, /<section class="connectivity"><h2>Connectivity<\/h2>/);
  for (const name of labels) {
    // Once on the rows, once on the columns.
    equal(html.match(new RegExp(`>${name}</text>`, "g"))?.length, 2, name);
  }
  // The heatmap PNG: cell (0, 1) holds 0.5 * cos(2) < 0 (blue side), the diagonal clips to red.
  const pngs = pngsOf(html.slice(html.indexOf('class="connectivity"')));
  equal(pngs.length, 1);
  const img = decodePng(pngs[0]!);
  equal(img.width, img.height);
  const cell = img.width / 5;
  const at = (i: number, j: number) => {
    const o = (Math.floor((i + 0.5) * cell) * img.width + Math.floor((j + 0.5) * cell)) * 4;
    return [img.rgba[o]!, img.rgba[o + 1]!, img.rgba[o + 2]!];
  };
  let vmax = 0;
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      if (i !== j) vmax = Math.max(vmax, Math.abs(matrix.data[i * 5 + j]!));
    }
  }
  deepEqual(at(0, 1), rdbuColour(matrix.data[1]! / vmax));
  deepEqual(at(2, 2), rdbuColour(1));
  // The colour bar is symmetric: it is labelled -vmax and +vmax.
  match(html, /aria-label="colour bar from -[0-9.e-]+ to [0-9.e-]+"/);
});

Deno.test("report: above 100 regions the heatmap shows indices, not names", () => {
  const n = NAMED_REGIONS_LIMIT + 20;
  const labels = Array.from({ length: n }, (_, i) => `region_${i}`);
  const svg = connectivityHeatmap({ kind: "covariance", matrix: corr(n), labels }, "x");
  ok(!svg.includes("region_3<"), "names are not drawn");
  match(svg, />0<\/text>/);
  match(svg, /names omitted/);
});

Deno.test("report: heatmap input is checked", () => {
  const bad: Matrix = { data: new Float64Array(6), shape: [2, 3] };
  throws(() => connectivityHeatmap({ kind: "correlation", matrix: bad, labels: null }, "b"), {
    name: "TypeError",
    message: /square/,
  });
  throws(
    () => connectivityHeatmap({ kind: "correlation", matrix: corr(3), labels: ["a"] }, "b"),
    { name: "TypeError", message: /1 region names for 3 regions/ },
  );
});

Deno.test("report: a participant page has one section per run, over that run's mean image", () => {
  const maps = twoMaps();
  const bg = { data: new Float64Array(64).fill(100), shape: [4, 4, 4], affine };
  const signals: Matrix = { data: Float64Array.from([1, 2, 3, 4, 2, 1]), shape: [3, 2] };
  const { html } = generateParticipantReport({
    participant: "07",
    params: { standardize: "zscore_sample" },
    mapsImg: maps,
    labels: ["DMN", "Visual"],
    warnings: [],
    runs: [
      {
        name: "sub-07_task-rest_run-1",
        background: bg,
        signals,
        tR: 2,
        connectivity: [{ kind: "correlation", matrix: corr(2), labels: ["DMN", "Visual"] }],
      },
      { name: "sub-07_task-rest_run-2", background: null, signals: null, tR: 2, error: "boom" },
    ],
  });
  match(html, /<title>sub-07<\/title>/);
  equal(html.match(/<section class="run"/g)?.length, 2);
  match(html, /Signals of sub-07_task-rest_run-1/);
  match(html, /Extraction failed: boom/);
  match(html, /run-2: no mean image/);
  // Figure ids stay unique across runs.
  const ids = [...html.matchAll(/id="(figure-[^"]+)"/g)].map((m) => m[1]);
  equal(new Set(ids).size, ids.length);
  equal(ids.length, 4);
  // Run 1's slices are drawn over its (uniform, non-black) mean image: a panel corner is gray.
  const first = decodePng(pngsOf(html)[0]!);
  ok(first.rgba[0]! > 0 && first.rgba[0] === first.rgba[1], "gray background");
});
