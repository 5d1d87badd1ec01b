import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { divergingColor, divergingLut, LUT_SIZE, lutIndex } from "../report/colormap.ts";
import { crc32, decodePng, encodePng } from "../report/png.ts";
import { axisOrientation, peakVoxel, renderOrthoSlices } from "../report/slices.ts";
import { nextPowerOfTwo, powerSpectrum } from "../report/spectrum.ts";
import { lineChartSvg, niceTicks } from "../report/plots_svg.ts";
import { formatParamValue, renderParamsTable } from "../report/html.ts";

Deno.test("colormap: diverging, symmetric in hue class, transparent near 0", () => {
  assert.equal(divergingColor(0), null);
  assert.equal(divergingColor(0.05), null);
  assert.equal(divergingColor(-0.05), null);
  assert.equal(divergingColor(Number.NaN), null);
  const hot = divergingColor(0.8)!;
  const cold = divergingColor(-0.8)!;
  assert.ok(hot[0] > 200 && hot[2] < 80, `positive is red-yellow, got ${hot}`);
  assert.ok(cold[2] > 200 && cold[0] < 80, `negative is blue-cyan, got ${cold}`);
  assert.deepEqual(divergingColor(1), [255, 255, 0]);
  assert.deepEqual(divergingColor(-1), [0, 255, 255]);
  // Clipped beyond the range.
  assert.deepEqual(divergingColor(3), divergingColor(1));
  const lut = divergingLut();
  assert.equal(lut.length, 4 * LUT_SIZE);
  assert.equal(lut[4 * lutIndex(0, 1) + 3], 0, "centre of the LUT is transparent");
  assert.equal(lut[4 * lutIndex(1, 1) + 3], 255);
  assert.equal(lutIndex(-5, 1), 0);
  assert.equal(lutIndex(5, 1), LUT_SIZE - 1);
});

Deno.test("png: CRC-32 of a known chunk type and encode/decode round trip", () => {
  assert.equal(crc32(new TextEncoder().encode("IEND")), 0xae426082);
  const w = 7;
  const h = 5;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37 + (i >> 3)) & 0xff;
  const png = encodePng(rgb, w, h, 3);
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  const dec = decodePng(png);
  assert.equal(dec.width, w);
  assert.equal(dec.height, h);
  for (let p = 0; p < w * h; p++) {
    assert.equal(dec.rgba[4 * p], rgb[3 * p]);
    assert.equal(dec.rgba[4 * p + 1], rgb[3 * p + 1]);
    assert.equal(dec.rgba[4 * p + 2], rgb[3 * p + 2]);
    assert.equal(dec.rgba[4 * p + 3], 255);
  }
  const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 11) & 0xff);
  assert.deepEqual(decodePng(encodePng(rgba, 3, 2, 4)).rgba, rgba);
  assert.throws(() => encodePng(new Uint8Array(5), 2, 2, 3), TypeError);
  assert.throws(() => decodePng(new Uint8Array(20)), TypeError);
});

Deno.test("png: decoder handles the Average filter (type 3), as browsers write it", () => {
  // Hand-built 2x2 RGB image: row 0 with filter 0, row 1 with filter 3.
  const row0 = [10, 20, 30, 40, 50, 60];
  const row1 = [12, 22, 32, 44, 54, 64];
  const filtered1 = row1.map((v, i) => {
    const a = i >= 3 ? row1[i - 3]! : 0;
    const b = row0[i]!;
    return (v - ((a + b) >> 1)) & 0xff;
  });
  const raw = Uint8Array.from([0, ...row0, 3, ...filtered1]);
  const ihdr = Uint8Array.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
  const chunk = (type: string, data: Uint8Array): number[] => {
    const body = Uint8Array.from([...new TextEncoder().encode(type), ...data]);
    const len = data.length;
    const crc = crc32(body);
    return [
      len >>> 24,
      (len >>> 16) & 255,
      (len >>> 8) & 255,
      len & 255,
      ...body,
      crc >>> 24,
      (crc >>> 16) & 255,
      (crc >>> 8) & 255,
      crc & 255,
    ];
  };
  const file = Uint8Array.from([
    137,
    80,
    78,
    71,
    13,
    10,
    26,
    10,
    ...chunk("IHDR", ihdr),
    ...chunk("IDAT", new Uint8Array(deflateSync(raw))),
    ...chunk("IEND", new Uint8Array()),
  ]);
  const dec = decodePng(file);
  assert.deepEqual([...dec.rgba.subarray(8, 16)], [12, 22, 32, 255, 44, 54, 64, 255]);
});

