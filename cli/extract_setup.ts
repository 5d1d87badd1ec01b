/**
 * The setup of `niimask extract`, before any subject runs: the inflate backend, this shard's
 * images, the maps, mask and labels, the fitted masker, the report background and the output
 * directory. Every failure is a {@link SetupError} naming the flag or file.
 *
 * @module
 */
import { VERSION } from "./version.ts";
import { multiMapsMasker } from "../maskers/multi_maps_masker.ts";
import type { FittedMultiMapsMasker } from "../maskers/types.ts";
import { errorMessage } from "./errors.ts";
import type { ExtractOptions } from "./extract_args.ts";
import type { BatchSubject } from "./batch.ts";
import { checkBackgroundFile } from "./report_inputs.ts";
import { subjectNames } from "./naming.ts";
import { defaultMapNames } from "./tsv.ts";
import { readLabelsFile } from "./labels.ts";
import {
  countMapsOf,
  expandMapsSpec,
  type MapsFiles,
  mapsImgOf,
  mapsSha256,
} from "./maps_files.ts";
import { withFlagNames } from "./flag_names.ts";
import type { FileChecksum } from "./sidecar.ts";
import {
  datasetDescription,
  EXTRACT_DESCRIPTION,
  writeDatasetDescriptionOnce,
} from "./dataset_description.ts";
import { fileChecksumStep, inflateBackendStep, selectShardStep, SetupError } from "./run_steps.ts";

/** What the batch of `niimask extract` starts from. */
export interface ExtractSetup {
  /** The inflate backend of gzip images (recorded in sidecars). */
  readonly inflateBackend: string;
  /** This shard's images and their subject names, in order. */
  readonly subjects: BatchSubject[];
  /** The shard (`I/N`), when `--shard` is given. */
  readonly shardText: string | undefined;
  /** The maps, with their checksum. */
  readonly maps: FileChecksum;
  /** The mask, with its checksum, or null. */
  readonly mask: FileChecksum | null;
  /** One name per map (`--labels`, else map-000, ...). */
  readonly names: string[];
  /** The masker, fitted on the maps. */
  readonly fitted: FittedMultiMapsMasker;
}

/** The images of this run (all, or this shard's), with their subject names. */
function subjectsStep(
  opts: ExtractOptions,
  write: (text: string) => void,
): { subjects: BatchSubject[]; shardText: string | undefined } {
  const subjects = subjectNames(opts.imgs).map((subject, i) => ({
    image: opts.imgs[i]!,
    subject,
  }));
  if (opts.shard == null) return { subjects, shardText: undefined };
  const say = opts.quiet ? null : write;
  const shard = selectShardStep(subjects, opts.shard, Deno.env.toObject(), say, "images");
  return { subjects: shard.subjects, shardText: shard.text };
}

/** The maps (`--maps`: one image, or a list or glob of 3D maps), the mask and the map names. */
async function mapsStep(opts: ExtractOptions): Promise<{
  mapsFiles: MapsFiles;
  maps: FileChecksum;
  mask: FileChecksum | null;
  names: string[];
}> {
  const mapsFiles = await expandMapsSpec("maps", opts.maps);
  const maps = { path: opts.maps, sha256: await mapsSha256("maps", mapsFiles) };
  const mask = opts.mask === null ? null : await fileChecksumStep("mask", opts.mask);
  const nMaps = await countMapsOf("maps", mapsFiles);
  const names = opts.labels === null
    ? defaultMapNames(nMaps)
    : await readLabelsFile(opts.labels, nMaps);
  return { mapsFiles, maps, mask, names };
}

/** The masker of the command line, fitted on the maps (it returns tables named by `names`). */
async function fitStep(
  opts: ExtractOptions,
  mapsFiles: MapsFiles,
  names: string[],
): Promise<FittedMultiMapsMasker> {
  try {
    return await multiMapsMasker({
      ...opts.masker,
      mapsImg: mapsImgOf(mapsFiles),
      maskImg: opts.mask,
      output: "table",
      labels: names,
    }).fit();
  } catch (e) {
    throw new SetupError(
      `cannot fit the maps (--maps ${opts.maps}): ${withFlagNames(errorMessage(e))}`,
    );
  }
}

/**
 * `--report-background` can be read, and the output directory exists, with its
 * `dataset_description.json`.
 */
async function outputsStep(opts: ExtractOptions): Promise<void> {
  if (opts.reportBackground != null) {
    try {
      await checkBackgroundFile(opts.reportBackground);
    } catch (e) {
      throw new SetupError(errorMessage(e));
    }
  }
  try {
    await Deno.mkdir(opts.out, { recursive: true });
  } catch (e) {
    throw new SetupError(`--out ${opts.out}: cannot create the directory (${errorMessage(e)})`);
  }
  try {
    await writeDatasetDescriptionOnce(
      opts.out,
      datasetDescription(VERSION, null, EXTRACT_DESCRIPTION),
    );
  } catch (e) {
    throw new SetupError(`--out ${opts.out}: cannot write (${errorMessage(e)})`);
  }
}

/**
 * Everything `niimask extract` needs before its batch, in order: inflate backend, subjects (and
 * shard), maps, mask and labels, the fitted masker, the report background and output directory.
 *
 * @param opts validated options.
 * @param write the stderr writer (the shard line).
 * @returns the setup.
 * @throws Error (a {@link SetupError} or a file error naming its flag) when a step fails.
 */
export async function setupExtract(
  opts: ExtractOptions,
  write: (text: string) => void,
): Promise<ExtractSetup> {
  const inflateBackend = await inflateBackendStep();
  const { subjects, shardText } = subjectsStep(opts, write);
  const { mapsFiles, maps, mask, names } = await mapsStep(opts);
  const fitted = await fitStep(opts, mapsFiles, names);
  await outputsStep(opts);
  return { inflateBackend, subjects, shardText, maps, mask, names, fitted };
}
