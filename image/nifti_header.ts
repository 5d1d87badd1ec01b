/**
 * NIfTI-1 and NIfTI-2 header parsing (both byte orders), with the affine, shape and scaling
 * chosen as nibabel does when it loads a file.
 *
 * @module
 */
import type { Affine } from "../types.ts";
import type { NiftiDtype } from "./load.ts";
import { NiftiParseError } from "./nifti_errors.ts";

/** Size in bytes of a NIfTI-1 header (`sizeof_hdr`). */
export const NIFTI1_HEADER_SIZE = 348;
/** Size in bytes of a NIfTI-2 header (`sizeof_hdr`). */
export const NIFTI2_HEADER_SIZE = 540;

/** Voxel scaling `value = raw * slope + inter`, as nibabel applies it (in float64). */
export interface NiftiScaling {
  /** `scl_slope` (non-zero, finite). */
  readonly slope: number;
  /** `scl_inter` (finite). */
  readonly inter: number;
}

/** The facts of a NIfTI header that niimask uses. */
export interface NiftiHeader {
  /** 1 for NIfTI-1 (348-byte header), 2 for NIfTI-2 (540-byte header). */
  readonly version: 1 | 2;
  /** Byte order of header and data. */
  readonly littleEndian: boolean;
  /** `sizeof_hdr`: 348 or 540. */
  readonly headerSize: number;
  /** NIfTI datatype code (e.g. 16 for float32). */
  readonly datatypeCode: number;
  /** On-disk datatype. */
  readonly dtype: NiftiDtype;
  /** Bytes per stored voxel value. */
  readonly bytesPerVoxel: number;
  /** `dim[1..dim[0]]` as stored. */
  readonly dims: readonly number[];
  /**
   * Image shape: 3D to 7D (trailing singleton dims beyond the 4th dropped, 1D/2D padded to 3D),
   * as nibabel reads it; x fastest, then y, z, and the further axes in order.
   */
  readonly shape: readonly number[];
  /** `pixdim[0..7]` after nibabel's fixes (qfac in {-1, 1}; pixdim[1..3] positive). */
  readonly pixdim: Float64Array;
  /** Byte offset of the voxel data in the (decompressed) file. */
  readonly voxOffset: number;
  /** Scaling to apply, or `null` when nibabel applies none (slope 0/non-finite or 1 with 0). */
  readonly scaling: NiftiScaling | null;
  /** `qform_code`. */
  readonly qformCode: number;
  /** `sform_code`. */
  readonly sformCode: number;
  /** Affine as nibabel's `get_best_affine`: sform, else qform, else the pixdim fallback. */
  readonly affine: Affine;
  /** Voxels in one 3D volume (`nx * ny * nz`). */
  readonly voxelsPerVolume: number;
  /** Number of 3D volumes: the product of the dimensions beyond the 3rd (1 for a 3D image). */
  readonly nVolumes: number;
  /** Bytes of voxel data the header announces. */
  readonly dataBytes: number;
}

interface DtypeInfo {
  readonly dtype: NiftiDtype;
  readonly size: number;
}

const DATATYPES: ReadonlyMap<number, DtypeInfo> = new Map<number, DtypeInfo>([
  [2, { dtype: "uint8", size: 1 }],
  [4, { dtype: "int16", size: 2 }],
  [8, { dtype: "int32", size: 4 }],
  [16, { dtype: "float32", size: 4 }],
  [64, { dtype: "float64", size: 8 }],
  [256, { dtype: "int8", size: 1 }],
  [512, { dtype: "uint16", size: 2 }],
  [768, { dtype: "uint32", size: 4 }],
  [1024, { dtype: "int64", size: 8 }],
  [1280, { dtype: "uint64", size: 8 }],
]);

const UNSUPPORTED_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "unknown"],
  [1, "binary"],
  [32, "complex64"],
  [128, "RGB24"],
  [1536, "float128"],
  [1792, "complex128"],
  [2048, "complex256"],
  [2304, "RGBA32"],
]);

/**
 * Which NIfTI version and byte order the first 4 bytes (`sizeof_hdr`) announce, or `null` when
 * they are not 348 or 540 in either byte order.
 *
 * @param bytes at least the first 4 bytes of the (decompressed) file.
 * @returns version, byte order and header size, or `null`.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { sniffNifti } from "./nifti_header.ts";
 * const b = new Uint8Array(4);
 * new DataView(b.buffer).setInt32(0, 348, true);
 * deepEqual(sniffNifti(b), { version: 1, littleEndian: true, headerSize: 348 });
 * ```
 */
