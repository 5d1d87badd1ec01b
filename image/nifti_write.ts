/**
 * NIfTI-1 header encoding for writing: sform from the affine (authoritative) and the closest
 * qform (quaternion, qfac, pixdim from the affine's column norms).
 *
 * @module
 */
import type { Affine } from "../types.ts";

/** Byte offset of the voxel data in files written by niimask (348-byte header + 4). */
export const NIFTI1_VOX_OFFSET = 352;

/** A qform: quaternion (b, c, d), qfac and voxel sizes, or `null` when none fits the affine. */
export interface Qform {
  /** Quaternion components b, c, d (a = sqrt(1 - b^2 - c^2 - d^2) >= 0). */
  readonly quatern: readonly [number, number, number];
  /** `pixdim[0]`: 1, or -1 for a left-handed affine. */
  readonly qfac: 1 | -1;
}

function det3(m: readonly number[]): number {
  return m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) -
    m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) +
    m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
}

/** Inverse transpose of a 3x3 row-major matrix (null when singular). */
function invTranspose3(m: readonly number[]): number[] | null {
  const d = det3(m);
  if (!(Math.abs(d) > 1e-300) || !Number.isFinite(d)) return null;
  // cofactor matrix / det is the inverse transposed
  return [
    (m[4]! * m[8]! - m[5]! * m[7]!) / d,
    -(m[3]! * m[8]! - m[5]! * m[6]!) / d,
    (m[3]! * m[7]! - m[4]! * m[6]!) / d,
    -(m[1]! * m[8]! - m[2]! * m[7]!) / d,
    (m[0]! * m[8]! - m[2]! * m[6]!) / d,
    -(m[0]! * m[7]! - m[1]! * m[6]!) / d,
    (m[1]! * m[5]! - m[2]! * m[4]!) / d,
    -(m[0]! * m[5]! - m[2]! * m[3]!) / d,
    (m[0]! * m[4]! - m[1]! * m[3]!) / d,
  ];
}

/**
 * Voxel sizes (mm) of an affine: the Euclidean norms of the columns of its 3x3 part.
 *
 * @param affine 4x4 row-major affine.
 * @returns `[sx, sy, sz]`.
 * @example
 * ```ts
 * import { affineZooms } from "./nifti_write.ts";
 * const a = Float64Array.from([-2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1]);
 * console.log(affineZooms(a)); // [2, 2, 2]
 * ```
 */
export function affineZooms(affine: Affine): [number, number, number] {
  const z: number[] = [];
  for (let c = 0; c < 3; c++) {
    z.push(Math.hypot(affine[c]!, affine[4 + c]!, affine[8 + c]!));
  }
  return z as [number, number, number];
}

/**
 * The qform closest to an affine: rotation part of the affine with voxel sizes divided out,
 * made orthogonal (polar decomposition, which strips any shear), as a unit quaternion with a >= 0.
 *
 * @param affine 4x4 row-major affine.
 * @returns the qform, or `null` for a singular or non-finite affine.
 * @example
 * ```ts
 * import { affineToQform } from "./nifti_write.ts";
 * const a = Float64Array.from([-2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1]);
 * console.log(affineToQform(a)); // { quatern: [0, 0, 1], qfac: -1 }
 * ```
 */
export function affineToQform(affine: Affine): Qform | null {
  const zooms = affineZooms(affine);
  if (!zooms.every((z) => z > 0 && Number.isFinite(z))) return null;
  let r: number[] = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) r.push(affine[4 * i + j]! / zooms[j]!);
  }
  const d = det3(r);
  if (!(Math.abs(d) > 1e-12)) return null;
  let qfac: 1 | -1 = 1;
  if (d < 0) {
    qfac = -1;
    r[2] = -r[2]!;
    r[5] = -r[5]!;
    r[8] = -r[8]!;
  }
  // Polar decomposition by Newton iteration: R <- (R + R^-T) / 2.
  for (let it = 0; it < 50; it++) {
    const inv = invTranspose3(r);
    if (inv === null) return null;
    let change = 0;
    const next = r.map((v, k) => {
      const n = 0.5 * (v + inv[k]!);
      change = Math.max(change, Math.abs(n - v));
      return n;
    });
    r = next;
    if (change < 1e-15) break;
  }
  const [r00, r01, r02, r10, r11, r12, r20, r21, r22] = r as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  let a: number, b: number, c: number, e: number;
  const trace = r00 + r11 + r22;
  if (trace > 0) {
    const s = 0.5 / Math.sqrt(trace + 1);
    a = 0.25 / s;
    b = (r21 - r12) * s;
    c = (r02 - r20) * s;
    e = (r10 - r01) * s;
  } else if (r00 > r11 && r00 > r22) {
    const s = 2 * Math.sqrt(1 + r00 - r11 - r22);
    a = (r21 - r12) / s;
    b = 0.25 * s;
    c = (r01 + r10) / s;
    e = (r02 + r20) / s;
  } else if (r11 > r22) {
    const s = 2 * Math.sqrt(1 + r11 - r00 - r22);
    a = (r02 - r20) / s;
    b = (r01 + r10) / s;
    c = 0.25 * s;
    e = (r12 + r21) / s;
  } else {
    const s = 2 * Math.sqrt(1 + r22 - r00 - r11);
    a = (r10 - r01) / s;
    b = (r02 + r20) / s;
    c = (r12 + r21) / s;
    e = 0.25 * s;
  }
  const norm = Math.hypot(a, b, c, e);
  if (a < 0) {
    b = -b;
    c = -c;
    e = -e;
  }
  const clean = (x: number): number => (x === 0 ? 0 : x);
  return { quatern: [clean(b / norm), clean(c / norm), clean(e / norm)], qfac };
}

