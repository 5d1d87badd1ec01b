/**
 * Every inflate backend (ISA-L, node:zlib, DecompressionStream) over the golden io cases and over
 * crafted gzip files: several members (concatenated, bgzip-style), zero padding, truncation,
 * corrupt checksums and sizes. All must give the same bytes and the same errors.
 */
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { type LoadedImage, loadImg, NiftiParseError, openNifti } from "../image/mod.ts";
import {
  availableInflateBackends,
  createInflater,
  INFLATE_ENV,
  resolveInflateBackend,
} from "../image/inflate_select.ts";
import type { InflateBackend } from "../image/inflate_types.ts";
import { ramp, synthNifti } from "./image_io_fixtures.ts";

const IO_CASES = new URL("../../shared/conformance/functions/", import.meta.url);
const ISAL_LIB = "/usr/lib/x86_64-linux-gnu/libisal.so.2";

const backends: InflateBackend[] = await availableInflateBackends();

async function exists(path: string | URL): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** A 4D float32 image of 6 volumes, big enough to span several deflate blocks. */
const RAW = synthNifti({ dims: [20, 16, 12, 6], datatype: 16, values: ramp(20 * 16 * 12 * 6, 7) });

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function gz(bytes: Uint8Array, level = 6): Uint8Array {
  return new Uint8Array(zlib.gzipSync(bytes, { level }));
}

/** One gzip member per piece of `bytes` (cut at `cuts`), as pigz -i / concatenated files. */
function members(bytes: Uint8Array, cuts: number[]): Uint8Array {
  const bounds = [0, ...cuts, bytes.length];
  const parts: Uint8Array[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    parts.push(gz(bytes.subarray(bounds[i]!, bounds[i + 1]!)));
  }
  return concat(...parts);
}

/**
 * A member with every optional header field (FEXTRA with bgzip's BC subfield, FNAME, FCOMMENT,
 * FHCRC), written by hand around zlib's raw deflate data.
 */
function fancyMember(bytes: Uint8Array): Uint8Array {
  const raw = new Uint8Array(zlib.deflateRawSync(bytes));
  const extra = Uint8Array.from([0x42, 0x43, 2, 0, 0, 0]); // "BC", length 2, BSIZE (unused)
  const head = concat(
    Uint8Array.from([0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3]),
    Uint8Array.from([extra.length, 0]),
    extra,
    new TextEncoder().encode("name.nii\0"),
    new TextEncoder().encode("a comment\0"),
    Uint8Array.from([0xab, 0xcd]),
  );
  const trailer = new Uint8Array(8);
  const v = new DataView(trailer.buffer);
  v.setUint32(0, zlib.crc32(bytes) >>> 0, true);
  v.setUint32(4, bytes.length, true);
  return concat(head, raw, trailer);
}

/** bgzip's end-of-file marker: an empty member with the BC extra field. */
const BGZF_EOF = Uint8Array.from([
  0x1f,
  0x8b,
  8,
  4,
  0,
  0,
  0,
  0,
  0,
  0xff,
  6,
  0,
  0x42,
  0x43,
  2,
  0,
  0x1b,
  0,
  3,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
]);

async function load(bytes: Uint8Array, backend: InflateBackend): Promise<LoadedImage> {
  return await loadImg(bytes, { inflate: backend });
}

async function failure(bytes: Uint8Array, backend: InflateBackend): Promise<NiftiParseError> {
  const err = await load(bytes, backend).then(() => null, (e) => e);
  assert.ok(err instanceof NiftiParseError, `${backend}: expected a NiftiParseError, got ${err}`);
  return err;
}

function sameImage(a: LoadedImage, b: LoadedImage, what: string): void {
  assert.deepEqual(a.shape, b.shape, what);
  assert.deepEqual(Array.from(a.affine), Array.from(b.affine), what);
  assert.equal(a.data.constructor, b.data.constructor, what);
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  assert.ok(x.length === y.length && x.every((v, i) => v === y[i]), `${what}: bytes differ`);
}

