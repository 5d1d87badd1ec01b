/**
 * Batched projection onto maps with a WebAssembly SIMD kernel (`image/project_simd.wat`), with
 * the plain JavaScript {@link projectBatch} as the fallback (no WebAssembly SIMD, small
 * projectors, a kernel already in use). Both give bit-identical numbers: each float64 accumulator
 * lane does the same multiply then add, in the same order, as the JavaScript kernel.
 *
 * {@link residentProjector} moves a projector's weights into a kernel instance's memory once (per
 * projector and thread: a worker that receives a projector moves its copy there); the returned
 * projector's arrays are views of that memory, so the weights are not held twice, and the
 * gathered volumes are written straight into it ({@link BatchProjector.batch}).
 *
 * @module
 */
import { type MapsProjector, PROJECT_BATCH, projectBatch, solveBatch } from "./maps_projection.ts";
import { PROJECT_SIMD_WASM_BASE64 } from "./project_simd_wasm.ts";

/**
 * Projects batches of up to {@link PROJECT_BATCH} volumes: fill {@link BatchProjector.batch} with
 * `gatherSupport` (columns 0..n-1), then call {@link BatchProjector.project}. Release it when
 * done (`using`, or {@link BatchProjector.release}) so the next extraction can use its kernel.
 */
export interface BatchProjector {
  /** Gathered support values, `support.length * PROJECT_BATCH` (see `gatherSupport`). */
  readonly batch: Float64Array;
  /** Whether the WebAssembly SIMD kernel runs (false: the JavaScript kernel). */
  readonly simd: boolean;
  /**
   * Project the batch's first `n` volumes, as {@link projectBatch}: volume b's coefficients go to
   * `out[(outRow + b) * nMaps ..]`.
   */
  project(n: number, out: Float64Array, outRow: number): void;
  /** Give the kernel back (idempotent). */
  release(): void;
  /** Same as {@link BatchProjector.release}, for `using`. */
  [Symbol.dispose](): void;
}

/** Fewest weights for which {@link residentProjector} moves a projector into wasm memory. */
export const SIMD_MIN_WEIGHTS: number = 1 << 15;

/** Largest wasm memory a kernel instance asks for (bytes); larger projectors use JavaScript. */
const MAX_MEMORY_BYTES = 2 ** 31;

type Kernel = (
  c: number,
  batch: number,
  tilePtr: number,
  segMap: number,
  segPtr: number,
  offsets: number,
  values: number,
  nTiles: number,
  k: number,
) => void;

