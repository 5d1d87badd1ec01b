import assert from "node:assert/strict";
import { emptyReport, generateReport, resolveDisplayedMaps } from "../report/mod.ts";
import type { DisplayedMaps } from "../report/mod.ts";
import { decodePng } from "../report/png.ts";
import { synthReportInput } from "./report_fixtures.ts";

const VOID = new Set(["meta", "img", "br", "hr", "input", "link", "source", "col", "wbr"]);

/** Check that tags are balanced and properly nested; return the tag names in document order. */
function checkStructure(html: string): string[] {
  assert.ok(html.startsWith("<!DOCTYPE html>"), "doctype first");
  // <style> content is CSS, not markup.
  const body = html.replace(/^<!DOCTYPE html>/, "").replace(
    /<style>[\s\S]*?<\/style>/g,
    "<style></style>",
  );
  assert.ok(!/<script/i.test(body), "no scripts");
  const stack: string[] = [];
  const seen: string[] = [];
  const re = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
  for (const m of body.matchAll(re)) {
    const [, closing, rawName, , selfClosing] = m;
    const name = rawName!.toLowerCase();
    if (closing) {
      const top = stack.pop();
      assert.equal(top, name, `closing </${name}> does not match <${top}> at ${m.index}`);
    } else {
      seen.push(name);
      if (!VOID.has(name) && selfClosing !== "/") stack.push(name);
    }
  }
  assert.deepEqual(stack, [], "every element is closed");
  // No stray angle brackets in text (would mean an unescaped value).
  const text = body.replace(re, "");
  assert.ok(!/[<>]/.test(text), "no unescaped < or > in text");
  return seen;
}

function figureIndices(html: string): number[] {
  return [...html.matchAll(/<figure class="map-figure" id="figure-(\d+)" data-map-index="(\d+)">/g)]
    .map((m) => Number(m[2]));
}

