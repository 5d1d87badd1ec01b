/**
 * The reference cost of reading a subject: one plain pass of the runtime's native
 * `DecompressionStream("gzip")` over the file, consuming the bytes without keeping them.
 *
 * @module
 */

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
  for (const path of Deno.args) {
    const r = await gunzipPass(path);
    console.log(`${path}: ${r.seconds.toFixed(3)} s, ${r.bytes} bytes`);
  }
}
