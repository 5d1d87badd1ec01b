/**
 * Masker cases (`cases/`, README.md): a masker built from `params`, then `steps` run in order
 * on one value (`fit` replaces it with the fitted masker it returns).
 *
 * @module
 */
import { extname, isAbsolute, join } from "node:path";
import type { Image, Matrix } from "../../types.ts";
import * as maskersMod from "../../maskers/mod.ts";
import { all, type Check, compareAffine, compareArrays, type Tolerance } from "./compare.ts";
import { flattenRows, fortranToC, readArrayFile, toMatrix } from "./arrays.ts";
import { callError, expectedError, notImplemented } from "./errors.ts";
import { snakeToCamel } from "./names.ts";

/** One step of a masker case. */
export interface Step {
  readonly call: string;
  readonly [key: string]: unknown;
}

/** A parsed masker case (`case.json` with `steps`). */
export interface MaskerCase {
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly steps: readonly Step[];
  readonly tolerance: Tolerance;
}

function abs(dir: string, file: string): string {
  return isAbsolute(file) ? file : join(dir, file);
}

/** nilearn constructor params to a `multiMapsMasker` config (paths made absolute). */
export function toConfig(dir: string, params: Record<string, unknown>): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key.startsWith("clean__")) {
      clean[snakeToCamel(key.slice("clean__".length))] = value;
    } else if ((key === "maps_img" || key === "mask_img") && typeof value === "string") {
      config[snakeToCamel(key)] = abs(dir, value);
    } else {
      config[snakeToCamel(key)] = value;
    }
  }
  if (Object.keys(clean).length > 0) config.clean = clean;
  return config;
}

function imgsArg(dir: string, imgs: unknown): unknown {
  if (imgs === null || imgs === undefined) return null;
  if (typeof imgs === "string") return abs(dir, imgs);
  if (Array.isArray(imgs)) return imgs.map((f) => imgsArg(dir, f));
  throw new TypeError(`step imgs: expected a file name or a list, found ${JSON.stringify(imgs)}`);
}

/** One confounds entry: `.json` array file → Matrix, `.csv`/`.tsv` → absolute path, null. */
async function confoundSource(dir: string, entry: unknown): Promise<Matrix | string | null> {
  if (entry === null || entry === undefined) return null;
  if (typeof entry !== "string") {
    throw new TypeError(
      `step confounds: expected a file name or null, found ${JSON.stringify(entry)}`,
    );
  }
  if (extname(entry).toLowerCase() === ".json") {
    return toMatrix(await readArrayFile(abs(dir, entry)), entry);
  }
  return abs(dir, entry);
}

async function confoundsArg(dir: string, confounds: unknown): Promise<unknown> {
  if (!Array.isArray(confounds)) return await confoundSource(dir, confounds);
  const out: unknown[] = [];
  for (const c of confounds) {
    out.push(Array.isArray(c) ? await confoundsArg(dir, c) : await confoundSource(dir, c));
  }
  return out;
}

type Method = (...args: unknown[]) => unknown;

function method(value: unknown, name: string): Method {
  const f = (value as Record<string, unknown> | null)?.[name];
  if (typeof f !== "function") {
    // An unfitted masker has no transform methods: calling one is an error, as in nilearn.
    throw new Error(`this masker has no method ${name} (not fitted?)`);
  }
  return (f as Method).bind(value);
}

const TRANSFORMS: Record<string, string> = {
  fit_transform: "fitTransform",
  transform: "transform",
  transform_imgs: "transformImgs",
  transform_single_imgs: "transformSingleImgs",
};

function matrixCheck(
  actual: unknown,
  expected: { shape: number[]; data: Float64Array },
  tol: Tolerance,
): Check {
  if (
    typeof actual !== "object" || actual === null || !("shape" in actual) || !("data" in actual)
  ) {
    return { ok: false, reason: `result is not a matrix: ${String(actual)}` };
  }
  return compareArrays(actual as Matrix, expected, tol);
}

async function compareResult(
  dir: string,
  result: unknown,
  expect: unknown,
  tol: Tolerance,
): Promise<Check> {
  if (Array.isArray(expect)) {
    if (!Array.isArray(result)) {
      return { ok: false, reason: `expected a list of ${expect.length} results, got one` };
    }
    if (result.length !== expect.length) {
      return { ok: false, reason: `got ${result.length} results, expected ${expect.length}` };
    }
    for (let i = 0; i < expect.length; i++) {
      const c = matrixCheck(result[i], await readArrayFile(abs(dir, String(expect[i]))), tol);
      if (!c.ok) return { ok: false, reason: `subject ${i}: ${c.reason}` };
    }
    return { ok: true };
  }
  if (Array.isArray(result)) {
    return { ok: false, reason: `expected one result, got a list of ${result.length}` };
  }
  return matrixCheck(result, await readArrayFile(abs(dir, String(expect))), tol);
}

