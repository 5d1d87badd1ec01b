/**
 * nilearn 0.11.1's preset denoising strategies (`load_confounds_strategy`) as `loadConfounds`
 * options:
 *
 * | preset    | strategy                              | customizable (defaults)                                                        |
 * | --------- | ------------------------------------- | ------------------------------------------------------------------------------ |
 * | simple    | high_pass, motion, wm_csf             | motion (full), wmCsf (basic), globalSignal, demean (true)                      |
 * | scrubbing | high_pass, motion, wm_csf, scrub      | motion (full), wmCsf (full), scrub (5), fdThreshold (0.2), stdDvarsThreshold (3), globalSignal, demean |
 * | compcor   | high_pass, motion, compcor            | motion (full), nCompcor (all), compcor (anat_combined), globalSignal, demean   |
 * | ica_aroma | high_pass, wm_csf, ica_aroma (full)   | wmCsf (basic), globalSignal, demean                                            |
 *
 * A `globalSignal` level adds "global_signal" to the strategy. Other options are ignored with a
 * warning (as is `icaAroma` for the ica_aroma preset, which is always "full"). Like nilearn 0.11.1,
 * scrubbing's `wmCsf` can be changed although nilearn's documentation marks it fixed.
 *
 * @module
 */
import type {
  DenoiseStrategy,
  LoadConfoundsOptions,
  LoadConfoundsStrategyOptions,
} from "./fmriprep_types.ts";
import { warnOnce } from "../signal/warnings.ts";
import { checkOptionNames, OPTION_NAMES } from "./fmriprep_options.ts";

type Preset = Readonly<Record<string, unknown>> & { strategy: readonly string[] };

const PRESETS: Readonly<Record<DenoiseStrategy, Preset>> = {
  simple: {
    strategy: ["high_pass", "motion", "wm_csf"],
    motion: "full",
    wmCsf: "basic",
    globalSignal: null,
    demean: true,
  },
  scrubbing: {
    strategy: ["high_pass", "motion", "wm_csf", "scrub"],
    motion: "full",
    wmCsf: "full",
    scrub: 5,
    fdThreshold: 0.2,
    stdDvarsThreshold: 3,
    globalSignal: null,
    demean: true,
  },
  compcor: {
    strategy: ["high_pass", "motion", "compcor"],
    motion: "full",
    nCompcor: "all",
    compcor: "anat_combined",
    globalSignal: null,
    demean: true,
  },
  ica_aroma: {
    strategy: ["high_pass", "wm_csf", "ica_aroma"],
    wmCsf: "basic",
    icaAroma: "full",
    globalSignal: null,
    demean: true,
  },
};

/** The preset names. */
export const DENOISE_STRATEGIES: readonly DenoiseStrategy[] = Object.keys(
  PRESETS,
) as DenoiseStrategy[];

/**
 * `loadConfounds` options of a preset with the user's overrides.
 *
 * @param options the preset (`denoiseStrategy`, default "simple") and overrides.
 * @returns the options to pass to `loadConfounds`.
 * @throws RangeError for an unknown preset (nilearn: KeyError); TypeError for an option name
 *   that `loadConfounds` does not have (a typo; known options the preset does not use only warn).
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { presetOptions } from "./fmriprep_presets.ts";
 * const o = presetOptions({ denoiseStrategy: "simple", globalSignal: "basic", scrub: 3 },
 *   () => {});
 * deepStrictEqual(o.strategy, ["high_pass", "motion", "wm_csf", "global_signal"]);
 * ```
 */
export function presetOptions(
  options: LoadConfoundsStrategyOptions = {},
  onWarning = options.onWarning ?? warnOnce,
): LoadConfoundsOptions {
  checkOptionNames(options, [...OPTION_NAMES, "denoiseStrategy"], "loadConfoundsStrategy options");
  const name = options.denoiseStrategy ?? "simple";
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (preset === undefined) {
    throw new RangeError(
      `denoiseStrategy: provided strategy '${String(name)}' is not a preset strategy; valid ` +
        `strategies: ${DENOISE_STRATEGIES.map((s) => `'${s}'`).join(", ")}`,
    );
  }
  const accepted = Object.keys(preset).filter((k) => k !== "strategy" && k !== "icaAroma");
  const params: Record<string, unknown> = { ...preset, strategy: [...preset.strategy] };
  const given = Object.entries(options).filter(([k, v]) =>
    k !== "denoiseStrategy" && k !== "onWarning" && v !== undefined
  );
  for (const key of accepted) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) params[key] = value;
    if (key === "globalSignal") {
      if (typeof value === "string") (params.strategy as string[]).push("global_signal");
      else delete params.globalSignal;
    }
  }
  const notNeeded = given.map(([k]) => k).filter((k) => !accepted.includes(k));
  if (notNeeded.length > 0) {
    onWarning(
      `The following parameters are not needed for the selected strategy '${name}': ` +
        `[${notNeeded.map((k) => `'${k}'`).join(", ")}]; parameters accepted: ` +
        `[${accepted.map((k) => `'${k}'`).join(", ")}]`,
    );
  }
  return { ...params, onWarning } as LoadConfoundsOptions;
}
