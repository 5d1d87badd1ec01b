/**
 * A run's confounds for `niimask bids`, loaded with the library's `loadConfoundsStrategy`
 * (nilearn 0.11.1's `load_confounds_strategy`), with the file it read and CLI-worded errors.
 *
 * @module
 */
import { findConfoundsFile, loadConfoundsStrategy } from "../interfaces/mod.ts";
import type { LoadConfoundsStrategyOptions } from "../interfaces/mod.ts";
import type { DenoiseStrategy } from "./bids_args.ts";
import type { RunConfounds, RunConfoundsLoader } from "./bids.ts";

/** camelCase options and the flags that set them, for error messages. */
const OPTION_FLAGS: readonly (readonly [string, string])[] = [
  ["nCompcor", "--n-compcor"],
  ["n_compcor", "--n-compcor"],
  ["fdThreshold", "--fd-threshold"],
  ["fd_threshold", "--fd-threshold"],
  ["stdDvarsThreshold", "--std-dvars-threshold"],
  ["std_dvars_threshold", "--std-dvars-threshold"],
  ["wmCsf", "--wm-csf"],
  ["globalSignal", "--global-signal"],
  ["icaAroma", "--ica-aroma"],
  ["denoiseStrategy", "--denoise-strategy"],
];

function flagWording(message: string): string {
  let m = message;
  for (const [option, flag] of OPTION_FLAGS) {
    m = m.replace(new RegExp(`(?<![\\w-])${option}\\b`, "g"), flag);
  }
  return m;
}

/**
 * A confounds loader writing the library's warnings through `warn`.
 *
 * @param warn receives `run: warning` lines.
 * @returns the loader `runBids` takes.
 * @example
 * ```ts ignore
 * const load = confoundsStrategyLoader((line) => console.error(line));
 * const { file, confounds, sampleMask } = await load(run, "simple", {});
 * ```
 */
export function confoundsStrategyLoader(warn: (line: string) => void): RunConfoundsLoader {
  return async (
    image: string,
    strategy: DenoiseStrategy,
    options: Readonly<Record<string, unknown>>,
  ): Promise<RunConfounds> => {
    try {
      const { tsv } = await findConfoundsFile(image);
      const loaded = await loadConfoundsStrategy(image, {
        ...options,
        denoiseStrategy: strategy,
        onWarning: (message: string) => warn(`${image}: ${message}`),
      } as LoadConfoundsStrategyOptions);
      if (loaded.sampleMask !== null && loaded.sampleMask.length === 0) {
        throw new RangeError(
          `every volume is censored by --denoise-strategy ${strategy} (confounds ${tsv})`,
        );
      }
      const confounds = loaded.confounds !== null && loaded.confounds.shape[1] > 0
        ? loaded.confounds
        : null;
      return { file: tsv, confounds, sampleMask: loaded.sampleMask };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const out = new Error(`confounds of run ${image}: ${flagWording(err.message)}`);
      out.name = err.name;
      throw out;
    }
  };
}

/**
 * The confounds file of an fMRIPrep image, found as nilearn does (for `extract --confounds
 * auto`).
 *
 * @param image the image path.
 * @returns the TSV path.
 * @throws Error naming the image when none, or more than one, exists.
 * @example
 * ```ts ignore
 * const tsv = await fmriprepConfoundsFile("sub-01/func/sub-01_task-rest_space-MNI_desc-preproc_bold.nii.gz");
 * ```
 */
export async function fmriprepConfoundsFile(image: string): Promise<string> {
  return (await findConfoundsFile(image)).tsv;
}
