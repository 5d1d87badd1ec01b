/**
 * Maps held compactly by a fitted masker: the fitted masker keeps its projector (the weights on
 * the mask's support) and this exact, smaller copy of the maps it was fitted with; the dense
 * `mapsImg_` is expanded from it when asked for ({@link denseMaps}).
 *
 * @module
 */
import type { Affine, Image, VoxelData } from "../types.ts";

/**
 * Maps (x, y, z, nMaps) stored sparse by map: every value that is not +0 (so -0 and non-finite
 * values too), with its voxel index — exact, bit for bit. Maps dense enough that this would not
 * be smaller keep their dense array (`dense`).
 */
export interface CompactMaps {
  /** `[nx, ny, nz, nMaps]`. */
  readonly shape: readonly number[];
  /** Voxel-to-world affine. */
  readonly affine: Affine;
  /** The dense values, when sparse storage would not be smaller; else null. */
  readonly dense: VoxelData | null;
  /** Entries of map j are `start[j] .. start[j + 1]` (length nMaps + 1). */
  readonly start: Float64Array;
  /** Voxel index (x fastest) of each entry, ascending within a map. */
  readonly voxel: Int32Array;
  /** Value of each entry (the maps' own array type). */
  readonly values: VoxelData;
}

function isPositiveZero(v: number): boolean {
  return v === 0 && 1 / v > 0;
}

/**
 * Compact copy of a maps image (see {@link CompactMaps}).
 *
 * @param img maps (x, y, z, nMaps) or one 3D map.
 * @returns the compact copy; {@link expandMaps} gives back the same values.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { compactMaps, expandMaps } from "./compact_maps.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float32Array.from([0, 0, 0, 2, 0, 0, 0, 0]), shape: [4, 1, 1, 2], affine };
 * deepEqual(expandMaps(compactMaps(maps)).data, maps.data);
 * ```
 */
export function compactMaps(img: Image): CompactMaps {
  return compactAs(img, img.data instanceof Float32Array, false).compact;
}

/**
 * Compact copy of maps as a masker fits them: values cast to float32 or float64 (`float32`) and
 * non-finite values replaced by +0, without making a dense cast copy first (maps are usually
 * sparse, and a dense float64 copy of a large atlas is gigabytes).
 *
 * @param img maps as loaded (x, y, z, nMaps), or one 3D map.
 * @param float32 cast to float32 (else float64).
 * @returns the compact maps ({@link expandMaps}: the cast, cleaned maps) and how many values were
 *   non-finite.
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { compactFiniteMaps, expandMaps } from "./compact_maps.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const maps = { data: Float32Array.from([0, NaN, 0, 2]), shape: [4, 1, 1, 1], affine };
 * const { compact, replaced } = compactFiniteMaps(maps, false);
 * equal(replaced, 1);
 * deepEqual(expandMaps(compact).data, Float64Array.from([0, 0, 0, 2]));
 * ```
 */
export function compactFiniteMaps(
  img: Image,
  float32: boolean,
): { compact: CompactMaps; replaced: number } {
  return compactAs(img, float32, true);
}

/** {@link compactMaps} with values cast to float32/float64 and, if `clean`, non-finite as +0. */
function compactAs(
  img: Image,
  float32: boolean,
  clean: boolean,
): { compact: CompactMaps; replaced: number } {
  const nV = (img.shape[0] ?? 1) * (img.shape[1] ?? 1) * (img.shape[2] ?? 1);
  const nM = img.shape.length >= 4 ? (img.shape[3] ?? 1) : 1;
  const builder = new CompactMapsBuilder(img.shape, img.affine, float32, clean);
  for (let j = 0; j < nM; j++) builder.add(img.data.subarray(j * nV, (j + 1) * nV));
  return builder.finish();
}

/**
 * Builds {@link CompactMaps} one map (volume) at a time, e.g. while a maps file streams in: the
 * dense maps are never held. Values are cast to float32 or float64 and, with `clean`, non-finite
 * values count as +0 (and are counted).
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { CompactMapsBuilder, expandMaps } from "./compact_maps.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const b = new CompactMapsBuilder([2, 1, 1, 2], affine, true, true);
 * b.add(Float64Array.from([0, 1.5]));
 * b.add(Float64Array.from([NaN, 0]));
 * const { compact, replaced } = b.finish();
 * equal(replaced, 1);
 * deepEqual(expandMaps(compact).data, Float32Array.from([0, 1.5, 0, 0]));
 * ```
 */
export class CompactMapsBuilder {
  readonly #shape: number[];
  readonly #affine: Float64Array;
  readonly #float32: boolean;
  readonly #clean: boolean;
  readonly #nV: number;
  readonly #nM: number;
  /** Entries from which sparse storage is not smaller than dense: switch to dense then. */
  readonly #denseFrom: number;
  readonly #start: number[] = [0];
  #voxel: Int32Array;
  #values: VoxelData;
  #n = 0;
  #dense: VoxelData | null = null;
  #replaced = 0;

