/**
 * Loader of the dense linear algebra kernels in WebAssembly SIMD (`linalg/linalg_simd.wat`,
 * float64x2): the plane rotations of the symmetric eigensolver's QL sweeps, the matrix-vector
 * passes of its Householder reduction and of the formation of Q, and blocked matrix products.
 * Each kernel gives the same numbers, bit for bit, as its JavaScript counterpart (same
 * multiplications and additions in the same order per element), which remains the reference and
 * the fallback where WebAssembly or its SIMD is missing.
 *
 * One module instance per thread, with its own non-shared memory grown on demand; callers copy
 * inputs in and results out (O(n²) against the kernels' O(n³)). Plain WebAssembly, no host API.
 * Internal to niimask.
 *
 * @module
 */
import { LINALG_SIMD_WASM_BASE64 } from "./linalg_simd_wasm.ts";
import { compileWasm } from "./wasm_module.ts";

/** The kernels' exports (addresses are byte offsets into `memory`). */
export interface LinalgKernels {
  /** The instance's memory (its buffer changes when it grows). */
  readonly memory: WebAssembly.Memory;
  /**
   * The recorded QL sweeps applied to the strips [t0, t1) of Z (eight components of every column
   * per strip, `stripb` bytes apart): `(zt, stripb, hdr, sweeps, rots, t0, t1)`.
   */
  readonly rot: (
    zt: number,
    stripb: number,
    hdr: number,
    ns: number,
    rots: number,
    t0: number,
    t1: number,
  ) => void;
  /** `y[k1..) = Σ_j x[j] M[j][k1..)`, j = k1..n-1 ascending. */
  readonly gemv_t: (
    m: number,
    s: number,
    x: number,
    k1: number,
    n: number,
    y: number,
  ) => void;
  /**
   * `A[i][k1..) -= v[i] w + w[i] v` for i = i0..i1-1; with x2 != 0, then also
   * `y2[k1..) = Σ_i x2[i] A[i][k1..)` over the same rows.
   */
  readonly syr2: (
    a: number,
    s: number,
    v: number,
    w: number,
    k1: number,
    n: number,
    i0: number,
    i1: number,
    x2: number,
    y2: number,
  ) => void;
  /**
   * Q = H_0 ... H_{n-3} on one strip of 64 columns [j0, j0 + 64) of Q held at `qs`, 512 bytes
   * per row (the identity there; j1 - j0 columns real), reflector k in row k of `hv` (stride s)
   * with factor `beta[k]`; `u` is scratch for 64 values.
   */
  readonly formq: (
    qs: number,
    s: number,
    hv: number,
    beta: number,
    n: number,
    j0: number,
    j1: number,
    u: number,
  ) => void;
  /**
   * Rows [ia, ib) (even) of `out += a b` (order np, row stride ld, multiples of 8); lower: the
   * column strips of 8 that meet the lower triangle only.
   */
  readonly gemm: (
    a: number,
    b: number,
    out: number,
    np: number,
    ld: number,
    lower: number,
    ia: number,
    ib: number,
  ) => void;
}

const PAGE = 65536;
/** Largest memory the kernels use (byte offsets are int32): 2 GiB. */
const MAX_BYTES = 2 ** 31;

let enabled = true;
let compiled: WebAssembly.Module | null | undefined;
let kernels: LinalgKernels | undefined;
/** Largest memory kept between calls, per thread (64 MiB: symEig up to n ~ 2000). */
const KEEP_BYTES = 64 * 2 ** 20;

/**
 * Turn the WebAssembly kernels on or off for this thread (tests force the JavaScript reference
 * with `false`); gives the previous setting.
 *
 * @param on whether the kernels may run.
 * @returns the setting before the call.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linalgKernels, setLinalgSimd } from "./linalg_simd.ts";
 * const before = setLinalgSimd(false);
 * assert.equal(linalgKernels(1024), null);
 * setLinalgSimd(before);
 * ```
 */
export function setLinalgSimd(on: boolean): boolean {
  const before = enabled;
  enabled = on;
  return before;
}

/** The compiled module, or null when this runtime cannot run it. */
function linalgModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileWasm(LINALG_SIMD_WASM_BASE64);
  return compiled;
}

