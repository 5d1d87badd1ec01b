/**
 * The JSON sidecar (`X_timeseries.json`) of a subject's time series, built as plain data.
 *
 * The sidecar is deterministic (no time stamps, host names or job counts), so two runs with the
 * same inputs and parameters — e.g. one process or several SLURM shards — write identical files
 * (on machines with the same inflate backend, which it records: `InflateBackend`; every backend
 * gives the same values).
 *
 * @module
 */

/** A file and its SHA-256 checksum (hex). */
export interface FileChecksum {
  /** Path as given on the command line. */
  readonly path: string;
  /** SHA-256 of the file's bytes, lowercase hex. */
  readonly sha256: string;
}

/** Everything the sidecar records about one subject. */
export interface SidecarInput {
  /** niimask version. */
  readonly version: string;
  /** The subject's image path, as given. */
  readonly image: string;
  /** Maps file and checksum. */
  readonly maps: FileChecksum;
  /** Mask file and checksum, or null. */
  readonly mask: FileChecksum | null;
  /** Labels file path, or null. */
  readonly labels: string | null;
  /** Column names of the TSV (one per map). */
  readonly columns: readonly string[];
  /** Rows of the TSV (kept volumes). */
  readonly volumes: number;
  /** Repetition time (s), or null when unknown. */
  readonly tR: number | null;
  /** The masker's parameters (as `params()` returns them). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Confounds used, or null. */
  readonly confounds: {
    readonly path: string;
    readonly columns: readonly string[];
    readonly censorColumns: readonly string[];
    readonly censoredVolumes: readonly number[];
  } | null;
  /** Inflate backend that read the image (`"isal"`, `"zlib"`, `"stream"`), null when not gzip. */
  readonly inflateBackend?: string | null;
}

/** Parameters that do not change the extracted values, left out of the sidecar. */
const NOT_RECORDED = new Set([
  "nJobs",
  "verbose",
  "memory",
  "memoryLevel",
  "reports",
  "mapsImg",
  "output",
  "labels",
]);

/**
 * The sidecar's `Parameters`: the masker parameters that change the extracted values, sorted by
 * name, JSON-safe, the mask as its path (what `--skip-existing` compares).
 *
 * @param params the fitted masker's parameters.
 * @param mask the mask file, or null.
 * @returns the block.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordedParameters } from "./sidecar.ts";
 * assert.deepEqual(recordedParameters({ nJobs: 2, detrend: true, maskImg: "m.nii" }, null), {
 *   detrend: true,
 *   maskImg: null,
 * });
 * ```
 */
export function recordedParameters(
  params: Readonly<Record<string, unknown>>,
  mask: FileChecksum | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(params).sort()) {
    if (NOT_RECORDED.has(key)) continue;
    const v = key === "maskImg" ? (mask?.path ?? null) : jsonSafe(params[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * A JSON-safe copy of a parameter value: plain values kept, typed arrays as arrays, images and
 * other objects described, undefined dropped.
 *
 * @param value any value.
 * @returns a value `JSON.stringify` renders faithfully.
 * @example
 * ```ts
 * import { jsonSafe } from "./sidecar.ts";
 * jsonSafe({ a: Float64Array.from([1, 2]), b: undefined }); // { a: [1, 2] }
 * ```
 */
export function jsonSafe(value: unknown): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (value instanceof URL) return value.href;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as Float64Array);
  }
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if ("data" in v && "shape" in v) return `<in-memory image of shape ${String(v.shape)}>`;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined && typeof x !== "function") out[k] = jsonSafe(x);
    }
    return out;
  }
  return undefined;
}

/**
 * The sidecar object of one subject (BIDS-derivatives style keys).
 *
 * @param input what to record.
 * @returns the object to serialize.
 * @example
 * ```ts
 * import { buildSidecar } from "./sidecar.ts";
 * const s = buildSidecar({
 *   version: "0.1.0", image: "sub-01_bold.nii.gz",
 *   maps: { path: "maps.nii.gz", sha256: "ab" }, mask: null, labels: null,
 *   columns: ["map-000"], volumes: 100, tR: 2, params: { detrend: true }, confounds: null,
 * });
 * console.log(s.SamplingFrequency); // 0.5
 * ```
 */
export function buildSidecar(input: SidecarInput): Record<string, unknown> {
  const params = recordedParameters(input.params, input.mask);
  const out: Record<string, unknown> = {
    Description: "Time series of brain maps (one column per map, one row per kept volume), " +
      "extracted with nilearn 0.11.1 MultiNiftiMapsMasker semantics.",
    GeneratedBy: [{
      Name: "niimask",
      Version: input.version,
      Description: "niimask extract",
    }],
    Sources: [input.image],
  };
  if (input.tR !== null && input.tR > 0) out.SamplingFrequency = 1 / input.tR;
  out.Columns = [...input.columns];
  out.NumberOfVolumes = input.volumes;
  out.Maps = { File: input.maps.path, Sha256: input.maps.sha256, Count: input.columns.length };
  out.Mask = input.mask === null ? null : { File: input.mask.path, Sha256: input.mask.sha256 };
  out.Labels = input.labels;
  out.Confounds = input.confounds === null ? null : {
    File: input.confounds.path,
    Columns: [...input.confounds.columns],
    CensorColumns: [...input.confounds.censorColumns],
    CensoredVolumes: [...input.confounds.censoredVolumes],
  };
  out.Parameters = params;
  if (input.inflateBackend !== undefined) out.InflateBackend = input.inflateBackend;
  return out;
}

/**
 * The sidecar text: 2-space-indented JSON with a final newline.
 *
 * @param sidecar the object from {@link buildSidecar}.
 * @returns the text.
 * @example
 * ```ts
 * import { formatSidecar } from "./sidecar.ts";
 * formatSidecar({ SamplingFrequency: 0.5 }); // '{\n  "SamplingFrequency": 0.5\n}\n'
 * ```
 */
export function formatSidecar(sidecar: Record<string, unknown>): string {
  return JSON.stringify(sidecar, null, 2) + "\n";
}
