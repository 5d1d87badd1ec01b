/**
 * Batched projection onto maps with a WebAssembly SIMD kernel (`image/project_simd.wat`), with
 * the plain JavaScript {@link projectBatch} as the fallback (no WebAssembly SIMD, small
 * projectors, every kernel area in use). Both give bit-identical numbers: each float64
 * accumulator lane does the same multiply then add, in the same order, as the JavaScript kernel.
 *
 * {@link residentProjector} moves a projector's arrays into a WebAssembly memory once; the
 * returned projector's arrays are views of it. Where shared memory is available (Deno, and
 * cross-origin-isolated browsers) that memory is shared: posting the projector to a worker then
 * shares the weights instead of copying them, and every thread runs the kernel on the same single
 * copy. Each extraction in progress borrows its own area of that memory (its batch of volumes and
 * accumulators), taken from a small table with atomics and grown on demand, so concurrent
 * extractions on any threads never share scratch space (an area held by a worker that is
 * terminated mid-extraction is not given back; past {@link SIMD_MAX_AREAS} areas, extractions use
 * the JavaScript kernel, with the same numbers). Without shared memory, each thread that
 * receives the projector copies it into a memory of its own, with one area (such a memory cannot
 * grow without detaching the projector's views; a second extraction at once on that thread uses
 * the JavaScript kernel).
 *
 * @module
 */
import {
  batchStride,
  gatherSupport,
  type MapsProjector,
  PROJECT_BATCH,
  projectBatch,
  PROJECTOR_TILE,
} from "./maps_projection.ts";
import {
  PROJECT_SIMD_RELAXED_SHARED_WASM_BASE64,
  PROJECT_SIMD_RELAXED_WASM_BASE64,
  PROJECT_SIMD_SHARED_WASM_BASE64,
  PROJECT_SIMD_WASM_BASE64,
} from "./project_simd_wasm.ts";
import { compileWasm } from "../linalg/wasm_module.ts";

/**
 * Projects batches of up to {@link PROJECT_BATCH} volumes: fill columns 0..n-1 with
 * {@link BatchProjector.gather} (or write {@link BatchProjector.batch} with `gatherSupport`), then
 * call {@link BatchProjector.project}. Release it when done (`using`, or
 * {@link BatchProjector.release}) so the next extraction can use its kernel.
 */
