/**
 * `deno task compile`: build the standalone `niimask` binary (dist/niimask) with `deno compile`.
 *
 * Web-worker modules are not reachable from cli.ts's static import graph, so they are passed with
 * `--include`: every `*worker*.ts` module under image/, signal/, maskers/ and cli/ is included.
 * When Deno's runtime (`denort`) cannot be downloaded (offline machines, blocked dl.deno.land),
 * the script says so clearly and exits 0: there is nothing wrong with the code.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = "dist/niimask";
const WORKER_DIRS = ["image", "signal", "maskers", "cli"];

async function workerModules(): Promise<string[]> {
  const found: string[] = [];
  for (const dir of WORKER_DIRS) {
    try {
      for await (const e of Deno.readDir(`${ROOT}${dir}`)) {
        if (e.isFile && /worker.*\.ts$/.test(e.name) && !e.name.endsWith("_test.ts")) {
          found.push(`${dir}/${e.name}`);
        }
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return found.sort();
}

/** Whether `deno compile`'s error output says the runtime could not be downloaded. */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  return /dl\.deno\.land|denort/i.test(stderr) &&
    /download|error sending request|dns error|connect|timed out|certificate|status code/i.test(
      stderr,
    );
}

if (import.meta.main) {
  const includes = await workerModules();
  const args = [
    "compile",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-ffi", // ISA-L inflate when libisal.so.2 is installed (silent fallback otherwise)
    ...includes.flatMap((f) => ["--include", f]),
    "-o",
    OUT,
    "cli.ts",
  ];
  console.error(`deno ${args.join(" ")}`);
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  if (result.success) {
    Deno.stderr.writeSync(new TextEncoder().encode(stderr));
    console.error(`deno task compile: built ${OUT}`);
    Deno.exit(0);
  }
  Deno.stderr.writeSync(new TextEncoder().encode(stderr));
  if (isRuntimeDownloadFailure(stderr)) {
    await Deno.remove(`${ROOT}dist`).catch(() => {}); // only if empty
    console.error(
      "deno task compile: SKIPPED — deno compile could not download Deno's runtime (denort) " +
        "for this platform, so no binary was built (the network or dl.deno.land is not " +
        "reachable here). The code is compile-ready: run `deno task compile` on a machine with " +
        `access to dl.deno.land to get ${OUT}.`,
    );
    Deno.exit(0);
  }
  console.error(`deno task compile: deno compile failed (exit ${result.code})`);
  Deno.exit(result.code || 1);
}
