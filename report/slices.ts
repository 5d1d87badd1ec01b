/**
 * Orthogonal slices of a 3D map over a grayscale background, rendered to RGB pixels.
 *
 * Display convention (stated in the report captions): neurological, i.e. the subject's left is on
 * the viewer's left in coronal and axial views; superior is up in sagittal and coronal views,
 * anterior is up in axial views and to the right in sagittal views. Voxel sizes from the affine
 * set the pixel aspect ratio (every view uses the same pixels per mm). The voxel axes are matched
 * to the nearest world axes, so oblique affines are shown as if they were not rotated.
 *
 * Pure functions: plain typed arrays in, bytes out.
 *
 * @module
 */
import { divergingLut, grayLevel, LUT_SIZE, lutIndex } from "./colormap.ts";

/** Which world axis each voxel axis runs along, in which direction, and the voxel sizes (mm). */
export interface AxisOrientation {
  /** `voxelAxisOf[w]`: the voxel axis (0-2) running along world axis w (0 = x/R, 1 = y/A, 2 = z/S). */
  readonly voxelAxisOf: readonly [number, number, number];
  /** `signOf[w]`: +1 when increasing that voxel index increases world coordinate w, else -1. */
  readonly signOf: readonly [number, number, number];
  /** Voxel size (mm) along each voxel axis (norm of the affine's columns). */
  readonly voxelSizes: readonly [number, number, number];
}

/**
 * Match voxel axes to world axes from an affine (greedy on the largest |entries| of its 3x3 part).
 *
 * @param affine Row-major 4x4 voxel-to-world affine (mm).
 * @returns The orientation.
 *
 * @example
 * ```ts
 * import { axisOrientation } from "./slices.ts";
 * const o = axisOrientation(Float64Array.from([-2, 0, 0, 90, 0, 2, 0, -126, 0, 0, 2, -72, 0, 0, 0, 1]));
 * console.log(o.signOf); // [-1, 1, 1]
 * ```
 */
export function axisOrientation(affine: ArrayLike<number>): AxisOrientation {
  const m = (row: number, col: number): number => affine[4 * row + col] ?? 0;
  const voxelSizes: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    voxelSizes[c] = Math.hypot(m(0, c), m(1, c), m(2, c)) || 1;
  }
  const voxelAxisOf: [number, number, number] = [-1, -1, -1];
  const signOf: [number, number, number] = [1, 1, 1];
  const usedRows = [false, false, false];
  const usedCols = [false, false, false];
  for (let step = 0; step < 3; step++) {
    let best = -1;
    let bestRow = 0;
    let bestCol = 0;
    for (let r = 0; r < 3; r++) {
      if (usedRows[r]) continue;
      for (let c = 0; c < 3; c++) {
        if (usedCols[c]) continue;
        const v = Math.abs(m(r, c)) / voxelSizes[c]!;
        if (v > best) {
          best = v;
          bestRow = r;
          bestCol = c;
        }
      }
    }
    usedRows[bestRow] = true;
    usedCols[bestCol] = true;
    voxelAxisOf[bestRow] = bestCol;
    signOf[bestRow] = m(bestRow, bestCol) < 0 ? -1 : 1;
  }
  return { voxelAxisOf, signOf, voxelSizes };
}

/**
 * Voxel of the largest |value| (first one on ties; non-finite values ignored).
 *
 * @param volume 3D values, x fastest.
 * @param shape `[nx, ny, nz]`.
 * @returns `{ ijk, value }`; value 0 and the grid centre when every value is 0 or non-finite.
 *
 * @example
 * ```ts
 * import { peakVoxel } from "./slices.ts";
 * peakVoxel(Float64Array.from([0, -3, 2, 0]), [2, 2, 1]).ijk; // [1, 0, 0]
 * ```
 */
export function peakVoxel(
  volume: ArrayLike<number>,
  shape: readonly [number, number, number],
): { ijk: [number, number, number]; value: number } {
  let best = -1;
  let bestAbs = 0;
  const n = shape[0] * shape[1] * shape[2];
  for (let p = 0; p < n; p++) {
    const a = Math.abs(volume[p]!);
    if (a > bestAbs) {
      bestAbs = a;
      best = p;
    }
  }
  if (best < 0) {
    return {
      ijk: [Math.floor(shape[0] / 2), Math.floor(shape[1] / 2), Math.floor(shape[2] / 2)],
      value: 0,
    };
  }
  const i = best % shape[0];
  const j = Math.floor(best / shape[0]) % shape[1];
  const k = Math.floor(best / (shape[0] * shape[1]));
  return { ijk: [i, j, k], value: volume[best]! };
}