Deno.test("report: well-formed self-contained page with parameters, summary and figures", () => {
  const input = synthReportInput();
  const { html, warnings } = generateReport(input, { title: "My <report>" });
  const tags = checkStructure(html);
  for (const t of ["html", "head", "body", "main", "table", "figure", "svg"]) {
    assert.ok(tags.includes(t), `has <${t}>`);
  }
  assert.ok(html.includes("<title>My &lt;report&gt;</title>"));
  // Self-contained: no external resources.
  assert.ok(!/\s(src|href)="(?!data:|#)/.test(html), "only data: URIs and fragment links");
  assert.ok(!/url\((?!#)/.test(html), "no external CSS urls");
  // 6 maps, default displayedMaps=10 is capped at 6 with a warning.
  assert.deepEqual(figureIndices(html), [0, 1, 2, 3, 4, 5]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /displayedMaps=10.*only has 6 maps.*6/);
  assert.ok(html.includes("The masker has 6 spatial maps in total."));
  // Warnings from fit and from the report are both shown.
  assert.ok(html.includes("synthetic example warning"));
  assert.ok(html.includes("only has 6 maps"));
  // Parameter table: header and every parameter name, with values.
  const table = html.match(/<table class="params">[\s\S]*?<\/table>/)?.[0] ?? "";
  assert.ok(table.includes("<th>Parameter</th><th>Value</th>"));
  for (const name of Object.keys(input.params)) {
    assert.ok(table.includes(`<td>${name}</td>`), `parameter ${name} listed`);
  }
  assert.ok(table.includes("<td>resamplingTarget</td><td><code>&quot;data&quot;</code></td>"));
  // Three embedded PNG slices per figure, each a valid PNG.
  const imgs = [...html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)];
  assert.equal(imgs.length, 3 * 6);
  const first = decodePng(Uint8Array.from(atob(imgs[0]![1]!), (c) => c.charCodeAt(0)));
  assert.ok(first.width > 50 && first.height > 50);
  // Signals: time series in seconds and spectra in Hz.
  assert.ok(html.includes("time (s)"));
  assert.ok(html.includes("frequency (Hz)"));
  assert.equal((html.match(/<path /g) ?? []).length, 2 * 6, "one line per displayed map per plot");
  assert.ok(html.length < 1_000_000, `report size ${html.length}`);
});

Deno.test("report: list of indices is shown in the requested order; counts and 'all'", () => {
  const input = synthReportInput({ nVolumes: 0 });
  const listed = generateReport(input, { displayedMaps: [4, 0, 2] });
  checkStructure(listed.html);
  assert.deepEqual(figureIndices(listed.html), [4, 0, 2]);
  assert.deepEqual(listed.warnings, []);
  assert.ok(listed.html.includes("Only 3 spatial maps are shown in this report: [4, 0, 2]."));
  assert.ok(listed.html.includes("No transform has run yet"));
  assert.ok(!listed.html.includes("frequency ("), "no spectra without signals");

  const two = generateReport(input, { displayedMaps: 2 });
  assert.deepEqual(figureIndices(two.html), [0, 1]);
  assert.deepEqual(two.warnings, []);

  const all = generateReport(input, { displayedMaps: "all" });
  assert.deepEqual(figureIndices(all.html), [0, 1, 2, 3, 4, 5]);
  assert.ok(all.html.includes("All 6 maps are shown"));
  assert.deepEqual(all.warnings, []);

  const typed = generateReport(input, {
    displayedMaps: Int32Array.from([5, 1]) as unknown as number[],
  });
  assert.deepEqual(figureIndices(typed.html), [5, 1]);
});

Deno.test("report: displayed maps' signals only; time in volumes and cycles/volume without tR", () => {
  const input = synthReportInput({ tR: null, nVolumes: 50 });
  const { html } = generateReport(input, { displayedMaps: [3, 1] });
  assert.equal((html.match(/<path /g) ?? []).length, 4);
  assert.ok(html.includes("time (volumes)"));
  assert.ok(html.includes("frequency (cycles per volume)"));
  assert.ok(html.indexOf(">map 3<") < html.indexOf(">map 1<"), "legend in display order");
  assert.ok(html.includes("zero-padded to 64 points"));
});

Deno.test("report: bad displayedMaps raise clear TypeError / RangeError", () => {
  const input = synthReportInput({ nVolumes: 0 });
  const bad = (d: unknown) => generateReport(input, { displayedMaps: d as DisplayedMaps });
  assert.throws(
    () => bad("some"),
    (e: unknown) => e instanceof TypeError && /"all"/.test(e.message),
  );
  assert.throws(() => bad(2.5), TypeError);
  assert.throws(() => bad(true), TypeError);
  assert.throws(() => bad({ n: 2 }), TypeError);
  assert.throws(() => bad(null), TypeError);
  assert.throws(() => bad([1, 1.5]), TypeError);
  assert.throws(() => bad(["1"]), TypeError);
  assert.throws(
    () => bad([0, 6]),
    (e: unknown) => e instanceof RangeError && /\[6\]/.test(e.message) && /6 maps/.test(e.message),
  );
  assert.throws(() => bad([-1]), RangeError);
  assert.throws(() => bad([]), RangeError);
  assert.throws(() => bad(-3), RangeError);
  // resolveDisplayedMaps directly: capping.
  const r = resolveDisplayedMaps(20, 3);
  assert.deepEqual(r.indices, [0, 1, 2]);
  assert.match(r.warnings[0]!, /20.*3 maps/);
  assert.deepEqual(resolveDisplayedMaps(0, 3).indices, []);
});

Deno.test("report: background missing or from the mask warns; empty map warns", () => {
  const noBg = generateReport(synthReportInput({ background: false, nVolumes: 0 }), {
    displayedMaps: [0],
  });
  assert.ok(noBg.warnings.some((w) => /No background image/.test(w)));
  assert.ok(noBg.html.includes("No background image"));
  const maskBg = generateReport(
    { ...synthReportInput({ nVolumes: 0 }), backgroundSource: "mask" },
    { displayedMaps: [0] },
  );
  assert.ok(maskBg.warnings.some((w) => /No image provided to fit/.test(w)));
  const withEmpty = synthReportInput({
    nVolumes: 0,
    maps: [[{ centre: [0, 0, 0], sigma: 8, amplitude: 1 }], []],
  });
  const e = generateReport(withEmpty, { displayedMaps: "all" });
  assert.ok(e.warnings.some((w) => /Map 1 is empty/.test(w)));
  assert.deepEqual(figureIndices(e.html), [0, 1]);
  checkStructure(e.html);
});

Deno.test("report: inconsistent input is rejected with the parameter named", () => {
  const input = synthReportInput({ nVolumes: 10 });
  assert.throws(
    () => generateReport({ ...input, signals: { data: new Float64Array(10 * 5), shape: [10, 5] } }),
    (e: unknown) => e instanceof TypeError && /signals/.test(e.message),
  );
  assert.throws(
    () =>
      generateReport({
        ...input,
        background: { data: new Float32Array(8), shape: [2, 2, 2], affine: input.mapsImg.affine },
      }),
    (e: unknown) => e instanceof TypeError && /background/.test(e.message),
  );
  assert.throws(() => generateReport({ ...input, tR: -2 }), RangeError);
});

Deno.test("report: emptyReport says why there is no report", () => {
  const msg = "Report generation not enabled (reports: false): no report data was kept.";
  const r = emptyReport(msg);
  checkStructure(r.html);
  assert.deepEqual(r.warnings, [msg]);
  assert.ok(r.html.includes("reports: false"));
  assert.deepEqual(figureIndices(r.html), []);
});
