/**
 * `niimask bids --report`: one self-contained HTML page per participant, `OUTPUT_DIR/sub-L.html`
 * (as fMRIPrep writes `sub-L.html`), covering that participant's runs: the maps over each run's
 * mean image, its time series and spectra read back from its outputs, and its connectivity
 * heatmaps. Participants are rendered one at a time (only one participant's runs are held).
 *
 * @module
 */
import type { Image } from "../types.ts";
import type { ConnectivityKind } from "../connectome/connectivity_measure.ts";
import { generateParticipantReport, type ParticipantRun } from "../report/generate_report.ts";
import { meanImageOnGrid } from "../maskers/mean_image.ts";
import { readRunReportData, runNameOf } from "./report_inputs.ts";
import { outputPaths } from "./naming.ts";
import { errorMessage } from "./errors.ts";
import { writeFilesAtomically } from "./io.ts";

/** A run of the batch, as the participant report lists it. */
export interface ReportRun {
  /** The preprocessed image (its mean is drawn under the maps). */
  readonly image: string;
  /** Output stem relative to OUTPUT_DIR (`sub-L/[ses-S/]func/<entities>`). */
  readonly stem: string;
  /** Its repetition time (s), or null. */
  readonly tR: number | null;
  /** Why it failed, when it did (its outputs are then not read). */
  readonly error?: string;
}

/**
 * The participant label of an output stem (`sub-01/func/...` → `01`).
 *
 * @param stem output stem relative to OUTPUT_DIR.
 * @returns the label without `sub-`.
 * @throws RangeError when the stem does not start with a `sub-<label>` folder.
 * @example
 * ```ts
 * import { participantOfStem } from "./bids_report.ts";
 * import { equal } from "node:assert/strict";
 * equal(participantOfStem("sub-01/ses-2/func/sub-01_ses-2_task-rest_atlas-A_desc-simple"), "01");
 * ```
 */
export function participantOfStem(stem: string): string {
  const m = /^sub-([A-Za-z0-9]+)\//.exec(stem);
  if (m === null) {
    throw new RangeError(`output stem "${stem}": expected it to start with sub-<label>/`);
  }
  return m[1]!;
}

/**
 * Runs grouped by participant, participants and runs in sorted order.
 *
 * @param runs the runs.
 * @returns participant label → its runs.
 * @example
 * ```ts
 * import { runsByParticipant } from "./bids_report.ts";
 * import { deepEqual } from "node:assert/strict";
 * const g = runsByParticipant([
 *   { image: "b.nii.gz", stem: "sub-02/func/sub-02_task-a", tR: 2 },
 *   { image: "a.nii.gz", stem: "sub-01/func/sub-01_task-b", tR: 2 },
 *   { image: "c.nii.gz", stem: "sub-01/func/sub-01_task-a", tR: 2 },
 * ]);
 * deepEqual([...g.keys()], ["01", "02"]);
 * deepEqual(g.get("01")!.map((r) => r.image), ["c.nii.gz", "a.nii.gz"]);
 * ```
 */
export function runsByParticipant(runs: readonly ReportRun[]): Map<string, ReportRun[]> {
  const sorted = [...runs].sort((a, b) => (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0));
  const out = new Map<string, ReportRun[]>();
  for (const label of [...new Set(sorted.map((r) => participantOfStem(r.stem)))].sort()) {
    out.set(label, []);
  }
  for (const r of sorted) out.get(participantOfStem(r.stem))!.push(r);
  return out;
}

/** What every participant page shares. */
export interface ParticipantReportsConfig {
  /** OUTPUT_DIR: pages go to `OUTPUT_DIR/sub-L.html`, outputs are read below it. */
  readonly outputDir: string;
  /** The fitted maps (x, y, z, nMaps); each run's mean is resampled onto their grid. */
  readonly mapsImg: Image;
  /** Map names, or null. */
  readonly labels: readonly string[] | null;
  /** Parameters to tabulate. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Connectivity kinds written next to the time series (their heatmaps are shown). */
  readonly kinds: readonly ConnectivityKind[];
}

/**
 * Write one HTML page per participant (`OUTPUT_DIR/sub-L.html`, atomically), one participant at
 * a time.
 *
 * @param runs every run of the batch that succeeded, was skipped, or failed (with its error).
 * @param config shared settings.
 * @returns the pages written, in participant order.
 * @throws Error naming the page when it cannot be written.
 * @example
 * ```ts ignore
 * await writeParticipantReports(runs, { outputDir, mapsImg, labels, params, kinds: [] });
 * ```
 */
export async function writeParticipantReports(
  runs: readonly ReportRun[],
  config: ParticipantReportsConfig,
): Promise<string[]> {
  const written: string[] = [];
  for (const [participant, own] of runsByParticipant(runs)) {
    const pageRuns: ParticipantRun[] = [];
    const warnings: string[] = [];
    for (const r of own) {
      const tsv = outputPaths(config.outputDir, r.stem).tsv;
      const name = runNameOf(tsv);
      if (r.error !== undefined) {
        pageRuns.push({ name, background: null, signals: null, tR: r.tR, error: r.error });
        continue;
      }
      const data = await readRunReportData(tsv, config.kinds);
      warnings.push(...data.warnings);
      let background: Image | null = null;
      try {
        background = await meanImageOnGrid(r.image, config.mapsImg);
      } catch (e) {
        warnings.push(`${name}: could not compute the mean of ${r.image}: ${errorMessage(e)}`);
      }
      const nMaps = config.mapsImg.shape[3] ?? 1;
      let signals = data.signals;
      if (signals.shape[1] !== nMaps) {
        warnings.push(
          `${name}: ${signals.shape[1]} time series for ${nMaps} maps (maps emptied by the ` +
            `mask were dropped): not plotted.`,
        );
        signals = { data: new Float64Array(0), shape: [0, nMaps] };
      }
      pageRuns.push({ name, background, signals, tR: r.tR, connectivity: data.connectivity });
    }
    const { html } = generateParticipantReport({
      participant,
      params: config.params,
      mapsImg: config.mapsImg,
      labels: config.labels,
      runs: pageRuns,
      warnings,
    });
    const dir = config.outputDir;
    const page = `${dir}${dir.endsWith("/") ? "" : "/"}sub-${participant}.html`;
    try {
      await writeFilesAtomically([[page, html]]);
    } catch (e) {
      throw new Error(`${page}: cannot write the participant report (${errorMessage(e)})`);
    }
    written.push(page);
  }
  return written;
}
