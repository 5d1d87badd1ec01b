/**
 * `niimask extract`: the edge code that wires the pure pieces (arguments, naming, confounds
 * selection, TSV/JSON formatting, batch runner) to files, the masker and the terminal.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { openNifti } from "../image/load.ts";
import { INFLATE_ENV, resolveInflateBackend } from "../image/inflate_select.ts";
import { loadConfounds } from "../signal/confounds_file.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { FittedMultiMapsMasker, MultiMapsMaskerConfig } from "../maskers/types.ts";
import { errorMessage, EXIT_FAILURES, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from "./errors.ts";
import type { ExtractOptions } from "./extract_args.ts";
import { type BatchSubject, formatSummary, runBatch } from "./batch.ts";
import { confoundsPath, outputPaths, subjectNames } from "./naming.ts";
import { selectConfounds, type SelectedConfounds } from "./confounds_select.ts";
import { defaultMapNames, formatTimeseriesTsv, parseLabels } from "./tsv.ts";
import { buildSidecar, type FileChecksum, formatSidecar } from "./sidecar.ts";
import { createProgress } from "./progress.ts";
import { fileExists, sha256File, writeFilesAtomically, writeStderr } from "./io.ts";
import { VERSION } from "./version.ts";
import { makeFailureRecord, removeFailureRecord, writeFailureRecord } from "./failure_record.ts";
import { formatShard, parseShard, selectShard } from "./shard.ts";

/** A subject ready to transform: its confounds and sample mask (when any). */
interface Prepared {
  readonly image: string;
  readonly confoundsPath: string | null;
  readonly selected: SelectedConfounds | null;
}

/** Where `extract` runs: its output stream and its abort signal (Ctrl-C). */
export interface ExtractContext {
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** stderr is a terminal. */
  readonly isTerminal: boolean;
  /** Writes to stderr. */
  readonly write?: (text: string) => void;
}

/** Number of maps of a maps file, read from its header only. */
async function countMaps(path: string): Promise<number> {
  const stream = await openNifti(path);
  try {
    const shape = stream.shape;
    return shape.length >= 4 ? shape[3]! : 1;
  } finally {
    await stream.close();
  }
}

async function checksum(flag: string, path: string): Promise<FileChecksum> {
  try {
    return { path, sha256: await sha256File(path) };
  } catch (e) {
    throw new SetupError(`--${flag} ${path}: cannot read the file (${errorMessage(e)})`);
  }
}