function checkAttributes(value: unknown, expect: Record<string, unknown>): Check {
  const m = value as { nElements_?: unknown; mapsImg_?: Image };
  if (m?.mapsImg_ === undefined) {
    return { ok: false, reason: "masker has no mapsImg_ (not fitted?)" };
  }
  const shape = [...m.mapsImg_.shape];
  if (shape.length === 3) shape.push(1);
  const want = expect.maps_img_shape as number[];
  return all([
    m.nElements_ === expect.n_elements_
      ? { ok: true }
      : { ok: false, reason: `nElements_ = ${m.nElements_}, expected ${expect.n_elements_}` },
    shape.length === want.length && shape.every((d, i) => d === want[i]) ? { ok: true } : {
      ok: false,
      reason: `mapsImg_.shape = [${shape.join(", ")}], expected [${want.join(", ")}]`,
    },
    compareAffine(m.mapsImg_.affine, flattenRows(expect.maps_img_affine, "maps_img_affine")),
  ]);
}

/** Run a step (`more`: later steps follow); resolves to the check and the value they work on. */
async function runStep(
  dir: string,
  value: unknown,
  step: Step,
  tol: Tolerance,
  more: boolean,
): Promise<{ check: Check; value: unknown }> {
  const wantsError = "expect_error" in step;
  let result: unknown;
  try {
    switch (step.call) {
      case "fit":
        result = await method(value, "fit")(imgsArg(dir, step.imgs));
        break;
      case "fit_transform": {
        // The method under test gives the result. nilearn's fit_transform also leaves the masker
        // fitted and transformed once; our maskers are immutable, so when later steps follow,
        // the state they work on is `fit` on the same images followed by that transform.
        const args = {
          confounds: await confoundsArg(dir, step.confounds ?? null),
          sampleMask: step.sample_mask ?? null,
        };
        result = await method(value, "fitTransform")(imgsArg(dir, step.imgs), args);
        if (!wantsError) {
          let next = value;
          if (more) {
            next = await method(value, "fit")(imgsArg(dir, step.imgs));
            await method(next, "transform")(imgsArg(dir, step.imgs), args);
          }
          return { check: await compareResult(dir, result, step.expect, tol), value: next };
        }
        break;
      }
      case "transform":
      case "transform_imgs":
      case "transform_single_imgs":
        result = await method(value, TRANSFORMS[step.call]!)(imgsArg(dir, step.imgs), {
          confounds: await confoundsArg(dir, step.confounds ?? null),
          sampleMask: step.sample_mask ?? null,
        });
        break;
      case "inverse_transform": {
        const arr = await readArrayFile(abs(dir, String(step.region_signals)));
        const signals = arr.shape.length === 1
          ? arr.data
          : toMatrix(arr, String(step.region_signals));
        result = await method(value, "inverseTransform")(signals);
        break;
      }
      case "attributes": {
        if (wantsError) {
          // nilearn's AttributeError on an unfitted masker: here the attributes are absent.
          const fitted = (value as { mapsImg_?: unknown })?.mapsImg_ !== undefined;
          const check: Check = fitted
            ? { ok: false, reason: expectedError(step.expect_error, step.message_contains) }
            : { ok: true };
          return { check, value };
        }
        return { check: checkAttributes(value, step.expect as Record<string, unknown>), value };
      }
      default:
        return {
          check: { ok: false, reason: `unknown step call ${JSON.stringify(step.call)}` },
          value,
        };
    }
  } catch (err) {
    if (wantsError && !notImplemented(err)) return { check: { ok: true }, value };
    return { check: { ok: false, reason: callError(err) }, value };
  }
  if (wantsError) {
    return {
      check: { ok: false, reason: expectedError(step.expect_error, step.message_contains) },
      value,
    };
  }
  switch (step.call) {
    case "fit":
      return { check: { ok: true }, value: result };
    case "inverse_transform": {
      const img = result as Image;
      if (typeof img !== "object" || img === null || !("affine" in img)) {
        return { check: { ok: false, reason: "inverse_transform did not return an image" }, value };
      }
      const expected = await readArrayFile(abs(dir, String(step.expect)));
      return {
        check: all([
          compareArrays({ shape: img.shape, data: fortranToC(img.data, img.shape) }, expected, tol),
          compareAffine(img.affine, flattenRows(step.expect_affine, "expect_affine")),
        ]),
        value,
      };
    }
    default:
      return { check: await compareResult(dir, result, step.expect, tol), value };
  }
}

/** Run one masker case folder: every step must pass. */
export async function runMaskerCase(dir: string, c: MaskerCase): Promise<Check> {
  if (c.steps.length === 0) return { ok: false, reason: "case has no steps" };
  let value: unknown;
  try {
    value = maskersMod.multiMapsMasker(
      toConfig(dir, c.params) as unknown as maskersMod.MultiMapsMaskerConfig,
    );
  } catch (err) {
    // A creation-time error stands for the first step's error; the later steps cannot run, so
    // the case passes only when each of them expects an error too.
    if (!notImplemented(err) && c.steps.every((s) => "expect_error" in s)) {
      return { ok: true };
    }
    return { ok: false, reason: `creating the masker ${callError(err)}` };
  }
  for (let i = 0; i < c.steps.length; i++) {
    const step = c.steps[i]!;
    let out: { check: Check; value: unknown };
    try {
      out = await runStep(dir, value, step, c.tolerance, i + 1 < c.steps.length);
    } catch (err) {
      // Reading the case's own files failed.
      out = { check: { ok: false, reason: `case file problem: ${callError(err)}` }, value };
    }
    if (!out.check.ok) {
      return { ok: false, reason: `step ${i + 1} (${step.call}): ${out.check.reason}` };
    }
    value = out.value;
  }
  return { ok: true };
}
