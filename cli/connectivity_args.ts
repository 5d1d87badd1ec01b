/**
 * The connectivity flags shared by `niimask extract` (and other commands that write time
 * series): `--connectivity KIND[,KIND...]` and `--cov-estimator`, and their validation.
 *
 * @module
 */
import type { ConnectivityKind } from "../connectome/connectivity_measure.ts";
import type { FlagSpec, FlagValue } from "./flags.ts";
import { UsageError } from "./errors.ts";

/** Command-line spelling of each kind, in the order outputs are written. */
export const CLI_KINDS: readonly (readonly [string, ConnectivityKind])[] = [
  ["correlation", "correlation"],
  ["partial_correlation", "partial correlation"],
  ["covariance", "covariance"],
  ["precision", "precision"],
  ["tangent", "tangent"],
];

/** Command-line spelling of the estimators. */
export type CliCovEstimator = "ledoit_wolf" | "empirical";

/** What connectivity outputs a command was asked for. */
export interface ConnectivityRequest {
  /** Kinds (nilearn's spelling), without duplicates, in {@link CLI_KINDS} order. */
  readonly kinds: readonly ConnectivityKind[];
  /** The covariance estimator. */
  readonly estimator: CliCovEstimator;
}

const GROUP = "Connectivity matrices (nilearn ConnectivityMeasure)";

/** The flags, to append to a command's flag table. */
export const CONNECTIVITY_FLAGS: readonly FlagSpec[] = [
  {
    name: "connectivity",
    kind: "list",
    metavar: "KIND,KIND,...",
    group: GROUP,
    defaultText: "none",
    help: "Also write connectivity matrices of each run's time series: correlation, " +
      "partial_correlation, covariance, precision, tangent (comma-separated). Tangent is a " +
      "group measure, fitted on every run of the command (at least two; not with --shard).",
  },
  {
    name: "cov-estimator",
    kind: "choice",
    choices: ["ledoit_wolf", "empirical"],
    group: GROUP,
    defaultText: "ledoit_wolf",
    help: "Covariance estimator of the connectivity matrices: ledoit_wolf (shrunk, as nilearn's " +
      "default) or empirical (maximum likelihood). Needs --connectivity.",
  },
];

/**
 * The connectivity request of parsed flags, or null when `--connectivity` is absent.
 *
 * @param values parsed flag values.
 * @returns the request, or null.
 * @throws UsageError for a kind typed wrong (listing the valid ones) or `--cov-estimator` alone.
 * @example
 * ```ts
 * import { connectivityRequest } from "./connectivity_args.ts";
 * const r = connectivityRequest(new Map([["connectivity", ["tangent", "correlation"]]]));
 * console.log(r?.kinds); // ["correlation", "tangent"]
 * ```
 */
export function connectivityRequest(
  values: ReadonlyMap<string, FlagValue>,
): ConnectivityRequest | null {
  const given = values.get("connectivity");
  const est = values.get("cov-estimator");
  if (given === undefined) {
    if (est !== undefined) throw new UsageError("--cov-estimator needs --connectivity KIND");
    return null;
  }
  const names = (Array.isArray(given) ? given.map(String) : [String(given)])
    .map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) {
    throw new UsageError("--connectivity: expected one or more kinds, found none");
  }
  const allowed = CLI_KINDS.map(([cli]) => cli);
  for (const n of names) {
    if (!allowed.includes(n)) {
      throw new UsageError(
        `--connectivity: unknown kind "${n}"; expected ${allowed.join(", ")}`,
      );
    }
  }
  const kinds = CLI_KINDS.filter(([cli]) => names.includes(cli)).map(([, kind]) => kind);
  return { kinds, estimator: est === "empirical" ? "empirical" : "ledoit_wolf" };
}

/**
 * Check a request against the run: tangent needs every run of the group, so it is refused on a
 * shard (one shard would silently fit the group mean on a part of the runs) and with one image.
 *
 * @param request the request (or null: nothing to check).
 * @param images number of input images.
 * @param sharded whether `--shard` is given.
 * @throws UsageError saying why.
 * @example
 * ```ts
 * import { checkConnectivityRun } from "./connectivity_args.ts";
 * checkConnectivityRun({ kinds: ["correlation"], estimator: "ledoit_wolf" }, 1, true); // fine
 * ```
 */
export function checkConnectivityRun(
  request: ConnectivityRequest | null,
  images: number,
  sharded: boolean,
): void {
  if (request === null || !request.kinds.includes("tangent")) return;
  if (sharded) {
    throw new UsageError(
      "--connectivity tangent cannot run with --shard: the tangent space is fitted on the " +
        "group of all runs (their geometric mean), and one shard sees only part of them. Run " +
        "the per-run kinds on shards, then 'niimask group --connectivity tangent' on every " +
        "run's time series (or run tangent in one unsharded command)",
    );
  }
  if (images < 2) {
    throw new UsageError(
      "--connectivity tangent needs at least two runs: it is a group measure (each run's " +
        "deviation from the group's geometric mean)",
    );
  }
}
