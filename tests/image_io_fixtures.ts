/**
 * Test helper: synthesize NIfTI-1/2 files byte by byte (any datatype, byte order, header field),
 * independently of the reader under test.
 */

/** Fields of a synthesized NIfTI file. */
export interface SynthOptions {
  version?: 1 | 2;
  littleEndian?: boolean;
  /** NIfTI datatype code. */
  datatype?: number;
  /** dim[1..]: the shape as stored. */
  dims: number[];
  /** dim[0]; default dims.length. */
  ndim?: number;
  /** Voxel values (number, or bigint for 64-bit integer codes), x fastest. */
  values?: (number | bigint)[];
  sclSlope?: number;
  sclInter?: number;
  sformCode?: number;
  qformCode?: number;
  /** srow_x, srow_y, srow_z (12 numbers). */
  srow?: number[];
  quatern?: [number, number, number];
  qoffset?: [number, number, number];
  /** pixdim[0..7]. */
  pixdim?: number[];
  voxOffset?: number;
  /** 4 magic bytes for NIfTI-1 (at 344) or NIfTI-2 (at 4); default n+1 / n+2. */
  magic?: string;
}

const SIZES: Record<number, number> = {
  2: 1,
  4: 2,
  8: 4,
  16: 4,
  64: 8,
  256: 1,
  512: 2,
  768: 4,
  1024: 8,
  1280: 8,
  32: 8,
};

/** The bytes of a single-file NIfTI image built from `o`. */
export function synthNifti(o: SynthOptions): Uint8Array {
  const v2 = o.version === 2;
  const le = o.littleEndian ?? true;
  const dt = o.datatype ?? 16;
  const size = SIZES[dt] ?? 4;
  const hdrSize = v2 ? 540 : 348;
  const off = o.voxOffset ?? hdrSize + 4;
  const values = o.values ?? [];
  const total = Math.max(off, hdrSize + 4) + values.length * size;
  const bytes = new Uint8Array(total);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, hdrSize, le);
  const magic = o.magic ?? (v2 ? "n+2\0" : "n+1\0");
  for (let i = 0; i < 4; i++) bytes[(v2 ? 4 : 344) + i] = magic.charCodeAt(i);
  if (v2) [13, 10, 26, 10].forEach((b, i) => (bytes[8 + i] = b));
  const dims = [o.ndim ?? o.dims.length, ...o.dims];
  const pixdim = o.pixdim ?? [1, 1, 1, 1, 1, 1, 1, 1];
  const srow = o.srow ?? [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
  const q = o.quatern ?? [0, 0, 0];
  const qo = o.qoffset ?? [0, 0, 0];
  if (!v2) {
    for (let i = 0; i < 8; i++) v.setInt16(40 + 2 * i, dims[i] ?? 1, le);
    v.setInt16(70, dt, le);
    v.setInt16(72, size * 8, le);
    for (let i = 0; i < 8; i++) v.setFloat32(76 + 4 * i, pixdim[i] ?? 1, le);
    v.setFloat32(108, off, le);
    v.setFloat32(112, o.sclSlope ?? 1, le);
    v.setFloat32(116, o.sclInter ?? 0, le);
    v.setInt16(252, o.qformCode ?? 0, le);
    v.setInt16(254, o.sformCode ?? 1, le);
    q.forEach((x, i) => v.setFloat32(256 + 4 * i, x, le));
    qo.forEach((x, i) => v.setFloat32(268 + 4 * i, x, le));
    srow.forEach((x, i) => v.setFloat32(280 + 4 * i, x, le));
  } else {
    v.setInt16(12, dt, le);
    v.setInt16(14, size * 8, le);
    for (let i = 0; i < 8; i++) v.setBigInt64(16 + 8 * i, BigInt(dims[i] ?? 1), le);
    for (let i = 0; i < 8; i++) v.setFloat64(104 + 8 * i, pixdim[i] ?? 1, le);
    v.setBigInt64(168, BigInt(off), le);
    v.setFloat64(176, o.sclSlope ?? 1, le);
    v.setFloat64(184, o.sclInter ?? 0, le);
    v.setInt32(344, o.qformCode ?? 0, le);
    v.setInt32(348, o.sformCode ?? 1, le);
    q.forEach((x, i) => v.setFloat64(352 + 8 * i, x, le));
    qo.forEach((x, i) => v.setFloat64(376 + 8 * i, x, le));
    srow.forEach((x, i) => v.setFloat64(400 + 8 * i, x, le));
  }
  let p = Math.max(off, hdrSize + 4);
  for (const x of values) {
    switch (dt) {
      case 2:
        v.setUint8(p, Number(x));
        break;
      case 256:
        v.setInt8(p, Number(x));
        break;
      case 4:
        v.setInt16(p, Number(x), le);
        break;
      case 512:
        v.setUint16(p, Number(x), le);
        break;
      case 8:
        v.setInt32(p, Number(x), le);
        break;
      case 768:
        v.setUint32(p, Number(x), le);
        break;
      case 16:
        v.setFloat32(p, Number(x), le);
        break;
      case 64:
        v.setFloat64(p, Number(x), le);
        break;
      case 1024:
        v.setBigInt64(p, BigInt(x), le);
        break;
      case 1280:
        v.setBigUint64(p, BigInt(x), le);
        break;
      default:
        break;
    }
    p += size;
  }
  return bytes;
}

/** gzip bytes with the native CompressionStream. */
export async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A fresh temporary directory. */
export function tempDir(): Promise<string> {
  return Deno.makeTempDir({ prefix: "niimask_io_" });
}

/** Deterministic pseudo-random values in [-1000, 1000). */
export function ramp(n: number, seed = 1): number[] {
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push((s / 2147483648) * 2000 - 1000);
  }
  return out;
}
