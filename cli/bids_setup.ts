/**
 * The setup of `niimask bids`, before any run is transformed: the runs found and filtered (and
 * this shard's), the atlas, mask and labels, the atlas grid against the runs', the masker
 * configuration, and the output dataset's description. Every failure is a {@link SetupError}
 * or a file error naming its flag.
 *
 * @module
 */
import { openNifti } from "../image/load.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { MultiMapsMaskerConfig } from "../maskers/types.ts";
import { errorMessage } from "./errors.ts";
import type { BidsOptions } from "./bids_args.ts";
import type { BatchSubject } from "./batch.ts";
import { bidsOutputStems } from "./bids_naming.ts";
import { describeFilters, findPreprocRuns, selectRuns } from "./bids_discover.ts";
import { checkAtlasGrid } from "./bids_grid.ts";
import { datasetDescription, writeDatasetDescriptionOnce } from "./dataset_description.ts";
import { defaultMapNames } from "./tsv.ts";
import { readLabelsFile } from "./labels.ts";
import {
  countMapsOf,
  expandMapsSpec,
  type MapsFiles,
  mapsImgOf,
  mapsSha256,
} from "./maps_files.ts";
import type { FileChecksum } from "./sidecar.ts";
import { withFlagNames } from "./flag_names.ts";
import { VERSION } from "./version.ts";
import { checkBidsTangentRuns } from "./bids_connectivity_checks.ts";
import type { EnvRecord } from "./shard.ts";
import { fileChecksumStep, inflateBackendStep, selectShardStep, SetupError } from "./run_steps.ts";

/** What the batch of `niimask bids` starts from. */
export interface BidsSetup {
  /** This shard's runs (every run without `--shard`), named by their output stems. */
  readonly subjects: BatchSubject[];
  /** Every run found (before `--shard`), for the participant reports. */
  readonly allSubjects: BatchSubject[];
  /** The shard (`I/N`), when `--shard` is given. */
  readonly shardText: string | undefined;
  /** The atlas, with its checksum. */
  readonly maps: FileChecksum;
  /** The mask, with its checksum, or null. */
  readonly mask: FileChecksum | null;
  /** One name per map (`--labels`, else map-000, ...). */
  readonly names: string[];
  /** The masker configuration, without a repetition time (each run brings its own). */
  readonly baseConfig: MultiMapsMaskerConfig;
  /** The inflate backend the runs are read with (recorded in each sidecar). */
  readonly inflateBackend: string;
}

/** A NIfTI file's grid, from its header only. */
export async function headerGrid(
  path: string,
): Promise<{ path: string; shape: number[]; affine: Float64Array }> {
  const stream = await openNifti(path);
  try {
    return { path, shape: [...stream.shape], affine: Float64Array.from(stream.affine) };
  } finally {
    await stream.close();
  }
}

/**
 * The fMRIPrep image a strategy reads: the ica_aroma preset (ICA-AROMA "full") uses fMRIPrep's
 * `desc-smoothAROMAnonaggr` runs, every other strategy the `desc-preproc` runs.
 */
function runDesc(opts: BidsOptions): string {
  return opts.strategy === "ica_aroma" ? "smoothAROMAnonaggr" : "preproc";
}

