/**
 * The numpy dtype nilearn holds an image's values in, which decides how resampling and smoothing
 * round them: nibabel gives the on-disk dtype for unscaled data and float64 for scaled data, and
 * nilearn's `dtype` argument (`check_niimg(..., dtype=...)`) may then cast it.
 *
 * @module
 */
import type { NiftiDtype } from "./load.ts";

/** A numpy dtype name of image values: the on-disk NIfTI types (integers, float32, float64). */
export type HeldDtype = NiftiDtype;

const HELD = new Set<string>([
  "uint8",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "uint64",
  "float32",
  "float64",
]);

/**
 * The dtype of an image's values as nibabel returns them (`np.asanyarray(img.dataobj)`): the
 * on-disk dtype when unscaled, float64 when `scl_slope`/`scl_inter` scale it.
 *
 * @param onDisk the datatype stored on disk (e.g. "uint8"); an unknown name counts as float64.
 * @param scaled whether scaling applies (a header `scaling` other than null).
 * @returns the dtype the values are held in.
 * @example
 * ```ts
 * import { heldDtype } from "./held_dtype.ts";
 * heldDtype("uint8", false); // "uint8"
 * heldDtype("uint8", true); // "float64"
 * ```
 */
export function heldDtype(onDisk: string, scaled: boolean): HeldDtype {
  if (scaled || !HELD.has(onDisk)) return "float64";
  return onDisk as HeldDtype;
}

/**
 * The dtype of an in-memory image's values: its `dtype` (with its header's scaling, as
 * {@link heldDtype}) when it carries one, as a loaded image does; else float32 for Float32Array
 * data and float64 otherwise.
 *
 * @param img an image, possibly with `dtype` and `header.scaling`.
 * @returns the dtype the values are held in.
 * @example
 * ```ts
 * import { imageHeldDtype } from "./held_dtype.ts";
 * imageHeldDtype({ data: new Float32Array(1) }); // "float32"
 * ```
 */
export function imageHeldDtype(img: { readonly data: ArrayLike<number> }): HeldDtype {
  const { dtype, header } = img as { dtype?: unknown; header?: { scaling?: unknown } | null };
  if (typeof dtype === "string") {
    return heldDtype(dtype, header !== undefined && header !== null && header.scaling != null);
  }
  return img.data instanceof Float32Array ? "float32" : "float64";
}

/**
 * The dtype after nilearn's cast to a requested `dtype` (`_get_target_dtype`): null keeps it,
 * "auto" gives int32 for signed integers and float32 otherwise (unsigned integers included).
 *
 * @param held the dtype the values are held in.
 * @param target the requested dtype: null, "auto", "float32" or "float64".
 * @returns the dtype after the cast.
 * @example
 * ```ts
 * import { castDtype } from "./held_dtype.ts";
 * castDtype("int16", "auto"); // "int32"
 * castDtype("uint8", "auto"); // "float32"
 * ```
 */
export function castDtype(
  held: HeldDtype,
  target: null | "auto" | "float32" | "float64",
): HeldDtype {
  if (target === null) return held;
  if (target === "auto") return /^int/.test(held) ? "int32" : "float32";
  return target;
}

/**
 * Values cast to a dtype as numpy's `astype` does for values already held in a wider one:
 * float32 rounding, int32 wrap-around; other dtypes unchanged.
 *
 * @param data the values (not modified).
 * @param dtype the dtype to cast to.
 * @returns `data` itself when nothing changes, else a new array (Float32Array for float32).
 * @example
 * ```ts
 * import { castValues } from "./held_dtype.ts";
 * castValues(Float64Array.of(0.1), "float32"); // Float32Array [0.1 rounded]
 * ```
 */
export function castValues<T extends Float32Array | Float64Array>(
  data: T,
  dtype: HeldDtype,
): T | Float32Array | Float64Array {
  if (dtype === "float32") return data instanceof Float32Array ? data : Float32Array.from(data);
  if (dtype === "int32") {
    let wraps = false;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v !== (v | 0)) {
        wraps = true;
        break;
      }
    }
    if (!wraps) return data;
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      // Integral values beyond 32 bits wrap (two's complement); others truncate then wrap.
      out[i] = Number.isFinite(v) ? Number(BigInt.asIntN(32, BigInt(Math.trunc(v)))) : 0;
    }
    return out;
  }
  return data;
}
