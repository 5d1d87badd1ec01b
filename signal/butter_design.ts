/**
 * Digital Butterworth filter design as second-order sections, following the classic recipe that
 * scipy's `signal.butter(N, Wn, btype, output="sos", fs=fs)` uses: analog prototype, frequency
 * pre-warping, low/high/band-pass transform, bilinear transform, then pairing of poles and zeros
 * into sections ("nearest" pairing, sections ordered from the pole farthest from the unit circle
 * to the closest).
 *
 * @module
 */
import { abs, add, type Complex, conj, cx, div, mul, prod, scale, sqrt, sub } from "./complex.ts";

/** Kind of Butterworth filter. */
export type ButterType = "low" | "high" | "band";

/** Zeros, poles and gain of a filter. */
interface Zpk {
  z: Complex[];
  p: Complex[];
  k: number;
}

function prototype(order: number): Zpk {
  const p: Complex[] = [];
  for (let m = -order + 1; m < order; m += 2) {
    const theta = (Math.PI * m) / (2 * order);
    // -exp(i theta); the middle pole (m = 0) is exactly real.
    p.push(cx(-Math.cos(theta), m === 0 ? -0 : -Math.sin(theta)));
  }
  return { z: [], p, k: 1 };
}

function toLowpass({ z, p, k }: Zpk, wo: number): Zpk {
  const degree = p.length - z.length;
  return { z: z.map((v) => scale(v, wo)), p: p.map((v) => scale(v, wo)), k: k * wo ** degree };
}

function toHighpass({ z, p, k }: Zpk, wo: number): Zpk {
  const degree = p.length - z.length;
  const w = cx(wo);
  const zh = z.map((v) => div(w, v));
  for (let i = 0; i < degree; i++) zh.push(cx(0));
  const neg = (v: Complex) => cx(-v.re, -v.im);
  const gain = div(prod(z.map(neg)), prod(p.map(neg))).re;
  return { z: zh, p: p.map((v) => div(w, v)), k: k * gain };
}

function toBandpass({ z, p, k }: Zpk, wo: number, bw: number): Zpk {
  const degree = p.length - z.length;
  const wo2 = cx(wo * wo);
  const split = (xs: Complex[]): Complex[] => {
    const lp = xs.map((v) => scale(v, bw / 2));
    const roots = lp.map((v) => sqrt(sub(mul(v, v), wo2)));
    return [
      ...lp.map((v, i) => add(v, roots[i] as Complex)),
      ...lp.map((v, i) => sub(v, roots[i] as Complex)),
    ];
  };
  const zb = split(z);
  for (let i = 0; i < degree; i++) zb.push(cx(0));
  return { z: zb, p: split(p), k: k * bw ** degree };
}

function bilinear({ z, p, k }: Zpk, fs: number): Zpk {
  const degree = p.length - z.length;
  const fs2 = cx(2 * fs);
  const map = (v: Complex) => div(add(fs2, v), sub(fs2, v));
  const zz = z.map(map);
  for (let i = 0; i < degree; i++) zz.push(cx(-1));
  const gain = div(prod(z.map((v) => sub(fs2, v))), prod(p.map((v) => sub(fs2, v)))).re;
  return { z: zz, p: p.map(map), k: k * gain };
}

const TOL = 100 * Number.EPSILON;

/** Complex values with positive imaginary part (one per conjugate pair), then the real ones. */
function conjugatePairsThenReals(xs: readonly Complex[]): Complex[] {
  const sorted = [...xs].sort((a, b) => a.re - b.re || Math.abs(a.im) - Math.abs(b.im));
  const reals: Complex[] = [];
  const pos: Complex[] = [];
  const neg: Complex[] = [];
  for (const v of sorted) {
    if (Math.abs(v.im) <= TOL * abs(v)) reals.push(cx(v.re));
    else if (v.im > 0) pos.push(v);
    else neg.push(v);
  }
  if (pos.length !== neg.length) {
    throw new Error("filter design: a complex pole or zero has no matching conjugate");
  }
  const pairs = pos.map((v, i) => {
    const w = neg[i] as Complex;
    return cx((v.re + w.re) / 2, (v.im - w.im) / 2);
  });
  return [...pairs, ...reals];
}

function isReal(v: Complex): boolean {
  return v.im === 0;
}

