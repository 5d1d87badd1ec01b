/**
 * Per-subject failure records of a batch: `DIR/<X>_timeseries.failed.json`, written by the batch
 * runner when subject `X` fails and removed when it later succeeds. `niimask status` reads them.
 *
 * @module
 */
import { temporaryName } from "./io.ts";
import { joinPath } from "./naming.ts";

/** The content of a failure record (JSON object). */
export interface FailureRecord {
  /** The image path as given on the command line. */
  image: string;
  /** Subject name (the output prefix `X` of `X_timeseries.tsv`). */
  subject: string;
  /** Error message. */
  error: string;
  /** Error class name, e.g. `"NiftiParseError"`. */
  errorName: string;
  /** When the failure happened (ISO 8601). */
  time: string;
  /** Shard `I/N` of the run, if sharded. */
  shard?: string;
  /** Host name of the run, if known. */
  host?: string;
  /** SLURM job id (`SLURM_JOB_ID`), if inside SLURM. */
  slurmJobId?: string;
}

/** File name suffix of failure records. */
export const FAILURE_RECORD_SUFFIX = "_timeseries.failed.json";

/**
 * File name (no directory) of the failure record of a subject.
 *
 * @param subject subject name `X`.
 * @returns `X_timeseries.failed.json`.
 * @example
 * ```ts
 * import { failureRecordName } from "./failure_record.ts";
 * failureRecordName("sub-01_task-rest"); // "sub-01_task-rest_timeseries.failed.json"
 * ```
 */
export function failureRecordName(subject: string): string {
  return `${subject}${FAILURE_RECORD_SUFFIX}`;
}

/**
 * Build a failure record from an error (pure; `time` and context passed in).
 *
 * @param image image path as given.
 * @param subject subject name.
 * @param error what was thrown.
 * @param context time (ISO 8601) and optional shard/host/SLURM job id.
 * @returns the record.
 * @example
 * ```ts
 * import { makeFailureRecord } from "./failure_record.ts";
 * makeFailureRecord("a.nii.gz", "a", new Error("boom"), { time: "2024-01-01T00:00:00Z" });
 * ```
 */
export function makeFailureRecord(
  image: string,
  subject: string,
  error: unknown,
  context: { time: string; shard?: string; host?: string; slurmJobId?: string },
): FailureRecord {
  const err = error instanceof Error ? error : new Error(String(error));
  const rec: FailureRecord = {
    image,
    subject,
    error: err.message,
    errorName: err.name,
    time: context.time,
  };
  if (context.shard !== undefined) rec.shard = context.shard;
  if (context.host !== undefined) rec.host = context.host;
  if (context.slurmJobId !== undefined) rec.slurmJobId = context.slurmJobId;
  return rec;
}

/**
 * Parse and validate the text of a failure record.
 *
 * @param text file content.
 * @param path file path, for error messages.
 * @returns the record.
 * @throws SyntaxError when the text is not a JSON object with string `image`, `subject`, `error`.
 * @example
 * ```ts
 * import { parseFailureRecord } from "./failure_record.ts";
 * parseFailureRecord('{"image":"a.nii","subject":"a","error":"boom","errorName":"Error","time":""}', "a_timeseries.failed.json");
 * ```
 */
export function parseFailureRecord(text: string, path: string): FailureRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(
      `failure record ${path}: not valid JSON (${e instanceof Error ? e.message : e})`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SyntaxError(`failure record ${path}: expected a JSON object`);
  }
  const v = value as Record<string, unknown>;
  for (const key of ["image", "subject", "error"] as const) {
    if (typeof v[key] !== "string") {
      throw new SyntaxError(`failure record ${path}: expected a string "${key}" field`);
    }
  }
  const rec: FailureRecord = {
    image: v.image as string,
    subject: v.subject as string,
    error: v.error as string,
    errorName: typeof v.errorName === "string" ? v.errorName : "Error",
    time: typeof v.time === "string" ? v.time : "",
  };
  for (const key of ["shard", "host", "slurmJobId"] as const) {
    if (typeof v[key] === "string") rec[key] = v[key] as string;
  }
  return rec;
}

/**
 * Write a subject's failure record into the output directory atomically (temporary file in the
 * same directory, then rename).
 *
 * @param outDir output directory.
 * @param record the record.
 * @returns the path written.
 * @example
 * ```ts ignore
 * await writeFailureRecord("out", makeFailureRecord("a.nii", "a", err, { time: new Date().toISOString() }));
 * ```
 */
export async function writeFailureRecord(outDir: string, record: FailureRecord): Promise<string> {
  const path = joinPath(outDir, failureRecordName(record.subject));
  const tmp = temporaryName(path); // recognisable: a resumed batch removes it if left behind
  try {
    await Deno.writeTextFile(tmp, JSON.stringify(record, null, 2) + "\n");
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  return path;
}

/**
 * Remove a subject's failure record, if any (after the subject succeeded).
 *
 * @param outDir output directory.
 * @param subject subject name.
 * @example
 * ```ts ignore
 * await removeFailureRecord("out", "sub-01");
 * ```
 */
export async function removeFailureRecord(outDir: string, subject: string): Promise<void> {
  try {
    await Deno.remove(joinPath(outDir, failureRecordName(subject)));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
