/**
 * nilearn 0.11.1's rules linking an fMRIPrep image name to its confounds files (pure string
 * logic; the file system is asked at the edge, see `fmriprep_load.ts`):
 *
 * - candidates: every subset of the image name's entities that keeps `desc` (set to
 *   `confounds`), in the image's entity order, with `_timeseries.tsv` (fMRIPrep >= 20.2) or
 *   `_regressors.tsv` (1.x), longest first, in the image's folder; exactly one must exist;
 * - the JSON sidecar: the TSV path with every "tsv" replaced by "json";
 * - the image name must fit the method: `*_desc-preproc_bold.nii.gz` (also `.nii` here),
 *   `*_bold.dtseries.nii`, `*_hemi-L|R_*bold.func.gii`, or `*_desc-smoothAROMAnonaggr_bold*`
 *   for ICA-AROMA "full".
 *
 * @module
 */
import { FmriprepFileError } from "./fmriprep_errors.ts";

const SUFFIXES = ["_timeseries.tsv", "_regressors.tsv"] as const;

/** The folder part of a path, with its trailing separator ("" for a bare name). */
function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut < 0 ? "" : path.slice(0, cut + 1);
}

/** The file name part of a path. */
export function baseName(path: string): string {
  return path.slice(folderOf(path).length);
}

/**
 * The `key-value` entities of a BIDS file name as nilearn parses them: split on `_`, the last
 * part is the suffix; each other part is `key` (before the first `-`) and value (between the
 * first and second `-`; null without a `-`).
 */
function entitiesOf(path: string): { fields: string[]; values: Map<string, string | null> } {
  const parts = baseName(path).split("_");
  const fields: string[] = [];
  const values = new Map<string, string | null>();
  for (const part of parts.slice(0, -1)) {
    const pieces = part.split("-");
    const key = pieces[0] as string;
    fields.push(key);
    values.set(key, pieces.length > 1 ? pieces[1] as string : null);
  }
  return { fields, values };
}

/** Every non-empty ordered subset (combination) of `items`, shortest first. */
function combinations(items: readonly string[]): string[][] {
  const out: string[][] = [];
  const pick = (start: number, size: number, acc: string[]): void => {
    if (acc.length === size) {
      out.push([...acc]);
      return;
    }
    for (let i = start; i < items.length; i++) pick(i + 1, size, [...acc, items[i] as string]);
  };
  for (let size = 1; size <= items.length; size++) pick(0, size, []);
  return out;
}

/**
 * The confounds files nilearn looks for next to an image, in the order it lists them.
 *
 * @param imgFile path of an fMRIPrep image (only its name is used).
 * @returns candidate TSV paths in the image's folder, longest name first.
 * @throws TypeError when an entity of the image name has no value (`..._bold_desc-x_...`).
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { confoundsFileCandidates } from "./fmriprep_file_names.ts";
 * const c = confoundsFileCandidates("d/sub-01_task-rest_space-MNI_desc-preproc_bold.nii.gz");
 * strictEqual(c.includes("d/sub-01_task-rest_desc-confounds_timeseries.tsv"), true);
 * strictEqual(c.includes("d/sub-01_task-rest_desc-confounds_regressors.tsv"), true);
 * ```
 */
export function confoundsFileCandidates(imgFile: string): string[] {
  const { fields, values } = entitiesOf(imgFile);
  values.set("desc", "confounds");
  if (!fields.includes("desc")) fields.push("desc");
  const seen = new Set<string>();
  const names: string[] = [];
  for (const subset of combinations(fields)) {
    const key = subset.join("\u0000");
    if (seen.has(key) || !subset.includes("desc")) continue;
    seen.add(key);
    names.push(
      subset.map((k) => {
        const v = values.get(k);
        if (v === null || v === undefined) {
          throw new TypeError(
            `${imgFile}: the entity "${k}" of the image name has no value (expected ${k}-<value>); ` +
              `cannot build the confounds file name`,
          );
        }
        return `${k}-${v}`;
      }).join("_"),
    );
  }
  const candidates = SUFFIXES.flatMap((suffix) => names.map((n) => n + suffix));
  // nilearn: sorted by length (stable), then reversed.
  const ascending = candidates.map((c, i) => ({ c, i })).sort((a, b) =>
    a.c.length - b.c.length || a.i - b.i
  );
  const folder = folderOf(imgFile);
  return ascending.reverse().map(({ c }) => folder + c);
}

