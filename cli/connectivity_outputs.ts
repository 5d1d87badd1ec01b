/**
 * Connectivity outputs of the commands that write time series, written to disk: the files of
 * `connectivity_files.ts` (pure, `[path, text]` pairs) written atomically (temporary name, then
 * rename). The pure parts are re-exported here.
 *
 * @module
 */
import type { CliCovEstimator, ConnectivityRequest } from "./connectivity_args.ts";
import {
  type ConnectivityRun,
  groupTangentFiles,
  runConnectivityFiles,
} from "./connectivity_files.ts";
import { writeFilesAtomically } from "./io.ts";

export type { CliCovEstimator, ConnectivityRequest };
export {
  atlasLabelOfMaps,
  type ConnectivityRun,
  groupTangentFiles,
  groupTangentStem,
  MEASURE_LABELS,
  type RelmatPaths,
  relmatPaths,
  runConnectivityFiles,
} from "./connectivity_files.ts";

/**
 * Write one run's per-run connectivity files atomically ({@link runConnectivityFiles}).
 *
 * @param run the run.
 * @param names region names.
 * @param request kinds and estimator.
 * @param version niimask version.
 * @returns the paths written.
 * @example
 * ```ts ignore
 * await writeRunConnectivity(run, names, { kinds: ["correlation"], estimator: "ledoit_wolf" }, VERSION);
 * ```
 */
export async function writeRunConnectivity(
  run: ConnectivityRun,
  names: readonly string[],
  request: ConnectivityRequest,
  version: string,
): Promise<string[]> {
  const files = runConnectivityFiles(run, names, request, version);
  await writeFilesAtomically(files);
  return files.map(([p]) => p);
}

/**
 * Fit the tangent space on a group of runs and write every run's tangent matrix and the group
 * mean atomically ({@link groupTangentFiles}).
 *
 * @param runs every run of the group.
 * @param names region names.
 * @param estimator covariance estimator.
 * @param groupStem stem of the group mean.
 * @param version niimask version.
 * @returns the paths written.
 * @example
 * ```ts ignore
 * await writeGroupTangent(runs, names, "ledoit_wolf", groupTangentStem("out", { atlas: "difumo64" }), VERSION);
 * ```
 */
export async function writeGroupTangent(
  runs: readonly ConnectivityRun[],
  names: readonly string[],
  estimator: CliCovEstimator,
  groupStem: string,
  version: string,
): Promise<string[]> {
  const files = groupTangentFiles(runs, names, estimator, groupStem, version);
  await writeFilesAtomically(files);
  return files.map(([p]) => p);
}
