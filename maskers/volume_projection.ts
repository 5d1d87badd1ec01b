/**
 * The projection of a subject's volumes onto the maps, in order, into a (volumes x maps) matrix:
 * batched ({@link PROJECT_BATCH} volumes per pass over the weights, by the WebAssembly SIMD
 * kernel when the projector is resident: bit-identical to the JavaScript one), or volume by
 * volume for projectors that need refinement.
 *
 * @module
 */
import { type MapsProjector, PROJECT_BATCH, projectVolume } from "../image/maps_projection.ts";
import { type BatchProjector, makeBatchProjector } from "../image/project_simd.ts";

/** Projects the volumes of one subject; release it (`using`) so the kernel can be reused. */
export class VolumeProjection {
  /** The coefficients, volume by volume (row-major, `nVolumes x nMaps`). */
  readonly signals: Float64Array;
  readonly #projector: MapsProjector;
  readonly #k: number;
  readonly #scratch: Float64Array;
  readonly #batcher: BatchProjector | null;
  #inBatch = 0;
  #t = 0;

  /**
   * @param projector the plan's projector.
   * @param nVolumes number of volumes to project.
   */
  constructor(projector: MapsProjector, nVolumes: number) {
    this.#projector = projector;
    this.#k = projector.nMaps;
    this.signals = new Float64Array(nVolumes * this.#k);
    this.#scratch = new Float64Array(3 * this.#k + projector.support.length);
    this.#batcher = projector.refine ? null : makeBatchProjector(projector);
  }

  /** Volumes added so far. */
  get count(): number {
    return this.#t;
  }

  /** Project the next volume (its values on the plan's grid). */
  add(vol: ArrayLike<number>): void {
    const batcher = this.#batcher;
    if (batcher !== null) {
      batcher.gather(vol, this.#inBatch++);
      if (this.#inBatch === PROJECT_BATCH) this.#flush(this.#t + 1);
    } else {
      projectVolume(this.#projector, vol, this.signals, this.#t * this.#k, this.#scratch);
    }
    this.#t++;
  }

  /** Project the volumes still waiting in the batch (after the last `add`). */
  finish(): void {
    if (this.#batcher !== null && this.#inBatch > 0) this.#flush(this.#t);
  }

  /** Add the projection of `delta` (a linear correction of volume `t`) to volume `t`'s row. */
  addCorrection(t: number, delta: ArrayLike<number>): void {
    const k = this.#k;
    const row = new Float64Array(k);
    projectVolume(this.#projector, delta, row, 0, this.#scratch);
    for (let j = 0; j < k; j++) this.signals[t * k + j]! += row[j]!;
  }

  /** Project the batch, whose last volume is `end - 1`. */
  #flush(end: number): void {
    this.#batcher!.project(this.#inBatch, this.signals, end - this.#inBatch);
    this.#inBatch = 0;
  }

  /** Give the kernel back. */
  [Symbol.dispose](): void {
    this.#batcher?.release();
  }
}
