/**
 * Connectivity matrices in `niimask bids` (`--connectivity`, `--cov-estimator`): the
 * `--skip-existing` check of a run's matrices, the group mean's name, and the tangent group step
 * over every run of the invocation. The per-run files themselves are those of
 * `connectivity_outputs.ts`, written in the same atomic write as the time series; the refusals
 * (tangent under `--shard` or with one run) are in `bids_connectivity_checks.ts`.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import type { ConnectivityRequest } from "./connectivity_args.ts";
import { groupTangentStem, relmatPaths } from "./connectivity_outputs.ts";
import { type GroupRunSource, groupTangentStep, timeseriesStem } from "./connectivity_group.ts";
import { strategyLabel } from "./bids_naming.ts";
import { VERSION } from "./version.ts";
import type { BidsBatchNames } from "./bids_connectivity_checks.ts";

/** scikit-learn's estimator name recorded in a relmat sidecar, by CLI spelling. */
const ESTIMATOR_NAMES: Readonly<Record<string, string>> = {
  ledoit_wolf: "LedoitWolf",
  empirical: "EmpiricalCovariance",
};

/**
 * The stem of the group tangent mean of a bids batch:
 * `OUTPUT_DIR/atlas-NAME_desc-<strategy label>_meas-Tangent_stat-mean_relmat`.
 *
 * @param names the batch's output folder, atlas label and strategy.
 * @returns the stem (add `.tsv` / `.json`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bidsGroupTangentStem } from "./bids_connectivity.ts";
 * assert.equal(
 *   bidsGroupTangentStem({ outputDir: "out", atlasName: "difumo", strategy: "ica_aroma" }),
 *   "out/atlas-difumo_desc-icaaroma_meas-Tangent_stat-mean_relmat",
 * );
 * ```
 */
export function bidsGroupTangentStem(names: BidsBatchNames): string {
  return groupTangentStem(names.outputDir, {
    atlas: names.atlasName,
    desc: strategyLabel(names.strategy),
  });
}

/**
 * Whether a run's per-run connectivity files (every requested kind but tangent) exist and were
 * made with the requested estimator, for `--skip-existing`.
 *
 * @param timeseriesTsv the run's `<stem>_timeseries.tsv` path.
 * @param request the connectivity request, or null (nothing required).
 * @returns null when they are up to date, else why not.
 * @example
 * ```ts ignore
 * await relmatsDifference("out/sub-01/func/sub-01_..._timeseries.tsv", request); // null
 * ```
 */
export async function relmatsDifference(
  timeseriesTsv: string,
  request: ConnectivityRequest | null,
): Promise<string | null> {
  if (request === null) return null;
  const stem = timeseriesStem(timeseriesTsv);
  const want = ESTIMATOR_NAMES[request.estimator];
  for (const kind of request.kinds) {
    if (kind === "tangent") continue;
    const paths = relmatPaths(stem, kind);
    let sidecar: { CovarianceEstimator?: unknown };
    try {
      await Deno.stat(paths.tsv);
      sidecar = JSON.parse(await Deno.readTextFile(paths.json));
    } catch {
      return `the ${kind} matrix is missing`;
    }
    if (sidecar?.CovarianceEstimator !== want) {
      return `the ${kind} matrix was made with ${
        String(sidecar?.CovarianceEstimator)
      }, now ${want}`;
    }
  }
  return null;
}

/**
 * Collects the runs of the tangent group step while a batch runs (the signals of the runs
 * computed now; the skipped ones are read back from their TSV), then fits and writes.
 */
export interface BidsTangentGroup {
  /** Keep a computed run's signals (copied) for the group step. */
  add(timeseriesTsv: string, signals: Matrix, names: readonly string[]): void;
  /**
   * Fit the tangent space on the given runs (their time-series paths, in any order: the fit
   * sorts them) and write each run's matrix and the group mean.
   *
   * @returns the message to print.
   */
  finish(timeseriesTsvs: readonly string[]): Promise<string>;
}

/**
 * A tangent group step for a bids batch ({@link BidsTangentGroup}).
 *
 * @param request the connectivity request (tangent among its kinds).
 * @param names the batch's output folder, atlas label and strategy (name the group mean).
 * @returns the collector.
 * @example
 * ```ts ignore
 * const group = bidsTangentGroup(request, names);
 * group.add(tsv, signals, columns); // in each run's write
 * write(await group.finish(allTsvs));
 * ```
 */
export function bidsTangentGroup(
  request: ConnectivityRequest,
  names: BidsBatchNames,
): BidsTangentGroup {
  const computed = new Map<string, GroupRunSource>();
  return {
    add(tsv, signals, columns) {
      const copy: Matrix = { data: Float64Array.from(signals.data), shape: signals.shape };
      computed.set(tsv, { tsv, signals: copy, names: [...columns] });
    },
    async finish(tsvs) {
      const sources = tsvs.map((tsv) => computed.get(tsv) ?? { tsv });
      const res = await groupTangentStep(
        sources,
        request.estimator,
        bidsGroupTangentStem(names),
        VERSION,
      );
      return `niimask: tangent fitted on ${res.runs} runs; group mean ${res.meanTsv}\n`;
    },
  };
}