/** Index in `from` of the value nearest `to`, restricted to real/complex values if asked. */
function nearestIndex(
  from: readonly Complex[],
  to: Complex,
  which: "any" | "real" | "complex",
): number {
  let best = -1;
  let bestDist = Infinity;
  for (let i = 0; i < from.length; i++) {
    const v = from[i] as Complex;
    if (which === "real" && !isReal(v)) continue;
    if (which === "complex" && isReal(v)) continue;
    const d = abs(sub(v, to));
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  if (best < 0) throw new Error(`filter design: no ${which} zero left to pair`);
  return best;
}

function worstIndex(xs: readonly Complex[], among?: readonly number[]): number {
  const idx = among ?? xs.map((_, i) => i);
  let best = -1;
  let bestDist = Infinity;
  for (const i of idx) {
    const d = Math.abs(1 - abs(xs[i] as Complex));
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  return best;
}

/** Polynomial coefficients (leading 1) with the given roots, real part. */
function poly(roots: readonly Complex[]): number[] {
  let c: Complex[] = [cx(1)];
  for (const r of roots) {
    const next: Complex[] = [];
    for (let i = 0; i <= c.length; i++) {
      const a = i < c.length ? (c[i] as Complex) : cx(0);
      const b = i > 0 ? mul(c[i - 1] as Complex, cx(-r.re, -r.im)) : cx(0);
      next.push(add(a, b));
    }
    c = next;
  }
  return c.map((v) => v.re);
}

function section(z: readonly Complex[], p: readonly Complex[]): number[] {
  const b = poly(z);
  const a = poly(p);
  const out = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < b.length; i++) out[3 - b.length + i] = b[i] as number;
  for (let i = 0; i < a.length; i++) out[6 - a.length + i] = a[i] as number;
  return out;
}

function zpkToSos(zpk: Zpk): Float64Array {
  let z = [...zpk.z];
  let p = [...zpk.p];
  if (z.length === 0 && p.length === 0) return Float64Array.from([zpk.k, 0, 0, 1, 0, 0]);
  while (p.length < z.length) p.push(cx(0));
  while (z.length < p.length) z.push(cx(0));
  const nSections = (p.length + 1) >> 1;
  if (p.length % 2 === 1) {
    p.push(cx(0));
    z.push(cx(0));
  }
  z = conjugatePairsThenReals(z);
  p = conjugatePairsThenReals(p);
  const sos = new Float64Array(nSections * 6);
  const take = (xs: Complex[], i: number): Complex => xs.splice(i, 1)[0] as Complex;
  for (let si = nSections - 1; si >= 0; si--) {
    const p1 = take(p, worstIndex(p));
    let row: number[];
    const realPoles = p.filter(isReal).length;
    if (isReal(p1) && realPoles === 0) {
      const z1 = take(z, nearestIndex(z, p1, "real"));
      row = section([z1, cx(0)], [p1, cx(0)]);
    } else if (
      p.length + 1 === z.length && !isReal(p1) && realPoles === 1 &&
      z.filter(isReal).length === 1
    ) {
      const z1 = take(z, nearestIndex(z, p1, "complex"));
      row = section([z1, conj(z1)], [p1, conj(p1)]);
    } else {
      let p2: Complex;
      if (isReal(p1)) {
        const realIdx = p.map((v, i) => (isReal(v) ? i : -1)).filter((i) => i >= 0);
        p2 = take(p, worstIndex(p, realIdx));
      } else {
        p2 = conj(p1);
      }
      if (z.length > 0) {
        const z1 = take(z, nearestIndex(z, p1, "any"));
        if (!isReal(z1)) {
          row = section([z1, conj(z1)], [p1, p2]);
        } else if (z.length > 0) {
          const z2 = take(z, nearestIndex(z, p1, "real"));
          row = section([z1, z2], [p1, p2]);
        } else {
          row = section([z1], [p1, p2]);
        }
      } else {
        row = section([], [p1, p2]);
      }
    }
    sos.set(row, si * 6);
  }
  for (let i = 0; i < 3; i++) sos[i] = (sos[i] as number) * zpk.k;
  return sos;
}

/**
 * Design a digital Butterworth filter as second-order sections (`[b0, b1, b2, 1, a1, a2]` per
 * section, flat), like `scipy.signal.butter(order, wn, btype, output="sos", fs=fs)`.
 *
 * @param order filter order (positive integer).
 * @param wn critical frequency (Hz), or `[low, high]` (Hz) for a band-pass filter.
 * @param btype "low", "high" or "band".
 * @param fs sampling frequency (Hz).
 * @returns the sections, flat, 6 numbers per section.
 * @example
 * ```ts
 * import { butterSos } from "./butter_design.ts";
 * const sos = butterSos(5, 0.1, "low", 0.5); // 3 sections for TR = 2 s
 * ```
 */
export function butterSos(
  order: number,
  wn: number | readonly [number, number],
  btype: ButterType,
  fs: number,
): Float64Array {
  if (!Number.isInteger(order) || order < 1) {
    throw new RangeError(`butterworth order: expected a positive integer, found ${order}`);
  }
  const freqs = typeof wn === "number" ? [wn] : [...wn];
  const normalized = freqs.map((f) => (2 * f) / fs);
  for (const w of normalized) {
    if (!(w > 0 && w < 1)) {
      throw new RangeError(
        `butterworth: digital filter critical frequencies must be 0 < Wn < 1 (relative to ` +
          `Nyquist), found ${w} for a cutoff of ${freqs[normalized.indexOf(w)]} Hz at a ` +
          `sampling rate of ${fs} Hz`,
      );
    }
  }
  const warped = normalized.map((w) => 4 * Math.tan((Math.PI * w) / 2));
  let zpk = prototype(order);
  if (btype === "low") zpk = toLowpass(zpk, warped[0] as number);
  else if (btype === "high") zpk = toHighpass(zpk, warped[0] as number);
  else {
    if (warped.length !== 2) throw new TypeError("band-pass design needs [low, high] cutoffs");
    const [w0, w1] = warped as [number, number];
    zpk = toBandpass(zpk, Math.sqrt(w0 * w1), w1 - w0);
  }
  return zpkToSos(bilinear(zpk, 2));
}
