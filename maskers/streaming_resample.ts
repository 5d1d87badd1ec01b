/**
 * Resampling of subject data to the maps grid volume by volume, with the result nilearn's
 * `resample_img` gives on the whole 4D image.
 *
 * Each volume is resampled alone (cubic spline; the same per-volume computation as the 4D call)
 * without clipping. `resample_img` then clips every value to `[min(data, 0), max(data, 0)]` over
 * the WHOLE image, a range only known after the last volume. A value inside its own volume's
 * range `[min(vol, 0), max(vol, 0)]` is inside the whole image's range too, so only values beyond
 * their volume's range can be clipped: those (spline overshoots, few) are recorded, sparse; at the
 * end, the volumes where clipping changes something get the difference (clipped − unclipped, in
 * the working dtype) as a sparse correction volume, whose projection is added to their signals
 * (smoothing and projection are linear). Nothing of the subject is held but the overshoots.
 *
 * @module
 */
import type { Affine, VoxelData } from "../types.ts";
import { resampleImg } from "../image/resample.ts";
import type { HeldDtype } from "../image/held_dtype.ts";
import type { Grid } from "../image/grid.ts";

/** Growable typed storage of (voxel, value) entries. */
class Entries {
  voxel = new Int32Array(1024);
  value = new Float64Array(1024);
  length = 0;
  push(v: number, x: number): void {
    if (this.length === this.voxel.length) {
      const vox = new Int32Array(this.length * 2);
      vox.set(this.voxel);
      this.voxel = vox;
      const val = new Float64Array(this.length * 2);
      val.set(this.value);
      this.value = val;
    }
    this.voxel[this.length] = v;
    this.value[this.length++] = x;
  }
}

/** Streams a subject's volumes onto a grid (see the module documentation). */
export class StreamingDataResampler {
  readonly #shape3: number[];
  readonly #affine: Affine;
  readonly #grid: Grid;
  readonly #dtype: HeldDtype;
  readonly #range: readonly [number, number] | null;
  readonly #watch: Uint8Array | null;
  readonly #entries = new Entries();
  readonly #volStart: number[] = [0];
  #min = 0;
  #max = 0;

  /**
   * @param source the subject's grid (shape, affine).
   * @param grid the target grid.
   * @param dtype the dtype the volumes are held in (already cast, see `image/held_dtype.ts`):
   *   resampled values are rounded to it as nilearn stores them (integers stay integers).
   * @param watch voxels (target grid indices) whose clipping matters, or null for all (when
   *   smoothing follows, every voxel does).
   * @param range the whole image's clip range `[min(data, 0), max(data, 0)]` when known in
   *   advance: volumes are then clipped at once and {@link correct} has nothing to do.
   */
  constructor(
    source: { readonly shape: readonly number[]; readonly affine: Affine },
    grid: Grid,
    dtype: HeldDtype,
    watch: Int32Array | null,
    range: readonly [number, number] | null = null,
  ) {
    this.#shape3 = [source.shape[0] ?? 1, source.shape[1] ?? 1, source.shape[2] ?? 1];
    this.#affine = source.affine;
    this.#grid = grid;
    this.#dtype = dtype;
    this.#range = range;
    if (watch !== null) {
      const nV = (grid.shape[0] ?? 1) * (grid.shape[1] ?? 1) * (grid.shape[2] ?? 1);
      this.#watch = new Uint8Array(nV);
      for (let i = 0; i < watch.length; i++) this.#watch[watch[i]!] = 1;
    } else {
      this.#watch = null;
    }
  }

  /**
   * Resample the next volume (unclipped, unless the range was given) and record its values
   * beyond its own range.
   *
   * @param vol one volume of the subject, in the working dtype.
   * @returns the volume on the target grid.
   */
  next(vol: VoxelData): Float64Array {
    let lo = 0, hi = 0;
    for (let i = 0; i < vol.length; i++) {
      const v = vol[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo < this.#min) this.#min = lo;
    if (hi > this.#max) this.#max = hi;
    const img = { data: vol, shape: this.#shape3, affine: this.#affine, dtype: this.#dtype };
    const out = resampleImg(img, {
      targetAffine: this.#grid.affine,
      targetShape: this.#grid.shape.slice(0, 3),
      interpolation: "continuous",
      clip: false,
    }).data as Float64Array;
    if (this.#range !== null) {
      const [a, b] = this.#range;
      for (let i = 0; i < out.length; i++) {
        const v = out[i]!;
        if (v < a) out[i] = a;
        else if (v > b) out[i] = b;
      }
      return out;
    }
    const watch = this.#watch;
    const e = this.#entries;
    for (let i = 0; i < out.length; i++) {
      const v = out[i]!;
      if ((v < lo || v > hi) && (watch === null || watch[i] === 1)) e.push(i, v);
    }
    this.#volStart.push(e.length);
    return out;
  }

  /**
   * After the last volume: for each volume whose clipping to the whole image's range changes
   * values, call `apply(t, delta)` with the correction volume (clipped − unclipped, both in the
   * working dtype; zero elsewhere). `delta` is reused between calls.
   *
   * @param apply receives the volume index and its correction.
   * @param toWorking rounding to the working dtype (`Math.fround` for float32).
   */
  correct(apply: (t: number, delta: Float64Array) => void, toWorking: (x: number) => number): void {
    const e = this.#entries;
    if (e.length === 0) return;
    const nV = (this.#grid.shape[0] ?? 1) * (this.#grid.shape[1] ?? 1) *
      (this.#grid.shape[2] ?? 1);
    const delta = new Float64Array(nV);
    const lo = this.#min, hi = this.#max;
    for (let t = 0; t + 1 < this.#volStart.length; t++) {
      const a = this.#volStart[t]!, b = this.#volStart[t + 1]!;
      let any = false;
      for (let q = a; q < b; q++) {
        const v = e.value[q]!;
        const c = v < lo ? lo : v > hi ? hi : v;
        if (c !== v) {
          delta[e.voxel[q]!] = toWorking(c) - toWorking(v);
          any = true;
        }
      }
      if (!any) continue;
      apply(t, delta);
      for (let q = a; q < b; q++) delta[e.voxel[q]!] = 0;
    }
  }
}
