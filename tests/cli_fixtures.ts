/**
 * Helpers shared by the command-line tests: running `cli.ts` as a subprocess, the small 3 mm
 * grid of Gaussian blob maps most of them extract from, and the pieces of fMRIPrep-like layouts
 * (confounds copied from a golden case, a repetition time written into a NIfTI header), and
 * small checks of outputs (SHA-256 digests, a folder's sorted names).
 */
import { fileURLToPath } from "node:url";
import type { Image } from "../types.ts";
import { blobMaps } from "../synthetic/mod.ts";

/** The command-line entry point, as a file path. */
export const CLI: string = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** The permissions `niimask` runs with unless told otherwise. */
export const CLI_PERMISSIONS: readonly string[] = ["--allow-read", "--allow-write", "--allow-env"];

/** What a CLI run gave: its exit code and its decoded output streams. */
export interface CliRun {
  /** The exit code. */
  code: number;
  /** Standard output, decoded as UTF-8. */
  stdout: string;
  /** Standard error, decoded as UTF-8. */
  stderr: string;
}

/** How to run the CLI, beyond its arguments. */
export interface CliOptions {
  /** Flags between `deno run` and the script (default {@link CLI_PERMISSIONS}). */
  flags?: readonly string[];
  /** Variables added to the inherited environment (`NO_COLOR=1` is always set). */
  env?: Record<string, string>;
  /** The child's standard input (default: Deno's, "inherit"). */
  stdin?: "null" | "inherit";
}

/**
 * Run `deno run <flags> cli.ts ...args` in `cwd` and collect its exit code, stdout and stderr.
 *
 * @param args the CLI's arguments (subcommand first).
 * @param cwd the child's working directory.
 * @param options flags, extra environment and stdin of the child.
 */
export async function niimask(
  args: readonly string[],
  cwd: string,
  options: CliOptions = {},
): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...(options.flags ?? CLI_PERMISSIONS), CLI, ...args],
    cwd,
    ...(options.stdin ? { stdin: options.stdin } : {}),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The 3 mm grid affine of the CLI fixtures (voxel (0, 0, 0) at (-9, -9, -9) mm). */
export const AFFINE_3MM = Float64Array.from([3, 0, 0, -9, 0, 3, 0, -9, 0, 0, 3, -9, 0, 0, 0, 1]);

/** The 7 x 6 x 5 grid shape of the CLI fixtures. */
export const SHAPE_7x6x5 = [7, 6, 5] as const;

/** The blob centres, in voxels, in the order maps take them. */
const BLOB_VOXELS: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [5, 4, 3],
  [3, 2, 4],
];

/**
 * `count` Gaussian blobs (sigma 3√2 mm) on the 7 x 6 x 5 grid of 3 mm voxels, centred on the
 * voxels (1, 1, 1), (5, 4, 3) and then (3, 2, 4).
 *
 * @param count the number of maps, 1 to 3.
 */
export function gridBlobMaps(count: 1 | 2 | 3): Image {
  const sigma = 3 * Math.SQRT2;
  return blobMaps(
    { shape: SHAPE_7x6x5, affine: AFFINE_3MM },
    BLOB_VOXELS.slice(0, count).map(([i, j, k]) => [{
      centre: [3 * i - 9, 3 * j - 9, 3 * k - 9] as [number, number, number],
      sigma,
    }]),
  );
}

/**
 * Copy a golden case's confounds TSV/JSON (`sub-01_task-rest_desc-confounds_{timeseries,
 * regressors}.{tsv,json}`) next to a run, renamed for `prefix` (`sub-XX_..._task-rest`).
 *
 * @param caseDir the golden case folder.
 * @param funcDir the run's folder.
 * @param prefix the run's name up to and including its task entity.
 * @returns the path of the copied TSV ("" when the case has none).
 */
export async function copyConfounds(
  caseDir: string,
  funcDir: string,
  prefix: string,
): Promise<string> {
  let tsv = "";
  for await (const e of Deno.readDir(caseDir)) {
    const m = /^sub-01_task-rest(_desc-confounds_(?:timeseries|regressors)\.(?:tsv|json))$/.exec(
      e.name,
    );
    if (m) {
      await Deno.copyFile(`${caseDir}/${e.name}`, `${funcDir}/${prefix}${m[1]}`);
      if (m[1]!.endsWith(".tsv")) tsv = `${funcDir}/${prefix}${m[1]}`;
    }
  }
  return tsv;
}

/**
 * Set the repetition time of an uncompressed NIfTI-1 file in place: pixdim[4] in ms, the time
 * unit code (xyzt_units = mm | ms).
 *
 * @param path the `.nii` file.
 * @param ms the repetition time (ms).
 */
export async function setHeaderTrMs(path: string, ms: number): Promise<void> {
  const bytes = await Deno.readFile(path);
  const v = new DataView(bytes.buffer);
  v.setFloat32(92, ms, true);
  bytes[123] = 2 | 16;
  await Deno.writeFile(path, bytes);
}

/**
 * The SHA-256 digest of some bytes, as lowercase hex.
 *
 * @param bytes the bytes to hash.
 */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The SHA-256 digest of a file's bytes, as lowercase hex.
 *
 * @param path the file.
 */
export async function fileSha256Hex(path: string): Promise<string> {
  return await sha256Hex(await Deno.readFile(path));
}

/**
 * The names in a folder, sorted.
 *
 * @param dir the folder.
 */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}
