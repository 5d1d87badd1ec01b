/**
 * Minimal complex arithmetic for filter design (poles and zeros). Internal.
 *
 * @module
 */

/** A complex number. */
export interface Complex {
  readonly re: number;
  readonly im: number;
}

/** `re + i im`. */
export function cx(re: number, im = 0): Complex {
  return { re, im };
}

/** a + b. */
export function add(a: Complex, b: Complex): Complex {
  return { re: a.re + b.re, im: a.im + b.im };
}

/** a - b. */
export function sub(a: Complex, b: Complex): Complex {
  return { re: a.re - b.re, im: a.im - b.im };
}

/** a * b. */
export function mul(a: Complex, b: Complex): Complex {
  return { re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re };
}

/** s * a for a real s. */
export function scale(a: Complex, s: number): Complex {
  return { re: a.re * s, im: a.im * s };
}

/** a / b (Smith's algorithm, robust to scaling). */
export function div(a: Complex, b: Complex): Complex {
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    if (b.re === 0 && b.im === 0) return { re: a.re / 0, im: a.im / 0 };
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
}

/** Complex conjugate. */
export function conj(a: Complex): Complex {
  return { re: a.re, im: -a.im };
}

/** |a|. */
export function abs(a: Complex): number {
  return Math.hypot(a.re, a.im);
}

/** Principal square root. */
export function sqrt(a: Complex): Complex {
  if (a.im === 0) {
    if (a.re >= 0) return { re: Math.sqrt(a.re), im: a.im };
    const s = Math.sqrt(-a.re);
    return { re: 0, im: Object.is(a.im, -0) ? -s : s };
  }
  const m = abs(a);
  const re = Math.sqrt((m + Math.abs(a.re)) / 2);
  if (a.re >= 0) return { re, im: a.im / (2 * re) };
  const im = a.im >= 0 ? re : -re;
  return { re: Math.abs(a.im) / (2 * re), im };
}

/** Product of a list (1 for an empty list). */
export function prod(xs: readonly Complex[]): Complex {
  let p: Complex = { re: 1, im: 0 };
  for (const x of xs) p = mul(p, x);
  return p;
}
