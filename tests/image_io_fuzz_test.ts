/**
 * Seeded, bounded fuzzing of the NIfTI reader: a few thousand mutations of the small io files
 * (byte flips in the header and the data, truncation, header field edits with absurd values, gzip
 * damage, several gzip members, zero padding), through `loadImg` and `openNifti(...).volumes()`
 * with every inflate backend. Every outcome must be a valid image or a `NiftiParseError` that
 * names the file: never another error, a crash or a hang.
 */
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { loadImg, NiftiParseError, openNifti } from "../image/mod.ts";
import { availableInflateBackends } from "../image/inflate_select.ts";
import type { InflateBackend } from "../image/inflate_types.ts";
import { lcg } from "./lcg.ts";
import { ramp, synthNifti } from "./image_io_fixtures.ts";

const SEED = 20261201;
const MUTATIONS = 3000;
const IO_CASES = new URL("../../shared/conformance/functions/", import.meta.url);
/** Larger files are left out to keep the run short. */
const MAX_FILE_BYTES = 16 * 1024;

/** Seed files: the small io case files (when present) plus synthesized ones. */
async function seeds(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out = [
    { name: "synth_f32.nii", bytes: synthNifti({ dims: [5, 4, 3, 3], values: ramp(180) }) },
    {
      name: "synth_i16_scaled.nii",
      bytes: synthNifti({
        dims: [4, 4, 2, 2],
        datatype: 4,
        values: ramp(64).map(Math.round),
        sclSlope: 0.5,
        sclInter: 2,
      }),
    },
    { name: "synth_v2.nii", bytes: synthNifti({ version: 2, dims: [3, 3, 3], values: ramp(27) }) },
  ];
  try {
    for await (const entry of Deno.readDir(IO_CASES)) {
      if (!entry.isDirectory || !entry.name.startsWith("io_")) continue;
      const dir = new URL(`${entry.name}/`, IO_CASES);
      for await (const f of Deno.readDir(dir)) {
        if (!/\.nii(\.gz)?$/.test(f.name)) continue;
        const bytes = await Deno.readFile(new URL(f.name, dir));
        if (bytes.length > 0 && bytes.length <= MAX_FILE_BYTES) {
          out.push({ name: `${entry.name}_${f.name}`, bytes });
        }
      }
    }
  } catch {
    console.log(`io cases not found under ${IO_CASES.pathname}: fuzzing synthesized files only`);
  }
  out.sort((a, b) => a.name < b.name ? -1 : 1);
  return out;
}

function gunzipOrSame(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return new Uint8Array(zlib.gunzipSync(bytes));
  } catch {
    return bytes;
  }
}

function gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(zlib.gzipSync(bytes, { level: 1 }));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Header fields (offset, kind) of NIfTI-1 worth editing with absurd values. */
const FIELDS: [number, "i16" | "f32" | "i32"][] = [
  [0, "i32"], // sizeof_hdr
  [40, "i16"], // dim[0]
  [42, "i16"],
  [44, "i16"],
  [46, "i16"],
  [48, "i16"], // dim[4]
  [50, "i16"],
  [70, "i16"], // datatype
  [72, "i16"], // bitpix
  [76, "f32"], // pixdim[0] (qfac)
  [80, "f32"], // pixdim[1]
  [108, "f32"], // vox_offset
  [112, "f32"], // scl_slope
  [116, "f32"], // scl_inter
  [252, "i16"], // qform_code
  [254, "i16"], // sform_code
  [280, "f32"], // srow_x[0]
];
const ABSURD = [0, -1, 1, 7, 255, 32767, -32768, 65535, 1e9, -1e9, NaN, Infinity, 1e-30, 2.5];

type Rand = () => number;

