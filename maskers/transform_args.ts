/**
 * Per-call arguments of transform: confounds and sample masks, checked and spread per subject.
 *
 * @module
 */
import type { Matrix } from "../types.ts";
import { readConfoundsFile } from "../signal/confounds_file.ts";
import type { ConfoundsSource, TransformOptions } from "./types.ts";
import type { SampleMask } from "../signal/sample_mask.ts";
import { isImgSource } from "./config.ts";
import { isMatrix } from "./type_guards.ts";

/** The confounds of one subject: a matrix or CSV/TSV path, a list of those, or none. */
export type OneConfounds = ConfoundsSource | readonly ConfoundsSource[] | null | undefined;

/** The confound matrices of one subject (files read); TypeError naming subject `name`. */
export async function resolveConfounds(spec: OneConfounds, name: string): Promise<Matrix[]> {
  if (spec === null || spec === undefined) return [];
  const list: readonly unknown[] = Array.isArray(spec) ? spec : [spec];
  const out: Matrix[] = [];
  for (const entry of list) {
    if (entry === null || entry === undefined) continue;
    if (typeof entry === "string" || entry instanceof URL) {
      out.push(await readConfoundsFile(entry));
    } else if (isMatrix(entry)) {
      if (entry.data.length !== entry.shape[0] * entry.shape[1]) {
        throw new TypeError(
          `confounds for ${name}: matrix data length ${entry.data.length} does not match shape [${
            entry.shape.join(", ")
          }]`,
        );
      }
      out.push(entry);
    } else {
      throw new TypeError(
        `confounds for ${name}: expected a matrix { data, shape }, a CSV/TSV path or null`,
      );
    }
  }
  return out;
}

/** One entry per subject of a list of `n` (all null when `value` is null); TypeError naming `what`. */
export function perSubject<T>(
  value: T | readonly T[] | null | undefined,
  n: number,
  what: string,
  isEntry: (v: unknown) => boolean,
): (T | null)[] {
  if (value === null || value === undefined) return Array.from({ length: n }, () => null);
  if (
    !Array.isArray(value) || value.length !== n || !value.every((v) => v === null || isEntry(v))
  ) {
    throw new TypeError(
      `${what}: for a list of ${n} images, expected null or a list of ${n} entries (one per image)`,
    );
  }
  return value as (T | null)[];
}

/** Whether `v` is one subject's sample mask: volume indices or booleans. */
export function isSampleMaskEntry(v: unknown): boolean {
  return typeof v === "object" && v !== null && "length" in v &&
    ((v as ArrayLike<unknown>).length === 0 ||
      typeof (v as ArrayLike<unknown>)[0] === "number" ||
      typeof (v as ArrayLike<unknown>)[0] === "boolean");
}

/** Whether `v` is one subject's confounds: a matrix, a path or URL, or a list of those. */
export function isConfoundsEntry(v: unknown): boolean {
  return typeof v === "string" || v instanceof URL || isMatrix(v) ||
    (Array.isArray(v) && v.every((x) => x === null || isConfoundsEntry(x)));
}

/** One image's per-call arguments, checked. */
export interface SingleArgs {
  readonly confounds: OneConfounds;
  readonly sampleMask: SampleMask | null;
}

/** The arguments of a single-image transform, checked (TypeError naming the argument). */
export function singleArgs(img: unknown, options: TransformOptions): SingleArgs {
  if (!isImgSource(img)) {
    throw new TypeError("imgs: expected a NIfTI path, URL, bytes or an image (3D or 4D)");
  }
  if (
    options.confounds !== null && options.confounds !== undefined &&
    !isConfoundsEntry(options.confounds)
  ) {
    throw new TypeError("confounds: expected a matrix, a CSV/TSV path, a list of those, or null");
  }
  const sm = options.sampleMask ?? null;
  if (sm !== null && !isSampleMaskEntry(sm)) {
    throw new TypeError(
      "sampleMask: expected volume indices, a boolean mask or null for one image",
    );
  }
  return { confounds: options.confounds as OneConfounds, sampleMask: sm as SampleMask | null };
}

/**
 * The arguments of a list transform, checked and spread one per image (TypeError naming the
 * argument; RangeError for an empty list).
 */
export function listArgs(
  imgs: unknown,
  options: TransformOptions,
): { confounds: (OneConfounds | null)[]; masks: (SampleMask | null)[] } {
  if (!Array.isArray(imgs)) throw new TypeError("imgs: expected a list of images");
  if (imgs.length === 0) throw new RangeError("imgs: the list of images is empty");
  const confounds = perSubject<OneConfounds>(
    options.confounds as OneConfounds | readonly OneConfounds[],
    imgs.length,
    "confounds",
    isConfoundsEntry,
  );
  const masks = perSubject<SampleMask>(
    options.sampleMask as unknown as readonly SampleMask[] | null,
    imgs.length,
    "sampleMask",
    isSampleMaskEntry,
  );
  if (options.onOutcome !== undefined && typeof options.onOutcome !== "function") {
    throw new TypeError("onOutcome: expected a function (index, outcome) or undefined");
  }
  return { confounds, masks };
}
