/**
 * Thresholded Gaussian random fields: white noise on a periodic grid filtered by a Gaussian kernel of
 * standard deviation ℓ voxels along each axis (ℓ may differ per axis for anisotropic media; the field's
 * covariance is then Gaussian with standard deviation ℓ√2), thresholded at its own (1 − vf) quantile so
 * that phase 1 (the excursion above the threshold) takes exactly the target fraction, up to ties.
 */
import { gaussianBlur } from '../analysis/gaussian-blur'
import type { Random } from './random'
import type { Shape3 } from '../volume/volume'

export function gaussianField(shape: Shape3, lengths: [number, number, number], rng: Random): Float32Array {
  const noise = new Float32Array(shape[0] * shape[1] * shape[2])
  for (let i = 0; i < noise.length; i++) noise[i] = rng.normal()
  return gaussianBlur(noise, shape, lengths, 'periodic')
}

/**
 * The value t such that a fraction `fraction` of the selected entries of `field` exceeds it
 * (`mask`: only entries where mask is 1 take part).
 */
export function upperQuantileThreshold(field: Float32Array, fraction: number, mask?: Uint8Array): number {
  const values = mask ? field.filter((_, i) => mask[i] === 1) : field.slice()
  values.sort()
  const n = values.length
  const k = Math.round((1 - fraction) * n)
  if (k <= 0) return -Infinity
  if (k >= n) return Infinity
  return (values[k - 1] + values[k]) / 2
}

/** Phase 1 where the filtered field exceeds its (1 − vf) quantile. */
export function thresholdedGaussianField(
  shape: Shape3,
  vf: number,
  lengths: [number, number, number],
  rng: Random,
): Uint8Array {
  const field = gaussianField(shape, lengths, rng)
  const t = upperQuantileThreshold(field, vf)
  return Uint8Array.from(field, (v) => (v > t ? 1 : 0))
}