Deno.test("the inflate backends available here include ISA-L when libisal is installed", async () => {
  assert.ok(backends.includes("stream"), "DecompressionStream is always there in Deno");
  assert.ok(backends.includes("zlib"), "node:zlib is there in Deno");
  const ffi = await Deno.permissions.query({ name: "ffi" });
  if (ffi.state === "granted" && await exists(ISAL_LIB)) {
    assert.ok(backends.includes("isal"), "libisal.so.2 is installed but the ISA-L backend failed");
    assert.equal(await resolveInflateBackend(), "isal");
  } else {
    console.log(`ISA-L backend not tested here (no FFI permission or no ${ISAL_LIB})`);
  }
});

Deno.test("every backend reads the golden io cases identically", async (t) => {
  if (!(await exists(IO_CASES))) {
    console.log(`skipped: ${IO_CASES.pathname} is absent`);
    return;
  }
  let n = 0;
  for await (const entry of Deno.readDir(IO_CASES)) {
    if (!entry.isDirectory || !entry.name.startsWith("io_")) continue;
    const dir = new URL(`${entry.name}/`, IO_CASES);
    for await (const f of Deno.readDir(dir)) {
      if (!f.name.endsWith(".nii.gz")) continue;
      const path = new URL(f.name, dir).pathname;
      await t.step(`${entry.name}/${f.name}`, async () => {
        const bytes = await Deno.readFile(path);
        // Reference: Node's own gunzip, then the uncompressed reader.
        let plain: Uint8Array | null = null;
        try {
          plain = new Uint8Array(zlib.gunzipSync(bytes));
        } catch {
          plain = null;
        }
        const ref = plain === null ? null : await loadImg(plain).catch((e) => e);
        const results: (LoadedImage | Error)[] = [];
        for (const b of backends) {
          results.push(await loadImg(path, { inflate: b }).catch((e) => e));
        }
        for (let i = 0; i < backends.length; i++) {
          const r = results[i]!;
          const what = `${entry.name} with ${backends[i]}`;
          if (r instanceof Error) {
            assert.ok(r instanceof NiftiParseError, `${what}: ${r}`);
            assert.ok(r.message.includes(path), `${what}: names the file: ${r.message}`);
            const first = results[0];
            assert.ok(first instanceof NiftiParseError, `${what}: only some backends failed`);
            assert.equal(r.message, first.message, `${what}: same error on every backend`);
          } else {
            assert.ok(ref !== null && !(ref instanceof Error), `${what}: read a broken file`);
            sameImage(r, ref, what);
          }
        }
        n++;
      });
    }
  }
  assert.ok(n >= 10, `expected the io cases, found ${n} .nii.gz files`);
});

Deno.test("multi-member gzip (concatenated, pigz -i / bgzip style) reads every member", async () => {
  const ref = await loadImg(RAW);
  const variants: [string, Uint8Array][] = [
    ["two members", members(RAW, [5000])],
    ["member boundary inside the header", members(RAW, [100])],
    ["many members", members(RAW, [1, 348, 352, 4000, 4001, 20000, 30000])],
    [
      "an empty member in between",
      concat(gz(RAW.subarray(0, 9000)), gz(new Uint8Array(0)), gz(RAW.subarray(9000))),
    ],
    [
      "all header fields + bgzip EOF",
      concat(fancyMember(RAW.subarray(0, 7000)), fancyMember(RAW.subarray(7000)), BGZF_EOF),
    ],
    ["stored blocks (level 0)", concat(gz(RAW.subarray(0, 3000), 0), gz(RAW.subarray(3000), 0))],
  ];
  for (const [name, bytes] of variants) {
    for (const b of backends) {
      sameImage(await load(bytes, b), ref, `${name} with ${b}`);
      // streaming, volume by volume
      const s = await openNifti(bytes, { inflate: b });
      let t = 0;
      for await (const vol of s.volumes()) {
        const want = ref.data.subarray(t * vol.length, (t + 1) * vol.length);
        assert.deepEqual(Array.from(vol), Array.from(want), `${name} with ${b}: volume ${t}`);
        t++;
      }
      assert.equal(t, 6);
    }
  }
});

