/**
 * The repetition time of a run for `niimask bids`: `--t-r` when given, else `RepetitionTime` of
 * the run's JSON sidecar, else the NIfTI header's `pixdim[4]` in its unit (`xyzt_units`).
 * The parsers are pure; {@link readRunTR} reads the files.
 *
 * @module
 */

/** A repetition time and where it came from. */
export interface RunTR {
  /** Repetition time (s), or null when unknown. */
  readonly tR: number | null;
  /** `--t-r`, the sidecar path, `header of <image>`, or `none`. */
  readonly source: string;
}

/**
 * The JSON sidecar path of an image: `X.nii.gz` / `X.nii` → `X.json`.
 *
 * @param image the image path.
 * @returns the sidecar path.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sidecarPathOf } from "./bids_tr.ts";
 * assert.equal(sidecarPathOf("f/sub-01_bold.nii.gz"), "f/sub-01_bold.json");
 * ```
 */
export function sidecarPathOf(image: string): string {
  return image.replace(/\.nii(\.gz)?$/i, "") + ".json";
}

/**
 * `RepetitionTime` (s) of a BIDS JSON sidecar.
 *
 * @param text the sidecar's text.
 * @param path its path, for error messages.
 * @returns the repetition time, or null when the key is absent.
 * @throws SyntaxError when the text is not a JSON object; RangeError when `RepetitionTime` is
 *   not a positive number.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tRFromSidecar } from "./bids_tr.ts";
 * assert.equal(tRFromSidecar('{"RepetitionTime": 2.5}', "bold.json"), 2.5);
 * assert.equal(tRFromSidecar('{}', "bold.json"), null);
 * ```
 */
export function tRFromSidecar(text: string, path: string): number | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(
      `sidecar ${path}: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError(`sidecar ${path}: expected a JSON object`);
  }
  const tr = (value as Record<string, unknown>).RepetitionTime;
  if (tr === undefined) return null;
  if (typeof tr !== "number" || !Number.isFinite(tr) || tr <= 0) {
    throw new RangeError(
      `sidecar ${path}: RepetitionTime must be a positive number of seconds, got ${
        JSON.stringify(tr)
      }`,
    );
  }
  return tr;
}

/**
 * The time step (s) of a NIfTI-1 or NIfTI-2 header: `pixdim[4]` scaled by the time unit of
 * `xyzt_units` (s, ms or µs). Without a time unit the step is not trusted (writers commonly
 * leave `pixdim[4] = 1` there), so there is none.
 *
 * @param bytes the header's first bytes (at least 348 for NIfTI-1, 540 for NIfTI-2).
 * @returns the repetition time, or null when `pixdim[4]` is not positive or the unit is not a
 *   time (unset, Hz, ppm, rad/s).
 * @throws RangeError when the bytes are not a NIfTI header.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tRFromHeader } from "./bids_tr.ts";
 * const h = new DataView(new ArrayBuffer(352));
 * h.setInt32(0, 348, true);
 * h.setFloat32(76 + 16, 2000, true); // pixdim[4]
 * h.setUint8(123, 2 | 16); // mm, ms
 * assert.equal(tRFromHeader(new Uint8Array(h.buffer)), 2);
 * ```
 */
export function tRFromHeader(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 348) throw new RangeError("NIfTI header: fewer than 348 bytes");
  let le: boolean;
  let v1: boolean;
  const s = view.getInt32(0, true);
  if (s === 348 || s === 540) [le, v1] = [true, s === 348];
  else {
    const b = view.getInt32(0, false);
    if (b !== 348 && b !== 540) throw new RangeError("NIfTI header: bad sizeof_hdr");
    [le, v1] = [false, b === 348];
  }
  if (!v1 && bytes.byteLength < 540) throw new RangeError("NIfTI-2 header: fewer than 540 bytes");
  const dt = v1 ? view.getFloat32(92, le) : view.getFloat64(136, le);
  const units = v1 ? view.getUint8(123) : view.getInt32(500, le);
  const time = units & 0x38;
  const scale = time === 8 ? 1 : time === 16 ? 1e-3 : time === 24 ? 1e-6 : NaN;
  const tr = dt * scale;
  return Number.isFinite(tr) && tr > 0 ? tr : null;
}

/**
 * The first `n` bytes of a `.nii` or `.nii.gz` file (decompressed).
 *
 * @param path the file.
 * @param n how many bytes (default 544).
 * @returns up to `n` bytes.
 * @example
 * ```ts ignore
 * const head = await readHeadBytes("bold.nii.gz");
 * ```
 */
export async function readHeadBytes(path: string, n = 544): Promise<Uint8Array> {
  using file = await Deno.open(path, { read: true });
  const first = new Uint8Array(2);
  const got = await file.read(first);
  await file.seek(0, Deno.SeekMode.Start);
  const gz = got === 2 && first[0] === 0x1f && first[1] === 0x8b;
  const stream: ReadableStream<Uint8Array> = gz
    ? file.readable.pipeThrough(
      new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
    )
    : file.readable;
  const out = new Uint8Array(n);
  let off = 0;
  const reader = stream.getReader();
  try {
    while (off < n) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, n - off);
      out.set(value.subarray(0, take), off);
      off += take;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return out.subarray(0, off);
}

async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * The repetition time of a run: `flagTR` (from `--t-r`) when given, else its sidecar's
 * `RepetitionTime`, else its header's time step.
 *
 * @param image the run's image path.
 * @param flagTR `--t-r` (s), or undefined.
 * @returns the TR and its source.
 * @throws Error naming the sidecar or image when one cannot be read or parsed.
 * @example
 * ```ts ignore
 * const { tR, source } = await readRunTR("sub-01_task-rest_desc-preproc_bold.nii.gz", undefined);
 * ```
 */
export async function readRunTR(image: string, flagTR: number | undefined): Promise<RunTR> {
  if (flagTR !== undefined) return { tR: flagTR, source: "--t-r" };
  const sidecar = sidecarPathOf(image);
  const text = await readTextIfExists(sidecar);
  if (text !== null) {
    const tr = tRFromSidecar(text, sidecar);
    if (tr !== null) return { tR: tr, source: sidecar };
  }
  let head: Uint8Array;
  try {
    head = await readHeadBytes(image);
  } catch (e) {
    throw new Error(
      `image ${image}: cannot read its header (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  let tr: number | null;
  try {
    tr = tRFromHeader(head);
  } catch (e) {
    throw new Error(`image ${image}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return tr === null ? { tR: null, source: "none" } : { tR: tr, source: `header of ${image}` };
}
