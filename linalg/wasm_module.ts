/**
 * The one loader of niimask's embedded WebAssembly kernels (`image/project_simd.wat`,
 * `image/finite_scan.wat`, `linalg/linalg_simd.wat`): their bytes are committed as base64 and
 * compiled here once per thread. Internal to niimask.
 *
 * @module
 */

/**
 * The compiled module of base64-encoded WebAssembly bytes, or null where this runtime cannot
 * compile it (no WebAssembly, or a feature it lacks such as SIMD or relaxed SIMD).
 *
 * @param base64 the module's bytes, base64.
 * @returns the module, or null.
 * @example
 * ```ts
 * import { compileWasm } from "./wasm_module.ts";
 * console.log(compileWasm("AGFzbQEAAAA=") !== null); // true: the empty module
 * console.log(compileWasm("AAAA")); // null: not WebAssembly
 * ```
 */
export function compileWasm(base64: string): WebAssembly.Module | null {
  if (typeof WebAssembly !== "object") return null;
  try {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new WebAssembly.Module(bytes);
  } catch {
    return null;
  }
}
