/**
 * The reference costs of reading a subject: one plain pass of the runtime's native
 * `DecompressionStream("gzip")` over the file, consuming the bytes without keeping them, and the
 * hardware limit: ISA-L's own command line, `igzip -d -c FILE > /dev/null`. Run directly, it also
 * times niimask's inflater with each backend on the same files:
 *
 * ```sh
 * deno run -A bench/gunzip_baseline.ts FILE.nii.gz...
 * ```
 *
 * @module
 */
import { GunzipSource } from "../image/gunzip_source.ts";
import { availableInflateBackends } from "../image/inflate_select.ts";
import type { InflateBackend } from "../image/inflate_types.ts";

/** Result of one gunzip pass. */
export interface GunzipTiming {
  /** Wall-clock seconds for the pass. */
  readonly seconds: number;
  /** Decompressed bytes. */
  readonly bytes: number;
}

/**
 * Inflate a `.gz` file with the native `DecompressionStream`, counting bytes, keeping nothing.
 *
 * @param path a gzip file.
 * @returns seconds and decompressed size.
 * @example
 * ```ts ignore
 * const { seconds, bytes } = await gunzipPass("bench/.data/v1/sub-01_3mm_bold.nii.gz");
 * ```
 */
export async function gunzipPass(path: string): Promise<GunzipTiming> {
  const t0 = performance.now();
  const file = await Deno.open(path, { read: true });
  const stream = file.readable.pipeThrough(
    new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>,
  );
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.length;
  return { seconds: (performance.now() - t0) / 1000, bytes };
}

/**
 * Wall time of `igzip -d -c FILE > /dev/null` (ISA-L's command line, Debian package `isal`).
 *
 * @param path a gzip file.
 * @returns seconds, or null when `igzip` is not installed.
 * @throws {Error} igzip fails on the file.
 * @example
 * ```ts ignore
 * const s = await igzipPass("bench/.data/v1/sub-01_3mm_bold.nii.gz"); // e.g. 0.18, or null
 * ```
 */
export async function igzipPass(path: string): Promise<number | null> {
  const t0 = performance.now();
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("igzip", {
      args: ["-d", "-c", path],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (!out.success) {
    throw new Error(`igzip -d -c ${path}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return seconds;
}

/**
 * Inflate a `.gz` file with niimask's own reader and one backend, keeping nothing.
 *
 * @param path a gzip file.
 * @param backend inflate backend.
 * @returns seconds and decompressed size.
 * @example
 * ```ts ignore
 * const { seconds } = await niimaskInflatePass("sub-01_bold.nii.gz", "isal");
 * ```
 */
export async function niimaskInflatePass(
  path: string,
  backend: InflateBackend,
): Promise<GunzipTiming> {
  const t0 = performance.now();
  const file = await Deno.open(path, { read: true });
  const src = new GunzipSource(
    async (into) => (await file.read(into)) ?? 0,
    path,
    backend,
    () => file.close(),
  );
  const buf = new Uint8Array(4 << 20);
  let bytes = 0;
  try {
    for (;;) {
      const n = await src.read(buf);
      bytes += n;
      if (n < buf.length) break;
    }
  } finally {
    await src.close();
  }
  return { seconds: (performance.now() - t0) / 1000, bytes };
}

/** Whether a file starts with the gzip magic number. */
export async function isGzipFile(path: string): Promise<boolean> {
  const file = await Deno.open(path, { read: true });
  try {
    const head = new Uint8Array(2);
    const n = await file.read(head);
    return n === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    file.close();
  }
}

if (import.meta.main) {
  const backends = await availableInflateBackends();
  for (const path of Deno.args) {
    const r = await gunzipPass(path);
    console.log(`${path}: ${r.bytes} bytes`);
    console.log(`  DecompressionStream("gzip"): ${r.seconds.toFixed(3)} s`);
    const ig = await igzipPass(path);
    console.log(`  igzip -d -c: ${ig === null ? "not installed" : `${ig.toFixed(3)} s`}`);
    for (const b of backends) {
      const x = await niimaskInflatePass(path, b);
      const ratio = ig === null ? "" : ` (${(x.seconds / ig).toFixed(2)}x igzip)`;
      console.log(`  niimask inflate, ${b}: ${x.seconds.toFixed(3)} s${ratio}`);
    }
  }
}