Deno.test("spectrum: zero-padded to a power of two, peak at the sine's frequency (Hz)", () => {
  assert.equal(nextPowerOfTwo(1), 2);
  assert.equal(nextPowerOfTwo(64), 64);
  assert.equal(nextPowerOfTwo(65), 128);
  const tR = 2;
  const n = 100;
  const f = 0.1; // Hz
  const s = Float64Array.from({ length: n }, (_, t) => 3 + Math.sin(2 * Math.PI * f * t * tR));
  const { freqs, power, nfft } = powerSpectrum(s, tR);
  assert.equal(nfft, 128);
  assert.equal(freqs.length, 65);
  assert.equal(freqs[64], 1 / (2 * tR), "last frequency is Nyquist");
  let best = 0;
  for (let k = 1; k < power.length; k++) if (power[k]! > power[best]!) best = k;
  assert.ok(Math.abs(freqs[best]! - f) <= 1 / (nfft * tR), `peak at ${freqs[best]} Hz`);
  assert.ok(power[0]! < 1e-20, "mean removed");
  // Without tR: cycles per volume.
  const noTr = powerSpectrum(s, null);
  assert.equal(noTr.freqs[64], 0.5);
});

Deno.test("slices: neurological orientation on an LAS affine and voxel aspect ratio", () => {
  // 10 x 6 x 4 grid, x flipped (LAS), voxels 2 x 2 x 4 mm.
  const shape: [number, number, number] = [10, 6, 4];
  const affine = Float64Array.from([-2, 0, 0, 9, 0, 2, 0, -5, 0, 0, 4, -6, 0, 0, 0, 1]);
  const o = axisOrientation(affine);
  assert.deepEqual(o.voxelAxisOf, [0, 1, 2]);
  assert.deepEqual(o.signOf, [-1, 1, 1]);
  assert.deepEqual(o.voxelSizes, [2, 2, 4]);
  const map = new Float64Array(10 * 6 * 4);
  // High voxel index i = 8 -> world x = 9 - 16 = -7 mm: the subject's LEFT.
  const p = 8 + 10 * (3 + 6 * 2);
  map[p] = -5;
  map[p - 8] = 1; // i = 0, world x = +9: right
  const peak = peakVoxel(map, shape);
  assert.deepEqual(peak.ijk, [8, 3, 2]);
  assert.equal(peak.value, -5);
  const views = renderOrthoSlices({
    map,
    background: null,
    shape,
    affine,
    cut: peak.ijk,
    vmax: 5,
    threshold: 0.1,
    backgroundRange: [0, 1],
    pxPerMm: 1,
  });
  assert.deepEqual(views.map((v) => v.view), ["sagittal", "coronal", "axial"]);
  const coronal = views[1]!;
  // Coronal: x extent 20 mm wide, z extent 16 mm high at 1 px/mm.
  assert.equal(coronal.width, 20);
  assert.equal(coronal.height, 16);
  assert.deepEqual(coronal.edgeLabels, ["L", "R"]);
  const colourColumns = (v: typeof coronal, pred: (r: number, g: number, b: number) => boolean) => {
    const cols = new Set<number>();
    for (let y = 0; y < v.height; y++) {
      for (let x = 0; x < v.width; x++) {
        const o = 3 * (y * v.width + x);
        if (pred(v.rgb[o]!, v.rgb[o + 1]!, v.rgb[o + 2]!)) cols.add(x);
      }
    }
    return [...cols];
  };
  const cold = colourColumns(coronal, (r, _g, b) => b > 150 && r < 80);
  assert.ok(
    cold.length > 0 && cold.every((x) => x < 10),
    `left-hemisphere blob on the left: ${cold}`,
  );
  const hot = colourColumns(coronal, (r, _g, b) => r > 100 && b < 80);
  assert.ok(
    hot.length > 0 && hot.every((x) => x >= 10),
    `right-hemisphere voxel on the right: ${hot}`,
  );
  // Superior up: the blob is at k = 2 of 4 (z in [2, 6) mm from the bottom -> rows 4..11 from top).
  const axial = views[2]!;
  assert.equal(axial.width, 20);
  assert.equal(axial.height, 12);
  const sagittal = views[0]!;
  assert.equal(sagittal.width, 12);
  assert.equal(sagittal.height, 16);
});

Deno.test("plots: nice ticks, SVG chart has one path per series, params table escapes", () => {
  assert.deepEqual(niceTicks(0, 10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(-1, 1, 4), [-1, -0.5, 0, 0.5, 1]);
  const svg = lineChartSvg([0, 1, 2], [
    { y: [1, 2, 3], colour: "#f00", label: "a" },
    { y: [3, 2, 1], colour: "#00f", label: "b<c" },
  ], { title: "T", xLabel: "time (s)", yLabel: "signal" });
  assert.equal(svg.match(/<path /g)?.length, 2);
  assert.ok(svg.includes("b&lt;c"));
  assert.ok(svg.includes("time (s)"));
  const table = renderParamsTable({
    b: "<x>",
    a: null,
    img: { data: new Float32Array(8), shape: [2, 2, 2] },
  });
  assert.ok(table.indexOf(">a<") < table.indexOf(">b<"), "sorted by name");
  assert.ok(table.includes("&quot;&lt;x&gt;&quot;"));
  assert.equal(
    formatParamValue({ data: new Float32Array(1), shape: [1, 1, 1] }),
    "image of shape [1, 1, 1]",
  );
  assert.equal(formatParamValue({ lowPass: 0.1 }), '{"lowPass":0.1}');
});