/**
 * World coordinates (mm) of a voxel.
 *
 * @param affine Row-major 4x4 affine.
 * @param ijk Voxel indices.
 * @returns `[x, y, z]` in mm.
 *
 * @example
 * ```ts
 * import { voxelToWorld } from "./slices.ts";
 * voxelToWorld(Float64Array.from([2, 0, 0, -10, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]), [1, 1, 1]); // [-8, 2, 2]
 * ```
 */
export function voxelToWorld(
  affine: ArrayLike<number>,
  ijk: readonly [number, number, number],
): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  for (let r = 0; r < 3; r++) {
    out[r] = (affine[4 * r] ?? 0) * ijk[0] + (affine[4 * r + 1] ?? 0) * ijk[1] +
      (affine[4 * r + 2] ?? 0) * ijk[2] + (affine[4 * r + 3] ?? 0);
  }
  return out;
}

/** The three views, by the world axis each one cuts. */
export type ViewName = "sagittal" | "coronal" | "axial";

/** One rendered view. */
export interface SliceImage {
  /** Which view. */
  readonly view: ViewName;
  /** Width (pixels). */
  readonly width: number;
  /** Height (pixels). */
  readonly height: number;
  /** RGB bytes, row by row from the top, `3 * width * height`. */
  readonly rgb: Uint8Array;
  /** Labels of the left and right edges, e.g. `["L", "R"]`. */
  readonly edgeLabels: readonly [string, string];
}

/** Everything `renderOrthoSlices` needs. */
export interface OrthoSliceInput {
  /** The 3D map, x fastest. */
  readonly map: ArrayLike<number>;
  /** 3D background on the same grid, or null (black). */
  readonly background: ArrayLike<number> | null;
  /** `[nx, ny, nz]`. */
  readonly shape: readonly [number, number, number];
  /** Row-major 4x4 affine (mm). */
  readonly affine: ArrayLike<number>;
  /** Voxel the three planes go through. */
  readonly cut: readonly [number, number, number];
  /** Half-width of the symmetric colour range (> 0); 0 shows no overlay. */
  readonly vmax: number;
  /** Fraction of vmax below which the overlay is transparent. */
  readonly threshold: number;
  /** Background display range `[black, white]`. */
  readonly backgroundRange: readonly [number, number];
  /** Pixels per mm. */
  readonly pxPerMm: number;
}

const VIEWS: readonly {
  view: ViewName;
  cutAxis: number;
  h: number;
  v: number;
  labels: [string, string];
}[] = [
  { view: "sagittal", cutAxis: 0, h: 1, v: 2, labels: ["P", "A"] },
  { view: "coronal", cutAxis: 1, h: 0, v: 2, labels: ["L", "R"] },
  { view: "axial", cutAxis: 2, h: 0, v: 1, labels: ["L", "R"] },
];

/**
 * Pixels per mm so that the largest extent of a grid spans `targetPx` pixels.
 *
 * @param shape `[nx, ny, nz]`.
 * @param affine Row-major 4x4 affine (mm).
 * @param targetPx Pixels for the largest extent.
 * @returns Pixels per mm.
 *
 * @example
 * ```ts
 * import { pixelsPerMm } from "./slices.ts";
 * pixelsPerMm([10, 10, 10], Float64Array.from([2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1]), 200); // 10
 * ```
 */
export function pixelsPerMm(
  shape: readonly [number, number, number],
  affine: ArrayLike<number>,
  targetPx: number,
): number {
  const { voxelSizes } = axisOrientation(affine);
  const extent = Math.max(
    shape[0] * voxelSizes[0],
    shape[1] * voxelSizes[1],
    shape[2] * voxelSizes[2],
  );
  return targetPx / extent;
}

/**
 * Render the sagittal, coronal and axial slices through `cut` of a map over a background.
 *
 * @param input Map, background, grid, cut voxel, colour range and scale.
 * @returns Three RGB images (sagittal, coronal, axial).
 *
 * @example
 * ```ts
 * import { renderOrthoSlices } from "./slices.ts";
 * const views = renderOrthoSlices({
 *   map: new Float64Array(8).fill(1), background: null, shape: [2, 2, 2],
 *   affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
 *   cut: [0, 0, 0], vmax: 1, threshold: 0.1, backgroundRange: [0, 1], pxPerMm: 4,
 * });
 * console.log(views.map((v) => v.width)); // [8, 8, 8]
 * ```
 */