export function sniffNifti(
  bytes: Uint8Array,
): { version: 1 | 2; littleEndian: boolean; headerSize: number } | null {
  if (bytes.length < 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  for (const littleEndian of [true, false]) {
    const size = view.getInt32(0, littleEndian);
    if (size === NIFTI1_HEADER_SIZE) return { version: 1, littleEndian, headerSize: size };
    if (size === NIFTI2_HEADER_SIZE) return { version: 2, littleEndian, headerSize: size };
  }
  return null;
}

function readMagic(bytes: Uint8Array, offset: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = bytes[offset + i] ?? 0;
    s += c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return s;
}

function readInt64(view: DataView, offset: number, le: boolean): number {
  const lo = view.getUint32(offset + (le ? 0 : 4), le);
  const hi = view.getInt32(offset + (le ? 4 : 0), le);
  return hi * 4294967296 + lo;
}

/** nibabel's `shape_zoom_affine(shape, zooms, x_flip=True)`. */
function pixdimAffine(dims: readonly number[], zooms: readonly number[]): Float64Array {
  const a = new Float64Array(16);
  for (let r = 0; r < 3; r++) {
    const n = dims[r] ?? 1;
    let z = zooms[r] ?? 1;
    if (r === 0) z = -z;
    a[5 * r] = z;
    a[4 * r + 3] = -((n - 1) / 2) * z;
  }
  a[15] = 1;
  return a;
}

/** nibabel's qform affine from quaternion b, c, d, pixdim and qoffset. */
function qformAffine(
  b: number,
  c: number,
  d: number,
  pixdim: Float64Array,
  offsets: readonly number[],
  threshold: number,
  file: string,
): Float64Array {
  const w2 = 1 - (b * b + c * c + d * d);
  let a: number;
  if (w2 < 0) {
    if (w2 < threshold) {
      throw new NiftiParseError(
        file,
        "header",
        `invalid qform quaternion: b^2+c^2+d^2 = ${1 - w2} exceeds 1`,
      );
    }
    a = 0;
  } else {
    a = Math.sqrt(w2);
  }
  const n = a * a + b * b + c * c + d * d;
  const out = new Float64Array(16);
  out[15] = 1;
  let r: number[];
  if (n < 2.220446049250313e-16) {
    r = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  } else {
    const s = 2 / n;
    const x = b * s, y = c * s, z = d * s;
    const wx = a * x, wy = a * y, wz = a * z;
    const xx = b * x, xy = b * y, xz = b * z;
    const yy = c * y, yz = c * z, zz = d * z;
    r = [
      1 - (yy + zz),
      xy - wz,
      xz + wy,
      xy + wz,
      1 - (xx + zz),
      yz - wx,
      xz - wy,
      yz + wx,
      1 - (xx + yy),
    ];
  }
  const zooms = [pixdim[1] ?? 1, pixdim[2] ?? 1, (pixdim[3] ?? 1) * (pixdim[0] ?? 1)];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[4 * i + j] = (r[3 * i + j] ?? 0) * (zooms[j] ?? 1);
    out[4 * i + 3] = offsets[i] ?? 0;
  }
  return out;
}

/**
 * Parse a NIfTI-1 or NIfTI-2 header (either byte order) and derive shape, affine and scaling
 * exactly as nibabel 5 does when loading (including its automatic header fixes).
 *
 * @param bytes the first `headerSize` bytes of the (decompressed) file (348 or 540).
 * @param file file name used in error messages.
 * @returns the parsed header.
 * @throws {NiftiParseError} not NIfTI, unsupported datatype, bad dims, bad offset or scaling.
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { encodeNifti1Header } from "./nifti_write.ts";
 * import { parseNiftiHeader } from "./nifti_header.ts";
 * const affine = Float64Array.from([2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1]);
 * const hdr = parseNiftiHeader(encodeNifti1Header([4, 5, 6, 3], affine, "float32"), "img.nii");
 * deepEqual(hdr.shape, [4, 5, 6, 3]);
 * equal(hdr.dtype, "float32");
 * deepEqual(Array.from(hdr.affine), Array.from(affine));
 * ```
 */
