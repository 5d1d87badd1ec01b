/**
 * The steps of `niimask bids` after its batch: the tangent group step (`--connectivity
 * tangent`) and the participant reports (`--report`).
 *
 * @module
 */
import { errorMessage } from "./errors.ts";
import type { BidsOptions } from "./bids_args.ts";
import type { BatchSummary } from "./batch.ts";
import { outputPaths } from "./naming.ts";
import { readRunTR } from "./bids_tr.ts";
import { fileExists } from "./io.ts";
import { participantOfStem, type ReportRun, writeParticipantReports } from "./bids_report.ts";
import type { BidsSetup } from "./bids_setup.ts";
import type { BidsRun } from "./bids_batch.ts";
import { failAfterBatch } from "./run_steps.ts";

/**
 * Fit the tangent measure on every run of this invocation (computed now, or skipped and read
 * back) and write the group outputs, when asked and the batch was not interrupted.
 *
 * @param opts validated options.
 * @param run the batch's shared state (its tangent group).
 * @param summary the batch summary.
 * @param write the stderr writer.
 * @returns null when done (or not asked), else the exit status of a failed step.
 */
export async function bidsTangentStep(
  opts: BidsOptions,
  run: BidsRun,
  summary: BatchSummary,
  write: (text: string) => void,
): Promise<number | null> {
  if (run.tangent === null || summary.interrupted) return null;
  const done = [...summary.succeeded, ...summary.skipped];
  try {
    const note = await run.tangent.finish(
      done.map((s) => outputPaths(opts.outputDir, s.subject).tsv),
    );
    if (!opts.quiet) {
      write(
        summary.failed.length > 0
          ? note.replace(/\n$/, ` (${summary.failed.length} failed run(s) left out)\n`)
          : note,
      );
    }
    return null;
  } catch (e) {
    return failAfterBatch(`niimask bids: error: ${errorMessage(e)}\n`, summary, write);
  }
}

/** The runs of the participant pages: this invocation's, and (under --shard) the others done. */
async function reportRuns(
  opts: BidsOptions,
  setup: BidsSetup,
  run: BidsRun,
  summary: BatchSummary,
): Promise<ReportRun[]> {
  // A run's TR for its plots (none when it cannot be read: the time axis is then in volumes).
  const tROf = (image: string) =>
    readRunTR(image, opts.tR).then((r) => r.tR, () => null as number | null);
  const runs: ReportRun[] = [];
  for (const s of [...summary.succeeded, ...summary.skipped]) {
    const tR = run.runTRs.has(s.subject) ? run.runTRs.get(s.subject)! : await tROf(s.image);
    runs.push({ image: s.image, stem: s.subject, tR });
  }
  for (const f of summary.failed) {
    runs.push({ image: f.image, stem: f.subject, tR: null, error: errorMessage(f.error) });
  }
  // Under --shard, a participant's other runs (other shards) are on its page when their
  // outputs exist: the shard that finishes last writes the complete page.
  const inThisCommand = new Set(runs.map((r) => r.stem));
  const participants = new Set(runs.map((r) => participantOfStem(r.stem)));
  for (const s of setup.allSubjects) {
    if (inThisCommand.has(s.subject) || !participants.has(participantOfStem(s.subject))) {
      continue;
    }
    if (!await fileExists(outputPaths(opts.outputDir, s.subject).tsv)) continue;
    runs.push({ image: s.image, stem: s.subject, tR: await tROf(s.image) });
  }
  return runs;
}

/**
 * Write one report per participant, when `--report` is given and the batch was not
 * interrupted.
 *
 * @param opts validated options.
 * @param setup the command's setup.
 * @param run the batch's shared state.
 * @param summary the batch summary.
 * @param write the stderr writer.
 * @returns null when done (or not asked), else the exit status of a failed report.
 */
export async function bidsReportStep(
  opts: BidsOptions,
  setup: BidsSetup,
  run: BidsRun,
  summary: BatchSummary,
  write: (text: string) => void,
): Promise<number | null> {
  if (opts.report !== true || summary.interrupted) return null;
  const conn = opts.connectivity;
  try {
    const runs = await reportRuns(opts, setup, run, summary);
    const first = runs.find((r) => r.error === undefined);
    const fitted = await run.fittedFor(first?.tR ?? null);
    const input = fitted.reportInput();
    if (input === null) throw new Error("the masker kept no report data");
    const pages = await writeParticipantReports(runs, {
      outputDir: opts.outputDir,
      mapsImg: input.mapsImg,
      labels: opts.labels === null ? null : setup.names,
      params: {
        atlas: opts.atlas,
        atlasName: opts.atlasName,
        denoiseStrategy: opts.strategy,
        ...opts.strategyParams,
        ...input.params,
        ...(conn === null
          ? {}
          : { connectivity: conn.kinds.join(", "), covEstimator: conn.estimator }),
      },
      kinds: conn?.kinds ?? [],
    });
    if (!opts.quiet) {
      write(`niimask: ${pages.length} participant report(s) written (${pages.join(", ")})\n`);
    }
    return null;
  } catch (e) {
    return failAfterBatch(`niimask bids: error: --report: ${errorMessage(e)}\n`, summary, write);
  }
}
