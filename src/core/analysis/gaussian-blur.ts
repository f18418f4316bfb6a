/**
 * Separable Gaussian blur of a field on a [z, y, x] grid, truncated at ⌈3σ⌉ voxels.
 *
 * Boundary modes:
 *   'normalized': zero padding, each output divided by the kernel weight that fell inside the volume, so a
 *     constant field stays constant up to the faces (u = K f / K 1 with K the zero-padded convolution);
 *   'periodic': the grid wraps around.
 * `blurTransposed` applies the adjoint operator (needed to pull gradients back through the blur); the
 * periodic blur is self-adjoint, the normalized one has adjoint Kᵀ N⁻¹ = K N⁻¹ per axis.
 */
import { axisLines } from './lines'
import { AXES, axisIndex, type Axis, type Shape3 } from '../volume/volume'

export type BlurMode = 'normalized' | 'periodic'

export function gaussianKernel(sigma: number): Float64Array {
  const half = Math.max(1, Math.ceil(3 * sigma))
  const k = new Float64Array(2 * half + 1)
  let sum = 0
  for (let i = -half; i <= half; i++) {
    k[i + half] = Math.exp((-0.5 * i * i) / (sigma * sigma))
    sum += k[i + half]
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum
  return k
}

function blurAxis(
  field: Float32Array,
  shape: Shape3,
  axis: Axis,
  sigma: number,
  mode: BlurMode,
  transposed: boolean,
): void {
  const lines = axisLines(shape, axis)
  const n = lines.length
  if (n === 1 || sigma <= 0) return
  const k = gaussianKernel(sigma)
  const half = (k.length - 1) / 2
  const norm = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let w = 0
    for (let j = -half; j <= half; j++) if (i + j >= 0 && i + j < n) w += k[j + half]
    norm[i] = mode === 'periodic' ? 1 : w
  }
  // The line with `half` margins on both sides, zero (normalized) or wrapped (periodic): no branch per tap.
  const padded = new Float64Array(n + 2 * half)
  const { starts, stride } = lines
  for (let l = 0; l < lines.count; l++) {
    const s = starts[l]
    for (let i = 0; i < n; i++) padded[half + i] = field[s + i * stride] / (transposed ? norm[i] : 1)
    if (mode === 'periodic') {
      for (let j = 1; j <= half; j++) {
        padded[half - j] = padded[half + (((-j % n) + n) % n)]
        padded[half + n - 1 + j] = padded[half + ((n - 1 + j) % n)]
      }
    }
    for (let i = 0; i < n; i++) {
      let acc = 0
      for (let j = 0; j < k.length; j++) acc += k[j] * padded[i + j]
      field[s + i * stride] = transposed ? acc : acc / norm[i]
    }
  }
}

/** Blur a copy of `field` along every axis in turn (the axes' operators commute, so their adjoints do too). */
function blurCopy(
  field: ArrayLike<number>,
  shape: Shape3,
  sigma: number | [number, number, number],
  mode: BlurMode,
  transposed: boolean,
): Float32Array {
  const out = Float32Array.from(field)
  for (const axis of AXES) {
    const s = typeof sigma === 'number' ? sigma : sigma[axisIndex(axis)]
    blurAxis(out, shape, axis, s, mode, transposed)
  }
  return out
}

/** Blur a copy of `field` with standard deviation sigma[axis] voxels along each axis (0 = no blur). */
export function gaussianBlur(
  field: ArrayLike<number>,
  shape: Shape3,
  sigma: number | [number, number, number],
  mode: BlurMode = 'normalized',
): Float32Array {
  return blurCopy(field, shape, sigma, mode, false)
}

/** The adjoint of gaussianBlur with the same arguments. */
export function blurTransposed(
  field: ArrayLike<number>,
  shape: Shape3,
  sigma: number | [number, number, number],
  mode: BlurMode = 'normalized',
): Float32Array {
  return blurCopy(field, shape, sigma, mode, true)
}
