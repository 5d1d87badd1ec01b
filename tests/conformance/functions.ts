/**
 * Function-level cases (`functions/`, FUNCTIONS.md): one call of a building block per case,
 * dispatched on the case's `function` key to niimask's API.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import type { Image, Matrix } from "../../types.ts";
import * as imageMod from "../../image/mod.ts";
import * as signalMod from "../../signal/mod.ts";
import {
  all,
  type Check,
  compareAffine,
  compareArrays,
  compareScalar,
  compareUpToColumnSign,
  type Tolerance,
} from "./compare.ts";
import { flattenRows, fortranToC, parseArrayJson, toMatrix, voxelOffset } from "./arrays.ts";
import { callError, expectedError, notImplemented } from "./errors.ts";
import { snakeToCamel } from "./names.ts";

/** A parsed function case (`case.json` with a `function` key). */
export interface FunctionCase {
  readonly name: string;
  readonly function: string;
  readonly args: Record<string, unknown>;
  readonly expect: Record<string, unknown>;
  readonly tolerance: Tolerance;
}

type Fn = (...args: unknown[]) => unknown;

/** An export of a module looked up by name, so the runner compiles before it exists. */
function exported(mod: unknown, name: string): Fn {
  const f = (mod as Record<string, unknown>)[name];
  if (typeof f !== "function") {
    return () => {
      throw new Error(`${name} is not implemented yet (no such export)`);
    };
  }
  return f as Fn;
}

function path(dir: string, file: unknown, what: string): string {
  if (typeof file !== "string") {
    throw new TypeError(`case arg ${what}: expected a file name, found ${JSON.stringify(file)}`);
  }
  return isAbsolute(file) ? file : join(dir, file);
}

async function load(dir: string, file: unknown, what: string): Promise<Image> {
  return await imageMod.loadImg(path(dir, file, what));
}

async function loadOptional(dir: string, file: unknown, what: string): Promise<Image | null> {
  return file === null || file === undefined ? null : await load(dir, file, what);
}

function arrayArg(value: unknown, what: string): { shape: number[]; data: Float64Array } {
  return parseArrayJson(value, `case arg ${what}`);
}

/** `signal.clean`: signals (with `nonfinite` written in) and camelCase keyword arguments. */
function runClean(args: Record<string, unknown>): Matrix {
  const sig = arrayArg(args.signals, "signals");
  const signals = toMatrix(sig, "signals");
  const cols = signals.shape[1];
  const nonfinite = (args.nonfinite ?? []) as [number, number, string][];
  for (const [r, c, v] of nonfinite) {
    signals.data[r * cols + c] = v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (key === "signals" || key === "nonfinite") continue;
    if (key === "confounds" && value !== null) {
      options.confounds = toMatrix(arrayArg(value, "confounds"), "confounds");
    } else {
      options[snakeToCamel(key)] = value;
    }
  }
  return signalMod.clean(signals, options);
}

function asCOrderImage(img: Image): { shape: readonly number[]; data: Float64Array } {
  return { shape: img.shape, data: fortranToC(img.data, img.shape) };
}

function isImage(x: unknown): x is Image {
  return typeof x === "object" && x !== null && "data" in x && "shape" in x && "affine" in x;
}

function isMatrix(x: unknown): x is Matrix {
  return typeof x === "object" && x !== null && "data" in x && "shape" in x &&
    Array.isArray((x as Matrix).shape);
}

/** Call the function of a case; resolves to its result. */
async function call(dir: string, c: FunctionCase): Promise<unknown> {
  const a = c.args;
  switch (c.function) {
    case "signal.clean":
      return runClean(a);
    case "image.resample_img": {
      const img = await load(dir, a.img, "img");
      const options: Record<string, unknown> = {
        targetAffine: flattenRows(a.target_affine, "target_affine"),
      };
      if ("target_shape" in a) options.targetShape = a.target_shape;
      if ("interpolation" in a) options.interpolation = a.interpolation;
      if ("clip" in a) options.clip = a.clip;
      if ("fill_value" in a) options.fillValue = a.fill_value;
      return imageMod.resampleImg(img, options as unknown as imageMod.ResampleOptions);
    }
    case "image.smooth_img": {
      const img = await load(dir, a.img, "img");
      return imageMod.smoothImg(img, a.fwhm as number | number[] | null);
    }
    case "image.high_variance_confounds": {
      const img = await load(dir, a.imgs, "imgs");
      const options: Record<string, unknown> = {
        maskImg: await loadOptional(dir, a.mask_img, "mask_img"),
      };
      for (const [key, value] of Object.entries(a)) {
        if (key !== "imgs" && key !== "mask_img") options[snakeToCamel(key)] = value;
      }
      return await exported(imageMod, "highVarianceConfounds")(img, options);
    }
    case "regions.img_to_signals_maps": {
      const img = await load(dir, a.imgs, "imgs");
      const maps = await load(dir, a.maps_img, "maps_img");
      const mask = await loadOptional(dir, a.mask_img, "mask_img");
      return imageMod.imgToSignalsMaps(img, maps, mask);
    }
    case "regions.signals_to_img_maps": {
      // A 1D array (n_maps,) is one time point: nilearn then returns a 3D image.
      const rs = arrayArg(a.region_signals, "region_signals");
      const signals = rs.shape.length === 1 ? rs.data : toMatrix(rs, "region_signals");
      const maps = await load(dir, a.maps_img, "maps_img");
      const mask = await loadOptional(dir, a.mask_img, "mask_img");
      return imageMod.signalsToImgMaps(signals, maps, mask);
    }
    case "image.load_img":
      return await imageMod.loadImg(path(dir, a.img, "img"));
    default:
      throw new UnknownFunction(c.function);
  }
}

