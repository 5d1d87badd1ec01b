/**
 * The conformance runner: `deno task conformance [--pending FILE] [DIR ...]`.
 *
 * Runs every case folder (a folder holding `case.json`) at or below each DIR (default:
 * `../shared/conformance/{cases,functions,fmriprep,connectome}` beside the repository),
 * prints `ok <name>` or `FAIL <name>: <reason>` per case and ends with `N passed, N failed`.
 * Exits 1 when the run fails (see `ratchet.ts` for `--pending`), 2 on a usage error.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type CaseRef, discoverCases, parsePendingList } from "./discover.ts";
import type { Check } from "./compare.ts";
import { type FunctionCase, runFunctionCase } from "./functions.ts";
import { type FmriprepCase, runFmriprepCase } from "./fmriprep.ts";
import { type ConnectomeCase, runConnectomeCase } from "./connectome.ts";
import { type MaskerCase, runMaskerCase } from "./masker.ts";
import { applyRatchet, caseLine, type CaseOutcome } from "./ratchet.ts";
import { callError } from "./errors.ts";

/** The default case folders, resolved from this file (works from any working directory). */
export function defaultDirs(): string[] {
  const root = new URL("../../../shared/conformance/", import.meta.url);
  return ["cases", "functions", "fmriprep", "connectome"].map((d) =>
    fileURLToPath(new URL(d, root))
  );
}

/** Run one case folder: detect its format and run it. Never throws. */
export async function runCase(ref: CaseRef): Promise<Check> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await Deno.readTextFile(`${ref.dir}/case.json`));
  } catch (err) {
    return { ok: false, reason: `cannot read case.json: ${callError(err)}` };
  }
  const tol = json.tolerance as { rtol?: unknown; atol?: unknown } | undefined;
  if (typeof tol?.rtol !== "number" || typeof tol?.atol !== "number") {
    return { ok: false, reason: "case.json has no numeric tolerance {rtol, atol}" };
  }
  try {
    if (typeof json.function === "string" && json.function.startsWith("interfaces.fmriprep.")) {
      return await runFmriprepCase(ref.dir, json as unknown as FmriprepCase);
    }
    if (typeof json.function === "string" && json.function.startsWith("connectome.")) {
      return await runConnectomeCase(ref.dir, json as unknown as ConnectomeCase);
    }
    if (typeof json.function === "string") {
      return await runFunctionCase(ref.dir, json as unknown as FunctionCase);
    }
    if (Array.isArray(json.steps)) {
      return await runMaskerCase(ref.dir, json as unknown as MaskerCase);
    }
  } catch (err) {
    return { ok: false, reason: callError(err) };
  }
  return { ok: false, reason: "unknown case format: case.json has neither `function` nor `steps`" };
}

interface Cli {
  dirs: string[];
  pendingFile: string | null;
}

function parseArgs(args: readonly string[]): Cli {
  const dirs: string[] = [];
  let pendingFile: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--pending") {
      const f = args[++i];
      if (f === undefined) throw new Error("--pending needs a file name");
      pendingFile = f;
    } else if (a.startsWith("--pending=")) {
      pendingFile = a.slice("--pending=".length);
    } else if (a === "-h" || a === "--help") {
      throw new Error("usage");
    } else if (a.startsWith("-")) {
      throw new Error(`unknown option ${a}`);
    } else {
      dirs.push(a);
    }
  }
  return { dirs: dirs.length > 0 ? dirs : defaultDirs(), pendingFile };
}

const USAGE = "usage: deno task conformance [--pending FILE] [DIR ...]";

/** The CLI; resolves to the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  let cli: Cli;
  let cases: CaseRef[];
  let pendingList: string[] | null = null;
  try {
    cli = parseArgs(args);
    if (cli.pendingFile !== null) {
      pendingList = parsePendingList(await Deno.readTextFile(cli.pendingFile));
    }
    cases = await discoverCases(cli.dirs);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    console.error(msg === "usage" ? USAGE : `conformance: ${msg}\n${USAGE}`);
    return 2;
  }
  if (cases.length === 0) {
    console.error(`conformance: no case folder (with case.json) under ${cli.dirs.join(", ")}`);
    return 2;
  }
  const outcomes: CaseOutcome[] = [];
  const listed = new Set(pendingList ?? []);
  const listName = cli.pendingFile ?? undefined;
  for (const ref of cases) {
    const check = await runCase(ref);
    outcomes.push({ name: ref.name, check });
    // Print as we go, worded as the ratchet words it.
    console.log(caseLine(ref.name, check, listed.has(ref.name), listName));
  }
  const report = applyRatchet(outcomes, pendingList, listName);
  for (const line of report.footer) console.log(line);
  return report.fails ? 1 : 0;
}

if (import.meta.main) {
  // A stray rejection (e.g. from a worker) must not kill the run before its summary line.
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    console.error(`conformance: unhandled rejection: ${callError(e.reason)}`);
  });
  Deno.exit(await main(Deno.args));
}
