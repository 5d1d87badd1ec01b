/**
 * Steps shared by `niimask extract` and `niimask bids`: the setup error, the shard of a run
 * list, the file checksums recorded in sidecars, the number of parallel subjects, the failure
 * records of a batch, and the closing summary with its exit status.
 *
 * @module
 */
import type { BatchDeps, BatchSubject, BatchSummary } from "./batch.ts";
import { formatSummary } from "./batch.ts";
import { errorMessage, EXIT_FAILURES, EXIT_INTERRUPTED, EXIT_OK } from "./errors.ts";
import { removeLeftoverTemporariesOf, sha256File } from "./io.ts";
import type { FileChecksum } from "./sidecar.ts";
import { type EnvRecord, formatShard, parseShard, selectShard } from "./shard.ts";
import {
  failureRecordName,
  makeFailureRecord,
  removeFailureRecord,
  writeFailureRecord,
} from "./failure_record.ts";
import { joinPath, outputPaths } from "./naming.ts";
import type { ConnectivityRequest } from "./connectivity_args.ts";
import type { ConnectivityKind } from "../connectome/connectivity_measure.ts";
import { relmatPaths } from "./connectivity_outputs.ts";
import { timeseriesStem } from "./connectivity_group.ts";
import { INFLATE_ENV, resolveInflateBackend } from "../image/inflate_select.ts";

/** An error before any subject ran (bad maps, mask, labels, output directory): exit status 2. */
export class SetupError extends Error {
  /** @param message what is wrong, naming the flag or file. */
  constructor(message: string) {
    super(message);
    this.name = "SetupError";
  }
}

/** The subjects of this shard, and the shard as `I/N`. */
export interface ShardSelection<T> {
  /** The subjects of this shard, in order. */
  readonly subjects: T[];
  /** The shard, `I/N`. */
  readonly text: string;
}

/**
 * This run's slice of the sorted subject list (`--shard I/N`, or `auto` inside a SLURM array),
 * said on `write` unless `quiet`.
 *
 * @param subjects every subject, in order.
 * @param spec the `--shard` value.
 * @param env the environment (`auto` reads the SLURM array variables).
 * @param say the progress line's writer, or null when quiet.
 * @param noun what the subjects are called in the progress line ("images", "runs").
 * @returns the shard's subjects and the shard's text.
 * @throws SetupError for a bad shard.
 */
export function selectShardStep<T extends BatchSubject>(
  subjects: T[],
  spec: string,
  env: EnvRecord,
  say: ((text: string) => void) | null,
  noun: string,
): ShardSelection<T> {
  let shard;
  try {
    shard = parseShard(spec, env);
  } catch (e) {
    throw new SetupError(errorMessage(e));
  }
  const selected = selectShard(subjects, shard, (s) => s.image);
  const text = formatShard(shard);
  say?.(`niimask: shard ${text}: ${selected.length} of ${subjects.length} ${noun}\n`);
  return { subjects: selected, text };
}

/**
 * The checksum of an input file, as sidecars record it.
 *
 * @param flag the flag that named the file (for the message).
 * @param path the file.
 * @returns its path and SHA-256.
 * @throws SetupError when the file cannot be read.
 */
export async function fileChecksumStep(flag: string, path: string): Promise<FileChecksum> {
  try {
    return { path, sha256: await sha256File(path) };
  } catch (e) {
    throw new SetupError(`--${flag} ${path}: cannot read the file (${errorMessage(e)})`);
  }
}

/**
 * Subjects processed in parallel for `--jobs` (-1: one per CPU core).
 *
 * @param jobs the `--jobs` value.
 * @returns the number of parallel subjects.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchJobs } from "./run_steps.ts";
 * assert.equal(batchJobs(3), 3);
 * ```
 */
export function batchJobs(jobs: number): number {
  return jobs === -1 ? (navigator.hardwareConcurrency || 1) : jobs;
}

/** The host name from the environment (Deno.hostname() would need --allow-sys). */
function hostName(): string | undefined {
  return Deno.env.get("SLURMD_NODENAME") ?? Deno.env.get("HOSTNAME") ?? undefined;
}

/**
 * The batch hooks that keep a failure record per failed subject in `outDir` and remove it once
 * the subject succeeds.
 *
 * @param outDir the output directory.
 * @param shardText the shard (`I/N`) recorded with a failure, if any.
 * @param beforeWrite called before a record is written (e.g. to create its folder).
 * @returns `onSuccess` and `onFailure` hooks for {@link BatchDeps}.
 */
