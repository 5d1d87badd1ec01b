/**
 * nilearn 0.11.1's `load_confounds` and `load_confounds_strategy` (`nilearn.interfaces.fmriprep`)
 * on fMRIPrep derivatives: the thin Deno file reader around the pure table logic. Images are never
 * opened: the confounds files are found from the image's name, in its folder.
 *
 * @module
 */
import type {
  ConfoundsFiles,
  FmriprepConfounds,
  LoadConfoundsOptions,
  LoadConfoundsStrategyOptions,
} from "./fmriprep_types.ts";
import {
  baseName,
  checkImageName,
  chooseConfoundsFile,
  confoundsFileCandidates,
  confoundsJsonPath,
} from "./fmriprep_file_names.ts";
import { FmriprepFileError } from "./fmriprep_errors.ts";
import { parseFmriprepConfounds } from "./fmriprep_tsv.ts";
import { type ResolvedOptions, resolveOptions } from "./fmriprep_options.ts";
import { selectConfounds, usesFullAroma } from "./fmriprep_select.ts";
import { presetOptions } from "./fmriprep_presets.ts";
import { warnOnce } from "../signal/warnings.ts";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Names in the folder of `candidates` (one listing instead of one stat per candidate). */
async function folderNames(folder: string): Promise<Set<string> | null> {
  try {
    const names = new Set<string>();
    for await (const e of Deno.readDir(folder === "" ? "." : folder)) names.add(e.name);
    return names;
  } catch {
    return null;
  }
}

function checkImgFile(imgFile: unknown, what: string): string {
  if (typeof imgFile !== "string" || imgFile === "") {
    throw new TypeError(`${what}: expected an image path (string), found ${String(imgFile)}`);
  }
  return imgFile;
}

/**
 * Find the confounds files of an fMRIPrep image as nilearn 0.11.1 does: in the image's folder, a
 * `desc-confounds_timeseries.tsv` (fMRIPrep >= 20.2) or `desc-confounds_regressors.tsv` (1.x)
 * named with any subset of the image's entities; exactly one must exist. The JSON sidecar is the
 * TSV path with every "tsv" replaced by "json".
 *
 * @param imgFile path of the image (it is not opened).
 * @returns the TSV path and the JSON path (null when that file does not exist).
 * @throws FmriprepFileError naming the image when no confounds file exists, or the files when
 *   more than one does; TypeError for a non-string path.
 * @example
 * ```ts ignore
 * import { findConfoundsFile } from "@niimask/niimask/interfaces";
 * const { tsv, json } = await findConfoundsFile(
 *   "sub-01/func/sub-01_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz",
 * );
 * // tsv: "sub-01/func/sub-01_task-rest_desc-confounds_timeseries.tsv"
 * ```
 */
export async function findConfoundsFile(imgFile: string): Promise<ConfoundsFiles> {
  const img = checkImgFile(imgFile, "findConfoundsFile");
  const candidates = confoundsFileCandidates(img);
  const folder = img.slice(0, img.length - baseName(img).length);
  const names = await folderNames(folder);
  const existing: string[] = [];
  for (const c of candidates) {
    if (names !== null && names.has(baseName(c)) && await isFile(c)) existing.push(c);
  }
  const tsv = chooseConfoundsFile(img, existing);
  const json = confoundsJsonPath(tsv);
  return { tsv, json: await isFile(json) ? json : null };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new FmriprepFileError(`${path}: cannot read the ${what}: ${msg}`);
  }
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return null; // absent: only anatomical CompCor needs it
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new FmriprepFileError(`${path}: the confounds JSON is not valid JSON: ${msg}`);
  }
}

async function loadOne(imgFile: string, options: ResolvedOptions): Promise<FmriprepConfounds> {
  checkImageName(imgFile, usesFullAroma(options));
  const { tsv } = await findConfoundsFile(imgFile);
  const jsonFile = confoundsJsonPath(tsv);
  const table = parseFmriprepConfounds(await readText(tsv, "confounds file"), tsv);
  const json = await readJson(jsonFile);
  return selectConfounds(table, json, jsonFile, options);
}

