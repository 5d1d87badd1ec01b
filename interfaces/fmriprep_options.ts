/**
 * `loadConfounds` options: nilearn 0.11.1's defaults and its checks of the strategy, done once
 * before any file is read. Levels and flavours are checked only when their component is in the
 * strategy, as nilearn does.
 *
 * @module
 */
import type { LoadConfoundsOptions, WarningSink } from "./fmriprep_types.ts";
import type { ComponentOptions } from "./fmriprep_components.ts";
import { warnOnce } from "../signal/warnings.ts";

/** Every option with its value (defaults filled in). */
export interface ResolvedOptions extends ComponentOptions {
  readonly strategy: readonly string[];
  readonly demean: boolean;
  readonly onWarning: WarningSink;
}

/** The noise components a strategy may list. */
export const COMPONENTS: readonly string[] = [
  "motion",
  "high_pass",
  "wm_csf",
  "global_signal",
  "compcor",
  "ica_aroma",
  "scrub",
  "non_steady_state",
];

/** nilearn 0.11.1's defaults of `load_confounds`. */
export const DEFAULTS = {
  strategy: ["motion", "high_pass", "wm_csf"],
  motion: "full",
  scrub: 5,
  fdThreshold: 0.2,
  stdDvarsThreshold: 3,
  wmCsf: "basic",
  globalSignal: "basic",
  compcor: "anat_combined",
  nCompcor: "all",
  icaAroma: "full",
  demean: true,
} as const;

/** The option names of `loadConfounds`. */
export const OPTION_NAMES: readonly string[] = [...Object.keys(DEFAULTS), "onWarning"];

/** TypeError for an option name that is not one of `known` (a typo would be silently ignored). */
export function checkOptionNames(
  options: object,
  known: readonly string[],
  what: string,
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${what}: unknown option ${JSON.stringify(key)} (expected one of ${known.join(", ")})`,
      );
    }
  }
}

function pyList(items: readonly unknown[]): string {
  return `[${items.map((s) => `'${String(s)}'`).join(", ")}]`;
}

/** A value's type as Python would name it (for messages that match nilearn's). */
function pythonType(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  return typeof value === "object" ? "dict" : typeof value;
}

function checkStrategy(strategy: unknown, onWarning: WarningSink): readonly string[] {
  if (!Array.isArray(strategy)) {
    throw new TypeError(
      `strategy: expected a list of strings, found ${pythonType(strategy)} ${
        JSON.stringify(strategy) ?? String(strategy)
      }`,
    );
  }
  if (strategy.length === 0) onWarning("strategy is empty, confounds will return None.");
  for (const conf of strategy) {
    if (conf === "non_steady_state") {
      onWarning(
        "Non-steady state volumes are always detected. It doesn't need to be supplied as part " +
          "of the strategy. Supplying non_steady_state in strategy will not have additional " +
          "effect.",
      );
    }
    if (typeof conf !== "string" || !COMPONENTS.includes(conf)) {
      throw new RangeError(
        `strategy: ${String(conf)} is not a supported type of confounds (expected one of ${
          COMPONENTS.join(", ")
        })`,
      );
    }
  }
  if (strategy.includes("compcor") && !strategy.includes("high_pass")) {
    throw new RangeError(
      `strategy: when using compcor, "high_pass" must be included in the strategy; ` +
        `current strategy: ${pyList(strategy)}`,
    );
  }
  return strategy as string[];
}

/**
 * Fill nilearn's defaults in, check the strategy and emit nilearn's warnings.
 *
 * @param options the user's options.
 * @returns every option with its value.
 * @throws TypeError when the strategy is not a list or an option name is unknown; RangeError for
 *   an unknown component, or compcor without high_pass.
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { resolveOptions } from "./fmriprep_options.ts";
 * deepStrictEqual(resolveOptions({}).strategy, ["motion", "high_pass", "wm_csf"]);
 * ```
 */
export function resolveOptions(options: LoadConfoundsOptions = {}): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`loadConfounds options: expected an object, found ${String(options)}`);
  }
  checkOptionNames(options, OPTION_NAMES, "loadConfounds options");
  const onWarning = options.onWarning ?? warnOnce;
  // Only undefined takes the default: null is nilearn's None (an error where nilearn raises).
  const pick = <K extends keyof typeof DEFAULTS>(k: K): unknown =>
    options[k] === undefined ? DEFAULTS[k] : options[k];
  const strategy = checkStrategy(pick("strategy"), onWarning);
  const fdThreshold = pick("fdThreshold");
  const stdDvarsThreshold = pick("stdDvarsThreshold");
  if (strategy.includes("scrub") && fdThreshold === 0.2) {
    onWarning(
      "The default parameter for fd_threshold is currently 0.2 which is inconsistent with the " +
        "fMRIPrep default of 0.5 (nilearn 0.11.1's default; nilearn 0.13 changes it to 0.5).",
    );
  }
  if (strategy.includes("scrub") && stdDvarsThreshold === 3) {
    onWarning(
      "The default parameter for std_dvars_threshold is currently 3 which is inconsistent with " +
        "the fMRIPrep default of 1.5 (nilearn 0.11.1's default; nilearn 0.13 changes it to 1.5).",
    );
  }
  const demean = pick("demean") ?? false; // None: no demeaning, as nilearn
  if (typeof demean !== "boolean") {
    throw new TypeError(`demean: expected a boolean, found ${String(demean)}`);
  }
  return {
    strategy,
    motion: pick("motion"),
    wmCsf: pick("wmCsf"),
    globalSignal: pick("globalSignal"),
    compcor: pick("compcor"),
    nCompcor: pick("nCompcor"),
    icaAroma: pick("icaAroma"),
    scrub: pick("scrub"),
    fdThreshold,
    stdDvarsThreshold,
    demean,
    onWarning,
  };
}