export function parseNiftiHeader(bytes: Uint8Array, file: string): NiftiHeader {
  const h = openHeader(bytes, file);
  checkMagic(h, bytes);
  const { datatypeCode, info } = readDatatype(h);
  const { ndim, dims, shape, voxelsPerVolume, nVolumes, dataBytes } = readDims(h, info.size);
  const pixdim = readPixdim(h);
  const voxOffset = readVoxOffset(h);
  const scaling = readScaling(h);
  const { qformCode, sformCode, affine } = readAffine(h, ndim, dims, pixdim);
  return {
    version: h.version,
    littleEndian: h.le,
    headerSize: h.headerSize,
    datatypeCode,
    dtype: info.dtype,
    bytesPerVoxel: info.size,
    dims,
    shape,
    pixdim,
    voxOffset,
    scaling,
    qformCode,
    sformCode,
    affine,
    voxelsPerVolume,
    nVolumes,
    dataBytes,
  };
}

/** A header being read: its bytes, version and byte order. */
interface HeaderView {
  readonly view: DataView;
  readonly le: boolean;
  readonly v1: boolean;
  readonly version: 1 | 2;
  readonly headerSize: number;
  readonly file: string;
}

/** Sniff the version and byte order, and check that the whole header is there. */
function openHeader(bytes: Uint8Array, file: string): HeaderView {
  const sniff = sniffNifti(bytes);
  if (sniff === null) {
    const found = bytes.length >= 4
      ? new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, true)
      : `${bytes.length} bytes`;
    throw new NiftiParseError(
      file,
      "not_nifti",
      `not a NIfTI file: sizeof_hdr is ${found}, expected 348 (NIfTI-1) or 540 (NIfTI-2)`,
    );
  }
  const { version, littleEndian: le, headerSize } = sniff;
  if (bytes.length < headerSize) {
    throw new NiftiParseError(
      file,
      "truncated",
      `truncated header: ${bytes.length} bytes, a NIfTI-${version} header needs ${headerSize}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerSize);
  return { view, le, v1: version === 1, version, headerSize, file };
}

/** The magic must mark a single-file NIfTI (a .hdr/.img pair is refused by name). */
function checkMagic(h: HeaderView, bytes: Uint8Array): void {
  const { v1, file } = h;
  const magic = readMagic(bytes, v1 ? 344 : 4, 4);
  const single = v1 ? "n+1\\x00" : "n+2\\x00";
  const pair = v1 ? "ni1\\x00" : "ni2\\x00";
  if (magic === pair) {
    throw new NiftiParseError(
      file,
      "not_nifti",
      `magic '${magic}' marks a .hdr/.img pair header; only single-file NIfTI ('${single}') is supported`,
    );
  }
  if (magic !== single) {
    throw new NiftiParseError(
      file,
      "not_nifti",
      `not a NIfTI file: magic is '${magic}', expected '${single}'`,
    );
  }
}

/** The datatype code and what niimask reads it as; unsupported codes are named. */
function readDatatype(h: HeaderView) {
  const datatypeCode = h.view.getInt16(h.v1 ? 70 : 12, h.le);
  const info = DATATYPES.get(datatypeCode);
  if (info === undefined) {
    const name = UNSUPPORTED_NAMES.get(datatypeCode);
    throw new NiftiParseError(
      h.file,
      "datatype",
      `unsupported datatype code ${datatypeCode}${name ? ` (${name})` : ""}; supported: ` +
        "uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64",
    );
  }
  return { datatypeCode, info };
}

/**
 * `dim` as nibabel reads it: sizes checked, trailing unit dimensions beyond the 4th dropped,
 * at least 3 dimensions; the data size must be a safe integer.
 */
function readDims(h: HeaderView, bytesPerVoxel: number) {
  const { view, le, v1, file } = h;
  const dimAt = (i: number): number =>
    v1 ? view.getInt16(40 + 2 * i, le) : readInt64(view, 16 + 8 * i, le);
  const ndim = dimAt(0);
  if (!(ndim >= 1 && ndim <= 7)) {
    throw new NiftiParseError(file, "dims", `bad dims: dim[0] is ${ndim}, expected 1 to 7`);
  }
  const dims: number[] = [];
  for (let i = 1; i <= ndim; i++) {
    const d = dimAt(i);
    if (!(d >= 1) || !Number.isSafeInteger(d)) {
      throw new NiftiParseError(
        file,
        "dims",
        `bad dims: dim[${i}] is ${d}, expected a positive size (dim = [${
          Array.from({ length: ndim + 1 }, (_, k) => dimAt(k)).join(", ")
        }])`,
      );
    }
    dims.push(d);
  }
  const shape = dims.slice();
  while (shape.length > 4 && shape[shape.length - 1] === 1) shape.pop();
  while (shape.length < 3) shape.push(1);
  const voxelsPerVolume = (shape[0] ?? 1) * (shape[1] ?? 1) * (shape[2] ?? 1);
  const nVolumes = shape.slice(3).reduce((a, b) => a * b, 1);
  const dataBytes = voxelsPerVolume * nVolumes * bytesPerVoxel;
  if (!Number.isSafeInteger(dataBytes)) {
    throw new NiftiParseError(file, "dims", `bad dims: shape [${dims.join(", ")}] is too large`);
  }
  return { ndim, dims, shape, voxelsPerVolume, nVolumes, dataBytes };
}

/** `pixdim`, with nibabel's load-time fixes (qfac ±1, zero and negative zooms). */
function readPixdim(h: HeaderView): Float64Array {
  const { view, le, v1 } = h;
  const pixdim = new Float64Array(8);
  for (let i = 0; i < 8; i++) {
    pixdim[i] = v1 ? view.getFloat32(76 + 4 * i, le) : view.getFloat64(104 + 8 * i, le);
  }
  if (pixdim[0] !== 1 && pixdim[0] !== -1) pixdim[0] = 1;
  for (let i = 1; i <= 3; i++) {
    const p = pixdim[i] ?? 1;
    if (p === 0) pixdim[i] = 1;
    else if (p < 0) pixdim[i] = -p;
  }
  return pixdim;
}

/** Where the voxel data start (0: right after the header and its extension flag). */
function readVoxOffset(h: HeaderView): number {
  const { view, le, v1, file, headerSize, version } = h;
  const rawOffset = v1 ? view.getFloat32(108, le) : readInt64(view, 168, le);
  const minOffset = headerSize + 4;
  if (rawOffset === 0) return minOffset;
  if (!(rawOffset >= minOffset) || !Number.isFinite(rawOffset)) {
    throw new NiftiParseError(
      file,
      "header",
      `vox_offset ${rawOffset} is invalid for a single-file NIfTI-${version} (minimum ${minOffset})`,
    );
  }
  return Math.trunc(rawOffset);
}

/** `scl_slope`/`scl_inter`, or null when they leave the values as stored. */
function readScaling(h: HeaderView): NiftiScaling | null {
  const { view, le, v1, file } = h;
  const slope = v1 ? view.getFloat32(112, le) : view.getFloat64(176, le);
  const inter = v1 ? view.getFloat32(116, le) : view.getFloat64(184, le);
  if (slope === 0 || !Number.isFinite(slope)) return null;
  if (!Number.isFinite(inter)) {
    throw new NiftiParseError(
      file,
      "header",
      `valid scl_slope ${slope} but invalid scl_inter ${inter}`,
    );
  }
  return slope === 1 && inter === 0 ? null : { slope, inter };
}

/** The affine as nibabel chooses it: sform, else qform, else from pixdim; it must be finite. */
function readAffine(h: HeaderView, ndim: number, dims: readonly number[], pixdim: Float64Array) {
  const { view, le, v1, file } = h;
  const qformCode = v1 ? view.getInt16(252, le) : view.getInt32(344, le);
  const sformCode = v1 ? view.getInt16(254, le) : view.getInt32(348, le);
  const f = (off1: number, off2: number): number =>
    v1 ? view.getFloat32(off1, le) : view.getFloat64(off2, le);
  let affine: Float64Array;
  if (sformCode !== 0) {
    affine = new Float64Array(16);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 4; c++) affine[4 * r + c] = f(280 + 16 * r + 4 * c, 400 + 32 * r + 8 * c);
    }
    affine[15] = 1;
  } else if (qformCode !== 0) {
    affine = qformAffine(
      f(256, 352),
      f(260, 360),
      f(264, 368),
      pixdim,
      [f(268, 376), f(272, 384), f(276, 392)],
      v1 ? -3 * 1.1920928955078125e-7 : -3 * 2.220446049250313e-16,
      file,
    );
  } else {
    const zooms = [1, 2, 3].map((i) => (i <= ndim ? pixdim[i] ?? 1 : 1));
    affine = pixdimAffine(dims, zooms);
  }
  for (let i = 0; i < 16; i++) {
    if (!Number.isFinite(affine[i])) {
      throw new NiftiParseError(
        file,
        "header",
        `non-finite value ${affine[i]} in the ${
          sformCode !== 0 ? "sform" : qformCode !== 0 ? "qform" : "pixdim"
        } affine`,
      );
    }
  }
  return { qformCode, sformCode, affine };
}
