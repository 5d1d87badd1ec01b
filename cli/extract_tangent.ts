/**
 * The group step of `niimask extract --connectivity tangent`: the tangent measure fitted on
 * every run of this invocation, computed now or skipped and read back.
 *
 * @module
 */
import { errorMessage } from "./errors.ts";
import type { ExtractOptions } from "./extract_args.ts";
import type { BatchSummary } from "./batch.ts";
import { outputPaths } from "./naming.ts";
import { VERSION } from "./version.ts";
import { atlasLabelOfMaps, groupTangentStem } from "./connectivity_outputs.ts";
import { type GroupRunSource, groupTangentStep } from "./connectivity_group.ts";
import { failAfterBatch } from "./run_steps.ts";

/**
 * Fit the tangent measure on the batch's runs and write the group outputs, when `--connectivity`
 * asks for tangent and the batch was not interrupted.
 *
 * @param opts validated options.
 * @param summary the batch summary.
 * @param tangentRuns the runs computed in this invocation, by subject (the others are read back).
 * @param write the stderr writer.
 * @returns null when done (or not asked), else the exit status of a failed step.
 */
export async function extractTangentStep(
  opts: ExtractOptions,
  summary: BatchSummary,
  tangentRuns: ReadonlyMap<string, GroupRunSource>,
  write: (text: string) => void,
): Promise<number | null> {
  const conn = opts.connectivity ?? null;
  if (conn === null || !conn.kinds.includes("tangent") || summary.interrupted) return null;
  const sources: GroupRunSource[] = [];
  for (const s of [...summary.succeeded, ...summary.skipped]) {
    sources.push(tangentRuns.get(s.subject) ?? { tsv: outputPaths(opts.out, s.subject).tsv });
  }
  const stem = groupTangentStem(opts.out, { atlas: atlasLabelOfMaps(opts.maps) });
  try {
    const res = await groupTangentStep(sources, conn.estimator, stem, VERSION);
    if (!opts.quiet) {
      const failedNote = summary.failed.length > 0
        ? ` (${summary.failed.length} failed run(s) left out)`
        : "";
      write(
        `niimask: tangent fitted on ${res.runs} runs${failedNote}; group mean ${res.meanTsv}\n`,
      );
    }
    return null;
  } catch (e) {
    return failAfterBatch(`niimask extract: error: ${errorMessage(e)}\n`, summary, write);
  }
}