  /**
   * @param shape `[nx, ny, nz, nMaps]` (or 3D: one map).
   * @param affine voxel-to-world affine.
   * @param float32 cast the values to float32 (else float64).
   * @param clean non-finite values as +0 (else kept, exactly).
   */
  constructor(
    shape: readonly number[],
    affine: ArrayLike<number>,
    float32: boolean,
    clean: boolean,
  ) {
    this.#shape = [...shape];
    this.#affine = Float64Array.from(affine);
    this.#float32 = float32;
    this.#clean = clean;
    this.#nV = (shape[0] ?? 1) * (shape[1] ?? 1) * (shape[2] ?? 1);
    this.#nM = shape.length >= 4 ? (shape[3] ?? 1) : 1;
    const bytesPerValue = float32 ? 4 : 8;
    this.#denseFrom = Math.ceil((this.#nV * this.#nM * bytesPerValue) / (bytesPerValue + 4));
    const capacity = Math.max(1, Math.min(1024, this.#denseFrom));
    this.#voxel = new Int32Array(capacity);
    this.#values = this.#newValues(capacity);
  }

  #newValues(n: number): VoxelData {
    return this.#float32 ? new Float32Array(n) : new Float64Array(n);
  }

  /** Add the next map (nx*ny*nz values, x fastest). */
  add(map: ArrayLike<number>): void {
    const j = this.#start.length - 1;
    if (map.length !== this.#nV || j >= this.#nM) {
      throw new RangeError(
        `CompactMapsBuilder: map ${j} of ${map.length} values; expected ${this.#nM} maps of ` +
          `${this.#nV}`,
      );
    }
    const cast = this.#float32 ? Math.fround : (x: number) => x;
    const clean = this.#clean;
    // +0 (most of a sparse map) stays +0 whatever the cast: skipped first, by its bits when the
    // map is float32 (all bits zero).
    const bits = map instanceof Float32Array && map.byteOffset % 4 === 0
      ? new Uint32Array(map.buffer, map.byteOffset, map.length)
      : null;
    const len = map.length;
    let v = 0;
    for (; v < len && this.#dense === null; v++) {
      if (bits !== null) {
        while (v < len && bits[v] === 0) v++; // a run of +0, in a tight loop
        if (v === len) break;
      } else if (map[v] === 0 && 1 / map[v]! > 0) continue;
      const x = map[v]!;
      if (clean && !Number.isFinite(x)) {
        this.#replaced++;
        continue;
      }
      if (isPositiveZero(cast(x))) continue;
      if (this.#n === this.#denseFrom) {
        this.#toDense();
        break; // this voxel and the rest of the map go to the dense array
      }
      if (this.#n === this.#voxel.length) this.#grow();
      this.#voxel[this.#n] = v;
      this.#values[this.#n++] = x;
    }
    const dense = this.#dense;
    if (dense !== null) {
      const base = j * this.#nV;
      for (; v < map.length; v++) {
        const x = map[v]!;
        if (clean && !Number.isFinite(x)) this.#replaced++;
        else dense[base + v] = x;
      }
    }
    this.#start.push(this.#n);
  }

  /** Move the entries so far into a dense array (sparse storage would not be smaller). */
  #toDense(): void {
    this.#expandInto(this.#start.length); // the current map's entries follow the finished ones
  }

  /** {@link CompactMapsBuilder.#toDense} once every map is in (`start` has all its ends). */
  #toDenseAfterLastMap(): void {
    this.#expandInto(this.#start.length - 1);
  }

  /** The entries of maps 0..maps-1 (the last one up to `n`) into a new dense array. */
  #expandInto(maps: number): void {
    const dense = this.#newValues(this.#nV * this.#nM);
    for (let j = 0, q = 0; j < maps; j++) {
      const end = j < maps - 1 ? this.#start[j + 1]! : this.#n;
      for (; q < end; q++) dense[j * this.#nV + this.#voxel[q]!] = this.#values[q]!;
    }
    this.#dense = dense;
    this.#voxel = new Int32Array(0);
    this.#values = this.#newValues(0);
  }

