/**
 * NaN/±Infinity found while a NIfTI file is read (each chunk checked right after it is inflated,
 * in WebAssembly SIMD or JavaScript): the stream's `nonFiniteSeen()`, and the masker's
 * "Non-finite values detected" warning for subjects given as files (gzipped and plain float32,
 * float64, big-endian, scaled int16), with the same signals as the same values in memory.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { openNifti } from "../image/load.ts";
import { encodeNifti1Header } from "../image/nifti_write.ts";
import { scannableArray } from "../image/finite_scan_wasm.ts";
import { multiMapsMasker } from "../maskers/mod.ts";
import type { Image } from "../types.ts";

const MESSAGE = "Non-finite values detected. These values will be replaced with zeros.";
const AFFINE = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);

type Layout = "float32" | "float64" | "float32-scaled" | "int16-scaled" | "float32-be";

/** The bytes of a NIfTI-1 file of `values` (x fastest, then volumes) stored as `layout`. */
function niftiBytes(shape: number[], values: ArrayLike<number>, layout: Layout): Uint8Array {
  const float64 = layout === "float64";
  const header = encodeNifti1Header(shape, AFFINE, float64 ? "float64" : "float32");
  const size = layout === "int16-scaled" ? 2 : float64 ? 8 : 4;
  const bytes = new Uint8Array(header.length + values.length * size);
  bytes.set(header);
  const view = new DataView(bytes.buffer);
  if (layout === "int16-scaled" || layout === "float32-scaled") {
    view.setFloat32(112, 0.5, true); // scl_slope
    view.setFloat32(116, -3, true); // scl_inter
  }
  if (layout === "int16-scaled") {
    view.setInt16(70, 4, true); // DT_INT16
    view.setInt16(72, 16, true);
  }
  if (layout === "float32-be") {
    // The same header, big-endian: swap every field written (ints of 2/4 bytes, floats of 4).
    const le = new DataView(header.buffer, header.byteOffset, header.length);
    const be = view;
    be.setInt32(0, le.getInt32(0, true), false);
    for (let o = 40; o < 76; o += 2) be.setInt16(o, le.getInt16(o, true), false);
    for (let o = 76; o < 132; o += 4) be.setFloat32(o, le.getFloat32(o, true), false);
    for (let o = 252; o < 256; o += 2) be.setInt16(o, le.getInt16(o, true), false);
    for (let o = 256; o < 344; o += 4) be.setFloat32(o, le.getFloat32(o, true), false);
  }
  const at = header.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (layout === "float64") view.setFloat64(at + 8 * i, v, true);
    else if (layout === "int16-scaled") view.setInt16(at + 2 * i, (v + 3) / 0.5, true);
    else if (layout === "float32-scaled") view.setFloat32(at + 4 * i, (v + 3) / 0.5, true);
    else view.setFloat32(at + 4 * i, v, layout !== "float32-be");
  }
  return bytes;
}

/** Write `values` as a `.nii.gz` or `.nii` file in `dir`; returns its path. */
async function writeNifti(
  dir: string,
  name: string,
  shape: number[],
  values: ArrayLike<number>,
  layout: Layout,
  gzip: boolean,
): Promise<string> {
  const bytes = niftiBytes(shape, values, layout);
  const path = `${dir}/${name}${gzip ? ".nii.gz" : ".nii"}`;
  await Deno.writeFile(path, gzip ? new Uint8Array(gzipSync(bytes, { level: 1 })) : bytes);
  return path;
}

/** Read a file through `volumes({ reuse, checkFinite })`: its values (copied) and the answer. */
async function readChecked(path: string): Promise<{ values: Float64Array; seen: boolean }> {
  const s = await openNifti(path);
  const parts: number[] = [];
  for await (const vol of s.volumes({ reuse: true, checkFinite: true })) {
    for (let i = 0; i < vol.length; i++) parts.push(vol[i]!);
  }
  return { values: Float64Array.from(parts), seen: s.nonFiniteSeen() };
}

Deno.test("the WebAssembly SIMD check runs here (else the JavaScript scan is what is tested)", () => {
  const a = scannableArray(true, 100);
  assert.ok(a !== null, "WebAssembly SIMD expected in Deno");
  for (let from = 0; from < 100; from++) {
    for (const count of [0, 1, 3, 8, 9, 17, 100 - from]) {
      if (from + count > 100) continue;
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [from - 1, from, from + count - 1, from + count]) {
          a.data.fill(1.5);
          if (at >= 0 && at < 100) a.data[at] = bad;
          const inside = at >= from && at < from + count;
          assert.equal(a.hasNonFinite(from, count), inside, `${from}+${count}, ${bad} at ${at}`);
        }
      }
    }
  }
  const d = scannableArray(false, 37)!;
  d.data.fill(1.7e308); // finite values whose sum overflows
  assert.equal(d.hasNonFinite(0, 37), false);
  d.data[36] = -Infinity;
  assert.equal(d.hasNonFinite(0, 37), true);
  assert.equal(d.hasNonFinite(1, 35), false);
});

