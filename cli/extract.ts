/**
 * `niimask extract`: the edge code that wires the pure pieces (arguments, naming, confounds
 * selection, TSV/JSON formatting, batch runner) to files, the masker and the terminal.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { readConfoundsFile } from "../signal/confounds_file.ts";
import { INFLATE_ENV, resolveInflateBackend } from "../image/inflate_select.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { FittedMultiMapsMasker, MultiMapsMaskerConfig } from "../maskers/types.ts";
import { errorMessage, EXIT_FAILURES, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from "./errors.ts";
import type { ExtractOptions } from "./extract_args.ts";
import { type BatchSubject, type BatchSummary, formatSummary, runBatch } from "./batch.ts";
import { generateReport, type MapsReport } from "../report/generate_report.ts";
import {
  type BackgroundSource,
  checkBackgroundFile,
  completeReportInput,
  readRunReportData,
  reportBackground,
} from "./report_inputs.ts";
import { baseName, confoundsPath, outputPaths, subjectNames } from "./naming.ts";
import { selectConfounds, type SelectedConfounds } from "./confounds_select.ts";
import { defaultMapNames, formatTimeseriesTsv } from "./tsv.ts";
import { readLabelsFile } from "./labels.ts";
import { countMapsOf, expandMapsSpec, mapsImgOf, mapsSha256 } from "./maps_files.ts";
import { checkExistingOutputs, type SidecarFingerprint } from "./skip_existing.ts";
import { outcomeWithFlagNames, withFlagNames } from "./flag_names.ts";
import { fmriprepConfoundsFile } from "./bids_confounds.ts";
import { buildSidecar, type FileChecksum, formatSidecar } from "./sidecar.ts";
import { createProgress } from "./progress.ts";
import {
  fileExists,
  removeLeftoverTemporaries,
  sha256File,
  writeFilesAtomically,
  writeStderr,
} from "./io.ts";
import { VERSION } from "./version.ts";
import {
  failureRecordName,
  makeFailureRecord,
  removeFailureRecord,
  writeFailureRecord,
} from "./failure_record.ts";
import { formatShard, parseShard, selectShard } from "./shard.ts";
import {
  atlasLabelOfMaps,
  groupTangentStem,
  relmatPaths,
  runConnectivityFiles,
} from "./connectivity_outputs.ts";
import { type GroupRunSource, groupTangentStep, timeseriesStem } from "./connectivity_group.ts";

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
    // --maps: one image, or a comma-separated list or glob of 3D maps.
    const mapsFiles = await expandMapsSpec("maps", opts.maps);
    maps = { path: opts.maps, sha256: await mapsSha256("maps", mapsFiles) };
    mask = opts.mask === null ? null : await checksum("mask", opts.mask);
    const nMaps = await countMapsOf("maps", mapsFiles);
    names = opts.labels === null
      ? defaultMapNames(nMaps)
      : await readLabelsFile(opts.labels, nMaps);
    const config: MultiMapsMaskerConfig = {
      ...opts.masker,
      mapsImg: mapsImgOf(mapsFiles),
      maskImg: opts.mask,
      output: "table",
      labels: names,
    };
    try {
      fitted = await multiMapsMasker(config).fit();
    } catch (e) {
      throw new SetupError(
        `cannot fit the maps (--maps ${opts.maps}): ${withFlagNames(errorMessage(e))}`,
      );
    }
    if (opts.reportBackground != null) {
      try {
        await checkBackgroundFile(opts.reportBackground);
      } catch (e) {
        throw new SetupError(errorMessage(e));
      }
    }
    try {
      await Deno.mkdir(opts.out, { recursive: true });
    } catch (e) {
      throw new SetupError(`--out ${opts.out}: cannot create the directory (${errorMessage(e)})`);
    }
  } catch (e) {
    write(`niimask extract: error: ${withFlagNames(errorMessage(e))}\n`);
    return EXIT_USAGE;
  }
  if (opts.skipExisting) {
    // A resumed batch first removes its own leftovers of a killed run: the temporaries of this
    // run's outputs (never other files, nor other subjects' temporaries).
    try {
      const kinds = (opts.connectivity?.kinds ?? []).filter((k) => k !== "tangent");
      const targets = new Set(subjects.flatMap((s) => {
        const out = outputPaths(opts.out, s.subject);
        const relmats = kinds.map((k) => relmatPaths(timeseriesStem(out.tsv), k));
        return [
          baseName(out.tsv),
          baseName(out.json),
          failureRecordName(s.subject),
          ...relmats.flatMap((r) => [baseName(r.tsv), baseName(r.json)]),
        ];
      }));
      const removed = await removeLeftoverTemporaries(opts.out, targets);
      if (removed.length > 0 && !opts.quiet) {
        write(`niimask: removed ${removed.length} leftover temporary file(s) from ${opts.out}\n`);
      }
    } catch (e) {
      write(`niimask: warning: could not remove leftover temporary files: ${errorMessage(e)}\n`);
    }
  }

  const params = fitted.params() as unknown as Record<string, unknown>;
  const tR = typeof params.tR === "number" ? params.tR : null;
  const jobs = opts.jobs === -1 ? (navigator.hardwareConcurrency || 1) : opts.jobs;
  const progress = createProgress({ write, isTerminal: ctx.isTerminal, quiet: opts.quiet });
  const conn = opts.connectivity ?? null;
  const perRunKinds = conn === null ? [] : conn.kinds.filter((k) => k !== "tangent");
  const tangent = conn !== null && conn.kinds.includes("tangent");
  /** Runs computed in this invocation, for the tangent group step (by subject). */
  const tangentRuns = new Map<string, GroupRunSource>();

  const selection = {
    Pattern: opts.confounds,
    Columns: opts.confoundColumns,
    SampleMaskFrom: opts.sampleMaskColumns,
  };
  const fingerprint: SidecarFingerprint = {
    "Maps.Sha256": maps.sha256,
    "Mask.Sha256": mask?.sha256 ?? null,
    Labels: opts.labels,
    Parameters: buildSidecar({
      version: VERSION,
      image: "",
      maps,
      mask,
      labels: opts.labels,
      columns: [],
      volumes: 0,
      tR,
      params,
      confounds: null,
    }).Parameters,
    ConfoundsSelection: selection,
  };

  const summary = await runBatch<Prepared>(subjects, {
    async outputsExist(s) {
      // Skipped only when the sidecar records the same maps, parameters and confounds selection.
      const out = outputPaths(opts.out, s.subject);
      const verdict = await checkExistingOutputs(out.tsv, out.json, fingerprint);
      if (verdict.state === "different" && !opts.quiet) {
        write(`niimask: ${s.subject}: outputs exist but ${verdict.reason}: recomputing\n`);
      }
      if (verdict.state !== "same") return false;
      for (const kind of perRunKinds) {
        const rel = relmatPaths(timeseriesStem(out.tsv), kind);
        if (!await fileExists(rel.tsv) || !await fileExists(rel.json)) return false;
      }
      return true;
    },
    async prepare(s) {
      if (!await fileExists(s.image)) throw new Error(`image ${s.image}: no such file`);
      if (opts.confounds === null) return { image: s.image, confoundsPath: null, selected: null };
      // auto: the fMRIPrep confounds file of the image, found as nilearn finds it.
      const path = opts.confounds === "auto"
        ? await fmriprepConfoundsFile(s.image)
        : confoundsPath(opts.confounds, s.subject, s.image);
      if (!await fileExists(path)) {
        throw new Error(
          `confounds file ${path} (from --confounds ${opts.confounds}): no such file`,
        );
      }
      const table = await readConfoundsFile(path);
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
        onOutcome: (i, outcome) => onOutcome(i, outcomeWithFlagNames(outcome)),
        keepValues: false, // written by onOutcome: hold no signals for the rest of the batch
        ...(signal !== undefined ? { signal } : {}),
      }).then((outcomes) => outcomes.map((o) => outcomeWithFlagNames(o)));
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
      const run = { stem: timeseriesStem(out.tsv), signals, source: baseName(out.tsv) };
      const connFiles = conn === null ? [] : runConnectivityFiles(run, columns, conn, VERSION);
      sidecar.ConfoundsSelection = selection;
      await writeFilesAtomically([
        [out.tsv, formatTimeseriesTsv(signals, columns)],
        [out.json, formatSidecar(sidecar)],
        ...connFiles,
      ]);
      if (tangent) {
        const copy: Matrix = { data: Float64Array.from(signals.data), shape: signals.shape };
        tangentRuns.set(s.subject, { tsv: out.tsv, signals: copy, names: columns });
      }
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

  if (tangent && !summary.interrupted) {
    // The group step: every run of this invocation (computed now, or skipped and read back).
    const sources: GroupRunSource[] = [];
    for (const s of [...summary.succeeded, ...summary.skipped]) {
      sources.push(tangentRuns.get(s.subject) ?? { tsv: outputPaths(opts.out, s.subject).tsv });
    }
    const stem = groupTangentStem(opts.out, { atlas: atlasLabelOfMaps(opts.maps) });
    try {
      const res = await groupTangentStep(sources, conn!.estimator, stem, VERSION);
      if (!opts.quiet) {
        const failedNote = summary.failed.length > 0
          ? ` (${summary.failed.length} failed run(s) left out)`
          : "";
        write(
          `niimask: tangent fitted on ${res.runs} runs${failedNote}; group mean ${res.meanTsv}\n`,
        );
      }
    } catch (e) {
      write(`niimask extract: error: ${errorMessage(e)}\n`);
      write(formatSummary(summary));
      return EXIT_FAILURES;
    }
  }

  if (opts.report !== null && !summary.interrupted) {
    try {
      const report = await extractReport(opts, fitted, summary, names);
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