/** A new instance of the kernels with its own memory of `bytes` bytes. */
function instantiate(module: WebAssembly.Module, bytes: number): LinalgKernels {
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports;
  return {
    memory,
    rot: e.rot as LinalgKernels["rot"],
    gemv_t: e.gemv_t as LinalgKernels["gemv_t"],
    syr2: e.syr2 as LinalgKernels["syr2"],
    formq: e.formq as LinalgKernels["formq"],
    gemm: e.gemm as LinalgKernels["gemm"],
  };
}

/**
 * The kernels with a memory of at least `bytes` bytes, or null (kernels turned off, no
 * WebAssembly SIMD, or no memory that large). Up to {@link KEEP_BYTES}, one instance per thread
 * is kept and grown; a larger request gets an instance of its own, freed with it (a memory
 * cannot shrink). Callers finish with the kernels before asking again.
 *
 * @param bytes the memory the caller will address, from 0.
 * @returns the kernels, or null to run the JavaScript code.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linalgKernels } from "./linalg_simd.ts";
 * const k = linalgKernels(1 << 20);
 * if (k !== null) assert.ok(k.memory.buffer.byteLength >= 1 << 20);
 * ```
 */
export function linalgKernels(bytes: number): LinalgKernels | null {
  if (!enabled || !(bytes <= MAX_BYTES)) return null;
  const module = linalgModule();
  if (module === null) return null;
  try {
    if (bytes > KEEP_BYTES) return instantiate(module, bytes);
    if (kernels === undefined) kernels = instantiate(module, bytes);
    const have = kernels.memory.buffer.byteLength;
    if (have < bytes) kernels.memory.grow(Math.ceil((bytes - have) / PAGE));
    return kernels;
  } catch {
    return null; // no memory that large: the JavaScript code runs
  }
}

/**
 * A row stride (float64 values) of at least `m`, a multiple of 8 whose number of 64-byte lines is
 * odd: rows then fall on different cache sets (a power-of-two stride such as 1024 values would
 * map a column of the matrix to a single set).
 *
 * @param m the row length, a multiple of 8.
 * @returns the stride, m or m + 8.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rowStride } from "./linalg_simd.ts";
 * assert.equal(rowStride(1024), 1032);
 * assert.equal(rowStride(1032), 1032);
 * ```
 */
export function rowStride(m: number): number {
  return (m & 8) !== 0 ? m : m + 8;
}

/**
 * `a b` for row-major (n x n) matrices with the WebAssembly kernel, each entry summed over k
 * ascending as the JavaScript product; with `lower`, only the entries on and below the diagonal
 * are meaningful. Null when the kernels are unavailable.
 *
 * @param a left factor, n * n values.
 * @param b right factor, n * n values.
 * @param n order.
 * @param lower compute the lower triangle only (about half the work).
 * @returns the product (row-major, n * n), or null.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gemmSimd } from "./linalg_simd.ts";
 * const p = gemmSimd(Float64Array.from([1, 2, 3, 4]), Float64Array.from([5, 6, 7, 8]), 2, false);
 * if (p !== null) assert.deepEqual(Array.from(p), [19, 22, 43, 50]);
 * ```
 */
export function gemmSimd(
  a: Float64Array,
  b: Float64Array,
  n: number,
  lower: boolean,
): Float64Array | null {
  const np = (n + 7) & ~7;
  const ld = rowStride(np);
  const size = np * ld;
  const k = linalgKernels(3 * size * 8);
  if (k === null) return null;
  const mem = new Float64Array(k.memory.buffer, 0, 3 * size);
  mem.fill(0);
  for (let i = 0; i < n; i++) {
    mem.set(a.subarray(i * n, i * n + n), i * ld);
    mem.set(b.subarray(i * n, i * n + n), size + i * ld);
  }
  // Blocks of 64 rows, which stay in cache through the block's pass over b; several calls also
  // let an engine that first runs a baseline compilation switch to its optimised code.
  for (let i = 0; i < np; i += 64) {
    k.gemm(0, size * 8, 2 * size * 8, np, ld, lower ? 1 : 0, i, Math.min(np, i + 64));
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    out.set(mem.subarray(2 * size + i * ld, 2 * size + i * ld + n), i * n);
  }
  return out;
}