Deno.test("nonFiniteSeen: a NaN or ±Inf anywhere in any volume, every layout, gzipped or not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_nonfinite_" });
  try {
    // 294,000 voxels: float32 volumes span two 1 MiB read chunks, float64 ones three.
    const shape = [70, 70, 60, 3];
    const nV = 70 * 70 * 60;
    const clean = new Float64Array(nV * 3);
    for (let i = 0; i < clean.length; i++) clean[i] = ((i * 7919) % 2001) / 2 - 500;
    // Positions: first voxel, inside the second chunk, last voxel of a volume.
    const spots = [nV, nV + 262144 + 5, 2 * nV - 1, 3 * nV - 1];
    const layouts: Layout[] = ["float32", "float64", "float32-scaled", "float32-be"];
    for (const layout of layouts) {
      for (const gzip of [true, false]) {
        const path = await writeNifti(dir, `clean_${layout}`, shape, clean, layout, gzip);
        const r = await readChecked(path);
        assert.equal(r.seen, false, `${path}: clean`);
        assert.deepEqual(
          r.values,
          layout === "float64" ? clean : Float64Array.from(
            Float32Array.from(clean),
          ),
          `${path}: values`,
        );
        for (const [k, at] of spots.entries()) {
          const bad = [NaN, Infinity, -Infinity, NaN][k]!;
          {
            const dirty = clean.slice();
            dirty[at] = bad;
            const p = await writeNifti(dir, `bad_${layout}`, shape, dirty, layout, gzip);
            const got = await readChecked(p);
            assert.equal(got.seen, true, `${p}: ${bad} at ${at}`);
            if (!Number.isNaN(bad)) assert.equal(got.values[at], bad);
            else assert.ok(Number.isNaN(got.values[at]!));
          }
        }
      }
    }
    // Integers (scaled or not) cannot hold NaN/Inf: never seen, values as scaled.
    const ints = Float64Array.from(clean, (v) => Math.round(v) || 0);
    for (const gzip of [true, false]) {
      const path = await writeNifti(dir, "int16", shape, ints, "int16-scaled", gzip);
      const r = await readChecked(path);
      assert.equal(r.seen, false);
      assert.deepEqual(r.values, ints);
    }
    // Not asked: not tracked.
    const path = await writeNifti(dir, "off", [4, 1, 1, 1], [1, NaN, 2, 3], "float32", true);
    const s = await openNifti(path);
    for await (const _ of s.volumes({ reuse: true })) { /* read */ }
    assert.equal(s.nonFiniteSeen(), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// 4 voxels along x; map 0 covers voxels 0-1, map 1 voxels 2-3 (weights 1).
const MAPS: Image = {
  data: Float64Array.from([1, 1, 0, 0, 0, 0, 1, 1]),
  shape: [4, 1, 1, 2],
  affine: AFFINE,
};

Deno.test("the masker warns once for a NaN/Inf in a file subject, never for a clean one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "niimask_nonfinite_" });
  try {
    const shape = [4, 1, 1, 2];
    const clean = [2, 2, 5, 5, 3, 3, 7, 7];
    const cases: [Layout, boolean][] = [
      ["float32", true],
      ["float32", false],
      ["float64", true],
      ["float32-scaled", true],
      ["float32-be", false],
    ];
    for (const [layout, gzip] of cases) {
      const cleanPath = await writeNifti(dir, `c_${layout}`, shape, clean, layout, gzip);
      const f = await multiMapsMasker({ mapsImg: MAPS }).fit();
      assert.deepEqual(Array.from((await f.transform(cleanPath)).data), [2, 5, 3, 7]);
      assert.equal(f.reportInput()!.warnings.filter((w) => w === MESSAGE).length, 0, cleanPath);
      for (const bad of [NaN, Infinity]) {
        // Voxel 1 bad in volume 0: least squares with it at 0.
        const values = [2, bad, 5, 5, 3, 3, 7, 7];
        const path = await writeNifti(dir, `d_${layout}`, shape, values, layout, gzip);
        const g = await multiMapsMasker({ mapsImg: MAPS }).fit();
        const out = await g.transform(path);
        const inMemory = await g.transform({
          data: Float64Array.from(values),
          shape,
          affine: AFFINE,
        });
        assert.deepEqual(Array.from(out.data), [1, 5, 3, 7], path);
        assert.deepEqual(Array.from(out.data), Array.from(inMemory.data));
        assert.equal(g.reportInput()!.warnings.filter((w) => w === MESSAGE).length, 1, path);
        // A clean file after it: still one warning, and no warning for a clean list.
        const both = await g.transformImgs([cleanPath, path]);
        assert.deepEqual(both.map((m) => Array.from(m.data)), [[2, 5, 3, 7], [1, 5, 3, 7]]);
        assert.equal(g.reportInput()!.warnings.filter((w) => w === MESSAGE).length, 1);
      }
    }
    // Scaled int16 (no NaN possible): no warning, the scaled values.
    const intPath = await writeNifti(dir, "i16", shape, clean, "int16-scaled", true);
    const h = await multiMapsMasker({ mapsImg: MAPS }).fit();
    assert.deepEqual(Array.from((await h.transform(intPath)).data), [2, 5, 3, 7]);
    assert.equal(h.reportInput()!.warnings.filter((w) => w === MESSAGE).length, 0);
    // From web workers too.
    const dirtyPath = await writeNifti(
      dir,
      "w",
      shape,
      [NaN, 2, 5, 5, 3, 3, 7, 7],
      "float32",
      true,
    );
    const w = await multiMapsMasker({ mapsImg: MAPS, nJobs: 2 }).fit();
    const cleanW = await multiMapsMasker({ mapsImg: MAPS, nJobs: 2 }).fit();
    await cleanW.transformImgs([intPath, intPath]);
    assert.equal(cleanW.reportInput()!.warnings.filter((x) => x === MESSAGE).length, 0);
    const pair = await w.transformImgs([intPath, dirtyPath]);
    assert.deepEqual(pair.map((m) => Array.from(m.data)), [[2, 5, 3, 7], [1, 5, 3, 7]]);
    assert.equal(w.reportInput()!.warnings.filter((x) => x === MESSAGE).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
