/**
 * Discovery of the preprocessed runs of an fMRIPrep derivatives folder
 * (`sub-*&#47;[ses-*&#47;]func/*_desc-preproc_bold.nii.gz`) and their selection by the BIDS-App
 * filters. {@link selectRuns} is pure; {@link findPreprocRuns} is the file-system edge.
 *
 * @module
 */
import { entity, parseBidsName } from "./bids_naming.ts";
import { joinPath } from "./naming.ts";

/** The filters of `niimask bids`; an absent or empty filter keeps every run. */
export interface RunFilters {
  /** Participant labels (with or without `sub-`). */
  readonly participantLabels?: readonly string[];
  /** Session labels (with or without `ses-`). */
  readonly sessions?: readonly string[];
  /** Task label. */
  readonly task?: string;
  /** Run index (`1` matches `run-01`). */
  readonly run?: string;
  /** Output space, e.g. `MNI152NLin2009cAsym`. */
  readonly space?: string;
}

function stripPrefix(label: string, prefix: string): string {
  return label.startsWith(`${prefix}-`) ? label.slice(prefix.length + 1) : label;
}

function sameIndex(a: string, b: string): boolean {
  if (/^[0-9]+$/.test(a) && /^[0-9]+$/.test(b)) return Number(a) === Number(b);
  return a === b;
}

/**
 * Whether a file name is a preprocessed BOLD run: `..._desc-<desc>_bold.nii.gz` (or `.nii`).
 *
 * @param name file name.
 * @param desc the `desc` label (default `preproc`; fMRIPrep's ICA-AROMA output is
 *   `smoothAROMAnonaggr`).
 * @returns true for a match.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPreprocBold } from "./bids_discover.ts";
 * assert.equal(isPreprocBold("sub-01_task-rest_desc-preproc_bold.nii.gz"), true);
 * assert.equal(isPreprocBold("sub-01_task-rest_desc-brain_mask.nii.gz"), false);
 * ```
 */
export function isPreprocBold(name: string, desc = "preproc"): boolean {
  return name.startsWith("sub-") &&
    (name.endsWith(`_desc-${desc}_bold.nii.gz`) || name.endsWith(`_desc-${desc}_bold.nii`));
}

/**
 * The runs that pass the filters, sorted by path (code-unit order).
 *
 * @param runs run image paths.
 * @param filters participant, session, task, run and space filters.
 * @returns the selected paths.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectRuns } from "./bids_discover.ts";
 * const runs = [
 *   "d/sub-02/func/sub-02_task-rest_run-01_desc-preproc_bold.nii.gz",
 *   "d/sub-01/func/sub-01_task-rest_run-02_desc-preproc_bold.nii.gz",
 *   "d/sub-01/func/sub-01_task-rest_run-01_desc-preproc_bold.nii.gz",
 * ];
 * assert.deepEqual(selectRuns(runs, { participantLabels: ["sub-01"], run: "1" }), [runs[2]]);
 * ```
 */
export function selectRuns(runs: readonly string[], filters: RunFilters): string[] {
  const subs = filters.participantLabels?.map((l) => stripPrefix(l, "sub"));
  const sess = filters.sessions?.map((l) => stripPrefix(l, "ses"));
  return runs.filter((path) => {
    const name = parseBidsName(path);
    if (subs?.length && !subs.includes(entity(name, "sub")!)) return false;
    if (sess?.length) {
      const ses = entity(name, "ses");
      if (ses === undefined || !sess.includes(ses)) return false;
    }
    if (filters.task !== undefined && entity(name, "task") !== stripPrefix(filters.task, "task")) {
      return false;
    }
    if (filters.run !== undefined) {
      const run = entity(name, "run");
      if (run === undefined || !sameIndex(run, stripPrefix(filters.run, "run"))) return false;
    }
    if (
      filters.space !== undefined && entity(name, "space") !== stripPrefix(filters.space, "space")
    ) {
      return false;
    }
    return true;
  }).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A description of the filters for error messages, e.g. `--participant-label 01 --task rest`.
 *
 * @param filters the filters.
 * @returns the text, or `no filters`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeFilters } from "./bids_discover.ts";
 * assert.equal(describeFilters({ task: "rest" }), "--task rest");
 * ```
 */
export function describeFilters(filters: RunFilters): string {
  const parts: string[] = [];
  if (filters.participantLabels?.length) {
    parts.push(`--participant-label ${filters.participantLabels.join(" ")}`);
  }
  if (filters.sessions?.length) parts.push(`--session ${filters.sessions.join(" ")}`);
  if (filters.task !== undefined) parts.push(`--task ${filters.task}`);
  if (filters.run !== undefined) parts.push(`--run ${filters.run}`);
  if (filters.space !== undefined) parts.push(`--space ${filters.space}`);
  return parts.length > 0 ? parts.join(" ") : "no filters";
}

async function listDir(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return out;
}

/**
 * Every preprocessed BOLD run of an fMRIPrep folder: `DIR/sub-*&#47;func/` and
 * `DIR/sub-*&#47;ses-*&#47;func/` files named `*_desc-<desc>_bold.nii[.gz]` (edge: reads the
 * directory; symbolic links are followed).
 *
 * @param dir the fMRIPrep derivatives folder.
 * @param desc the `desc` label of the runs (default `preproc`).
 * @returns the run paths, sorted.
 * @throws Error when `dir` is not a readable directory, naming it.
 * @example
 * ```ts ignore
 * const runs = await findPreprocRuns("derivatives/fmriprep");
 * ```
 */
export async function findPreprocRuns(dir: string, desc = "preproc"): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (e) {
    throw new Error(
      `FMRIPREP_DIR ${dir}: cannot read it (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (!info.isDirectory) throw new Error(`FMRIPREP_DIR ${dir}: not a directory`);
  const runs: string[] = [];
  const scanFunc = async (funcDir: string) => {
    for (const e of await listDir(funcDir)) {
      if (!e.isDirectory && isPreprocBold(e.name, desc)) runs.push(joinPath(funcDir, e.name));
    }
  };
  for (const sub of await listDir(dir)) {
    if (!sub.name.startsWith("sub-") || sub.isFile) continue;
    const subDir = joinPath(dir, sub.name);
    await scanFunc(joinPath(subDir, "func"));
    for (const ses of await listDir(subDir)) {
      if (ses.name.startsWith("ses-") && !ses.isFile) {
        await scanFunc(joinPath(joinPath(subDir, ses.name), "func"));
      }
    }
  }
  return runs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