Deno.test("zero padding after the last member is accepted, other trailing bytes are not", async () => {
  const ref = await loadImg(RAW);
  const one = gz(RAW);
  for (const pad of [1, 7, 8, 9, 512, 70000]) {
    for (const b of backends) {
      sameImage(await load(concat(one, new Uint8Array(pad)), b), ref, `${pad} zeros, ${b}`);
      const two = concat(members(RAW, [4096]), new Uint8Array(pad));
      sameImage(await load(two, b), ref, `2 members + ${pad} zeros, ${b}`);
      // as Python's gzip: zero padding between members too
      const between = concat(
        gz(RAW.subarray(0, 5000)),
        new Uint8Array(pad),
        gz(RAW.subarray(5000)),
      );
      sameImage(await load(between, b), ref, `${pad} zeros between 2 members, ${b}`);
    }
  }
  for (
    const junk of [
      Uint8Array.from([1]),
      Uint8Array.from([0, 0, 0x1f, 0x8b, 8]),
      Uint8Array.from([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 0, 0]),
    ]
  ) {
    for (const b of backends) {
      const err = await failure(concat(one, junk), b);
      if (b === "stream" && junk[0] !== 0) {
        // DecompressionStream cannot say where its deflate data ended when neither a gzip member
        // nor zero padding follows the trailer: it reports the bytes as invalid data.
        assert.equal(err.code, "gzip", `${b}: ${err.message}`);
        assert.match(err.message, /corrupt gzip data/, b);
      } else if (junk[0] === 0) {
        assert.equal(err.code, "truncated", `${b}: ${err.message}`);
        assert.match(err.message, /inside the header of gzip member 2/, b);
      } else {
        assert.equal(err.code, "gzip", `${b}: ${err.message}`);
        assert.match(err.message, /unexpected bytes at offset \d+ after gzip member 1/, b);
      }
    }
  }
});

Deno.test("truncated gzip says truncated, the same on every backend", async () => {
  const one = gz(RAW);
  const two = members(RAW, [6000]);
  const cuts: [Uint8Array, number, RegExp][] = [
    [one, 5, /inside the header of gzip member 1/],
    [one, 10 + 40, /inside gzip member 1 \(after 50 compressed bytes\)/],
    [one, one.length - 200, /inside gzip member 1/],
    [one, one.length - 8, /inside gzip member 1/],
    [one, one.length - 1, /inside gzip member 1/],
    [two, two.length - 3000, /inside gzip member 2/],
  ];
  for (const [bytes, at, gist] of cuts) {
    const messages = new Set<string>();
    for (const b of backends) {
      const err = await failure(bytes.slice(0, at), b);
      assert.equal(err.code, "truncated", `${b} cut at ${at}: ${err.message}`);
      assert.match(err.message, /^'<bytes>': truncated gzip data: the file ends inside/, b);
      assert.match(err.message, gist, `${b} cut at ${at}: ${err.message}`);
      assert.doesNotMatch(err.message, /checksum|CRC/i);
      messages.add(err.message);
    }
    assert.equal(messages.size, 1, `different messages: ${[...messages].join(" | ")}`);
  }
});

