/**
 * The `--skip-existing` rule of `niimask extract` and `niimask bids`: a subject's outputs are
 * skipped only when both files exist and the JSON sidecar records the same maps checksum and
 * parameters as this run; otherwise the subject is recomputed, and the reason is reported.
 *
 * {@link sidecarDifference} is pure; {@link checkExistingOutputs} reads the files.
 *
 * @module
 */

/** What the sidecar of a finished subject must hold, by dotted key (`Maps.Sha256`, ...). */
export type SidecarFingerprint = Readonly<Record<string, unknown>>;

/** The verdict on a subject's existing outputs. */
export type ExistingOutputs =
  | { readonly state: "absent" }
  | { readonly state: "same" }
  | { readonly state: "different"; readonly reason: string };

function canonical(value: unknown): string {
  if (value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function lookup(obj: unknown, dotted: string): unknown {
  let v: unknown = obj;
  for (const part of dotted.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * The first fingerprint key whose value differs in a parsed sidecar, described for the user, or
 * null when all match (objects compare by content, key order ignored; absent equals null).
 *
 * @param sidecar the parsed JSON sidecar of the existing outputs.
 * @param expected the values this run would record, by dotted key.
 * @returns null, or e.g. `Parameters differ (detrend: false, now true)`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sidecarDifference } from "./skip_existing.ts";
 * const old = { Maps: { Sha256: "ab" }, Parameters: { detrend: false } };
 * assert.equal(sidecarDifference(old, { "Maps.Sha256": "ab", Parameters: { detrend: false } }), null);
 * assert.equal(
 *   sidecarDifference(old, { "Maps.Sha256": "cd" }),
 *   "Maps.Sha256 differs (recorded \"ab\", now \"cd\")",
 * );
 * ```
 */
export function sidecarDifference(sidecar: unknown, expected: SidecarFingerprint): string | null {
  for (const key of Object.keys(expected)) {
    const was = lookup(sidecar, key);
    const now = expected[key];
    if (canonical(was) === canonical(now)) continue;
    const wasObj = was !== null && typeof was === "object" && !Array.isArray(was);
    const nowObj = now !== null && typeof now === "object" && !Array.isArray(now);
    if (wasObj && nowObj) {
      const a = was as Record<string, unknown>;
      const b = now as Record<string, unknown>;
      const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
        .filter((k) => canonical(a[k]) !== canonical(b[k]));
      const shown = changed.slice(0, 3).map((k) =>
        `${k}: ${canonical(a[k] ?? null)}, now ${canonical(b[k] ?? null)}`
      );
      return `${key} differ${key.endsWith("s") ? "" : "s"} (${shown.join("; ")}${
        changed.length > 3 ? "; ..." : ""
      })`;
    }
    const text = (v: unknown) => {
      const t = canonical(v);
      return t.length > 80 ? `${t.slice(0, 77)}...` : t;
    };
    return `${key} differs (recorded ${text(was)}, now ${text(now)})`;
  }
  return null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Whether a subject's outputs exist and were made with the same maps and parameters.
 *
 * @param tsv the time-series TSV path.
 * @param json the sidecar path.
 * @param expected what the sidecar must record.
 * @returns `absent` (a file is missing), `same`, or `different` with the reason (also for an
 *   unreadable sidecar).
 * @example
 * ```ts ignore
 * const v = await checkExistingOutputs(out.tsv, out.json, { "Maps.Sha256": sha });
 * ```
 */
export async function checkExistingOutputs(
  tsv: string,
  json: string,
  expected: SidecarFingerprint,
): Promise<ExistingOutputs> {
  if (!await isFile(tsv) || !await isFile(json)) return { state: "absent" };
  let sidecar: unknown;
  try {
    sidecar = JSON.parse(await Deno.readTextFile(json));
  } catch (e) {
    return {
      state: "different",
      reason: `its sidecar ${json} cannot be read (${e instanceof Error ? e.message : e})`,
    };
  }
  const reason = sidecarDifference(sidecar, expected);
  return reason === null ? { state: "same" } : { state: "different", reason };
}
