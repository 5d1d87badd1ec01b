/**
 * fMRIPrep confounds cases (`fmriprep/`, FUNCTIONS.md "fMRIPrep confounds cases"):
 * `interfaces.fmriprep.load_confounds` and `load_confounds_strategy`.
 *
 * Comparison: `columns` and `sample_mask` equal exactly; `confounds` shapes equal, NaN exactly at
 * `nonfinite`, and column by column `max_i |A - E| <= atol + rtol * max_i |E|`. An expected error
 * needs an error of a matching class whose message holds the names quoted in nilearn's message
 * (and the file names it gives).
 *
 * @module
 */
import type { Check } from "./compare.ts";
import { fmt } from "./compare.ts";
import { callError, expectedError, notImplemented } from "./errors.ts";
import {
  type FmriprepConfounds,
  loadConfounds,
  type LoadConfoundsOptions,
  loadConfoundsStrategy,
  type LoadConfoundsStrategyOptions,
} from "../../interfaces/mod.ts";

/** A parsed fMRIPrep confounds case. */
export interface FmriprepCase {
  readonly name: string;
  readonly function: string;
  readonly args: Record<string, unknown>;
  readonly expect: unknown;
  readonly tolerance: { rtol: number; atol: number };
  readonly warnings?: readonly { category: string; message: string }[];
}

interface ExpectedRun {
  readonly columns: string[] | null;
  readonly confounds: {
    shape: [number, number];
    data: number[];
    nonfinite?: [number, number, string][];
  } | null;
  readonly sample_mask: number[] | null;
}

const OPTION_NAMES: Record<string, string> = {
  strategy: "strategy",
  motion: "motion",
  wm_csf: "wmCsf",
  global_signal: "globalSignal",
  compcor: "compcor",
  n_compcor: "nCompcor",
  ica_aroma: "icaAroma",
  scrub: "scrub",
  fd_threshold: "fdThreshold",
  std_dvars_threshold: "stdDvarsThreshold",
  demean: "demean",
  denoise_strategy: "denoiseStrategy",
};

/** nilearn's keyword arguments as niimask options (camelCase). */
function optionsOf(
  args: Record<string, unknown>,
  onWarning: (m: string) => void,
): Record<string, unknown> {
  const out: Record<string, unknown> = { onWarning };
  for (const [k, v] of Object.entries(args)) {
    if (k === "img_files") continue;
    const name = OPTION_NAMES[k];
    if (name === undefined) throw new TypeError(`case arg ${k}: unknown load_confounds argument`);
    out[name] = v;
  }
  return out;
}

function imgFilesOf(dir: string, img: unknown): string | string[] {
  if (typeof img === "string") return `${dir}/${img}`;
  if (Array.isArray(img) && img.every((f) => typeof f === "string")) {
    return img.map((f) => `${dir}/${f}`);
  }
  throw new TypeError(`case arg img_files: expected a file name or a list, found ${String(img)}`);
}

async function call(
  dir: string,
  c: FmriprepCase,
  onWarning: (m: string) => void,
): Promise<FmriprepConfounds | FmriprepConfounds[]> {
  const imgs = imgFilesOf(dir, c.args.img_files);
  const options = optionsOf(c.args, onWarning);
  switch (c.function) {
    case "interfaces.fmriprep.load_confounds":
      return typeof imgs === "string"
        ? await loadConfounds(imgs, options as LoadConfoundsOptions)
        : await loadConfounds(imgs, options as LoadConfoundsOptions);
    case "interfaces.fmriprep.load_confounds_strategy":
      return typeof imgs === "string"
        ? await loadConfoundsStrategy(imgs, options as LoadConfoundsStrategyOptions)
        : await loadConfoundsStrategy(imgs, options as LoadConfoundsStrategyOptions);
    default:
      throw new TypeError(`unknown fMRIPrep function ${c.function}`);
  }
}

const sameList = (a: readonly unknown[] | null, b: readonly unknown[] | null): boolean =>
  a === null || b === null ? a === b : a.length === b.length && a.every((x, i) => x === b[i]);

const show = (a: readonly unknown[] | null): string =>
  a === null ? "null" : JSON.stringify(a.length > 12 ? [...a.slice(0, 12), "..."] : a);

