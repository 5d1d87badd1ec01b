/**
 * NaN/±Infinity checks in WebAssembly SIMD (`image/finite_scan.wat`: 4 float32 or 2 float64
 * values per instruction, about four times the speed of the JavaScript scan) over arrays that live
 * in a WebAssembly memory: a reader decodes volumes straight into such an array and checks each chunk right after it is
 * written. Plain WebAssembly (no host API), so it runs in any runtime that has it; where
 * WebAssembly or its SIMD is missing, {@link scannableArray} gives null and callers scan in
 * JavaScript ({@link hasNonFinite}).
 *
 * @module
 */
import { hasNonFinite } from "./finite_scan.ts";
import { FINITE_SCAN_WASM_BASE64 } from "./finite_scan_wasm_bytes.ts";
import { compileWasm } from "../linalg/wasm_module.ts";

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null when this runtime cannot run it (no WebAssembly or no SIMD). */
function scanModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileWasm(FINITE_SCAN_WASM_BASE64);
  return compiled;
}

/** A float array held in a WebAssembly memory, with a fast check of any range of it. */
export interface ScannableArray {
  /** The values (a view of the whole memory's first `length` values). */
  readonly data: Float32Array | Float64Array;
  /**
   * Whether a value of `data[from ... from + count)` is NaN or ±Infinity.
   *
   * @param from first index.
   * @param count number of values.
   */
  hasNonFinite(from: number, count: number): boolean;
}

/**
 * A zeroed float array of `length` values in its own WebAssembly memory, checked for NaN/±Infinity
 * with SIMD; null when the runtime has no WebAssembly SIMD (or the memory cannot be had).
 *
 * @param float32 float32 values (else float64).
 * @param length number of values.
 * @returns the array and its check, or null.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scannableArray } from "./finite_scan_wasm.ts";
 * const a = scannableArray(true, 21);
 * if (a !== null) {
 *   a.data.fill(1);
 *   assert.equal(a.hasNonFinite(0, 21), false);
 *   a.data[20] = NaN;
 *   assert.equal(a.hasNonFinite(0, 21), true);
 *   assert.equal(a.hasNonFinite(0, 20), false);
 *   a.data[3] = -Infinity;
 *   assert.equal(a.hasNonFinite(2, 2), true);
 * }
 * ```
 */
export function scannableArray(float32: boolean, length: number): ScannableArray | null {
  const module = scanModule();
  if (module === null) return null;
  const size = float32 ? 4 : 8;
  let memory: WebAssembly.Memory;
  let exports: WebAssembly.Exports;
  try {
    memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((length * size) / 65536)) });
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  } catch {
    return null; // e.g. more than 4 GiB: the caller allocates an ordinary array
  }
  const data = float32
    ? new Float32Array(memory.buffer, 0, length)
    : new Float64Array(memory.buffer, 0, length);
  const scan = (float32 ? exports.f32 : exports.f64) as (p: number, n: number) => number;
  const step = float32 ? 8 : 4; // values per 32 bytes
  return {
    data,
    hasNonFinite(from: number, count: number): boolean {
      // Aligned middle in WebAssembly (16-byte loads), the ends in JavaScript.
      let head = (-from) & (step - 1);
      if (head > count) head = count;
      const bodyStart = from + head;
      const body = (count - head) - ((count - head) & (step - 1));
      if (head > 0 && hasNonFinite(data.subarray(from, bodyStart))) return true;
      if (body > 0 && scan(bodyStart * size, body) !== 0) return true;
      return hasNonFinite(data.subarray(bodyStart + body, from + count));
    },
  };
}