class UnknownFunction extends Error {
  constructor(name: string) {
    super(`unknown function ${JSON.stringify(name)} in case.json`);
  }
}

/** Compare a `load_img` result with its summary (`shape`, `affine`, counts, sums, samples). */
export function checkLoadSummary(img: Image, e: Record<string, unknown>, tol: Tolerance): Check {
  const expShape = e.shape as number[];
  if (!(img.shape.length === expShape.length && img.shape.every((d, i) => d === expShape[i]))) {
    return {
      ok: false,
      reason: `shape [${img.shape.join(", ")}] != expected [${expShape.join(", ")}]`,
    };
  }
  let nNan = 0;
  let nInf = 0;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  const d = img.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i] ?? NaN;
    if (Number.isNaN(v)) nNan++;
    else if (!Number.isFinite(v)) nInf++;
    else {
      sum += v;
      sumSq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const sampleChecks = function* (): Generator<Check> {
    for (const s of (e.samples ?? []) as (number | string)[][]) {
      const idx = s.slice(0, -1) as number[];
      const raw = s[s.length - 1];
      const want = typeof raw === "string"
        ? (raw === "nan"
          ? NaN
          : raw === "inf"
          ? Infinity
          : raw === "-inf"
          ? -Infinity
          : Number(raw))
        : Number(raw);
      const got = d[voxelOffset(idx, img.shape)] ?? NaN;
      yield compareScalar(`voxel [${idx.join(", ")}]`, got, want, tol);
    }
  };
  return all([
    compareAffine(img.affine, flattenRows(e.affine, "expect.affine")),
    nNan === e.n_nan
      ? { ok: true }
      : { ok: false, reason: `n_nan: got ${nNan}, expected ${e.n_nan}` },
    nInf === e.n_inf
      ? { ok: true }
      : { ok: false, reason: `n_inf: got ${nInf}, expected ${e.n_inf}` },
    compareScalar("sum", sum, e.sum as number, tol),
    compareScalar("sum_sq", sumSq, e.sum_sq as number, tol),
    compareScalar("min", min, e.min as number, tol),
    compareScalar("max", max, e.max as number, tol),
    ...sampleChecks(),
  ]);
}

function resultShapeCheck(result: unknown, fn: string): Check | null {
  if (result === null || typeof result !== "object") {
    return { ok: false, reason: `${fn} returned ${String(result)}, expected an image or matrix` };
  }
  return null;
}

/** Run one function case folder. */
export async function runFunctionCase(dir: string, c: FunctionCase): Promise<Check> {
  const expect = c.expect;
  const tol = c.tolerance;
  const wantsError = "error" in expect;
  let result: unknown;
  try {
    result = await call(dir, c);
  } catch (err) {
    if (err instanceof UnknownFunction) return { ok: false, reason: err.message };
    if (notImplemented(err)) return { ok: false, reason: callError(err) };
    if (wantsError) {
      if (c.function === "image.load_img") {
        // The message must name the file (FUNCTIONS.md: io_bad_* cases).
        const file = String(c.args.img).split("/").pop() ?? "";
        const msg = err instanceof Error ? err.message : String(err);
        if (!msg.includes(file)) {
          return {
            ok: false,
            reason: `the error does not name the file ${file}: ${callError(err)}`,
          };
        }
      }
      return { ok: true };
    }
    return { ok: false, reason: callError(err) };
  }
  if (wantsError) return { ok: false, reason: expectedError(expect.error, expect.message) };
  const bad = resultShapeCheck(result, c.function);
  if (bad) return bad;
  const expected = { shape: expect.shape as number[], data: expect.data as number[] };
  switch (c.function) {
    case "image.load_img":
      if (!isImage(result)) return { ok: false, reason: "load_img did not return an image" };
      return checkLoadSummary(result, expect, tol);
    case "image.resample_img":
    case "image.smooth_img":
    case "regions.signals_to_img_maps": {
      if (!isImage(result)) return { ok: false, reason: `${c.function} did not return an image` };
      const checks = [compareArrays(asCOrderImage(result), expected, tol)];
      if (expect.affine !== undefined) {
        checks.unshift(compareAffine(result.affine, flattenRows(expect.affine, "expect.affine")));
      }
      return all(checks);
    }
    default: {
      if (!isMatrix(result)) return { ok: false, reason: `${c.function} did not return a matrix` };
      return expect.up_to_column_sign
        ? compareUpToColumnSign(result, expected, tol)
        : compareArrays(result, expected, tol);
    }
  }
}