Deno.test("corrupt gzip: CRC-32, size, deflate data and header errors, same on every backend", async () => {
  const one = gz(RAW);
  const flip = (at: number, mask = 0x01) => {
    const c = one.slice();
    c[at] = c[at]! ^ mask;
    return c;
  };
  const cases: [Uint8Array, RegExp][] = [
    [flip(one.length - 8), /CRC-32 mismatch in gzip member 1/],
    [flip(one.length - 2), /size mismatch in gzip member 1/],
    [flip(10, 0x06), /invalid compressed data in gzip member 1/], // block type 3 (reserved)
    [flip(2, 0x01), /invalid gzip header \(compression method 9/],
    [flip(3, 0x80), /invalid gzip header \(reserved header flags/],
  ];
  for (const [bytes, gist] of cases) {
    const messages = new Set<string>();
    for (const b of backends) {
      const err = await failure(bytes, b);
      assert.equal(err.code, "gzip", `${b}: ${err.message}`);
      assert.match(err.message, /^'<bytes>': corrupt gzip data: /, b);
      assert.match(err.message, gist, `${b}: ${err.message}`);
      messages.add(err.message);
    }
    assert.equal(messages.size, 1, `different messages: ${[...messages].join(" | ")}`);
  }
});

Deno.test("inflate option and NIIMASK_INFLATE", async () => {
  await assert.rejects(
    () => loadImg(gz(RAW), { inflate: "gunzip" as InflateBackend }),
    (e: unknown) => e instanceof RangeError && /options\.inflate/.test(e.message),
  );
  const before = Deno.env.get(INFLATE_ENV);
  try {
    Deno.env.set(INFLATE_ENV, "stream");
    assert.equal((await createInflater()).backend, "stream");
    assert.equal(await resolveInflateBackend("zlib"), "zlib", "an explicit choice wins");
    Deno.env.set(INFLATE_ENV, "fast");
    await assert.rejects(
      () => resolveInflateBackend(),
      (e: unknown) => e instanceof RangeError && e.message.includes(INFLATE_ENV),
    );
    await assert.rejects(() => loadImg(gz(RAW)), RangeError);
  } finally {
    if (before === undefined) Deno.env.delete(INFLATE_ENV);
    else Deno.env.set(INFLATE_ENV, before);
  }
});

Deno.test("without FFI permission the fallback is silent (no prompt)", async () => {
  const url = new URL("../image/inflate_select.ts", import.meta.url).href;
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    script,
    `import { resolveInflateBackend } from "${url}";\n` +
      "console.log(await resolveInflateBackend());\n",
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--no-lock", script],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output().finally(() => Deno.remove(script));
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(text, "zlib");
});

Deno.test("raw inflaters: exact bytes and exact input consumed, whatever the chunking", async () => {
  const data = new Uint8Array(20000);
  for (let i = 0; i < data.length; i++) data[i] = i < 8000 ? (i * 7919 >>> 5) % 251 : i % 7;
  const raw = new Uint8Array(zlib.deflateRawSync(data));
  const after = Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2, 0x1f, 0x8b, 8]); // a trailer, a member
  const input = concat(raw, after);
  for (const backend of backends) {
    for (
      const [inChunk, outChunk] of [
        [input.length, data.length],
        [1, 4096],
        [1000, 13],
        [7, 1],
      ] as [number, number][]
    ) {
      const inf = await createInflater(backend);
      const out = new Uint8Array(data.length + 64);
      let ip = 0;
      let op = 0;
      let ended = false;
      // As the gzip reader does: offer what has been read so far, read `inChunk` more bytes
      // when a call makes no progress.
      let avail = Math.min(input.length, inChunk);
      for (let calls = 0; !ended && calls < 200000; calls++) {
        const final = avail === input.length;
        const s = await inf.inflate(
          input.subarray(ip, avail),
          out.subarray(op, op + outChunk),
          final,
        );
        assert.equal(s.error, undefined, `${backend}: ${s.error}`);
        ip += s.read;
        op += s.written;
        ended = s.ended;
        if (!ended && s.read === 0 && s.written === 0) {
          if (final) break;
          avail = Math.min(input.length, avail + inChunk);
        }
      }
      const what = `${backend} (input ${inChunk}, output ${outChunk})`;
      assert.ok(ended, `${what}: the end of the deflate data was found`);
      assert.equal(ip, raw.length, `${what}: consumed exactly the deflate data`);
      assert.equal(op, data.length, what);
      assert.ok(out.subarray(0, op).every((v, i) => v === data[i]), `${what}: bytes`);
      assert.equal(inf.crc32(0, out.subarray(0, op)), zlib.crc32(data) >>> 0, `${what}: CRC-32`);
      const again = await inf.inflate(input.subarray(ip), out.subarray(op), false);
      assert.deepEqual(
        [again.read, again.written, again.ended],
        [0, 0, true],
        `${what}: stays ended`,
      );
      inf.close();
    }
  }
});

Deno.test("files written by gzip and igzip, concatenated, read the same on every backend", async () => {
  const ref = await loadImg(RAW);
  const dir = await Deno.makeTempDir({ prefix: "niimask_gzcli_" });
  try {
    const half = 6000;
    await Deno.writeFile(`${dir}/a`, RAW.subarray(0, half));
    await Deno.writeFile(`${dir}/b`, RAW.subarray(half));
    let tools = 0;
    for (const tool of ["gzip", "igzip"]) {
      const parts: Uint8Array[] = [];
      for (const f of ["a", "b"]) {
        const out = await new Deno.Command(tool, { args: ["-c", `${dir}/${f}`], stdout: "piped" })
          .output().catch(() => null);
        if (out === null || !out.success) break;
        parts.push(out.stdout);
      }
      if (parts.length < 2) {
        console.log(`${tool} is not installed: skipped`);
        continue;
      }
      tools++;
      for (const b of backends) {
        sameImage(await load(concat(...parts), b), ref, `${tool} members with ${b}`);
      }
    }
    assert.ok(tools >= 1, "gzip is part of every Debian system");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
