/**
 * Pixel gradients of descriptor losses on soft phase-probability fields p ∈ [0, 1] (Float32Array, [z, y, x]
 * C order), for inverse design (SDS) and guided sampling. Each function returns the value and its gradient
 * with respect to every entry of p.
 *
 *   volume fraction:  f(p) = (1/N) Σ_i p_i,                         ∂f/∂p_j = 1/N.
 *   S2-curve loss:    L(p) = Σ_axes Σ_{r=0}^{R} (S2_a(r) − t_a(r))², S2_a as in two-point.ts on the soft field
 *                     (S2_a(r) = w_r Σ_lines Σ_i p_i p_{i+r}, w_r = 1 / (lines × (n − r)), or 1 / (lines × n)
 *                     with wrap-around when periodic). Then ∂L/∂p_j = Σ_r c_r (p_{j+r} + p_{j−r}) with
 *                     c_r = 2 w_r (S2_a(r) − t_a(r)) (terms outside the line dropped, or wrapped when
 *                     periodic): a correlation of each line with a symmetric kernel, done by FFT.
 *   surface area:     A(p) = (1/N) Σ_i (√(|∇u_i|² + ε²) − ε), u = Gaussian blur of p (σ = 0.7 voxel, as the
 *                     smoothed estimate in surface.ts), central differences; the gradient is the adjoint
 *                     stencil followed by the adjoint blur.
 */
import { axisLines } from './lines'
import { axisTwoPointCorrelation, type AxisCurves } from './two-point'
import { fftOfSize, nextPowerOfTwo } from './fft'
import { blurTransposed, gaussianBlur } from './gaussian-blur'
import { meanGradientMagnitude, SURFACE_BLUR_SIGMA } from './surface'
import { AXES, axisIndex, type Axis, type Shape3 } from '../volume/volume'

export interface ValueAndGradient {
  value: number
  gradient: Float32Array
}

export function volumeFractionGradient(field: Float32Array): ValueAndGradient {
  let sum = 0
  for (let i = 0; i < field.length; i++) sum += field[i]
  return { value: sum / field.length, gradient: new Float32Array(field.length).fill(1 / field.length) }
}

/**
 * Add into `out` the correlation of every line along `axis` with the symmetric kernel k(±r) = c_r
 * (k(0) = 2 c_0): out_j += Σ_{r=-R}^{R} k(r) p_{j+r}, zero outside the line or wrapped when periodic.
 */
function addLineCorrelation(
  field: Float32Array,
  shape: Shape3,
  axis: Axis,
  c: Float64Array,
  periodic: boolean,
  out: Float64Array,
): void {
  const lines = axisLines(shape, axis)
  const n = lines.length
  const R = c.length - 1
  const size = nextPowerOfTwo(n + 2 * R + 1)
  const f = fftOfSize(size)
  // Spectrum of the kernel placed circularly (real and even, so its transform is real).
  const kernel = new Float64Array(size)
  kernel[0] = 2 * c[0]
  for (let r = 1; r <= R; r++) {
    kernel[r] += c[r]
    kernel[size - r] += c[r]
  }
  const kernelSpectrum = f.createComplexArray() as number[]
  f.realTransform(kernelSpectrum, kernel)
  f.completeSpectrum(kernelSpectrum)
  const ext = new Float64Array(size)
  const spectrum = f.createComplexArray() as number[]
  const result = f.createComplexArray() as number[]
  const { starts, stride } = lines
  for (let l = 0; l < lines.count; l++) {
    const s = starts[l]
    // The line sits at offset R, with R wrapped (periodic) or zero (non-periodic) values on each side.
    ext.fill(0)
    for (let i = 0; i < n; i++) ext[R + i] = field[s + i * stride]
    if (periodic) {
      for (let k = 1; k <= R; k++) {
        ext[R - k] = field[s + (((-k % n) + n) % n) * stride]
        ext[R + n - 1 + k] = field[s + ((n - 1 + k) % n) * stride]
      }
    }
    f.realTransform(spectrum, ext)
    f.completeSpectrum(spectrum)
    for (let k = 0; k < size; k++) {
      spectrum[2 * k] *= kernelSpectrum[2 * k]
      spectrum[2 * k + 1] *= kernelSpectrum[2 * k]
    }
    f.inverseTransform(result, spectrum)
    for (let i = 0; i < n; i++) out[s + i * stride] += result[2 * (R + i)]
  }
}

export interface S2LossOptions {
  periodic?: boolean
}

/** Value and gradient of Σ over the axes present in `target` of Σ_r (S2_a(r) − target_a(r))². */
export function s2LossGradient(
  field: Float32Array,
  shape: Shape3,
  target: Partial<AxisCurves>,
  opts: S2LossOptions = {},
): ValueAndGradient {
  const periodic = opts.periodic ?? false
  const grad = new Float64Array(field.length)
  let value = 0
  for (const axis of AXES) {
    const t = target[axis]
    if (!t || t.length === 0) continue
    const n = shape[axisIndex(axis)]
    const R = Math.min(t.length - 1, n - 1)
    const s2 = axisTwoPointCorrelation(field, shape, axis, { periodic, maxR: R })
    const count = field.length / n
    const c = new Float64Array(R + 1)
    for (let r = 0; r <= R; r++) {
      const d = s2[r] - t[r]
      value += d * d
      c[r] = (2 * d) / (count * (periodic ? n : n - r))
    }
    addLineCorrelation(field, shape, axis, c, periodic, grad)
  }
  return { value, gradient: Float32Array.from(grad) }
}

export interface SurfaceAreaGradientOptions {
  spacing?: [number, number, number]
  /** Smoothing of |∇u| at zero (default 1e-3 per unit length). */
  eps?: number
  sigma?: number
}

/** Value and gradient of the smooth surface-area estimate A(p) (per unit volume). */
export function surfaceAreaGradient(
  field: Float32Array,
  shape: Shape3,
  opts: SurfaceAreaGradientOptions = {},
): ValueAndGradient {
  const sigma = opts.sigma ?? SURFACE_BLUR_SIGMA
  const u = gaussianBlur(field, shape, sigma)
  const du = new Float64Array(field.length)
  const value = meanGradientMagnitude(u, shape, opts.spacing ?? [1, 1, 1], opts.eps ?? 1e-3, du)
  return { value, gradient: blurTransposed(du, shape, sigma) }
}