/**
 * Load the confounds of fMRIPrep runs, as nilearn 0.11.1's
 * `nilearn.interfaces.fmriprep.load_confounds`: the noise components of `strategy` (motion,
 * high_pass, wm_csf, global_signal, compcor, ica_aroma, scrub; non-steady-state volumes always
 * leave the sample mask) from each image's `desc-confounds_timeseries.tsv` (fMRIPrep >= 20.2) or
 * `desc-confounds_regressors.tsv` (1.x) and its JSON sidecar. Columns are sorted as nilearn
 * sorts them (code points); `n/a` in row 0 is replaced by row 1; confounds are demeaned over the
 * kept volumes unless `demean` is false.
 *
 * @param imgFiles path of a preprocessed image (`*_desc-preproc_bold.nii.gz`; the
 *   `*_desc-smoothAROMAnonaggr_bold.nii.gz` one for ICA-AROMA "full"), or a list of them (one
 *   result per image, also for a list of one). Images are not opened.
 * @param options strategy and component parameters (nilearn's names in camelCase; thresholds in
 *   mm for `fdThreshold`, volumes for `scrub`).
 * @returns per image, the confounds (volumes x confounds, named columns; null for an empty
 *   strategy) and the kept volumes (null: all), ready for
 *   `fitted.transform(img, { confounds, sampleMask })`.
 * @throws TypeError for options or paths of the wrong type; RangeError for unknown components,
 *   levels, flavours or options; FmriprepFileError naming the file for layout problems;
 *   MissingConfoundsError for confounds the file lacks.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { loadConfounds } from "@niimask/niimask/interfaces";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/sub-01_task-rest_desc-confounds_timeseries.tsv`, [
 *   "csf\twhite_matter\tcosine00\tnon_steady_state_outlier00",
 *   "1\t2\t0.5\t1", "2\t4\t0\t0", "3\t6\t-0.5\t0",
 * ].join("\n"));
 * const img = `${dir}/sub-01_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz`;
 * const { confounds, sampleMask } = await loadConfounds(img, {
 *   strategy: ["high_pass", "wm_csf"], demean: false,
 * });
 * deepStrictEqual(sampleMask, [1, 2]); // the non-steady-state volume 0 is left out
 * deepStrictEqual(confounds?.columns, ["cosine00", "csf", "white_matter"]);
 * deepStrictEqual(Array.from(confounds?.data ?? []).slice(3), [0, 2, 4, -0.5, 3, 6]);
 * // then: fitted.transform(img, { confounds, sampleMask })
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function loadConfounds(
  imgFiles: string,
  options?: LoadConfoundsOptions,
): Promise<FmriprepConfounds>;
/**
 * Load the confounds of a list of fMRIPrep runs: one result per image, in order (also for a list
 * of one). See the single-image signature for the rules.
 *
 * @param imgFiles image paths.
 * @param options strategy and component parameters.
 * @returns one result per image.
 */
export function loadConfounds(
  imgFiles: readonly string[],
  options?: LoadConfoundsOptions,
): Promise<FmriprepConfounds[]>;
export async function loadConfounds(
  imgFiles: string | readonly string[],
  options: LoadConfoundsOptions = {},
): Promise<FmriprepConfounds | FmriprepConfounds[]> {
  const resolved = resolveOptions(options);
  if (Array.isArray(imgFiles)) {
    const files = imgFiles.map((f, i) => checkImgFile(f, `imgFiles[${i}]`));
    const out: FmriprepConfounds[] = [];
    for (const f of files) out.push(await loadOne(f, resolved));
    return out;
  }
  return await loadOne(checkImgFile(imgFiles, "imgFiles"), resolved);
}

/**
 * Load confounds with one of nilearn 0.11.1's preset denoising strategies
 * (`load_confounds_strategy`): "simple" (high_pass, motion full, wm_csf basic), "scrubbing"
 * (+ wm_csf full, scrub 5 at FD 0.2 mm / std DVARS 3), "compcor" (high_pass, motion full,
 * anatomical CompCor combined, all components), "ica_aroma" (the `desc-smoothAROMAnonaggr`
 * image, high_pass, wm_csf basic). Customizable parameters override the preset; a
 * `globalSignal` level adds the global signal; other parameters are ignored with a warning.
 *
 * @param imgFiles an image path or a list of them (see `loadConfounds`).
 * @param options `denoiseStrategy` (default "simple") and overrides.
 * @returns as `loadConfounds`.
 * @throws RangeError for an unknown preset; otherwise as `loadConfounds`.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { loadConfoundsStrategy } from "@niimask/niimask/interfaces";
 * const dir = await Deno.makeTempDir();
 * const motion = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "csf", "white_matter"];
 * const rows = [[0.1, 0.2], [0.7, 0.1], [0.1, 0.2], [0.1, 0.2], [0.1, 0.2], [0.1, 0.2]];
 * await Deno.writeTextFile(`${dir}/sub-01_task-rest_desc-confounds_timeseries.tsv`, [
 *   [...motion, "framewise_displacement", "std_dvars"].join("\t"),
 *   ...rows.map(([fd, dvars], t) => [...motion.map(() => t), fd, dvars].join("\t")),
 * ].join("\n"));
 * const runs = await loadConfoundsStrategy(
 *   [`${dir}/sub-01_task-rest_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz`],
 *   { denoiseStrategy: "scrubbing", motion: "basic", wmCsf: "basic", fdThreshold: 0.5, scrub: 0 },
 * );
 * deepStrictEqual(runs.length, 1);
 * deepStrictEqual(runs[0]?.sampleMask, [0, 2, 3, 4, 5]); // FD 0.7 > 0.5 mm at volume 1
 * deepStrictEqual(runs[0]?.confounds?.shape, [6, 8]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function loadConfoundsStrategy(
  imgFiles: string,
  options?: LoadConfoundsStrategyOptions,
): Promise<FmriprepConfounds>;
/**
 * Load confounds with a preset denoising strategy for a list of runs: one result per image.
 *
 * @param imgFiles image paths.
 * @param options `denoiseStrategy` and overrides.
 * @returns one result per image.
 */
export function loadConfoundsStrategy(
  imgFiles: readonly string[],
  options?: LoadConfoundsStrategyOptions,
): Promise<FmriprepConfounds[]>;
export async function loadConfoundsStrategy(
  imgFiles: string | readonly string[],
  options: LoadConfoundsStrategyOptions = {},
): Promise<FmriprepConfounds | FmriprepConfounds[]> {
  const resolved = presetOptions(options, options.onWarning ?? warnOnce);
  if (Array.isArray(imgFiles)) return await loadConfounds(imgFiles as string[], resolved);
  return await loadConfounds(imgFiles as string, resolved);
}
