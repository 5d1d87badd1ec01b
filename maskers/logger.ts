/**
 * The masker's verbose logging (nilearn's `verbose` levels) to stderr.
 *
 * @module
 */
const WHO = "MultiMapsMasker";

/** Verbose logger: messages at `level` print to stderr when `verbose >= level`. */
export function makeLogger(verbose: number): (level: number, where: string, msg: string) => void {
  return (level, where, msg) => {
    if (verbose >= level) console.error(`[${WHO}.${where}] ${msg}`);
  };
}