function pick<T>(rand: Rand, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

/** One mutation of a seed file; returns the bytes and what was done. */
function mutate(rand: Rand, seed: Uint8Array): { bytes: Uint8Array; what: string } {
  const plain = gunzipOrSame(seed);
  const kind = Math.floor(rand() * 9);
  switch (kind) {
    case 0: { // flip bytes in the (decompressed) header
      const b = plain.slice();
      const n = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < n; i++) {
        b[Math.floor(rand() * Math.min(b.length, 352))]! ^= 1 << Math.floor(rand() * 8);
      }
      return { bytes: rand() < 0.5 ? gzip(b) : b, what: "header bit flips" };
    }
    case 1: { // edit a header field with an absurd value
      const b = plain.slice();
      const [off, type] = pick(rand, FIELDS);
      const v = new DataView(b.buffer);
      const x = pick(rand, ABSURD);
      if (off + 4 <= b.length) {
        if (type === "i16") v.setInt16(off, Number.isFinite(x) ? x : 0, true);
        else if (type === "i32") v.setInt32(off, Number.isFinite(x) ? x : 0, true);
        else v.setFloat32(off, x, true);
      }
      return { bytes: rand() < 0.5 ? gzip(b) : b, what: `field @${off} = ${x}` };
    }
    case 2: { // truncate the decompressed file
      const at = Math.floor(rand() * plain.length);
      const b = plain.slice(0, at);
      return { bytes: rand() < 0.5 ? gzip(b) : b, what: `plain truncated at ${at}` };
    }
    case 3: { // truncate the gzip file
      const gz = gzip(plain);
      const at = Math.floor(rand() * gz.length);
      return { bytes: gz.slice(0, at), what: `gzip truncated at ${at}` };
    }
    case 4: { // flip bytes anywhere in the gzip file
      const gz = gzip(plain);
      const n = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) {
        gz[Math.floor(rand() * gz.length)]! ^= 1 << Math.floor(rand() * 8);
      }
      return { bytes: gz, what: "gzip bit flips" };
    }
    case 5: { // several members, maybe padding
      const cut = Math.floor(rand() * plain.length);
      let b = concat(gzip(plain.subarray(0, cut)), gzip(plain.subarray(cut)));
      if (rand() < 0.5) b = concat(b, new Uint8Array(Math.floor(rand() * 600)));
      return { bytes: b, what: `two members cut at ${cut}` };
    }
    case 6: { // trailing bytes after a valid gzip file
      const junk = Uint8Array.from(
        { length: 1 + Math.floor(rand() * 12) },
        () => Math.floor(rand() * 256),
      );
      return { bytes: concat(gzip(plain), junk), what: "trailing bytes" };
    }
    case 7: { // damage the gzip header or trailer
      const gz = gzip(plain);
      const at = rand() < 0.5 ? Math.floor(rand() * 10) : gz.length - 1 - Math.floor(rand() * 8);
      gz[at] = Math.floor(rand() * 256);
      return { bytes: gz, what: `gzip byte ${at} set` };
    }
    default: { // flip bytes in the voxel data
      const b = plain.slice();
      for (let i = 0; i < 3; i++) b[Math.floor(rand() * b.length)]! ^= 0xff;
      return { bytes: rand() < 0.5 ? gzip(b) : b, what: "data byte flips" };
    }
  }
}

async function drainVolumes(bytes: Uint8Array | string, backend: InflateBackend): Promise<void> {
  const s = await openNifti(bytes, { inflate: backend });
  for await (const vol of s.volumes({ reuse: true })) {
    assert.equal(vol.length, s.shape[0]! * s.shape[1]! * s.shape[2]!);
  }
}

Deno.test(`fuzz: ${MUTATIONS} seeded mutations give a valid image or a NiftiParseError naming the file`, async () => {
  const files = await seeds();
  const backends = await availableInflateBackends();
  const rand = lcg(SEED);
  const dir = await Deno.makeTempDir({ prefix: "niimask_fuzz_" });
  const outcomes = { images: 0, errors: 0 };
  try {
    for (let i = 0; i < MUTATIONS; i++) {
      const seed = files[i % files.length]!;
      const { bytes, what } = mutate(rand, seed.bytes);
      const backend = backends[i % backends.length]!;
      const label = `#${i} ${seed.name} (${what}, ${backend})`;
      // Every 10th mutation goes through a file, so that messages must name the path.
      const path = i % 10 === 0 ? `${dir}/m${i}.nii${bytes[0] === 0x1f ? ".gz" : ""}` : null;
      if (path !== null) await Deno.writeFile(path, bytes);
      const source = path ?? bytes;
      const name = path ?? "<bytes>";
      const run = i % 2 === 0
        ? async () => {
          const img = await loadImg(source, { inflate: backend });
          const n = img.shape.reduce((a, b) => a * b, 1);
          assert.equal(img.data.length, n, `${label}: data length matches shape`);
        }
        : () => drainVolumes(source, backend);
      const err = await run().then(() => null, (e) => e);
      if (err === null) {
        outcomes.images++;
        continue;
      }
      outcomes.errors++;
      assert.ok(
        err instanceof NiftiParseError,
        `${label}: expected a NiftiParseError, got ${err?.stack ?? err}`,
      );
      assert.ok(err.message.startsWith(`'${name}': `), `${label}: names the file: ${err.message}`);
      assert.equal(err.file, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // Both outcomes occur (the mutations are neither all harmless nor all fatal).
  assert.ok(outcomes.images > MUTATIONS / 20, `valid images: ${outcomes.images}`);
  assert.ok(outcomes.errors > MUTATIONS / 5, `errors: ${outcomes.errors}`);
});