/** A kernel instance holding one projector's weights, its batch and its accumulators. */
interface SimdState {
  readonly kernel: Kernel;
  readonly c: Float64Array;
  readonly batch: Float64Array;
  /** Byte offsets of c, batch, tilePtr, segMap, segPtr, offsets, values. */
  readonly at: readonly number[];
  busy: boolean;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel module, or null where WebAssembly (SIMD) is unavailable. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const text = atob(PROJECT_SIMD_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * Whether the WebAssembly SIMD kernel can run here (WebAssembly with 128-bit SIMD and bulk
 * memory).
 *
 * @returns true when {@link residentProjector} can use the SIMD kernel.
 * @example
 * ```ts
 * import { simdSupported } from "./project_simd.ts";
 * console.log(typeof simdSupported()); // "boolean"
 * ```
 */
export function simdSupported(): boolean {
  return typeof WebAssembly === "object" && kernelModule() !== null;
}

/** Kernel instances of resident projectors (the projector objects {@link residentProjector} made). */
const states = new WeakMap<MapsProjector, SimdState>();

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/**
 * A projector equal to `p` whose weights live in a WebAssembly SIMD kernel's memory (its
 * `tilePtr`, `segMap`, `segPtr`, `offsets` and `values` are views of it), so that
 * {@link makeBatchProjector} runs that kernel on it. `p` itself is not changed; drop it to free
 * its arrays. Returns `p` unchanged where WebAssembly SIMD is unavailable, for projectors that
 * need refinement or have fewer than `minWeights` weights, or when the memory cannot be had.
 *
 * @param p the projector.
 * @param minWeights fewest weights worth the kernel (default {@link SIMD_MIN_WEIGHTS}).
 * @returns the resident projector, or `p`.
 * @example
 * ```ts
 * import { makeMapsProjector } from "./maps_projection.ts";
 * import { makeBatchProjector, residentProjector } from "./project_simd.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
 * const p = residentProjector(makeMapsProjector(maps, null), 0);
 * using bp = makeBatchProjector(p);
 * console.log(bp.simd); // true where WebAssembly SIMD runs
 * ```
 */
export function residentProjector(
  p: MapsProjector,
  minWeights: number = SIMD_MIN_WEIGHTS,
): MapsProjector {
  const mod = kernelModule();
  const k = p.nMaps;
  const nS = p.support.length;
  const nnz = p.values.length;
  if (
    mod === null || states.has(p) || p.refine || k === 0 || nS === 0 || nnz < minWeights
  ) return p;
  const f32 = p.values instanceof Float32Array;
  const nTiles = p.tilePtr.length - 1;
  const nSeg = p.segMap.length;
  const at: number[] = [0];
  const sizes = [
    k * 8 * PROJECT_BATCH, // c
    nS * 8 * PROJECT_BATCH, // batch
    (nTiles + 1) * 4, // tilePtr
    nSeg * 4, // segMap
    (nSeg + 1) * 4, // segPtr
    nnz, // offsets
    nnz * (f32 ? 4 : 8), // values
  ];
  for (const size of sizes) at.push(align16(at[at.length - 1]! + size));
  const total = at.pop()!;
  if (total > MAX_MEMORY_BYTES) return p;
  let buf: ArrayBuffer;
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(mod, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    const pages = Math.ceil(total / 65536);
    const have = memory.buffer.byteLength / 65536;
    if (pages > have) memory.grow(pages - have);
    buf = memory.buffer as ArrayBuffer; // never grows again, so views of it stay valid
  } catch {
    return p; // e.g. out of memory: the JavaScript kernel still works
  }
  const [cAt, batchAt, tileAt, segMapAt, segPtrAt, offAt, valAt] = at as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const tilePtr = new Int32Array(buf, tileAt, nTiles + 1);
  const segMap = new Int32Array(buf, segMapAt, nSeg);
  const segPtr = new Int32Array(buf, segPtrAt, nSeg + 1);
  const offsets = new Uint8Array(buf, offAt, nnz);
  const values = f32 ? new Float32Array(buf, valAt, nnz) : new Float64Array(buf, valAt, nnz);
  tilePtr.set(p.tilePtr);
  segMap.set(p.segMap);
  segPtr.set(p.segPtr);
  offsets.set(p.offsets);
  values.set(p.values);
  const resident: MapsProjector = { ...p, tilePtr, segMap, segPtr, offsets, values };
  states.set(resident, {
    kernel: instance.exports[f32 ? "project_f32" : "project_f64"] as Kernel,
    c: new Float64Array(buf, cAt, k * PROJECT_BATCH),
    batch: new Float64Array(buf, batchAt, nS * PROJECT_BATCH),
    at,
    busy: false,
  });
  return resident;
}

/**
 * A batch projector for `p` (whose `refine` must be false): the SIMD kernel when `p` came from
 * {@link residentProjector} and its kernel is free, else the JavaScript {@link projectBatch};
 * the numbers are the same bit for bit.
 *
 * @param p the projector (`refine` false).
 * @returns a batch projector; release it when done.
 * @throws RangeError when the projector needs refinement (use `projectVolume`).
 * @example
 * ```ts
 * import { gatherSupport, makeMapsProjector } from "./maps_projection.ts";
 * import { makeBatchProjector, residentProjector } from "./project_simd.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
 * const p = residentProjector(makeMapsProjector(maps, null), 0);
 * using bp = makeBatchProjector(p);
 * gatherSupport(p, Float64Array.from([3, 4]), bp.batch, 0);
 * const out = new Float64Array(2);
 * bp.project(1, out, 0);
 * console.log(out); // [3, 4]
 * ```
 */
export function makeBatchProjector(p: MapsProjector): BatchProjector {
  if (p.refine) {
    throw new RangeError("makeBatchProjector: this projector needs projectVolume (refine)");
  }
  const s = states.get(p);
  if (s === undefined || s.busy) {
    const batch = new Float64Array(p.support.length * PROJECT_BATCH);
    const release = () => {};
    return {
      batch,
      simd: false,
      project: (n, out, outRow) => projectBatch(p, batch, n, out, outRow),
      release,
      [Symbol.dispose]: release,
    };
  }
  s.busy = true;
  let held = true;
  const release = () => {
    if (held) s.busy = held = false;
  };
  const [cAt, batchAt, tileAt, segMapAt, segPtrAt, offAt, valAt] = s.at as number[];
  const nTiles = p.tilePtr.length - 1;
  const k = p.nMaps;
  return {
    batch: s.batch,
    simd: true,
    project: (n, out, outRow) => {
      if (!held) throw new RangeError("BatchProjector: used after release");
      s.kernel(cAt!, batchAt!, tileAt!, segMapAt!, segPtrAt!, offAt!, valAt!, nTiles, k);
      solveBatch(p.gramPinv, s.c, k, n, out, outRow);
    },
    release,
    [Symbol.dispose]: release,
  };
}