export function renderOrthoSlices(input: OrthoSliceInput): SliceImage[] {
  const { map, background, shape, cut, vmax, threshold, pxPerMm } = input;
  const [bgLow, bgHigh] = input.backgroundRange;
  const orient = axisOrientation(input.affine);
  const lut = divergingLut(threshold);
  const strides = [1, shape[0], shape[0] * shape[1]];
  const out: SliceImage[] = [];
  for (const def of VIEWS) {
    const ah = orient.voxelAxisOf[def.h]!;
    const av = orient.voxelAxisOf[def.v]!;
    const ac = orient.voxelAxisOf[def.cutAxis]!;
    const nh = shape[ah]!;
    const nv = shape[av]!;
    const pxH = orient.voxelSizes[ah]! * pxPerMm;
    const pxV = orient.voxelSizes[av]! * pxPerMm;
    const width = Math.max(1, Math.round(nh * pxH));
    const height = Math.max(1, Math.round(nv * pxV));
    const base = cut[ac]! * strides[ac]!;
    // Voxel index along each display axis for every column / row (nearest neighbour).
    const colIndex = new Int32Array(width);
    for (let u = 0; u < width; u++) {
      const n = Math.min(nh - 1, Math.floor((u + 0.5) / pxH)); // 0 = lowest world coordinate
      colIndex[u] = orient.signOf[def.h]! > 0 ? n : nh - 1 - n;
    }
    const rowIndex = new Int32Array(height);
    for (let r = 0; r < height; r++) {
      const n = nv - 1 - Math.min(nv - 1, Math.floor((r + 0.5) / pxV)); // top row = highest
      rowIndex[r] = orient.signOf[def.v]! > 0 ? n : nv - 1 - n;
    }
    const rgb = new Uint8Array(3 * width * height);
    for (let r = 0; r < height; r++) {
      const rowOffset = base + rowIndex[r]! * strides[av]!;
      for (let u = 0; u < width; u++) {
        const p = rowOffset + colIndex[u]! * strides[ah]!;
        const g = background === null ? 0 : grayLevel(background[p]!, bgLow, bgHigh);
        let cr = g;
        let cg = g;
        let cb = g;
        if (vmax > 0) {
          const value = map[p]!;
          if (Number.isFinite(value)) {
            const e = 4 * lutIndex(value, vmax);
            if (lut[e + 3] !== 0) {
              cr = lut[e]!;
              cg = lut[e + 1]!;
              cb = lut[e + 2]!;
            }
          }
        }
        const o = 3 * (r * width + u);
        rgb[o] = cr;
        rgb[o + 1] = cg;
        rgb[o + 2] = cb;
      }
    }
    out.push({ view: def.view, width, height, rgb, edgeLabels: def.labels });
  }
  return out;
}

/**
 * Colour bar gradient stops for the diverging map, as `[offset 0-1 from -vmax to vmax, css colour]`;
 * transparent ranges are given `transparentColour`.
 *
 * @param threshold Fraction of vmax below which values are transparent.
 * @param transparentColour CSS colour standing for "transparent" (default light gray).
 * @returns Gradient stops, with hard edges at the threshold.
 *
 * @example
 * ```ts
 * import { colourBarStops } from "./slices.ts";
 * console.log(colourBarStops(0.1).length > 4); // true
 * ```
 */
export function colourBarStops(
  threshold: number,
  transparentColour = "#d9d9d9",
): [number, string][] {
  const lut = divergingLut(threshold);
  const stops: [number, string][] = [];
  const hex = (i: number): string => {
    const e = 4 * i;
    if (lut[e + 3] === 0) return transparentColour;
    return "#" +
      [lut[e]!, lut[e + 1]!, lut[e + 2]!].map((c) => c.toString(16).padStart(2, "0")).join("");
  };
  let prevOpaque: boolean | null = null;
  let prevColour = "";
  for (let i = 0; i < LUT_SIZE; i++) {
    const opaque = lut[4 * i + 3] !== 0;
    const colour = hex(i);
    const offset = i / (LUT_SIZE - 1);
    if (prevOpaque !== null && opaque !== prevOpaque) {
      stops.push([offset, prevColour], [offset, colour]); // hard edge at the threshold
    } else if (i % 8 === 0 || i === LUT_SIZE - 1) {
      stops.push([offset, colour]);
    }
    prevOpaque = opaque;
    prevColour = colour;
  }
  return stops;
}