export function failureRecordHooks(
  outDir: string,
  shardText: string | undefined,
  beforeWrite?: (s: BatchSubject) => Promise<void>,
): Pick<BatchDeps<unknown>, "onSuccess" | "onFailure"> {
  return {
    async onSuccess(s) {
      await removeFailureRecord(outDir, s.subject);
    },
    async onFailure(s, error) {
      const record = makeFailureRecord(s.image, s.subject, error, {
        time: new Date().toISOString(),
        host: hostName(),
        slurmJobId: Deno.env.get("SLURM_JOB_ID"),
        shard: shardText,
      });
      await beforeWrite?.(s);
      await writeFailureRecord(outDir, record);
    },
  };
}

/**
 * The end of a batch: its summary (always when something failed or it was interrupted, else
 * unless quiet) and the exit status.
 *
 * @param summary the batch summary.
 * @param quiet `--quiet`.
 * @param write the stderr writer.
 * @returns 0 all succeeded, 1 some failed, 130 interrupted.
 */
export function finishBatch(
  summary: BatchSummary,
  quiet: boolean,
  write: (text: string) => void,
): number {
  if (!quiet || summary.failed.length > 0 || summary.interrupted) {
    write(formatSummary(summary));
  }
  if (summary.interrupted) return EXIT_INTERRUPTED;
  return summary.failed.length > 0 ? EXIT_FAILURES : EXIT_OK;
}

/**
 * A step after the batch failed (the group step, the report): says why with the summary, and
 * gives the exit status.
 *
 * @param message the error line.
 * @param summary the batch summary.
 * @param write the stderr writer.
 * @returns 1.
 */
export function failAfterBatch(
  message: string,
  summary: BatchSummary,
  write: (text: string) => void,
): number {
  write(message);
  write(formatSummary(summary));
  return EXIT_FAILURES;
}

/**
 * The inflate backend `.nii.gz` inputs are read with (`NIIMASK_INFLATE` overrides the choice;
 * auto: the fastest available), recorded in each sidecar as `InflateBackend`.
 *
 * @returns "isal", "zlib" or "stream".
 * @throws SetupError for a bad `NIIMASK_INFLATE` value or an unavailable backend.
 */
export async function inflateBackendStep(): Promise<string> {
  try {
    return await resolveInflateBackend();
  } catch (e) {
    throw new SetupError(`${INFLATE_ENV}: ${errorMessage(e)}`);
  }
}

/**
 * The connectivity kinds written next to each run's time series (every kind asked for but
 * tangent, a group measure).
 *
 * @param request `--connectivity` and `--cov-estimator`, or null.
 * @returns the kinds.
 */
export function perRunKinds(request: ConnectivityRequest | null | undefined): ConnectivityKind[] {
  return (request?.kinds ?? []).filter((k) => k !== "tangent");
}

/**
 * Every file a run writes in `outDir`: its time series TSV and JSON, its failure record, and its
 * per-run connectivity matrices (TSV and JSON per kind).
 *
 * @param outDir the output folder.
 * @param subject the run's name (its output stem below `outDir`).
 * @param kinds the per-run connectivity kinds ({@link perRunKinds}).
 * @returns the paths.
 */
export function runOutputFiles(
  outDir: string,
  subject: string,
  kinds: readonly ConnectivityKind[],
): string[] {
  const out = outputPaths(outDir, subject);
  const failure = outDir.endsWith("/")
    ? `${outDir}${failureRecordName(subject)}`
    : `${outDir}/${failureRecordName(subject)}`;
  const relmats = kinds.map((k) => relmatPaths(timeseriesStem(out.tsv), k));
  return [out.tsv, out.json, failure, ...relmats.flatMap((r) => [r.tsv, r.json])];
}

/**
 * Before a resumed batch (`--skip-existing`): remove this run's own leftovers of a killed run, the
 * temporaries of its outputs (the folder's `dataset_description.json`, and every file
 * {@link runOutputFiles} names for these subjects), never other files nor other runs'
 * temporaries. A failure is a warning.
 *
 * @param outDir the output folder (named in the message).
 * @param connectivity the connectivity outputs asked for, if any.
 * @param subjects this invocation's subjects (runs).
 * @param quiet no message when some were removed.
 * @param write the stderr writer.
 */
export async function removeLeftoversStep(
  outDir: string,
  connectivity: ConnectivityRequest | null | undefined,
  subjects: readonly BatchSubject[],
  quiet: boolean,
  write: (text: string) => void,
): Promise<void> {
  const kinds = perRunKinds(connectivity);
  const paths = [
    joinPath(outDir, "dataset_description.json"),
    ...subjects.flatMap((s) => runOutputFiles(outDir, s.subject, kinds)),
  ];
  try {
    const removed = await removeLeftoverTemporariesOf(paths);
    if (removed.length > 0 && !quiet) {
      write(`niimask: removed ${removed.length} leftover temporary file(s) from ${outDir}\n`);
    }
  } catch (e) {
    write(`niimask: warning: could not remove leftover temporary files: ${errorMessage(e)}\n`);
  }
}