  #grow(): void {
    const capacity = Math.min(this.#voxel.length * 2, this.#denseFrom);
    const voxel = new Int32Array(capacity);
    voxel.set(this.#voxel);
    const values = this.#newValues(capacity);
    values.set(this.#values);
    this.#voxel = voxel;
    this.#values = values;
  }

  /**
   * The compact maps (sparse, or dense when that is not smaller) and how many values were
   * non-finite; every map must have been added.
   */
  finish(): { compact: CompactMaps; replaced: number } {
    if (this.#start.length !== this.#nM + 1) {
      throw new RangeError(
        `CompactMapsBuilder: ${this.#start.length - 1} maps added, expected ${this.#nM}`,
      );
    }
    const shape = this.#shape;
    const affine = this.#affine;
    if (this.#dense === null && this.#n >= this.#denseFrom) this.#toDenseAfterLastMap();
    if (this.#dense !== null) {
      const compact = {
        shape,
        affine,
        dense: this.#dense,
        start: new Float64Array(0),
        voxel: new Int32Array(0),
        values: new Float64Array(0),
      };
      return { compact, replaced: this.#replaced };
    }
    const n = this.#n;
    const compact: CompactMaps = {
      shape,
      affine,
      dense: null,
      start: Float64Array.from(this.#start),
      voxel: this.#voxel.slice(0, n),
      values: this.#values.slice(0, n),
    };
    return { compact, replaced: this.#replaced };
  }
}

/**
 * The dense maps image of a {@link CompactMaps} (a new array, the maps' own array type).
 *
 * @param c compact maps.
 * @returns the maps image.
 */
export function expandMaps(c: CompactMaps): Image {
  const affine = Float64Array.from(c.affine);
  if (c.dense !== null) return { data: c.dense.slice(), shape: [...c.shape], affine };
  const nV = (c.shape[0] ?? 1) * (c.shape[1] ?? 1) * (c.shape[2] ?? 1);
  const nM = c.start.length - 1;
  const data: VoxelData = c.values instanceof Float32Array
    ? new Float32Array(nV * nM)
    : new Float64Array(nV * nM);
  for (let j = 0; j < nM; j++) {
    const base = j * nV;
    for (let q = c.start[j]!, e = c.start[j + 1]!; q < e; q++) {
      data[base + c.voxel[q]!] = c.values[q]!;
    }
  }
  return { data, shape: [...c.shape], affine };
}

/**
 * The compact maps without their weights below `eps` (negative ones and -0 included), as
 * `clipBelowEpsilon` clips dense maps (`fitted_state.ts`): {@link expandMaps} of the result is the
 * clipped dense maps.
 *
 * @param c compact maps.
 * @param eps threshold (the maps' machine epsilon).
 * @returns new compact maps.
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { clipCompactBelow, compactMaps, expandMaps } from "./compact_maps.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const c = compactMaps({ data: Float64Array.from([0, -1, 1e-20, 2]), shape: [4, 1, 1, 1], affine });
 * deepEqual(expandMaps(clipCompactBelow(c, 2 ** -52)).data, Float64Array.from([0, 0, 0, 2]));
 * ```
 */
export function clipCompactBelow(c: CompactMaps, eps: number): CompactMaps {
  const shape = [...c.shape];
  const affine = Float64Array.from(c.affine);
  if (c.dense !== null) {
    const dense = c.dense.slice();
    for (let i = 0; i < dense.length; i++) if (dense[i]! < eps) dense[i] = 0;
    return { ...c, shape, affine, dense };
  }
  const nM = c.start.length - 1;
  let n = 0;
  for (let q = 0; q < c.values.length; q++) if (!(c.values[q]! < eps)) n++;
  const start = new Float64Array(nM + 1);
  const voxel = new Int32Array(n);
  const values: VoxelData = c.values instanceof Float32Array
    ? new Float32Array(n)
    : new Float64Array(n);
  for (let j = 0, p = 0; j < nM; j++) {
    for (let q = c.start[j]!, e = c.start[j + 1]!; q < e; q++) {
      const v = c.values[q]!;
      if (v < eps) continue;
      voxel[p] = c.voxel[q]!;
      values[p++] = v;
    }
    start[j + 1] = p;
  }
  return { shape, affine, dense: null, start, voxel, values };
}

/**
 * Maps as a fitted masker holds and passes them: a dense image, or {@link CompactMaps} (which
 * code that can work map by map, such as resampling and clipping, uses without building the dense
 * image). {@link isCompactMaps} tells them apart; {@link denseMaps} gives the dense image.
 */
export type MapsSource = Image | CompactMaps;

/**
 * Whether maps are held compact (else they are a dense image).
 *
 * @param m maps.
 * @returns true for {@link CompactMaps}.
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { compactMaps, isCompactMaps } from "./compact_maps.ts";
 * const affine = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
 * const img = { data: Float32Array.from([0, 3]), shape: [2, 1, 1, 1], affine };
 * equal(isCompactMaps(compactMaps(img)), true);
 * equal(isCompactMaps(img), false);
 * ```
 */
export function isCompactMaps(m: MapsSource): m is CompactMaps {
  return !("data" in m) && "start" in m && "voxel" in m && "values" in m;
}

/**
 * The dense maps image: `m` itself when dense, else a new image expanded from the compact maps.
 *
 * @param m maps.
 * @returns the dense maps (x, y, z, nMaps).
 */
export function denseMaps(m: MapsSource): Image {
  return isCompactMaps(m) ? expandMaps(m) : m;
}

/** Bytes a {@link CompactMaps} holds. */
export function compactBytes(c: CompactMaps): number {
  return (c.dense?.byteLength ?? 0) + c.start.byteLength + c.voxel.byteLength +
    c.values.byteLength;
}