/**
 * The one confounds file among the candidates that exist.
 *
 * @param imgFile the image (for messages).
 * @param existing the candidates that exist, in candidate order.
 * @returns the confounds file.
 * @throws FmriprepFileError naming the image when none exists, naming the files when several do.
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { chooseConfoundsFile } from "./fmriprep_file_names.ts";
 * strictEqual(chooseConfoundsFile("a_bold.nii.gz", ["a_desc-confounds_timeseries.tsv"]),
 *   "a_desc-confounds_timeseries.tsv");
 * ```
 */
export function chooseConfoundsFile(imgFile: string, existing: readonly string[]): string {
  if (existing.length === 0) {
    throw new FmriprepFileError(
      `${imgFile}: could not find the associated confounds file ` +
        `(*_desc-confounds_timeseries.tsv or *_desc-confounds_regressors.tsv with the image's ` +
        `entities); the functional derivatives should be in the image's folder`,
    );
  }
  if (existing.length > 1) {
    throw new FmriprepFileError(
      `${imgFile}: found more than one confounds file:\n\t${existing.join("\n\t")}`,
    );
  }
  return existing[0] as string;
}

/**
 * The JSON sidecar path nilearn derives from a confounds TSV path: every "tsv" replaced by
 * "json" (in the whole path, folders included).
 *
 * @param tsv the confounds TSV path.
 * @returns the JSON path.
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { confoundsJsonPath } from "./fmriprep_file_names.ts";
 * strictEqual(confoundsJsonPath("x_desc-confounds_timeseries.tsv"),
 *   "x_desc-confounds_timeseries.json");
 * ```
 */
export function confoundsJsonPath(tsv: string): string {
  return tsv.replaceAll("tsv", "json");
}

const IMAGE_PATTERNS: Record<string, { pattern: RegExp; error: string }> = {
  "nii.gz": {
    pattern: /(_space-.*)?_desc-preproc_bold.nii.gz/,
    error: "invalid file type for the selected method (expected *_desc-preproc_bold.nii.gz)",
  },
  "nii": {
    pattern: /(_space-.*)?_desc-preproc_bold\.nii$/,
    error: "invalid file type for the selected method (expected *_desc-preproc_bold.nii[.gz])",
  },
  "dtseries.nii": {
    pattern: /(_space-.*)?_bold.dtseries.nii/,
    error: "invalid file type for the selected method (expected *_bold.dtseries.nii)",
  },
  "func.gii": {
    pattern: /_hemi-[LR](_space-.*)?_bold.func.gii/,
    error: "need fMRIPrep output with extension func.gii (*_hemi-L|R_*bold.func.gii)",
  },
};

/**
 * Check that an image name fits the method, as nilearn does before looking for confounds.
 *
 * @param imgFile the image path.
 * @param fullAroma true when the strategy uses ICA-AROMA "full" (needs the
 *   `desc-smoothAROMAnonaggr_bold` image).
 * @throws FmriprepFileError naming the image.
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { checkImageName } from "./fmriprep_file_names.ts";
 * checkImageName("sub-01_task-rest_desc-preproc_bold.nii.gz", false);
 * throws(() => checkImageName("sub-01_task-rest_desc-preproc_bold.nii.gz", true), /AROMA/);
 * ```
 */
export function checkImageName(imgFile: string, fullAroma: boolean): void {
  if (fullAroma) {
    if (!/_desc-smoothAROMAnonaggr_bold/.test(imgFile)) {
      throw new FmriprepFileError(
        `${imgFile}: input must be desc-smoothAROMAnonaggr_bold for full ICA-AROMA strategy`,
      );
    }
    return;
  }
  const dotted = imgFile.split(".");
  let ext = dotted.slice(-2).join(".");
  if (!(ext in IMAGE_PATTERNS) && dotted.length > 1 && dotted[dotted.length - 1] === "nii") {
    ext = "nii";
  }
  const rule = IMAGE_PATTERNS[ext];
  if (rule === undefined) {
    throw new FmriprepFileError(
      `${imgFile}: unsupported input (expected an fMRIPrep .nii.gz, .nii, .dtseries.nii or ` +
        `.func.gii file)`,
    );
  }
  if (!rule.pattern.test(imgFile)) throw new FmriprepFileError(`${imgFile}: ${rule.error}`);
}
