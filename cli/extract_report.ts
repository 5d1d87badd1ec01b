/**
 * The HTML report of `niimask extract --report FILE.html`.
 *
 * @module
 */
import type { FittedMultiMapsMasker } from "../maskers/types.ts";
import { errorMessage } from "./errors.ts";
import type { ExtractOptions } from "./extract_args.ts";
import type { BatchSummary } from "./batch.ts";
import { generateReport, type MapsReport } from "../report/generate_report.ts";
import {
  type BackgroundSource,
  completeReportInput,
  readRunReportData,
  reportBackground,
} from "./report_inputs.ts";
import { outputPaths } from "./naming.ts";
import { writeFilesAtomically } from "./io.ts";
import { failAfterBatch } from "./run_steps.ts";

/**
 * The report of an `extract` batch: the maps named by `--labels`, over `--report-background`
 * or the mean of the first run extracted (in sorted order, skipped runs included), that run's
 * signals and connectivity matrices read back from its outputs.
 */
async function extractReport(
  opts: ExtractOptions,
  fitted: FittedMultiMapsMasker,
  summary: BatchSummary,
  names: readonly string[],
): Promise<MapsReport> {
  const base = fitted.reportInput();
  if (base === null) throw new Error("the masker kept no report data");
  const done = [...summary.succeeded, ...summary.skipped].sort((a, b) =>
    a.image < b.image ? -1 : a.image > b.image ? 1 : 0
  );
  const first = done[0] ?? null;
  const conn = opts.connectivity ?? null;
  const run = first === null
    ? null
    : await readRunReportData(outputPaths(opts.out, first.subject).tsv, conn?.kinds ?? []);
  const choice: BackgroundSource = opts.reportBackground != null
    ? { kind: "template", path: opts.reportBackground }
    : first !== null && run !== null
    ? { kind: "run", path: first.image, name: run.name }
    : { kind: "mask" };
  const background = await reportBackground(choice, base.mapsImg, base.maskImg);
  const input = completeReportInput(base, {
    background,
    labels: opts.labels === null ? null : names,
    run,
    params: conn === null ? {} : {
      connectivity: conn.kinds.join(", "),
      covEstimator: conn.estimator,
    },
  });
  return generateReport(input);
}

/**
 * Write the report, when `--report` is given and the batch was not interrupted.
 *
 * @param opts validated options.
 * @param fitted the fitted masker (its report data).
 * @param summary the batch summary.
 * @param names the map names.
 * @param write the stderr writer.
 * @returns null when done (or not asked), else the exit status of a failed report.
 */
export async function extractReportStep(
  opts: ExtractOptions,
  fitted: FittedMultiMapsMasker,
  summary: BatchSummary,
  names: readonly string[],
  write: (text: string) => void,
): Promise<number | null> {
  if (opts.report === null || summary.interrupted) return null;
  try {
    const report = await extractReport(opts, fitted, summary, names);
    await writeFilesAtomically([[opts.report, report.html]]);
    if (!opts.quiet) write(`niimask: report written to ${opts.report}\n`);
    return null;
  } catch (e) {
    return failAfterBatch(
      `niimask: error: --report ${opts.report}: ${errorMessage(e)}\n`,
      summary,
      write,
    );
  }
}