/** The runs of FMRIPREP_DIR that the filters select, named by their output stems. */
async function discoverStep(opts: BidsOptions): Promise<BatchSubject[]> {
  const desc = runDesc(opts);
  const all = await findPreprocRuns(opts.fmriprepDir, desc);
  if (all.length === 0) {
    throw new SetupError(
      `FMRIPREP_DIR ${opts.fmriprepDir}: no run found (expected sub-*/[ses-*/]func/` +
        `*_desc-${desc}_bold.nii.gz)`,
    );
  }
  const runs = selectRuns(all, opts.filters);
  if (runs.length === 0) {
    const shown = all.slice(0, 5).map((r) => r.slice(opts.fmriprepDir.length).replace(/^\//, ""));
    throw new SetupError(
      `FMRIPREP_DIR ${opts.fmriprepDir}: no run matches ${describeFilters(opts.filters)} ` +
        `(${all.length} run${all.length === 1 ? "" : "s"} found: ${shown.join(", ")}${
          all.length > 5 ? ", ..." : ""
        })`,
    );
  }
  let stems: string[];
  try {
    stems = bidsOutputStems(runs, opts.atlasName, opts.strategy);
  } catch (e) {
    throw new SetupError(errorMessage(e));
  }
  checkBidsTangentRuns(opts.connectivity, runs);
  return runs.map((image, i) => ({ image, subject: stems[i]! }));
}

/** The atlas (`--atlas`: one image, or a list or glob of 3D maps), the mask and the names. */
async function atlasStep(opts: BidsOptions): Promise<{
  mapsFiles: MapsFiles;
  maps: FileChecksum;
  mask: FileChecksum | null;
  names: string[];
}> {
  const mapsFiles = await expandMapsSpec("atlas", opts.atlas);
  const maps = { path: opts.atlas, sha256: await mapsSha256("atlas", mapsFiles) };
  const nMaps = await countMapsOf("atlas", mapsFiles);
  const mask = opts.mask === null ? null : await fileChecksumStep("mask", opts.mask);
  const names = opts.labels === null
    ? defaultMapNames(nMaps)
    : await readLabelsFile(opts.labels, nMaps);
  return { mapsFiles, maps, mask, names };
}

/** The atlas grid against the first run's, as `--resampling-target` needs them. */
async function gridStep(opts: BidsOptions, atlasFile: string, runFile: string): Promise<void> {
  let atlasGrid, runGrid;
  try {
    atlasGrid = await headerGrid(atlasFile);
  } catch (e) {
    throw new SetupError(`--atlas ${atlasFile}: ${errorMessage(e)}`);
  }
  try {
    runGrid = await headerGrid(runFile);
  } catch (e) {
    throw new SetupError(`run ${runFile}: ${errorMessage(e)}`);
  }
  checkAtlasGrid(
    atlasGrid,
    runGrid,
    opts.masker.resamplingTarget === undefined ? "data" : opts.masker.resamplingTarget,
  );
}

/** The masker configuration of the command line, validated. */
function configStep(
  opts: BidsOptions,
  mapsFiles: MapsFiles,
  names: string[],
): MultiMapsMaskerConfig {
  const baseConfig: MultiMapsMaskerConfig = {
    ...opts.masker,
    mapsImg: mapsImgOf(mapsFiles),
    maskImg: opts.mask,
    output: "table",
    labels: names,
  };
  try {
    multiMapsMasker(baseConfig).params(); // validates the configuration
  } catch (e) {
    throw new SetupError(withFlagNames(errorMessage(e), "atlas"));
  }
  return baseConfig;
}

/** OUTPUT_DIR exists, with its dataset_description.json. */
async function outputDirStep(opts: BidsOptions): Promise<void> {
  try {
    await Deno.mkdir(opts.outputDir, { recursive: true });
    await writeDatasetDescriptionOnce(
      opts.outputDir,
      datasetDescription(VERSION, opts.fmriprepDir),
    );
  } catch (e) {
    throw new SetupError(`OUTPUT_DIR ${opts.outputDir}: cannot write (${errorMessage(e)})`);
  }
}

/**
 * Everything `niimask bids` needs before its batch, in order: the runs (and shard), the atlas,
 * mask and labels, the grids, the masker configuration and the output dataset.
 *
 * @param opts validated options.
 * @param env the environment (`--shard auto`).
 * @param write the stderr writer (the shard line).
 * @returns the setup.
 * @throws Error (a {@link SetupError} or a file error naming its flag) when a step fails.
 */
export async function setupBids(
  opts: BidsOptions,
  env: EnvRecord,
  write: (text: string) => void,
): Promise<BidsSetup> {
  const inflateBackend = await inflateBackendStep();
  const allSubjects = await discoverStep(opts);
  let subjects = allSubjects;
  let shardText: string | undefined;
  if (opts.shard !== null) {
    const say = opts.quiet ? null : write;
    const shard = selectShardStep(allSubjects, opts.shard, env, say, "runs");
    subjects = shard.subjects;
    shardText = shard.text;
  }
  const { mapsFiles, maps, mask, names } = await atlasStep(opts);
  const first = subjects[0] ?? allSubjects[0]!;
  await gridStep(opts, mapsFiles.files[0]!, first.image);
  const baseConfig = configStep(opts, mapsFiles, names);
  await outputDirStep(opts);
  return { subjects, allSubjects, shardText, maps, mask, names, baseConfig, inflateBackend };
}
