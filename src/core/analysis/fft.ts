/**
 * Thin helpers over fft.js (radix-4, power-of-two sizes). Transforms are cached per size because the
 * twiddle tables cost more than one transform of the sizes used here.
 */
import FFT from 'fft.js'

const cache = new Map<number, FFT>()

/** The fft.js transform of a power-of-two size (at least 2). */
export function fftOfSize(size: number): FFT {
  let f = cache.get(size)
  if (!f) {
    f = new FFT(size)
    cache.set(size, f)
  }
  return f
}

/** Smallest power of two >= n (and >= 2, fft.js's minimum size). */
export function nextPowerOfTwo(n: number): number {
  let p = 2
  while (p < n) p *= 2
  return p
}

/**
 * Inverse transform of a real, even power spectrum given by its first size/2 + 1 bins: returns the real
 * sequence (circular autocorrelation) of length `size`.
 */
export function inverseOfHalfSpectrum(half: Float64Array, size: number): Float64Array {
  const f = fftOfSize(size)
  const spectrum = f.createComplexArray() as number[]
  for (let k = 0; k < size; k++) {
    spectrum[2 * k] = half[k <= size / 2 ? k : size - k]
    spectrum[2 * k + 1] = 0
  }
  const out = f.createComplexArray() as number[]
  f.inverseTransform(out, spectrum)
  const real = new Float64Array(size)
  for (let k = 0; k < size; k++) real[k] = out[2 * k]
  return real
}
