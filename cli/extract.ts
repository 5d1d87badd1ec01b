/**
 * `niimask extract`: the edge code that wires the pure pieces (arguments, naming, confounds
 * selection, TSV/JSON formatting, batch runner) to files, the masker and the terminal, as a
 * sequence of steps: setup (`extract_setup.ts`), the leftovers of a killed run, the batch
 * (`extract_batch.ts`), the tangent group step (`extract_tangent.ts`), the report
 * (`extract_report.ts`) and the summary.
 *
 * @module
 */
import { errorMessage, EXIT_USAGE } from "./errors.ts";
import type { ExtractOptions } from "./extract_args.ts";
import { runBatch } from "./batch.ts";
import { withFlagNames } from "./flag_names.ts";
import { createProgress } from "./progress.ts";
import { writeStderr } from "./io.ts";
import { type ExtractSetup, setupExtract } from "./extract_setup.ts";
import { extractBatchDeps, extractRun } from "./extract_batch.ts";
import { extractTangentStep } from "./extract_tangent.ts";
import { extractReportStep } from "./extract_report.ts";
import { finishBatch, removeLeftoversStep } from "./run_steps.ts";

/** Where `extract` runs: its output stream and its abort signal (Ctrl-C). */
export interface ExtractContext {
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** stderr is a terminal. */
  readonly isTerminal: boolean;
  /** Writes to stderr. */
  readonly write?: (text: string) => void;
}

/**
 * Run `niimask extract` with parsed options.
 *
 * @param opts validated options.
 * @param ctx abort signal and terminal.
 * @returns the exit status: 0 all succeeded, 1 some failed, 2 setup error, 130 interrupted.
 * @example
 * ```ts ignore
 * const code = await runExtract(opts, { isTerminal: Deno.stderr.isTerminal() });
 * ```
 */
export async function runExtract(opts: ExtractOptions, ctx: ExtractContext): Promise<number> {
  const write = ctx.write ?? writeStderr;
  let setup: ExtractSetup;
  try {
    setup = await setupExtract(opts, write);
  } catch (e) {
    write(`niimask extract: error: ${withFlagNames(errorMessage(e))}\n`);
    return EXIT_USAGE;
  }
  if (opts.skipExisting) {
    await removeLeftoversStep(opts.out, opts.connectivity, setup.subjects, opts.quiet, write);
  }
  const run = extractRun(opts, setup);
  const progress = createProgress({ write, isTerminal: ctx.isTerminal, quiet: opts.quiet });
  const summary = await runBatch(setup.subjects, extractBatchDeps(opts, setup, run, write), {
    skipExisting: opts.skipExisting,
    signal: ctx.signal,
    progress,
  });
  const failed = await extractTangentStep(opts, summary, run.tangentRuns, write) ??
    await extractReportStep(opts, setup.fitted, summary, setup.names, write);
  return failed ?? finishBatch(summary, opts.quiet, write);
}
