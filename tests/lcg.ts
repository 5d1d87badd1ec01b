/**
 * Deterministic pseudo-random numbers for test data: a 32-bit linear congruential generator
 * (Numerical Recipes constants), uniform in [0, 1). The same seed gives the same sequence.
 */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
