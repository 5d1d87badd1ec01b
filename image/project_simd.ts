/**
 * Batched projection onto maps with a WebAssembly SIMD kernel (`image/project_simd.wat`), falling
 * back to the plain JavaScript {@link projectBatch} where WebAssembly SIMD is unavailable and for
 * small projectors. Both give bit-identical numbers: each float64 accumulator lane does the same
 * multiply then add, in the same order, as the JavaScript kernel.
 *
 * The kernel's weights, indices and row pointers are copied once per projector (and thread: a
 * worker that receives a projector builds its own copy on first use) into the module's memory;
 * the gathered volumes are written straight into it ({@link BatchProjector.batch}).
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

/** Options of {@link makeBatchProjector}. */
export interface BatchProjectorOptions {
  /**
   * `"auto"` (default): SIMD when supported and the projector has at least
   * {@link SIMD_MIN_WEIGHTS} weights; `true`: SIMD whenever supported; `false`: JavaScript.
   */
  simd?: boolean | "auto";
}

/** Fewest weights for which {@link makeBatchProjector} uses the SIMD kernel by default. */
export const SIMD_MIN_WEIGHTS: number = 1 << 15;

/** Largest wasm memory the kernel asks for (bytes); larger projectors use JavaScript. */
const MAX_MEMORY_BYTES = 2 ** 31;

type Kernel = (
  c: number,
  batch: number,
  rowPtr: number,
  col: number,
  val: number,
  nS: number,
  k: number,
) => void;

/** One projector's copy of its weights in wasm memory, and its batch and accumulators there. */
interface SimdState {
  readonly kernel: Kernel;
  readonly c: Float64Array;
  readonly batch: Float64Array;
  readonly offsets: readonly [number, number, number, number, number];
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
 * @returns true when {@link makeBatchProjector} can use the SIMD kernel.
 * @example
 * ```ts
 * import { simdSupported } from "./project_simd.ts";
 * console.log(typeof simdSupported()); // "boolean"
 * ```
 */
export function simdSupported(): boolean {
  return typeof WebAssembly === "object" && kernelModule() !== null;
}

const states = new WeakMap<MapsProjector, SimdState | null>();

const align = (n: number, a: number) => Math.ceil(n / a) * a;

/** Copy a projector into a fresh kernel instance's memory; null when it cannot be done. */
function buildState(p: MapsProjector): SimdState | null {
  const mod = kernelModule();
  const k = p.nMaps;
  const nS = p.support.length;
  const nnz = p.colIdx.length;
  if (mod === null || k === 0 || k > 0x10000 || nS === 0) return null;
  const f32 = p.values instanceof Float32Array;
  const cOff = 0;
  const batchOff = align(cOff + k * 8 * PROJECT_BATCH, 16);
  const rowOff = align(batchOff + nS * 8 * PROJECT_BATCH, 16);
  const colOff = align(rowOff + (nS + 1) * 4, 16);
  const valOff = align(colOff + nnz * 2, 16);
  const total = valOff + nnz * (f32 ? 4 : 8);
  if (total > MAX_MEMORY_BYTES) return null;
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(mod, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    const pages = Math.ceil(total / 65536);
    const have = memory.buffer.byteLength / 65536;
    if (pages > have) memory.grow(pages - have);
  } catch {
    return null; // e.g. out of memory: the JavaScript kernel still works
  }
  // The memory never grows again, so these views stay valid.
  const buf = (instance.exports.memory as WebAssembly.Memory).buffer;
  new Int32Array(buf, rowOff, nS + 1).set(p.rowPtr);
  new Uint16Array(buf, colOff, nnz).set(p.colIdx);
  if (f32) new Float32Array(buf, valOff, nnz).set(p.values);
  else new Float64Array(buf, valOff, nnz).set(p.values);
  return {
    kernel: instance.exports[f32 ? "project_f32" : "project_f64"] as Kernel,
    c: new Float64Array(buf, cOff, k * PROJECT_BATCH),
    batch: new Float64Array(buf, batchOff, nS * PROJECT_BATCH),
    offsets: [cOff, batchOff, rowOff, colOff, valOff],
    busy: false,
  };
}

/**
 * A batch projector for `p` (whose `refine` must be false): the SIMD kernel when available (see
 * {@link BatchProjectorOptions}), else the JavaScript {@link projectBatch}; the numbers are the
 * same bit for bit. The kernel's copy of the weights is made on first use and kept with the
 * projector; while one batch projector holds it, others get the JavaScript kernel.
 *
 * @param p the projector (`refine` false).
 * @param options see {@link BatchProjectorOptions}.
 * @returns a batch projector; release it when done.
 * @throws RangeError when the projector needs refinement (use `projectVolume`).
 * @example
 * ```ts
 * import { gatherSupport, makeMapsProjector } from "./maps_projection.ts";
 * import { makeBatchProjector } from "./project_simd.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
 * const p = makeMapsProjector(maps, null);
 * using bp = makeBatchProjector(p, { simd: true });
 * gatherSupport(p, Float64Array.from([3, 4]), bp.batch, 0);
 * const out = new Float64Array(2);
 * bp.project(1, out, 0);
 * console.log(out); // [3, 4]
 * ```
 */
export function makeBatchProjector(
  p: MapsProjector,
  options: BatchProjectorOptions = {},
): BatchProjector {
  if (p.refine) {
    throw new RangeError("makeBatchProjector: this projector needs projectVolume (refine)");
  }
  const want = options.simd ?? "auto";
  const use = want === true || (want === "auto" && p.colIdx.length >= SIMD_MIN_WEIGHTS);
  let state: SimdState | null = null;
  if (use) {
    if (!states.has(p)) states.set(p, buildState(p));
    const s = states.get(p) ?? null;
    if (s !== null && !s.busy) state = s;
  }
  if (state === null) {
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
  const s = state;
  s.busy = true;
  let held = true;
  const release = () => {
    if (held) s.busy = held = false;
  };
  const [cOff, batchOff, rowOff, colOff, valOff] = s.offsets;
  const k = p.nMaps, nS = p.support.length;
  return {
    batch: s.batch,
    simd: true,
    project: (n, out, outRow) => {
      if (!held) throw new RangeError("BatchProjector: used after release");
      s.kernel(cOff, batchOff, rowOff, colOff, valOff, nS, k);
      solveBatch(p.gramPinv, s.c, k, n, out, outRow);
    },
    release,
    [Symbol.dispose]: release,
  };
}
