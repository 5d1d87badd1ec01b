/**
 * The type checks of masker parameters, run once when a masker is created (see `config.ts`'s
 * module doc for which values are checked later, where nilearn checks them). Each throws a
 * `TypeError` (wrong type) or `RangeError` (value out of range) naming the parameter.
 *
 * @module
 */
import { isImage } from "../image/check_image.ts";
import type { ImgSource } from "../image/load.ts";
import { CLEAN_KWARG_NAMES } from "./clean_kwargs.ts";
import type { CleanKwargs } from "./types.ts";

/** A value as shown in a message (strings quoted, long objects cut). */
export function quote(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "undefined";
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (typeof v === "object" && v !== null) {
    try {
      const s = JSON.stringify(v);
      return s.length > 80 ? s.slice(0, 77) + "..." : s;
    } catch {
      return Object.prototype.toString.call(v);
    }
  }
  return String(v);
}

/** True when `v` is something {@link ImgSource} allows. */
export function isImgSource(v: unknown): v is ImgSource {
  if (typeof v === "string") return v.length > 0;
  if (v instanceof URL || v instanceof Uint8Array) return true;
  if (typeof Blob !== "undefined" && v instanceof Blob) return true;
  if (isImage(v)) return true;
  if (Array.isArray(v)) {
    return v.length > 0 &&
      v.every((x) => (typeof x === "string" && x.length > 0) || x instanceof URL || isImage(x));
  }
  return false;
}

/** `true` or `false`. */
export function bool(name: string, v: unknown): void {
  if (typeof v !== "boolean") {
    throw new TypeError(`${name}: expected true or false, found ${quote(v)}`);
  }
}

/** A finite number in `unit`, or null. */
export function optNumber(name: string, v: unknown, unit: string): void {
  if (v === null) return;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`${name}: expected a number (${unit}) or null, found ${quote(v)}`);
  }
}

/** A string (its value is checked where it is used), null, or `false` when `allowFalse`. */
export function optString(name: string, v: unknown, expected: string, allowFalse = false): void {
  if (v === null || typeof v === "string" || (allowFalse && v === false)) return;
  throw new TypeError(
    `${name}: expected one of ${expected}${allowFalse ? ", false" : ""} or null, found ${quote(v)}`,
  );
}

/** One of `allowed` (a RangeError otherwise). */
export function oneOf(name: string, v: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(v)) {
    throw new RangeError(
      `${name}: expected one of ${allowed.map(quote).join(", ")}, found ${quote(v)}`,
    );
  }
}

/** An integer >= `min`. */
export function int(name: string, v: unknown, min: number): void {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${name}: expected an integer, found ${quote(v)}`);
  }
  if (v < min) throw new RangeError(`${name}: expected an integer >= ${min}, found ${v}`);
}

/** The `clean` options object: known names, right types (values are checked by `clean`). */
export function validateClean(v: unknown): CleanKwargs {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new TypeError(`clean: expected an object of clean options, found ${quote(v)}`);
  }
  const c = v as Record<string, unknown>;
  const known: readonly string[] = CLEAN_KWARG_NAMES;
  for (const key of Object.keys(c)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `clean.${key}: unknown clean option; expected one of ${known.join(", ")}`,
      );
    }
  }
  // Values are checked by `clean` at transform, as nilearn does; types are checked here.
  if ("filter" in c) optString("clean.filter", c.filter, '"butterworth", "cosine"', true);
  if ("extrapolate" in c) bool("clean.extrapolate", c.extrapolate);
  if ("ensureFinite" in c) bool("clean.ensureFinite", c.ensureFinite);
  if ("butterworthOrder" in c) int("clean.butterworthOrder", c.butterworthOrder, -Infinity);
  if ("butterworthPadtype" in c) {
    optString("clean.butterworthPadtype", c.butterworthPadtype, '"odd", "even", "constant"');
  }
  if ("butterworthPadlen" in c && c.butterworthPadlen !== null) {
    int("clean.butterworthPadlen", c.butterworthPadlen, -Infinity);
  }
  return Object.freeze({ ...c }) as CleanKwargs;
}
