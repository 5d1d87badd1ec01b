/**
 * `niimask bids FMRIPREP_DIR OUTPUT_DIR participant`: the edge code that wires discovery,
 * naming, confounds loading (nilearn's `load_confounds_strategy`), the masker and the batch
 * runner (failure isolation, atomic writes, progress, `--jobs`, `--shard`, `--skip-existing`),
 * as a sequence of steps: setup (`bids_setup.ts`), the leftovers of a killed run, the batch
 * (`bids_batch.ts`), the tangent group step and the participant reports
 * (`bids_group_steps.ts`), and the summary.
 *
 * @module
 */
import type { LabeledMatrix } from "../signal/confounds_file.ts";
import { errorMessage, EXIT_USAGE } from "./errors.ts";
import type { BidsOptions, DenoiseStrategy } from "./bids_args.ts";
import { runBatch } from "./batch.ts";
import { withFlagNames } from "./flag_names.ts";
import { createProgress } from "./progress.ts";
import { writeStderr } from "./io.ts";
import { bidsTangentGroup } from "./bids_connectivity.ts";
import { type BidsSetup, setupBids } from "./bids_setup.ts";
import { bidsBatchDeps, bidsRun } from "./bids_batch.ts";
import { bidsReportStep, bidsTangentStep } from "./bids_group_steps.ts";
import { finishBatch, removeLeftoversStep } from "./run_steps.ts";

/** A run's confounds as nilearn's `load_confounds_strategy` returns them, plus the file read. */
export interface RunConfounds {
  /** The confounds file used (`*_desc-confounds_timeseries.tsv` or `*_regressors.tsv`). */
  readonly file: string;
  /** The confounds (volumes x columns, with names), or null when the strategy selects none. */
  readonly confounds: LabeledMatrix | null;
  /** Kept volumes (0-based), or null when none is censored. */
  readonly sampleMask: readonly number[] | null;
}

/**
 * Loads a run's confounds for a strategy: `image` is the preprocessed run, `options` the
 * strategy parameters given (camelCase, as `loadConfoundsStrategy` takes them).
 */
export type RunConfoundsLoader = (
  image: string,
  strategy: DenoiseStrategy,
  options: Readonly<Record<string, unknown>>,
) => Promise<RunConfounds>;

/** Where `bids` runs. */
export interface BidsContext {
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** stderr is a terminal. */
  readonly isTerminal: boolean;
  /** Writes to stderr. */
  readonly write?: (text: string) => void;
  /** Environment (for `--shard auto`); default `Deno.env.toObject()`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Run `niimask bids` with parsed options.
 *
 * @param opts validated options.
 * @param ctx abort signal, terminal, output.
 * @param loadRunConfounds how a run's confounds are loaded (nilearn's `load_confounds_strategy`).
 * @returns the exit status: 0 all succeeded, 1 some failed, 2 setup error, 130 interrupted.
 * @example
 * ```ts ignore
 * const code = await runBids(opts, { isTerminal: false }, loadRunConfoundsStrategy);
 * ```
 */
export async function runBids(
  opts: BidsOptions,
  ctx: BidsContext,
  loadRunConfounds: RunConfoundsLoader,
): Promise<number> {
  const write = ctx.write ?? writeStderr;
  let setup: BidsSetup;
  try {
    setup = await setupBids(opts, ctx.env ?? Deno.env.toObject(), write);
  } catch (e) {
    write(`niimask bids: error: ${withFlagNames(errorMessage(e), "atlas")}\n`);
    return EXIT_USAGE;
  }
  if (opts.skipExisting) {
    await removeLeftoversStep(opts.outputDir, opts.connectivity, setup.subjects, opts.quiet, write);
  }
  const conn = opts.connectivity;
  const tangent = conn !== null && conn.kinds.includes("tangent")
    ? bidsTangentGroup(conn, opts)
    : null;
  const run = bidsRun(opts, setup, tangent);
  const progress = createProgress({ write, isTerminal: ctx.isTerminal, quiet: opts.quiet });
  const summary = await runBatch(
    setup.subjects,
    bidsBatchDeps(opts, setup, run, loadRunConfounds, write),
    { skipExisting: opts.skipExisting, signal: ctx.signal, progress },
  );
  const failed = await bidsTangentStep(opts, run, summary, write) ??
    await bidsReportStep(opts, setup, run, summary, write);
  return failed ?? finishBatch(summary, opts.quiet, write);
}
