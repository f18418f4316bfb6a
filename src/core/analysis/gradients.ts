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
 *                     Non-periodic, one forward transform per line serves both S2 and the gradient
 *                     (LineSpectra: lines zero-padded to N ≥ n + R, two real lines per complex transform).
 *   surface area:     A(p) = (1/N) Σ_i (√(|∇u_i|² + ε²) − ε), u = Gaussian blur of p (σ = 0.7 voxel, as the
 *                     smoothed estimate in surface.ts), central differences; the gradient is the adjoint
 *                     stencil followed by the adjoint blur.
 */
import { axisLines } from './lines'
import { axisTwoPointCorrelation, type AxisCurves } from './two-point'
import { fftOfSize, inverseOfHalfSpectrum, nextPowerOfTwo } from './fft'
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

/**
 * Forward spectra of every line of a field along one axis, for the non-periodic S2 up to lag R and its
 * gradient. Each line sits at the start of a zero-padded transform of size N = the next power of two ≥ n + R:
 * large enough that neither the circular autocorrelation at lags ≤ R nor the circular correlation with a
 * kernel of half-width R wraps onto the line. Two real lines a, b share one complex transform z = a + i b:
 * |A_k|² + |B_k|² = (|Z_k|² + |Z_{N−k}|²) / 2, and a real even kernel K maps z to (a ⋆ k) + i (b ⋆ k).
 */
export class LineSpectra {
  /** Σ over the lines of Σ_i p_i p_{i+r}, r = 0 … R (linear, i.e. non-periodic, lagged products). */
  readonly lagSums: Float64Array
  readonly n: number
  readonly R: number
  private readonly size: number
  private readonly spectra: Float64Array | null

  /** `keep` false: only the lag sums are wanted (the spectra are not stored). */
  constructor(
    private readonly field: ArrayLike<number>,
    private readonly shape: Shape3,
    private readonly axis: Axis,
    maxR: number,
    keep = true,
  ) {
    const lines = axisLines(shape, axis)
    const n = lines.length
    const R = Math.max(0, Math.min(Math.floor(maxR), n - 1))
    const N = nextPowerOfTwo(n + R)
    const f = fftOfSize(N)
    const pairs = Math.ceil(lines.count / 2)
    const spectra = keep ? new Float64Array(pairs * 2 * N) : null
    // The padding (entries 2n … 2N − 1) stays zero: transform() does not write its input.
    const buf = f.createComplexArray() as number[]
    buf.fill(0)
    const z = f.createComplexArray() as number[]
    // |Z_k|² + |Z_{N−k}|² summed over the pairs (k = 0 … N/2); halved at the end.
    const power = new Float64Array(N / 2 + 1)
    const { starts, stride } = lines
    for (let q = 0; q < pairs; q++) {
      const sa = starts[2 * q]
      if (2 * q + 1 < lines.count) {
        const sb = starts[2 * q + 1]
        for (let i = 0; i < n; i++) {
          buf[2 * i] = field[sa + i * stride]
          buf[2 * i + 1] = field[sb + i * stride]
        }
      } else {
        for (let i = 0; i < n; i++) {
          buf[2 * i] = field[sa + i * stride]
          buf[2 * i + 1] = 0
        }
      }
      f.transform(z, buf)
      if (spectra) {
        const off = q * 2 * N
        for (let i = 0; i < 2 * N; i++) spectra[off + i] = z[i]
      }
      power[0] += 2 * (z[0] * z[0] + z[1] * z[1])
      for (let k = 1; k <= N / 2; k++) {
        const m = 2 * (N - k)
        power[k] += z[2 * k] * z[2 * k] + z[2 * k + 1] * z[2 * k + 1] + z[m] * z[m] + z[m + 1] * z[m + 1]
      }
    }
    for (let k = 0; k <= N / 2; k++) power[k] *= 0.5
    this.lagSums = inverseOfHalfSpectrum(power, N).slice(0, R + 1)
    this.n = n
    this.R = R
    this.size = N
    this.spectra = spectra
  }