/** One run's result against its expectation. */
function compareRun(
  actual: FmriprepConfounds,
  e: ExpectedRun,
  tol: { rtol: number; atol: number },
  where: string,
): Check {
  if (!sameList(actual.sampleMask, e.sample_mask)) {
    return {
      ok: false,
      reason: `${where}sample_mask ${show(actual.sampleMask)} != expected ${show(e.sample_mask)}`,
    };
  }
  const conf = actual.confounds;
  if (e.confounds === null || e.columns === null) {
    return conf === null
      ? { ok: true }
      : { ok: false, reason: `${where}confounds: expected null, got shape [${conf.shape}]` };
  }
  if (conf === null) return { ok: false, reason: `${where}confounds: null, expected a matrix` };
  if (!sameList(conf.columns, e.columns)) {
    return {
      ok: false,
      reason: `${where}columns ${show(conf.columns)} != expected ${show(e.columns)}`,
    };
  }
  const [rows, cols] = e.confounds.shape;
  if (conf.shape[0] !== rows || conf.shape[1] !== cols) {
    return { ok: false, reason: `${where}shape [${conf.shape}] != expected [${rows}, ${cols}]` };
  }
  const nan = new Set((e.confounds.nonfinite ?? []).map(([r, c]) => r * cols + c));
  for (let i = 0; i < rows * cols; i++) {
    const a = conf.data[i] as number;
    if (nan.has(i) !== Number.isNaN(a)) {
      const at = `[${Math.floor(i / cols)}, ${i % cols}]`;
      return {
        ok: false,
        reason: `${where}${nan.has(i) ? "expected NaN" : `unexpected ${a}`} at ${at}`,
      };
    }
  }
  for (let c = 0; c < cols; c++) {
    let maxE = 0;
    let maxD = 0;
    for (let r = 0; r < rows; r++) {
      const i = r * cols + c;
      if (nan.has(i)) continue;
      const ev = e.confounds.data[i] as number;
      maxE = Math.max(maxE, Math.abs(ev));
      const d = Math.abs((conf.data[i] as number) - ev);
      maxD = Number.isNaN(d) ? Infinity : Math.max(maxD, d);
    }
    const allowed = tol.atol + tol.rtol * maxE;
    if (maxD > allowed) {
      return {
        ok: false,
        reason: `${where}column ${e.columns[c]}: max|A-E| = ${fmt(maxD)} > tol ${fmt(allowed)}`,
      };
    }
  }
  return { ok: true };
}

/** Error classes of niimask that stand for nilearn's. */
const ERROR_CLASSES: Record<string, readonly string[]> = {
  ValueError: [
    "TypeError",
    "RangeError",
    "FmriprepFileError",
    "MissingConfoundsError",
  ],
  KeyError: ["RangeError", "MissingConfoundsError", "FmriprepFileError"],
};

/** Names quoted in nilearn's message and file names under `<case_dir>/`. */
function gistTokens(message: string): string[] {
  const quoted = [...message.matchAll(/'([A-Za-z0-9_.\-]+)'/g)].map((m) => m[1] as string);
  const files = [...message.matchAll(/<case_dir>\/(\S+?\.(?:tsv|json|nii\.gz|nii))/g)].map((m) =>
    m[1] as string
  );
  return [...quoted, ...files];
}

function checkError(err: unknown, expect: { error: string; message?: string }): Check {
  if (notImplemented(err)) return { ok: false, reason: callError(err) };
  const name = err instanceof Error ? err.name : typeof err;
  const allowed = ERROR_CLASSES[expect.error] ?? [];
  if (!allowed.includes(name)) {
    return {
      ok: false,
      reason: `nilearn raises ${expect.error}, niimask ${callError(err)} (expected one of ${
        allowed.join(", ")
      })`,
    };
  }
  const msg = err instanceof Error ? err.message : String(err);
  const lacking = gistTokens(expect.message ?? "").filter((t) => !msg.includes(t));
  if (lacking.length > 0) {
    return {
      ok: false,
      reason: `the message does not name ${lacking.join(", ")}: ${callError(err)}`,
    };
  }
  return { ok: true };
}

/** nilearn's parameter names quoted in a message, as niimask names them. */
function camelToken(token: string): string {
  return OPTION_NAMES[token] ?? token;
}

/**
 * Each warning nilearn gave must be given: one of ours starts as nilearn's does (first 40
 * characters) and holds the names nilearn quotes (in camelCase).
 */
function checkWarnings(
  expected: readonly { category: string; message: string }[],
  actual: readonly string[],
): Check {
  for (const w of expected) {
    const start = w.message.slice(0, 40);
    const tokens = gistTokens(w.message).map(camelToken);
    const match = actual.some((a) => a.startsWith(start) && tokens.every((t) => a.includes(t)));
    if (!match) {
      return {
        ok: false,
        reason: `missing warning (nilearn ${w.category}): ${JSON.stringify(w.message)}; got ${
          JSON.stringify(actual)
        }`,
      };
    }
  }
  return { ok: true };
}

/** Run one fMRIPrep confounds case folder. */
export async function runFmriprepCase(dir: string, c: FmriprepCase): Promise<Check> {
  const expect = c.expect as Record<string, unknown> | ExpectedRun[];
  const wantsError = !Array.isArray(expect) && "error" in expect;
  let result: FmriprepConfounds | FmriprepConfounds[];
  const warnings: string[] = [];
  try {
    result = await call(dir, c, (m) => warnings.push(m));
  } catch (err) {
    if (wantsError) return checkError(err, expect as { error: string; message?: string });
    return { ok: false, reason: callError(err) };
  }
  if (wantsError) {
    const e = expect as { error: string; message?: string };
    return { ok: false, reason: expectedError(e.error, e.message) };
  }
  const warned = checkWarnings(c.warnings ?? [], warnings);
  if (!warned.ok) return warned;
  if (Array.isArray(expect)) {
    if (!Array.isArray(result)) return { ok: false, reason: "expected a list of results" };
    if (result.length !== expect.length) {
      return { ok: false, reason: `${result.length} results, expected ${expect.length}` };
    }
    for (let i = 0; i < expect.length; i++) {
      const check = compareRun(result[i]!, expect[i]!, c.tolerance, `run ${i}: `);
      if (!check.ok) return check;
    }
    return { ok: true };
  }
  if (Array.isArray(result)) return { ok: false, reason: "expected one result, got a list" };
  return compareRun(result, expect as unknown as ExpectedRun, c.tolerance, "");
}
