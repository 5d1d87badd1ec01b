import assert from "node:assert/strict";
import { loadImg, type NiftiErrorCode, NiftiParseError, openNifti } from "../image/mod.ts";
import { gzipBytes, ramp, synthNifti, tempDir } from "./image_io_fixtures.ts";

const GOOD = { dims: [4, 3, 2, 2], values: ramp(48) };

/** Write `bytes` as `name` in a fresh dir, load it, and check the NiftiParseError. */
async function expectParseError(
  name: string,
  bytes: Uint8Array,
  code: NiftiErrorCode,
  gist: RegExp,
): Promise<void> {
  const dir = await tempDir();
  try {
    const path = `${dir}/${name}`;
    await Deno.writeFile(path, bytes);
    for (const load of [() => loadImg(path), () => openNifti(path).then(drain)]) {
      const err = await load().then(() => null, (e) => e);
      assert.ok(err instanceof NiftiParseError, `${name}: got ${err}`);
      assert.equal(err.code, code, `${name}: ${err.message}`);
      assert.match(err.message, gist, name);
      assert.ok(err.message.includes(path), `${name}: message names the file: ${err.message}`);
    }
    // raw bytes go through the same checks
    const fromBytes = await loadImg(bytes).then(() => null, (e) => e);
    assert.ok(fromBytes instanceof NiftiParseError, `${name} (bytes): got ${fromBytes}`);
    assert.equal(fromBytes.code, code === "not_found" ? "not_found" : fromBytes.code);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function drain(s: { volumes(): AsyncIterableIterator<unknown> }): Promise<void> {
  for await (const _ of s.volumes()) { /* consume */ }
}

function withHeader(edit: (v: DataView) => void, opts = GOOD): Uint8Array {
  const b = synthNifti(opts);
  edit(new DataView(b.buffer));
  return b;
}

Deno.test("missing file", async () => {
  const dir = await tempDir();
  try {
    for (const p of [`${dir}/absent.nii.gz`, `${dir}/absent.nii`]) {
      const err = await loadImg(p).catch((e) => e);
      assert.ok(err instanceof NiftiParseError);
      assert.equal(err.code, "not_found");
      assert.match(err.message, /not found/);
      assert.ok(err.message.includes(p));
    }
    const err = await openNifti(`${dir}/absent.nii`).catch((e) => e);
    assert.ok(err instanceof NiftiParseError && err.code === "not_found");
    const d = await loadImg(dir).catch((e) => e);
    assert.ok(d instanceof NiftiParseError && /directory/.test(d.message));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("empty file, empty gzip", async () => {
  await expectParseError("e.nii.gz", new Uint8Array(0), "empty", /empty/);
  await expectParseError("e.nii", new Uint8Array(0), "empty", /empty/);
  await expectParseError("e2.nii.gz", await gzipBytes(new Uint8Array(0)), "empty", /empty/);
});

Deno.test("not NIfTI: text file, bad sizeof_hdr, bad magic, pair magic, short header", async () => {
  const text = new TextEncoder().encode("hello, this is not an image\n".repeat(20));
  await expectParseError("t.nii", text, "not_nifti", /not a NIfTI file/);
  await expectParseError("t.nii.gz", await gzipBytes(text), "not_nifti", /not a NIfTI file/);
  await expectParseError(
    "s.nii",
    withHeader((v) => v.setInt32(0, 349, true)),
    "not_nifti",
    /sizeof_hdr/,
  );
  await expectParseError(
    "m.nii",
    synthNifti({ ...GOOD, magic: "xyz\0" }),
    "not_nifti",
    /magic/,
  );
  await expectParseError(
    "m2.nii",
    synthNifti({ ...GOOD, version: 2, magic: "n+1\0" }),
    "not_nifti",
    /magic/,
  );
  await expectParseError("p.nii", synthNifti({ ...GOOD, magic: "ni1\0" }), "not_nifti", /pair/);
  await expectParseError("h.nii", synthNifti(GOOD).slice(0, 200), "truncated", /header/);
});

Deno.test("truncated data: plain file, inside a valid gzip, truncated and corrupt gzip", async () => {
  const full = synthNifti(GOOD);
  await expectParseError("d.nii", full.slice(0, full.length - 10), "truncated", /truncated/);
  await expectParseError(
    "d.nii.gz",
    await gzipBytes(full.slice(0, full.length - 10)),
    "truncated",
    /truncated data/,
  );
  const gz = await gzipBytes(full);
  // a deflate stream cut short says "truncated" (it used to say "checksum"/"corrupt")
  await expectParseError(
    "g.nii.gz",
    gz.slice(0, gz.length - 40),
    "truncated",
    /truncated gzip data: the file ends inside gzip member 1/,
  );
  const corrupt = gz.slice();
  for (let i = 30; i < corrupt.length - 8; i += 7) corrupt[i] = corrupt[i]! ^ 0x5a;
  await expectParseError("c.nii.gz", corrupt, "gzip", /corrupt gzip data/);
  // gzip cut right after its 10-byte header
  await expectParseError("c2.nii.gz", gz.slice(0, 12), "truncated", /truncated gzip data/);
});

Deno.test("unsupported datatype", async () => {
  for (const code of [32, 128, 1536, 255]) {
    await expectParseError(
      `dt${code}.nii`,
      withHeader((v) => v.setInt16(70, code, true)),
      "datatype",
      new RegExp(`unsupported datatype code ${code}`),
    );
  }
});

Deno.test("bad dims and offsets", async () => {
  const cases: [string, (v: DataView) => void, RegExp][] = [
    ["dim0_0", (v) => v.setInt16(40, 0, true), /dim\[0\] is 0/],
    ["dim0_8", (v) => v.setInt16(40, 8, true), /dim\[0\] is 8/],
    ["dim0_neg", (v) => v.setInt16(40, -3, true), /dim\[0\] is -3/],
    ["dim2_0", (v) => v.setInt16(44, 0, true), /dim\[2\] is 0/],
    ["dim1_neg", (v) => v.setInt16(42, -4, true), /dim\[1\] is -4/],
  ];
  for (const [name, edit, gist] of cases) {
    await expectParseError(`${name}.nii`, withHeader(edit), "dims", gist);
  }
  await expectParseError(
    "off.nii",
    withHeader((v) => v.setFloat32(108, 100, true)),
    "header",
    /vox_offset/,
  );
  await expectParseError(
    "inter.nii",
    withHeader((v) => v.setFloat32(116, NaN, true)),
    "header",
    /scl_inter/,
  );
});

Deno.test("streaming reports truncated gzip data when reached, then releases the file", async () => {
  const dir = await tempDir();
  try {
    const full = synthNifti({ dims: [4, 3, 2, 3], values: ramp(72) });
    const path = `${dir}/t.nii.gz`;
    // two complete volumes of three
    await Deno.writeFile(path, await gzipBytes(full.slice(0, 352 + 2 * 96 + 50)));
    const s = await openNifti(path);
    let n = 0;
    const err = await (async () => {
      for await (const _ of s.volumes()) n++;
    })().then(() => null, (e) => e);
    assert.equal(n, 2);
    assert.ok(err instanceof NiftiParseError && err.code === "truncated");
    assert.match(err.message, /volume 3 of 3/);
    await s.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("absurd dims in a gzip header fail with a clear error, no hang", async () => {
  const b = synthNifti({ dims: [32767, 32767, 32767, 32767], values: ramp(8) });
  const err = await loadImg(await gzipBytes(b)).catch((e) => e);
  assert.ok(err instanceof NiftiParseError, String(err));
  assert.ok(err.code === "dims" || err.code === "truncated", err.message);
});
