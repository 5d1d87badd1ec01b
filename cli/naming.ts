/**
 * BIDS-derivatives naming of the CLI's outputs, and pairing of confounds files with images.
 * Pure string functions (POSIX and Windows separators both understood).
 *
 * @module
 */

/** Paths of one subject's outputs. */
export interface SubjectOutputs {
  /** `DIR/X_timeseries.tsv`. */
  readonly tsv: string;
  /** `DIR/X_timeseries.json`. */
  readonly json: string;
}

/**
 * The file name of a path (after the last `/` or `\`).
 *
 * @param path a path.
 * @returns its last component.
 * @example
 * ```ts
 * import { baseName } from "./naming.ts";
 * baseName("data/sub-01_bold.nii.gz"); // "sub-01_bold.nii.gz"
 * ```
 */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * The subject name `X` of an image `X_bold.nii.gz`, `X_bold.nii`, `X.nii.gz` or `X.nii`: the file
 * name without that ending (case-insensitive).
 *
 * @param imgPath image path.
 * @returns the subject name.
 * @throws RangeError when nothing is left (e.g. `_bold.nii.gz`).
 * @example
 * ```ts
 * import { subjectName } from "./naming.ts";
 * subjectName("in/sub-01_task-rest_bold.nii.gz"); // "sub-01_task-rest"
 * ```
 */
export function subjectName(imgPath: string): string {
  const name = baseName(imgPath);
  const m = /^(.*?)(_bold\.nii\.gz|_bold\.nii|\.nii\.gz|\.nii)$/i.exec(name);
  const subject = m ? m[1]! : name;
  if (subject === "") {
    throw new RangeError(`image "${imgPath}": no subject name left after removing "${name}"`);
  }
  return subject;
}

/**
 * `dir/name`, without doubling a separator that ends `dir`.
 *
 * @param dir a folder.
 * @param name a name in it.
 * @returns the joined path.
 * @example
 * ```ts
 * import { joinPath } from "./naming.ts";
 * console.log(joinPath("out/", "a.tsv"), joinPath("out", "a.tsv")); // out/a.tsv out/a.tsv
 * ```
 */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? `${dir}${name}` : `${dir}/${name}`;
}

/**
 * Output paths of a subject: `DIR/X_timeseries.tsv` and `DIR/X_timeseries.json`.
 *
 * @param outDir output directory.
 * @param subject subject name `X`.
 * @returns the two paths.
 * @example
 * ```ts
 * import { outputPaths } from "./naming.ts";
 * outputPaths("out", "sub-01").tsv; // "out/sub-01_timeseries.tsv"
 * ```
 */
export function outputPaths(outDir: string, subject: string): SubjectOutputs {
  return {
    tsv: joinPath(outDir, `${subject}_timeseries.tsv`),
    json: joinPath(outDir, `${subject}_timeseries.json`),
  };
}

/**
 * The folder of a path (before the last `/` or `\`), `.` when it has none.
 *
 * @param path a path.
 * @returns its folder.
 * @example
 * ```ts
 * import { dirName } from "./naming.ts";
 * dirName("data/sub-01/func/sub-01_bold.nii.gz"); // "data/sub-01/func"
 * ```
 */
export function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i < 0 ? "." : i === 0 ? path.slice(0, 1) : path.slice(0, i);
}

/**
 * The confounds path of a subject: every `{subject}` in the pattern replaced by the subject name,
 * every `{dir}` by the image's folder.
 *
 * @param pattern e.g. `{dir}/{subject}_desc-confounds_timeseries.tsv`.
 * @param subject subject name.
 * @param image the image path (for `{dir}`).
 * @returns the path.
 * @example
 * ```ts
 * import { confoundsPath } from "./naming.ts";
 * confoundsPath("c/{subject}_conf.tsv", "sub-01"); // "c/sub-01_conf.tsv"
 * confoundsPath("{dir}/conf.tsv", "sub-01", "d/sub-01_bold.nii"); // "d/conf.tsv"
 * ```
 */
export function confoundsPath(pattern: string, subject: string, image = ""): string {
  return pattern.replaceAll("{subject}", subject).replaceAll("{dir}", dirName(image));
}

/**
 * Subject names of a batch, checking that no two images give the same name (their outputs would
 * overwrite each other).
 *
 * @param imgs image paths.
 * @returns subject names, in the same order.
 * @throws RangeError naming the two clashing images.
 * @example
 * ```ts
 * import { subjectNames } from "./naming.ts";
 * subjectNames(["a/sub-01_bold.nii.gz", "sub-02.nii"]); // ["sub-01", "sub-02"]
 * ```
 */
export function subjectNames(imgs: readonly string[]): string[] {
  const seen = new Map<string, string>();
  return imgs.map((img) => {
    const s = subjectName(img);
    const other = seen.get(s);
    if (other !== undefined) {
      throw new RangeError(
        `images "${other}" and "${img}" both give the subject name "${s}": their outputs ` +
          `would overwrite each other (process them into different --out directories)`,
      );
    }
    seen.set(s, img);
    return s;
  });
}
