/**
 * Help texts of the `niimask` command (pure).
 *
 * @module
 */
import { EXTRACT_FLAGS } from "./extract_args.ts";
import { formatFlagHelp } from "./flags.ts";

/** A subcommand as listed in the top-level help. */
export interface CommandSummary {
  /** Subcommand name. */
  readonly name: string;
  /** One-line description. */
  readonly summary: string;
}

/**
 * The top-level help: usage, subcommands, global flags.
 *
 * @param version niimask version.
 * @param commands the subcommands.
 * @returns the text (newline-terminated).
 * @example
 * ```ts
 * import { mainHelp } from "./help.ts";
 * console.log(mainHelp("0.1.0", [{ name: "extract", summary: "Extract time series." }]));
 * ```
 */
export function mainHelp(version: string, commands: readonly CommandSummary[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `niimask ${version} - one time series per brain map from 4D fMRI images, for many subjects`,
    "(nilearn 0.11.1 MultiNiftiMapsMasker semantics).",
    "",
    "Usage: niimask <command> [flags] [args]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Flags:",
    "  --help       Show this help (niimask <command> --help: the command's flags).",
    "  --version    Print the version.",
    "",
    "Exit status: 0 success, 1 some subjects failed, 2 bad command line or setup error,",
    "130 interrupted (Ctrl-C), 143 terminated (SIGTERM).",
    "",
  ].join("\n");
}

/**
 * The help of `niimask extract`: usage, every flag with units and defaults, outputs, exit status.
 *
 * @returns the text (newline-terminated).
 * @example
 * ```ts
 * import { extractHelp } from "./help.ts";
 * console.log(extractHelp().includes("--low-pass HZ")); // true
 * ```
 */
export function extractHelp(): string {
  return [
    "Usage: niimask extract --maps MAPS --out DIR [flags] IMG...",
    "",
    "Extract one time series per map of MAPS from each 4D image IMG (.nii or .nii.gz), as",
    "nilearn's MultiNiftiMapsMasker(...).fit().transform(IMG, confounds=..., sample_mask=...).",
    "Subjects are independent: one that fails is reported and the others complete.",
    "",
    formatFlagHelp(EXTRACT_FLAGS),
    "",
    "OUTPUTS (BIDS derivatives):",
    "  For IMG named X_bold.nii.gz, X_bold.nii, X.nii.gz or X.nii, subject name X:",
    "  DIR/X_timeseries.tsv   header row of map names (--labels, else map-000, map-001, ...),",
    "                         then one row per kept volume, values at full float64 precision",
    "                         (shortest round-trip decimal form).",
    "  DIR/X_timeseries.json  sidecar: SamplingFrequency (Hz, 1/TR when --t-r is given),",
    "                         Columns, NumberOfVolumes, the maps file and its SHA-256, the mask",
    "                         file and its SHA-256, the confounds file, columns and censored",
    "                         volumes, the masker parameters, the niimask version.",
    "  With --connectivity KIND,...: DIR/X_meas-<Measure>_relmat.tsv per run and kind (Measure:",
    "                         Correlation, PartialCorrelation, Covariance, Precision, Tangent),",
    "                         a square matrix with the region names as header row (row i is",
    "                         region i), and its .json sidecar (kind, estimator, shrinkage,",
    "                         number of volumes used). Tangent is fitted on every run of the",
    "                         command; the group's geometric mean goes to",
    "                         DIR/atlas-<MAPS>_meas-Tangent_stat-mean_relmat.tsv (<MAPS>: the",
    "                         maps file name without extension, letters and digits only).",
    "                         Not with --shard: run 'niimask group' on the time series after.",
    "  Files are written under temporary names and renamed when complete: an interrupted run",
    "  never leaves a partial output, and --skip-existing resumes it.",
    "",
    "CONFOUNDS AND CENSORING (fMRIPrep):",
    "  --confounds auto \\   (or a pattern: '{dir}/{subject}_desc-confounds_timeseries.tsv')",
    "  --confound-columns 'trans_?,rot_?' \\",
    "  --sample-mask-from-confounds 'motion_outlier*,non_steady_state_outlier*'",
    "  regresses out the six motion parameters and drops the volumes flagged by fMRIPrep's",
    "  one-hot outlier columns (the TSV then has fewer rows than the image has volumes). Without",
    "  --confound-columns every column is used, which fails on fMRIPrep files (their derivative",
    "  columns start with n/a): select the columns you want.",
    "",
    "PROGRESS: a progress bar on a terminal, one line per subject otherwise (stderr); --quiet",
    "  prints only failures and the final summary of failures.",
    "",
    "INFLATE: .nii.gz files are inflated by Intel ISA-L when libisal.so.2 is installed (Debian:",
    "  libisal2) and FFI is allowed (deno task niimask grants it), else by node:zlib, else by",
    "  DecompressionStream; all give the same bytes. NIIMASK_INFLATE=isal|zlib|stream|auto",
    "  overrides the choice; the sidecar records it as InflateBackend.",
    "",
    "EXIT STATUS: 0 every subject succeeded (or was skipped); 1 some subjects failed (they are",
    "  listed at the end); 2 bad command line or setup error (maps, mask, labels, --out);",
    "  130 interrupted by Ctrl-C (finished outputs are kept; rerun with --skip-existing),",
    "  143 terminated by SIGTERM (likewise).",
    "",
    "EXAMPLE:",
    "  niimask extract --maps difumo64.nii.gz --labels difumo64_labels.tsv \\",
    "    --confounds 'fmriprep/{subject}_desc-confounds_timeseries.tsv' \\",
    "    --confound-columns trans_x,trans_y,trans_z,rot_x,rot_y,rot_z \\",
    "    --standardize zscore_sample --detrend --t-r 2 --low-pass 0.1 --high-pass 0.01 \\",
    "    --jobs 4 --out derivatives/niimask fmriprep/sub-*_bold.nii.gz",
    "",
  ].join("\n");
}