/** An error before any subject ran (bad maps, mask, labels, output directory). */
class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SetupError";
  }
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
  let subjects: BatchSubject[];
  let fitted: FittedMultiMapsMasker;
  let names: string[];
  let maps: FileChecksum;
  let mask: FileChecksum | null;
  let shardText: string | undefined;
  let inflateBackend: string;
  try {
    try {
      // NIIMASK_INFLATE overrides the choice (auto: the fastest available).
      inflateBackend = await resolveInflateBackend();
    } catch (e) {
      throw new SetupError(`${INFLATE_ENV}: ${errorMessage(e)}`);
    }
    subjects = subjectNames(opts.imgs).map((subject, i) => ({ image: opts.imgs[i]!, subject }));
    if (opts.shard != null) {
      // This run's slice of the sorted image list (--shard I/N, or auto inside a SLURM array).
      let shard;
      try {
        shard = parseShard(opts.shard, Deno.env.toObject());
      } catch (e) {
        throw new SetupError(errorMessage(e));
      }
      const total = subjects.length;
      subjects = selectShard(subjects, shard, (s) => s.image);
      shardText = formatShard(shard);
      if (!opts.quiet) {
        write(`niimask: shard ${shardText}: ${subjects.length} of ${total} images\n`);
      }
    }
    maps = await checksum("maps", opts.maps);
    mask = opts.mask === null ? null : await checksum("mask", opts.mask);
    let nMaps: number;
    try {
      nMaps = await countMaps(opts.maps);
    } catch (e) {
      throw new SetupError(`--maps ${opts.maps}: ${errorMessage(e)}`);
    }
    if (opts.labels !== null) {
      let text: string;
      try {
        text = await Deno.readTextFile(opts.labels);
      } catch (e) {
        throw new SetupError(`--labels ${opts.labels}: cannot read the file (${errorMessage(e)})`);
      }
      names = parseLabels(text, opts.labels, nMaps);
    } else {
      names = defaultMapNames(nMaps);
    }
    const config: MultiMapsMaskerConfig = {
      ...opts.masker,
      mapsImg: opts.maps,
      maskImg: opts.mask,
      output: "table",
      labels: names,
    };
    try {
      fitted = await multiMapsMasker(config).fit();
    } catch (e) {
      throw new SetupError(`cannot fit the maps (--maps ${opts.maps}): ${errorMessage(e)}`);
    }
    try {
      await Deno.mkdir(opts.out, { recursive: true });
    } catch (e) {
      throw new SetupError(`--out ${opts.out}: cannot create the directory (${errorMessage(e)})`);
    }
  } catch (e) {
    write(`niimask extract: error: ${errorMessage(e)}\n`);
    return EXIT_USAGE;
  }

  const params = fitted.params() as unknown as Record<string, unknown>;
  const tR = typeof params.tR === "number" ? params.tR : null;
  const jobs = opts.jobs === -1 ? (navigator.hardwareConcurrency || 1) : opts.jobs;
  const progress = createProgress({ write, isTerminal: ctx.isTerminal, quiet: opts.quiet });

  const summary = await runBatch<Prepared>(subjects, {
    async outputsExist(s) {
      const out = outputPaths(opts.out, s.subject);
      return await fileExists(out.tsv) && await fileExists(out.json);
    },
    async prepare(s) {
      if (!await fileExists(s.image)) throw new Error(`image ${s.image}: no such file`);
      if (opts.confounds === null) return { image: s.image, confoundsPath: null, selected: null };
      const path = confoundsPath(opts.confounds, s.subject);
      if (!await fileExists(path)) {
        throw new Error(
          `confounds file ${path} (from --confounds ${opts.confounds}): no such file`,
        );
      }
      const table = await loadConfounds(path);
      const selected = selectConfounds(table, path, opts.confoundColumns, opts.sampleMaskColumns);
      return { image: s.image, confoundsPath: path, selected };
    },
    transform(items, { onOutcome, signal }) {
      // One call over every prepared subject: one worker pool, fed as workers free up; each
      // subject's outputs are written (atomically) as soon as it finishes.
      const withConfounds = opts.confounds !== null;
      return fitted.transformImgsSettled(items.map((p) => p.image), {
        confounds: withConfounds ? items.map((p) => p.selected?.confounds ?? null) : null,
        sampleMask: withConfounds ? items.map((p) => p.selected?.sampleMask ?? null) : null,
        nJobs: jobs,
        onOutcome,
        keepValues: false, // written by onOutcome: hold no signals for the rest of the batch
        ...(signal !== undefined ? { signal } : {}),
      });
    },
    async write(s, p, signals: Matrix) {
      const columns = columnNames(signals, names, opts.labels);
      const out = outputPaths(opts.out, s.subject);
      const sidecar = buildSidecar({
        version: VERSION,
        image: s.image,
        maps,
        mask,
        labels: opts.labels,
        columns,
        volumes: signals.shape[0],
        tR,
        params,
        inflateBackend: /\.gz$/i.test(s.image) ? inflateBackend : null,
        confounds: p.confoundsPath === null || p.selected === null ? null : {
          path: p.confoundsPath,
          columns: p.selected.columns,
          censorColumns: p.selected.censorColumns,
          censoredVolumes: p.selected.censored,
        },
      });
      await writeFilesAtomically([
        [out.tsv, formatTimeseriesTsv(signals, columns)],
        [out.json, formatSidecar(sidecar)],
      ]);
    },
    async onSuccess(s) {
      await removeFailureRecord(opts.out, s.subject);
    },
    async onFailure(s, error) {
      const record = makeFailureRecord(s.image, s.subject, error, {
        time: new Date().toISOString(),
        host: hostName(),
        slurmJobId: Deno.env.get("SLURM_JOB_ID"),
        shard: shardText,
      });
      await writeFailureRecord(opts.out, record);
    },
  }, {
    skipExisting: opts.skipExisting,
    signal: ctx.signal,
    progress,
  });

  if (opts.report !== null && !summary.interrupted) {
    try {
      const report = await fitted.generateReport();
      await writeFilesAtomically([[opts.report, report.html]]);
      if (!opts.quiet) write(`niimask: report written to ${opts.report}\n`);
    } catch (e) {
      write(`niimask: error: --report ${opts.report}: ${errorMessage(e)}\n`);
      write(formatSummary(summary));
      return EXIT_FAILURES;
    }
  }

  if (!opts.quiet || summary.failed.length > 0 || summary.interrupted) {
    write(formatSummary(summary));
  }
  if (summary.interrupted) return EXIT_INTERRUPTED;
  return summary.failed.length > 0 ? EXIT_FAILURES : EXIT_OK;
}

/** The host name from the environment (Deno.hostname() would need --allow-sys). */
function hostName(): string | undefined {
  return Deno.env.get("SLURMD_NODENAME") ?? Deno.env.get("HOSTNAME") ?? undefined;
}

/** Column names of a subject's signals: the masker's table columns, else the expected names. */
function columnNames(signals: Matrix, names: readonly string[], labels: string | null): string[] {
  const cols = signals.shape[1];
  const fromTable = (signals as Matrix & { columns?: readonly string[] }).columns;
  if (Array.isArray(fromTable) && fromTable.length === cols) return [...fromTable];
  if (names.length === cols) return [...names];
  if (labels !== null) {
    throw new RangeError(
      `the masker returned ${cols} columns but --labels ${labels} names ${names.length} maps`,
    );
  }
  return defaultMapNames(cols);
}
