/**
 * `deno task web:build`: bundles the page (`web/app.ts`) and the extraction worker
 * (`maskers/extract_worker.ts`) for browsers into `web/dist/` with `deno bundle --platform
 * browser`. The page's code creates its workers with `new Worker(new URL("./extract_worker.ts",
 * import.meta.url), { type: "module" })` (a form Vite, webpack and Parcel follow by themselves);
 * `deno bundle` keeps that URL as it is, so here it is pointed at the worker's bundle. Files are
 * written under temporary names, then renamed.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = `${ROOT}web/dist`;

/** Bundles: [entry point, output name]. */
const ENTRIES: readonly [string, string][] = [
  ["web/app.ts", "niimask_web.js"],
  ["maskers/extract_worker.ts", "extract_worker.js"],
];

const WORKER_URL = /new URL\(\s*(["'])\.\/extract_worker\.ts\1\s*,\s*import\.meta\.url\s*\)/g;

async function bundle(entry: string, output: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--format",
      "esm",
      "--minify",
      "--sourcemap",
      "linked",
      "-o",
      output,
      entry,
    ],
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`deno bundle ${entry} failed (exit ${out.code})`);
}

/** Build `web/dist/`; returns the paths written. */
export async function buildWeb(): Promise<string[]> {
  await Deno.mkdir(DIST, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: DIST, prefix: ".build-" });
  try {
    for (const [entry, name] of ENTRIES) await bundle(entry, `${tmp}/${name}`);
    const page = `${tmp}/niimask_web.js`;
    const code = await Deno.readTextFile(page);
    const found = code.match(WORKER_URL)?.length ?? 0;
    if (found !== 1) {
      throw new Error(
        `web build: expected one worker URL (new URL("./extract_worker.ts", import.meta.url)) ` +
          `in the page bundle, found ${found}`,
      );
    }
    await Deno.writeTextFile(
      page,
      code.replace(WORKER_URL, 'new URL("./extract_worker.js",import.meta.url)'),
    );
    const written: string[] = [];
    for await (const entry of Deno.readDir(tmp)) {
      await Deno.rename(`${tmp}/${entry.name}`, `${DIST}/${entry.name}`);
      written.push(`web/dist/${entry.name}`);
    }
    return written.sort();
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const written = await buildWeb();
  console.log(`web build: ${written.join(", ")}`);
}
