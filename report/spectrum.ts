/**
 * Power spectra of extracted signals for the report (periodogram via `fft.js`, zero-padded to a
 * power of two).
 *
 * @module
 */
import FFT from "fft.js";

/** A one-sided power spectrum. */
export interface PowerSpectrum {
  /** Frequencies: Hz when a repetition time was given, else cycles per volume. */
  readonly freqs: Float64Array;
  /** Power at each frequency (periodogram: |X_k|^2 / n, n the unpadded length). */
  readonly power: Float64Array;
  /** FFT size used (smallest power of two >= the signal length, at least 2). */
  readonly nfft: number;
}

/**
 * Smallest power of two >= n (at least 2, the smallest size fft.js accepts).
 *
 * @param n A length.
 * @returns The power of two.
 *
 * @example
 * ```ts
 * import { nextPowerOfTwo } from "./spectrum.ts";
 * nextPowerOfTwo(100); // 128
 * ```
 */
export function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/**
 * One-sided power spectrum of a signal after removing its mean, zero-padded to a power of two.
 *
 * @param signal Samples (one per volume).
 * @param tR Repetition time (s) for a frequency axis in Hz, or null for cycles per volume.
 * @returns Frequencies from 0 to Nyquist and their power.
 *
 * @example
 * ```ts
 * import { powerSpectrum } from "./spectrum.ts";
 * const s = Float64Array.from({ length: 64 }, (_, t) => Math.sin((2 * Math.PI * 8 * t) / 64));
 * const { freqs, power } = powerSpectrum(s, 2);
 * console.log(freqs[power.indexOf(Math.max(...power))]); // 0.0625 (Hz)
 * ```
 */
export function powerSpectrum(signal: ArrayLike<number>, tR: number | null): PowerSpectrum {
  const n = signal.length;
  const nfft = nextPowerOfTwo(n);
  let mean = 0;
  for (let t = 0; t < n; t++) mean += signal[t]!;
  mean = n > 0 ? mean / n : 0;
  const input = new Array<number>(nfft).fill(0);
  for (let t = 0; t < n; t++) input[t] = signal[t]! - mean;
  const fft = new FFT(nfft);
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, input);
  const half = nfft / 2;
  const freqs = new Float64Array(half + 1);
  const power = new Float64Array(half + 1);
  const sampling = tR !== null && tR > 0 ? 1 / tR : 1;
  for (let k = 0; k <= half; k++) {
    const re = out[2 * k]!;
    const im = out[2 * k + 1]!;
    power[k] = n > 0 ? (re * re + im * im) / n : 0;
    freqs[k] = (k * sampling) / nfft;
  }
  return { freqs, power, nfft };
}
