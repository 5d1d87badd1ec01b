/**
 * The fMRIPrep denoising flags of the page: `--denoise-strategy` and its parameters
 * (`--motion`, `--wm-csf`, `--global-signal`, `--compcor`, `--n-compcor`, `--scrub`,
 * `--fd-threshold`, `--std-dvars-threshold`, `--[no-]demean`), spelled and validated as
 * `niimask bids` takes them, taken out of a list of `niimask extract` flags. Pure.
 *
 * @module
 */
import { parseBidsArgs, STRATEGY_PARAMETERS } from "../cli/bids_args.ts";
import type { DenoiseStrategy } from "../interfaces/fmriprep_types.ts";
import { UsageError } from "../cli/errors.ts";

export type { DenoiseStrategy };

/** Names of the denoising flags (without `--`). */
export const DENOISE_FLAGS: ReadonlySet<string> = new Set([
  "denoise-strategy",
  ...STRATEGY_PARAMETERS.map((p) => p.flag),
]);

/** A denoising strategy and the parameters given for it. */
export interface DenoiseRequest {
  /** nilearn's `load_confounds_strategy` preset. */
  readonly strategy: DenoiseStrategy;
  /** The parameters given (camelCase, as `loadConfoundsStrategy` takes them). */
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

/** Flags that take no separate value among the denoising flags (booleans). */
const BOOLEAN_FLAGS = new Set(["demean", "no-demean"]);

function nameOf(arg: string): string {
  const eq = arg.indexOf("=");
  return eq < 0 ? arg.slice(2) : arg.slice(2, eq);
}

function isDenoiseFlag(name: string): boolean {
  return DENOISE_FLAGS.has(name) || (name.startsWith("no-") && DENOISE_FLAGS.has(name.slice(3)));
}

/**
 * Split a list of flags into the denoising request (checked as `niimask bids` checks it: known
 * strategy, a parameter the strategy takes, values in range) and the other flags, in order.
 * Everything after `--` is left to the others.
 *
 * @param flags command-line flags (`--name=value` or `--name value`).
 * @returns the request (null when no `--denoise-strategy` is given) and the remaining flags.
 * @throws UsageError for a bad value, a parameter the strategy does not take, or a strategy
 *   parameter without `--denoise-strategy`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitDenoiseFlags } from "./denoise_flags.ts";
 * const { denoise, rest } = splitDenoiseFlags([
 *   "--t-r=2", "--denoise-strategy=scrubbing", "--fd-threshold", "0.5", "--no-demean",
 * ]);
 * assert.deepEqual(denoise, {
 *   strategy: "scrubbing", params: { fdThreshold: 0.5, demean: false },
 * });
 * assert.deepEqual(rest, ["--t-r=2"]);
 * ```
 */
export function splitDenoiseFlags(
  flags: readonly string[],
): { denoise: DenoiseRequest | null; rest: string[] } {
  const mine: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const arg = flags[i]!;
    if (arg === "--") {
      rest.push(...flags.slice(i));
      break;
    }
    const name = arg.startsWith("--") ? nameOf(arg) : "";
    if (!isDenoiseFlag(name)) {
      rest.push(arg);
      continue;
    }
    mine.push(arg);
    if (!arg.includes("=") && !BOOLEAN_FLAGS.has(name) && i + 1 < flags.length) {
      mine.push(flags[++i]!);
    }
  }
  if (mine.length === 0) return { denoise: null, rest };
  if (!mine.some((a) => nameOf(a) === "denoise-strategy")) {
    throw new UsageError(
      `${mine[0]}: a denoising parameter needs --denoise-strategy ` +
        "(simple, scrubbing, compcor or ica_aroma) and the fMRIPrep confounds file of each image",
    );
  }
  const parsed = parseBidsArgs([
    "in",
    "out",
    "participant",
    "--atlas=maps",
    "--atlas-name=page",
    ...mine,
  ]);
  if ("help" in parsed) throw new UsageError("--help is not available here");
  return { denoise: { strategy: parsed.strategy, params: parsed.strategyParams }, rest };
}
