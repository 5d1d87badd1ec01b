/**
 * The group step of the tangent kind inside a command: gather every run of the invocation (the
 * ones just computed, and the ones skipped because their time series existed, read back from
 * their TSV), then fit and write ({@link writeGroupTangent}). Edge code (reads files).
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import type { CliCovEstimator } from "./connectivity_args.ts";
import { type ConnectivityRun, writeGroupTangent } from "./connectivity_outputs.ts";
import { parseTimeseriesTsv } from "./timeseries_read.ts";
import { baseName } from "./naming.ts";

/** The stem of a time series path: `DIR/X_timeseries.tsv` → `DIR/X`. */
export function timeseriesStem(tsvPath: string): string {
  return tsvPath.replace(/_timeseries\.tsv$/, "");
}

/** A run of the group: computed now (signals and names in memory) or to read from its TSV. */
export type GroupRunSource =
  | { readonly tsv: string; readonly signals: Matrix; readonly names: readonly string[] }
  | { readonly tsv: string; readonly signals?: undefined };

/** What the group step wrote. */
export interface GroupTangentResult {
  /** Paths written (each run's tangent matrix and sidecar, then the group mean's). */
  readonly written: readonly string[];
  /** Number of runs in the group. */
  readonly runs: number;
  /** The group mean TSV. */
  readonly meanTsv: string;
}

/**
 * Fit the tangent space on every run and write the files.
 *
 * @param sources the runs, in any order (the fit sorts them), each with its time-series path.
 * @param estimator covariance estimator.
 * @param groupStem stem of the group mean (see `groupTangentStem`).
 * @param version niimask version.
 * @returns what was written.
 * @throws Error naming the file when a time series cannot be read, or when the runs' region
 *   names differ; RangeError from the fit (fewer than two runs, not positive definite).
 * @example
 * ```ts ignore
 * await groupTangentStep([{ tsv: "out/sub-01_timeseries.tsv" }, ...], "ledoit_wolf", stem, VERSION);
 * ```
 */
export async function groupTangentStep(
  sources: readonly GroupRunSource[],
  estimator: CliCovEstimator,
  groupStem: string,
  version: string,
): Promise<GroupTangentResult> {
  const runs: ConnectivityRun[] = [];
  let names: readonly string[] | null = null;
  let namesFrom = "";
  for (const src of sources) {
    let signals: Matrix;
    let runNames: readonly string[];
    if (src.signals !== undefined) {
      signals = src.signals;
      runNames = src.names;
    } else {
      let text: string;
      try {
        text = await Deno.readTextFile(src.tsv);
      } catch (e) {
        throw new Error(`--connectivity tangent: cannot read ${src.tsv}: ${(e as Error).message}`);
      }
      const table = parseTimeseriesTsv(text, src.tsv);
      signals = table.signals;
      runNames = table.names;
    }
    if (names === null) {
      names = runNames;
      namesFrom = src.tsv;
    } else if (names.length !== runNames.length || names.some((n, i) => n !== runNames[i])) {
      throw new Error(
        `--connectivity tangent: ${src.tsv} has regions [${runNames.join(", ")}] but ` +
          `${namesFrom} has [${names.join(", ")}]; the group needs the same regions in every run`,
      );
    }
    runs.push({ stem: timeseriesStem(src.tsv), signals, source: baseName(src.tsv) });
  }
  const written = await writeGroupTangent(runs, names ?? [], estimator, groupStem, version);
  return { written, runs: runs.length, meanTsv: `${groupStem}.tsv` };
}
