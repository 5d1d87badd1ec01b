/**
 * Deterministic pseudo-random numbers for synthetic data: the mulberry32 generator (uniform in
 * [0, 1)) and Box-Muller standard normal samples drawn from it.
 *
 * @module
 */

/**
 * mulberry32: a small, fast, deterministic pseudo-random generator. The same seed always gives
 * the same sequence (on every platform). Not for cryptography.
 *
 * @param seed any number; only its low 32 bits (as an unsigned integer) are used.
 * @returns a function returning the next uniform sample in [0, 1).
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { mulberry32 } from "@niimask/niimask/synthetic";
 * const rand = mulberry32(42);
 * const a = rand();
 * equal(a >= 0 && a < 1, true);
 * equal(mulberry32(42)(), a); // same seed, same sequence
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal samples (mean 0, standard deviation 1) from a uniform generator, by the
 * Box-Muller transform; both values of each pair are used (two uniforms per two normals).
 *
 * @param rand uniform generator in [0, 1), e.g. {@link mulberry32}.
 * @returns a function returning the next standard normal sample.
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { mulberry32, normals } from "@niimask/niimask/synthetic";
 * const normal = normals(mulberry32(1));
 * const x = Array.from({ length: 1000 }, normal);
 * equal(Math.abs(x.reduce((s, v) => s + v, 0) / x.length) < 0.2, true); // mean near 0
 * ```
 */
export function normals(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rand(), v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