/**
 * Encode the 352 bytes that start a single-file NIfTI-1 image (348-byte header, magic "n+1",
 * then 4 zero bytes: no extensions), little-endian, for float32 or float64 voxel data.
 *
 * The affine is written as the sform (authoritative) and as the closest qform, both with
 * `xformCode`; `pixdim[1..3]` are the affine's column norms; `scl_slope` 1, `scl_inter` 0;
 * `vox_offset` 352; units mm.
 *
 * @param shape `[nx, ny, nz]` or `[nx, ny, nz, nt]` (each at most 32767).
 * @param affine 4x4 row-major affine (mm).
 * @param dtype voxel datatype.
 * @param xformCode sform/qform code (1 scanner, 2 aligned, 3 Talairach, 4 MNI; default 2).
 * @returns the header bytes.
 * @throws {RangeError} a dimension that NIfTI-1 cannot hold.
 * @example
 * ```ts
 * import { encodeNifti1Header } from "./nifti_write.ts";
 * const a = Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]);
 * console.log(encodeNifti1Header([4, 4, 4], a, "float32").length); // 352
 * ```
 */
export function encodeNifti1Header(
  shape: readonly number[],
  affine: Affine,
  dtype: "float32" | "float64",
  xformCode = 2,
): Uint8Array {
  const bytes = new Uint8Array(NIFTI1_VOX_OFFSET);
  const v = new DataView(bytes.buffer);
  const le = true;
  v.setInt32(0, 348, le);
  bytes[38] = "r".charCodeAt(0); // "regular"
  v.setInt16(40, shape.length, le);
  for (let i = 1; i <= 7; i++) {
    const d = shape[i - 1] ?? 1;
    if (!Number.isInteger(d) || d < 1 || d > 32767) {
      throw new RangeError(
        `NIfTI-1 dimensions must be integers in 1..32767, got shape [${shape.join(", ")}]`,
      );
    }
    v.setInt16(40 + 2 * i, d, le);
  }
  v.setInt16(70, dtype === "float32" ? 16 : 64, le);
  v.setInt16(72, dtype === "float32" ? 32 : 64, le);
  const zooms = affineZooms(affine);
  const q = affineToQform(affine);
  v.setFloat32(76, q?.qfac ?? 1, le);
  for (let i = 0; i < 3; i++) {
    const z = zooms[i]!;
    v.setFloat32(80 + 4 * i, z > 0 && Number.isFinite(z) ? z : 1, le);
  }
  for (let i = 4; i < 8; i++) v.setFloat32(76 + 4 * i, 1, le);
  v.setFloat32(108, NIFTI1_VOX_OFFSET, le);
  v.setFloat32(112, 1, le); // scl_slope
  v.setFloat32(116, 0, le); // scl_inter
  bytes[123] = 2; // xyzt_units: mm
  const descrip = "niimask";
  for (let i = 0; i < descrip.length; i++) bytes[148 + i] = descrip.charCodeAt(i);
  v.setInt16(252, q === null ? 0 : xformCode, le);
  v.setInt16(254, xformCode, le);
  if (q !== null) {
    for (let i = 0; i < 3; i++) v.setFloat32(256 + 4 * i, q.quatern[i]!, le);
  }
  for (let i = 0; i < 3; i++) v.setFloat32(268 + 4 * i, affine[4 * i + 3]!, le);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) v.setFloat32(280 + 16 * r + 4 * c, affine[4 * r + c]!, le);
  }
  bytes[344] = "n".charCodeAt(0);
  bytes[345] = "+".charCodeAt(0);
  bytes[346] = "1".charCodeAt(0);
  return bytes;
}