export interface BatchProjector {
  /** Gathered support values, `batchStride(p) * PROJECT_BATCH` (see `gatherSupport`). */
  readonly batch: Float64Array;
  /** Whether the WebAssembly SIMD kernel runs (false: the JavaScript kernel). */
  readonly simd: boolean;
  /**
   * Whether batches gathered from `Float32Array` volumes run the fused multiply-add kernel
   * (float32 weights, and an engine with relaxed SIMD): the same numbers, fewer instructions.
   */
  readonly fused: boolean;
  /** `gatherSupport` of `volume` into column `b`, noting whether its values are float32 ones. */
  gather(volume: ArrayLike<number>, b: number): void;
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

/** Largest wasm memory (64 KiB pages; the modules' declared maximum, 2 GiB). */
const MAX_PAGES = 32768;
const PAGE = 65536;

/**
 * Scratch areas (extractions in progress at once, on any thread) per resident projector; the
 * batch projectors made beyond them use the JavaScript kernel.
 */
export const SIMD_MAX_AREAS: number = 64;
const MAX_AREAS = SIMD_MAX_AREAS;
/** Area table at the start of the memory: per area, its state and its byte offset (int32). */
const AREA_NONE = 0, AREA_GROWING = 1, AREA_FREE = 2, AREA_BUSY = 3;
const TABLE_BYTES = MAX_AREAS * 8;

type Kernel = (
  c: number,
  batch: number,
  stride: number,
  tile: number,
  tilePtr: number,
  segMap: number,
  segPtr: number,
  offsets: number,
  values: number,
  nTiles: number,
  k: number,
) => void;

/** The kernel's second step: x = G⁺ c for a batch (see `solve` in project_simd.wat). */
type Solve = (g: number, c: number, x: number, k: number) => void;

/** This thread's kernel instance over a resident projector's memory. */
interface ThreadKernel {
  readonly kernel: Kernel;
  /** The fused kernel for batches of float32 values (float32 weights, relaxed SIMD), or null. */
  readonly fused: Kernel | null;
  readonly solve: Solve;
  readonly memory: WebAssembly.Memory;
  /** The area table (int32 pairs: state, byte offset). */
  readonly table: Int32Array;
}

/** A resident projector: a projector plus the memory its arrays are views of. */
interface Resident extends MapsProjector {
  /** The memory (shared: posted to workers with the projector, so they run on the same copy). */
  readonly kernelMemory?: WebAssembly.Memory;
}

const modules = new Map<boolean, WebAssembly.Module | null>();

/**
 * The compiled kernel module (importing a shared memory or not): with its relaxed-SIMD function
 * where the engine has relaxed SIMD, else without it; null where WebAssembly SIMD is unavailable.
 */
function kernelModule(shared: boolean): WebAssembly.Module | null {
  if (modules.has(shared)) return modules.get(shared)!;
  const relaxed = shared
    ? PROJECT_SIMD_RELAXED_SHARED_WASM_BASE64
    : PROJECT_SIMD_RELAXED_WASM_BASE64;
  const plain = shared ? PROJECT_SIMD_SHARED_WASM_BASE64 : PROJECT_SIMD_WASM_BASE64;
  const mod = compileWasm(relaxed) ?? compileWasm(plain);
  modules.set(shared, mod);
  return mod;
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
  return typeof WebAssembly === "object" && kernelModule(false) !== null;
}

/** Options of {@link residentProjector}. */
export interface ResidentOptions {
  /** Fewest weights worth the kernel (default {@link SIMD_MIN_WEIGHTS}). */
  minWeights?: number;
  /**
   * Use a shared memory when available (default true; false: a memory of this thread's own,
   * copied by each thread the projector is posted to).
   */
  shared?: boolean;
}

/**
 * This thread's kernel instances, by the buffer of the memory they run on. A projector is
 * resident when its arrays are views of such a memory: that is a property of its arrays (a copy
 * such as `{ ...p }` is resident too), looked up by {@link kernelOf}. Instances are per thread
 * (they cannot be posted); a projector received from another thread gets one on this thread
 * through {@link residentProjector}.
 */
const kernels = new WeakMap<ArrayBufferLike, ThreadKernel>();

/** This thread's kernel over the memory holding `p`'s arrays, if `p` is resident here. */
function kernelOf(p: MapsProjector): ThreadKernel | undefined {
  return kernels.get(p.values.buffer);
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Whether a buffer is shared (`SharedArrayBuffer` is not defined everywhere, e.g. browsers
 * without cross-origin isolation). */
const isShared = (buf: ArrayBufferLike): boolean =>
  typeof SharedArrayBuffer === "function" && buf instanceof SharedArrayBuffer;

/**
 * A fresh memory of `bytes` for the kernel: shared when possible (and `shared` allows), able to
 * grow by `growBytes` (a shared memory reserves its maximum up front, so it is kept to what the
 * areas can need).
 */
function newMemory(
  bytes: number,
  growBytes: number,
  shared: boolean,
): { memory: WebAssembly.Memory; mod: WebAssembly.Module } | null {
  const initial = Math.ceil(bytes / PAGE);
  const maximum = Math.min(MAX_PAGES, initial + Math.ceil(growBytes / PAGE));
  for (const kind of shared ? [true, false] : [false]) {
    const mod = kernelModule(kind);
    if (mod === null) continue;
    try {
      const memory = new WebAssembly.Memory({ initial, maximum, shared: kind });
      return { memory, mod };
    } catch {
      // no shared memory here (or no memory at all): try the next kind
    }
  }
  return null;
}

/** Register this thread's kernel instance over `memory` for projector `p`. */
function attach(p: MapsProjector, memory: WebAssembly.Memory, mod: WebAssembly.Module): boolean {
  try {
    const instance = new WebAssembly.Instance(mod, { env: { memory } });
    const f32 = p.values instanceof Float32Array;
    kernels.set(p.values.buffer, {
      kernel: instance.exports[f32 ? "project_f32" : "project_f64"] as Kernel,
      fused: f32 ? (instance.exports.project_f32_fused as Kernel | undefined) ?? null : null,
      solve: instance.exports.solve as Solve,
      memory,
      table: new Int32Array(memory.buffer, 0, MAX_AREAS * 2),
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * A projector equal to `p` whose arrays live in a WebAssembly memory (its `support`, `tilePtr`,
 * `segMap`, `segPtr`, `offsets` and `values` are views of it), so that
 * {@link makeBatchProjector} runs the SIMD kernel on it. `p` itself is not changed; drop it to
 * free its arrays. A resident projector received from another thread (a structured clone, whose
 * shared memory comes with it) is attached to this thread's kernel without copying anything.
 * Returns `p` unchanged where WebAssembly SIMD is unavailable, for projectors that need
 * refinement or have fewer than `options.minWeights` weights, or when the memory cannot be had.
 *
 * @param p the projector.
 * @param options see {@link ResidentOptions}.
 * @returns the resident projector, or `p`.
 * @example
 * ```ts
 * import { makeMapsProjector } from "./maps_projection.ts";
 * import { makeBatchProjector, residentProjector } from "./project_simd.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float64Array.from([1, 0, 0, 1]), shape: [2, 1, 1, 2], affine };
 * const p = residentProjector(makeMapsProjector(maps, null), { minWeights: 0 });
 * using bp = makeBatchProjector(p);
 * console.log(bp.simd); // true where WebAssembly SIMD runs
 * ```
 */
export function residentProjector(p: MapsProjector, options: ResidentOptions = {}): MapsProjector {
  const minWeights = options.minWeights ?? SIMD_MIN_WEIGHTS;
  if (kernelOf(p) !== undefined) return p;
  const received = (p as Resident).kernelMemory;
  if (received instanceof WebAssembly.Memory) {
    // A resident projector posted by another thread: same shared memory, this thread's kernel.
    const mod = kernelModule(true);
    if (mod !== null && attach(p, received, mod)) return p;
    const { kernelMemory: _, ...plain } = p as Resident;
    return residentProjector(plain, options);
  }
  const k = p.nMaps;
  const nS = p.support.length;
  const nnz = p.values.length;
  if (!simdSupported() || p.refine || k === 0 || nS === 0 || nnz < minWeights) return p;
  const f32 = p.values instanceof Float32Array;
  const nTiles = p.tilePtr.length - 1;
  const nSeg = p.segMap.length;
  const areaSize = areaBytes(k, batchStride(p));
  const at: number[] = [TABLE_BYTES];
  const sizes = [
    nS * 4,
    (nTiles + 1) * 4,
    nSeg * 4,
    (nSeg + 1) * 4,
    nnz,
    nnz * (f32 ? 4 : 8),
    k * k * 8, // the Gram pseudo-inverse (solve's operand; shared with workers like the weights)
    areaSize, // area 0, made with the memory (a memory that is not shared never grows)
  ];
  for (const size of sizes) at.push(align16(at[at.length - 1]! + size));
  const total = at.pop()!;
  if (total > MAX_PAGES * PAGE) return p;
  // Room for the other areas (whole pages each, as takeArea grows them).
  const areaPages = Math.ceil(areaSize / PAGE);
  const made = newMemory(total, (MAX_AREAS - 1) * areaPages * PAGE, options.shared ?? true);
  if (made === null) return p;
  const buf = made.memory.buffer;
  const [
    supportAt = 0,
    tileAt = 0,
    segMapAt = 0,
    segPtrAt = 0,
    offAt = 0,
    valAt = 0,
    gramAt = 0,
    area0At = 0,
  ] = at;
  const table = new Int32Array(buf, 0, MAX_AREAS * 2);
  table[1] = area0At;
  table[0] = AREA_FREE;
  const support = new Int32Array(buf, supportAt, nS);
  const tilePtr = new Int32Array(buf, tileAt, nTiles + 1);
  const segMap = new Int32Array(buf, segMapAt, nSeg);
  const segPtr = new Int32Array(buf, segPtrAt, nSeg + 1);
  const offsets = new Uint8Array(buf, offAt, nnz);
  const values = f32 ? new Float32Array(buf, valAt, nnz) : new Float64Array(buf, valAt, nnz);
  const gramPinv = new Float64Array(buf, gramAt, k * k);
  support.set(p.support);
  tilePtr.set(p.tilePtr);
  segMap.set(p.segMap);
  segPtr.set(p.segPtr);
  offsets.set(p.offsets);
  values.set(p.values);
  gramPinv.set(p.gramPinv);
  const shared = isShared(buf);
  const resident: Resident = {
    ...p,
    support,
    tilePtr,
    segMap,
    segPtr,
    offsets,
    values,
    gramPinv,
    ...(shared ? { kernelMemory: made.memory } : {}),
  };
  return attach(resident, made.memory, made.mod) ? resident : p;
}

/**
 * Bytes of one scratch area: the accumulators (k x B), the batch (B columns of `stride`), the
 * kernel's tile (256 x B), then the solved coefficients (k x B); B = {@link PROJECT_BATCH}.
 */
function areaBytes(k: number, stride: number): number {
  const B = PROJECT_BATCH;
  return align16(k * 8 * B) + align16(stride * 8 * B) + PROJECTOR_TILE * 8 * B + k * 8 * B;
}

/**
 * Take a free scratch area of `bytes` (growing the memory for a new one when none is free);
 * returns its table index and byte offset, or null when none can be had.
 */
function takeArea(t: ThreadKernel, bytes: number): { slot: number; at: number } | null {
  const table = t.table;
  for (let i = 0; i < MAX_AREAS; i++) {
    if (Atomics.compareExchange(table, 2 * i, AREA_FREE, AREA_BUSY) === AREA_FREE) {
      return { slot: i, at: Atomics.load(table, 2 * i + 1) };
    }
  }
  // A memory that is not shared detaches its views when it grows: it keeps its one area.
  if (!isShared(t.memory.buffer)) return null;
  for (let i = 0; i < MAX_AREAS; i++) {
    if (Atomics.compareExchange(table, 2 * i, AREA_NONE, AREA_GROWING) !== AREA_NONE) continue;
    try {
      // grow() is atomic: the old size is this area's start, whichever thread grows next.
      const at = t.memory.grow(Math.ceil(bytes / PAGE)) * PAGE;
      Atomics.store(table, 2 * i + 1, at);
      Atomics.store(table, 2 * i, AREA_BUSY);
      return { slot: i, at };
    } catch {
      Atomics.store(table, 2 * i, AREA_NONE);
      return null;
    }
  }
  return null;
}

/**
 * A batch projector for `p` (whose `refine` must be false): the SIMD kernel when `p` came from
 * {@link residentProjector} (with a scratch area of its memory to itself), else the JavaScript
 * {@link projectBatch}; the numbers are the same bit for bit.
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
 * const p = residentProjector(makeMapsProjector(maps, null), { minWeights: 0 });
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
  const t = kernelOf(p);
  const k = p.nMaps, stride = batchStride(p);
  const cBytes = align16(k * 8 * PROJECT_BATCH);
  const area = t === undefined ? null : takeArea(t, areaBytes(k, stride));
  if (t === undefined || area === null) {
    const batch = new Float64Array(stride * PROJECT_BATCH);
    const release = () => {};
    return {
      batch,
      simd: false,
      fused: false,
      gather: (volume, b) => gatherSupport(p, volume, batch, b),
      project: (n, out, outRow) => projectBatch(p, batch, n, out, outRow),
      release,
      [Symbol.dispose]: release,
    };
  }
  let held = true;
  const release = () => {
    if (held) Atomics.store(t.table, 2 * area.slot, AREA_FREE);
    held = false;
  };
  const buf = t.memory.buffer; // read after any growth, so it covers the area
  const cAt = area.at, batchAt = area.at + cBytes;
  const tileAt = batchAt + align16(stride * 8 * PROJECT_BATCH);
  const xAt = tileAt + PROJECTOR_TILE * 8 * PROJECT_BATCH;
  const x = new Float64Array(buf, xAt, k * PROJECT_BATCH);
  const gramAt = p.gramPinv.byteOffset;
  const args = [
    p.tilePtr.byteOffset,
    p.segMap.byteOffset,
    p.segPtr.byteOffset,
    p.offsets.byteOffset,
    p.values.byteOffset,
  ] as const;
  const nTiles = p.tilePtr.length - 1;
  const batch = new Float64Array(buf, batchAt, stride * PROJECT_BATCH);
  // Bit b: column b was gathered from a Float32Array since the last projection.
  let float32Columns = 0;
  return {
    batch,
    simd: true,
    fused: t.fused !== null,
    gather: (volume, b) => {
      gatherSupport(p, volume, batch, b);
      if (volume instanceof Float32Array) float32Columns |= 1 << b;
      else float32Columns &= ~(1 << b);
    },
    project: (n, out, outRow) => {
      if (!held) throw new RangeError("BatchProjector: used after release");
      const all = (1 << n) - 1; // n <= PROJECT_BATCH (16)
      const kernel = t.fused !== null && (float32Columns & all) === all ? t.fused : t.kernel;
      float32Columns = 0;
      kernel(cAt, batchAt, stride, tileAt, ...args, nTiles, k);
      t.solve(gramAt, cAt, xAt, k);
      // x holds volume b's coefficients at x[i * B + b] (solveBatch's numbers, bit for bit).
      for (let b = 0; b < n; b++) {
        const row = (outRow + b) * k;
        for (let i = 0, q = b; i < k; i++, q += PROJECT_BATCH) out[row + i] = x[q]!;
      }
    },
    release,
    [Symbol.dispose]: release,
  };
}
