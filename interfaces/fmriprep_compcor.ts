/**
 * Which CompCor columns nilearn 0.11.1 selects, from the confounds JSON sidecar:
 *
 * - each flavour is a list of prefixes (`t` temporal, `a` anatomical, `w`/`c` the separate WM and
 *   CSF masks of fMRIPrep >= 20.2);
 * - for a prefix `p`, the JSON entries whose key contains `p_comp_cor` are counted (entries such as
 *   `dropped_N` are not), and the columns `p_comp_cor_00`, `p_comp_cor_01`, ... that many are
 *   considered, in order;
 * - `a_` columns are then kept by their JSON `Mask`: "combined" for the combined flavours, "WM"
 *   then "CSF" for the separated ones (fMRIPrep 1.x numbers them across masks);
 * - `nCompcor` keeps the first n of each prefix (of each mask for `a_`); "all" keeps all.
 *
 * @module
 */
import { FmriprepFileError } from "./fmriprep_errors.ts";

const PREFIXES: Record<string, readonly string[]> = {
  temporal_anat_combined: ["t", "a"],
  temporal_anat_separated: ["t", "a", "w", "c"],
  temporal: ["t"],
  anat_combined: ["a"],
  anat_separated: ["a", "w", "c"],
};

const MASKS: Record<string, readonly string[]> = {
  combined: ["combined"],
  separated: ["WM", "CSF"],
};

function selectFirst(columns: readonly string[], nCompcor: number | "all"): string[] {
  if (nCompcor !== "all" && nCompcor < columns.length) return columns.slice(0, nCompcor);
  return [...columns];
}

function maskOf(json: Record<string, unknown>, column: string, jsonFile: string): string {
  const entry = json[column];
  const mask = typeof entry === "object" && entry !== null
    ? (entry as Record<string, unknown>).Mask
    : undefined;
  if (typeof mask !== "string") {
    throw new FmriprepFileError(
      `${jsonFile}: expected an entry "${column}" with a string "Mask" (CompCor component), ` +
        `found ${JSON.stringify(entry)}`,
    );
  }
  return mask;
}

/**
 * The CompCor columns of a flavour, in nilearn's order.
 *
 * @param json the parsed confounds JSON sidecar (null when absent: no component).
 * @param compcor the flavour ("anat_combined", "anat_separated", "temporal",
 *   "temporal_anat_combined", "temporal_anat_separated").
 * @param nCompcor components kept per prefix (and per mask): an integer or "all" (a negative n
 *   drops the last -n, as nilearn's slice does).
 * @param jsonFile the JSON's path, for messages.
 * @returns the column names to take from the confounds TSV.
 * @throws RangeError for an unknown flavour; TypeError for a bad `nCompcor`;
 *   FmriprepFileError when an anatomical component has no entry or no `Mask` in the JSON.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { compcorColumns } from "./fmriprep_compcor.ts";
 * const json = {
 *   a_comp_cor_00: { Mask: "combined" }, a_comp_cor_01: { Mask: "WM" },
 *   a_comp_cor_02: { Mask: "CSF" }, t_comp_cor_00: { Method: "tCompCor" },
 * };
 * deepStrictEqual(compcorColumns(json, "anat_separated", "all", "c.json"),
 *   ["a_comp_cor_01", "a_comp_cor_02"]);
 * deepStrictEqual(compcorColumns(json, "temporal_anat_combined", 1, "c.json"),
 *   ["t_comp_cor_00", "a_comp_cor_00"]);
 * ```
 */
export function compcorColumns(
  json: unknown,
  compcor: string,
  nCompcor: number | "all",
  jsonFile: string,
): string[] {
  const prefixes = Object.hasOwn(PREFIXES, compcor) ? PREFIXES[compcor] : undefined;
  if (prefixes === undefined) {
    throw new RangeError(
      `compcor: expected one of ${Object.keys(PREFIXES).join(", ")}, found ${
        JSON.stringify(compcor)
      }`,
    );
  }
  if (nCompcor !== "all" && !Number.isInteger(nCompcor)) {
    throw new TypeError(`nCompcor: expected an integer or "all", found ${String(nCompcor)}`);
  }
  const parts = compcor.split("_");
  const masks = parts.length === 1 ? [] : MASKS[parts[parts.length - 1] as string] ?? [];
  const entries = typeof json === "object" && json !== null && !Array.isArray(json)
    ? json as Record<string, unknown>
    : {};
  const keys = Object.keys(entries);
  const out: string[] = [];
  for (const prefix of prefixes) {
    const count = keys.filter((k) => k.includes(`${prefix}_comp_cor`)).length;
    const columns = Array.from(
      { length: count },
      (_, i) => `${prefix}_comp_cor_${String(i).padStart(2, "0")}`,
    );
    if (prefix === "a") {
      for (const mask of masks) {
        // nilearn tests `Mask in mask` on strings: a substring test.
        const kept = columns.filter((c) => mask.includes(maskOf(entries, c, jsonFile)));
        out.push(...selectFirst(kept, nCompcor));
      }
    } else {
      out.push(...selectFirst(columns, nCompcor));
    }
  }
  return out;
}