  /**
   * Add into `out` (same layout as the field) the correlation of every line with the symmetric kernel
   * k(±r) = c_r (k(0) = 2 c_0), r ≤ R, zero outside the line: out_j += Σ_{r=−R}^{R} k(r) p_{j+r}.
   */
  addCorrelation(c: ArrayLike<number>, out: Float64Array): void {
    if (!this.spectra) throw new Error('LineSpectra: spectra not kept')
    const N = this.size
    const R = Math.min(c.length - 1, this.R)
    const f = fftOfSize(N)
    const kernel = new Float64Array(N)
    kernel[0] = 2 * c[0]
    for (let r = 1; r <= R; r++) {
      kernel[r] += c[r]
      kernel[N - r] += c[r]
    }
    const kernelSpectrum = f.createComplexArray() as number[]
    f.realTransform(kernelSpectrum, kernel)
    f.completeSpectrum(kernelSpectrum)
    const lines = axisLines(this.shape, this.axis)
    const { starts, stride, count } = lines
    const n = this.n
    const spectra = this.spectra
    const buf = f.createComplexArray() as number[]
    const res = f.createComplexArray() as number[]
    for (let q = 0; q < Math.ceil(count / 2); q++) {
      const off = q * 2 * N
      for (let k = 0; k < N; k++) {
        const kr = kernelSpectrum[2 * k]
        buf[2 * k] = spectra[off + 2 * k] * kr
        buf[2 * k + 1] = spectra[off + 2 * k + 1] * kr
      }
      f.inverseTransform(res, buf)
      const sa = starts[2 * q]
      for (let i = 0; i < n; i++) out[sa + i * stride] += res[2 * i]
      if (2 * q + 1 < count) {
        const sb = starts[2 * q + 1]
        for (let i = 0; i < n; i++) out[sb + i * stride] += res[2 * i + 1]
      }
    }
  }
}

/** Σ over the lines along `axis` of Σ_i p_i p_{i+r}, r = 0 … min(maxR, n − 1) (linear lagged products). */
export function lagProductSums(
  field: ArrayLike<number>,
  shape: Shape3,
  axis: Axis,
  maxR: number,
): Float64Array {
  return new LineSpectra(field, shape, axis, maxR, false).lagSums
}

/**
 * Non-periodic S2 loss Σ_axes Σ_r (S2_a(r) − t_a(r))² and its gradient from the lines' spectra along each
 * axis present in `target` (each built with R ≥ the target's length − 1, or n − 1), for a field of
 * `length` values; the gradient is added into `out`. Returns the value.
 */
export function addS2LossGradient(
  spectra: Partial<Record<Axis, LineSpectra>>,
  length: number,
  target: Partial<AxisCurves>,
  out: Float64Array,
): number {
  let value = 0
  for (const axis of AXES) {
    const t = target[axis]
    const spec = spectra[axis]
    if (!t || t.length === 0 || !spec) continue
    const n = spec.n
    const R = Math.min(t.length - 1, n - 1)
    if (R > spec.R) throw new Error(`addS2LossGradient: spectra along ${axis} reach lag ${spec.R}, not ${R}`)
    const count = length / n
    const c = new Float64Array(R + 1)
    for (let r = 0; r <= R; r++) {
      const d = spec.lagSums[r] / (count * (n - r)) - t[r]
      value += d * d
      c[r] = (2 * d) / (count * (n - r))
    }
    spec.addCorrelation(c, out)
  }
  return value
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
  if (!periodic) {
    const spectra: Partial<Record<Axis, LineSpectra>> = {}
    for (const axis of AXES) {
      const t = target[axis]
      if (t && t.length > 0) spectra[axis] = new LineSpectra(field, shape, axis, t.length - 1)
    }
    const value = addS2LossGradient(spectra, field.length, target, grad)
    return { value, gradient: Float32Array.from(grad) }
  }
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
