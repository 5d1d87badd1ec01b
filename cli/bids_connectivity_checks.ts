/**
 * The refusals of connectivity requests specific to a `niimask bids` batch (tangent under
 * `--shard`, tangent with fewer than two runs) and the `niimask group` command that replaces a
 * sharded tangent. Pure: the argument parser and the browser page import it.
 *
 * @module
 */
import type { ConnectivityRequest } from "./connectivity_args.ts";
import { UsageError } from "./errors.ts";

/** What names a `niimask bids` batch: its output folder, atlas label and strategy. */
export interface BidsBatchNames {
  /** OUTPUT_DIR. */
  readonly outputDir: string;
  /** `--atlas-name`. */
  readonly atlasName: string;
  /** `--denoise-strategy` (`simple`, `scrubbing`, `compcor`, `ica_aroma`). */
  readonly strategy: string;
}

/**
 * The `niimask group` command that computes the tangent kind of a sharded `niimask bids` batch.
 *
 * @param names the batch's output folder, atlas label and strategy.
 * @returns the command line.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bidsGroupCommand } from "./bids_connectivity_checks.ts";
 * assert.equal(
 *   bidsGroupCommand({ outputDir: "out", atlasName: "difumo", strategy: "simple" }),
 *   "niimask group out --connectivity tangent --atlas-name difumo --denoise-strategy simple",
 * );
 * ```
 */
export function bidsGroupCommand(names: BidsBatchNames): string {
  return `niimask group ${names.outputDir} --connectivity tangent --atlas-name ` +
    `${names.atlasName} --denoise-strategy ${names.strategy}`;
}

/**
 * Refuse the tangent kind under `--shard`: it is fitted on the group of all runs, and a shard
 * sees only part of them. The message gives the `niimask group` command to run once every shard
 * has finished.
 *
 * @param request the connectivity request, or null.
 * @param sharded whether `--shard` is given.
 * @param names the batch's output folder, atlas label and strategy.
 * @throws UsageError saying why, and what to run instead.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBidsTangentShard } from "./bids_connectivity_checks.ts";
 * const names = { outputDir: "out", atlasName: "a", strategy: "simple" };
 * checkBidsTangentShard({ kinds: ["correlation"], estimator: "ledoit_wolf" }, true, names);
 * assert.throws(() =>
 *   checkBidsTangentShard({ kinds: ["tangent"], estimator: "ledoit_wolf" }, true, names)
 * );
 * ```
 */
export function checkBidsTangentShard(
  request: ConnectivityRequest | null,
  sharded: boolean,
  names: BidsBatchNames,
): void {
  if (request === null || !sharded || !request.kinds.includes("tangent")) return;
  const others = request.kinds.filter((k) => k !== "tangent").map((k) => k.replace(" ", "_"));
  throw new UsageError(
    "--connectivity tangent cannot run with --shard: the tangent space is fitted on the group " +
      "of all runs (their geometric mean), and one shard sees only part of them. Run the shards " +
      (others.length > 0 ? `with --connectivity ${others.join(",")}` : "without tangent") +
      `, then, once all have finished: ${bidsGroupCommand(names)}`,
  );
}

/**
 * Refuse the tangent kind when the filters select fewer than two runs.
 *
 * @param request the connectivity request, or null.
 * @param runs the runs selected (image paths).
 * @throws UsageError saying why, naming the run.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBidsTangentRuns } from "./bids_connectivity_checks.ts";
 * const tangent = { kinds: ["tangent"] as const, estimator: "ledoit_wolf" } as const;
 * checkBidsTangentRuns(tangent, ["a.nii.gz", "b.nii.gz"]);
 * assert.throws(() => checkBidsTangentRuns(tangent, ["a.nii.gz"]), /at least two runs/);
 * ```
 */
export function checkBidsTangentRuns(
  request: ConnectivityRequest | null,
  runs: readonly string[],
): void {
  if (request === null || !request.kinds.includes("tangent") || runs.length >= 2) return;
  throw new UsageError(
    "--connectivity tangent needs at least two runs: it is a group measure (each run's " +
      "deviation from the group's geometric mean), and the run selection gives " +
      `${runs.length}${runs.length === 1 ? ` (${runs[0]})` : ""}`,
  );
}
