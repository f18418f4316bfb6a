/**
 * A controlled model of multi-plane drift: latent planes whose 2D data distribution is a stationary
 * Gaussian random field (unit variance, Gaussian covariance c(d) = exp(−|d|² / 2ℓ²), periodic), with
 * the exact (Bayes-optimal) denoiser and a decoder that thresholds the field. Slices of an isotropic 3D
 * field with the same covariance have exactly this 2D distribution, so any deviation of a multi-plane
 * sample from unit variance and from the threshold's phase fraction is drift caused by the sampling scheme,
 * not by an imperfect network.
 *
 * Denoiser: the covariance is circulant with eigenvalues λ(k) = DFT of c, so E[x0 | x_t] multiplies the
 * spectrum of x_t by √ᾱ λ / (ᾱ λ + 1 − ᾱ), and ε̂ = (x_t − √ᾱ E[x0 | x_t]) / √(1 − ᾱ).
 * Decoder (factor 1, two phases): p_0 = σ(β (u − z)), p_1 = 1 − p_0, so phase 0 is {z < u} for large β;
 * with u = Φ⁻¹(v) a unit-variance field gives phase 0 the fraction v. Its vector–Jacobian product is
 * g = β p_0 p_1 (v_1 − v_0).
 */
import FFT from 'fft.js'
import type {
  DecoderVjp,
  LatentDecoder,
  LatentDenoiser,
  LatentDiffusionModel,
  PlaneBatch,
} from '../../../src/core/diffusion/networks'
import type { NoiseSchedule } from '../../../src/core/diffusion/schedule'

/** In-place 2D DFT of a complex h×w array (interleaved re, im), forward or inverse (scaled by 1/(h·w)). */
function fft2(data: Float64Array, h: number, w: number, inverse: boolean): void {
  const pass = (n: number, count: number, index: (line: number, k: number) => number) => {
    const f = new FFT(n)
    const input = f.createComplexArray() as number[]
    const output = f.createComplexArray() as number[]
    for (let line = 0; line < count; line++) {
      for (let k = 0; k < n; k++) {
        input[2 * k] = data[2 * index(line, k)]
        input[2 * k + 1] = data[2 * index(line, k) + 1]
      }
      if (inverse) f.inverseTransform(output, input)
      else f.transform(output, input)
      for (let k = 0; k < n; k++) {
        data[2 * index(line, k)] = output[2 * k]
        data[2 * index(line, k) + 1] = output[2 * k + 1]
      }
    }
  }
  pass(w, h, (row, k) => row * w + k)
  pass(h, w, (col, k) => k * w + col)
}

/** DFT of the periodic 1D Gaussian covariance on n points (real and even). */
function lineSpectrum(n: number, length: number): Float64Array {
  const data = new Float64Array(2 * n)
  for (let d = 0; d < n; d++) {
    const r = Math.min(d, n - d)
    data[2 * d] = Math.exp(-(r * r) / (2 * length * length))
  }
  const f = new FFT(n)
  const out = f.createComplexArray() as number[]
  f.transform(out, Array.from(data))
  return Float64Array.from({ length: n }, (_, k) => Math.max(0, out[2 * k]))
}

export class GaussianFieldDenoiser implements LatentDenoiser {
  constructor(
    readonly schedule: NoiseSchedule,
    readonly correlationLength: number,
  ) {}

  async predictNoise(zt: PlaneBatch, t: number): Promise<PlaneBatch> {
    const [B, C, h, w] = zt.dims
    const ab = this.schedule.alphaBar(t)
    const sy = lineSpectrum(h, this.correlationLength)
    const sx = lineSpectrum(w, this.correlationLength)
    const out = new Float32Array(zt.data.length)
    const buf = new Float64Array(2 * h * w)
    for (let p = 0; p < B * C; p++) {
      const off = p * h * w
      for (let i = 0; i < h * w; i++) {
        buf[2 * i] = zt.data[off + i]
        buf[2 * i + 1] = 0
      }
      fft2(buf, h, w, false)
      for (let ky = 0; ky < h; ky++)
        for (let kx = 0; kx < w; kx++) {
          const lambda = sy[ky] * sx[kx]
          const gain = (Math.sqrt(ab) * lambda) / (ab * lambda + 1 - ab)
          buf[2 * (ky * w + kx)] *= gain
          buf[2 * (ky * w + kx) + 1] *= gain
        }
      fft2(buf, h, w, true)
      for (let i = 0; i < h * w; i++)
        out[off + i] = (zt.data[off + i] - Math.sqrt(ab) * buf[2 * i]) / Math.sqrt(1 - ab)
    }
    return { data: out, dims: zt.dims }
  }
}

export class ThresholdDecoder implements LatentDecoder, DecoderVjp {
  constructor(
    readonly level: number,
    readonly sharpness = 6,
  ) {}

  private pore(z: number): number {
    return 1 / (1 + Math.exp(-this.sharpness * (this.level - z)))
  }

  async decode(z: PlaneBatch): Promise<PlaneBatch> {
    const [B, , h, w] = z.dims
    const n = h * w
    const y = new Float32Array(B * 2 * n)
    for (let b = 0; b < B; b++)
      for (let i = 0; i < n; i++) {
        const p0 = this.pore(z.data[b * n + i])
        y[b * 2 * n + i] = p0
        y[(b * 2 + 1) * n + i] = 1 - p0
      }
    return { data: y, dims: [B, 2, h, w] }
  }

  async vjp(z: PlaneBatch, v: PlaneBatch): Promise<PlaneBatch> {
    const [B, , h, w] = z.dims
    const n = h * w
    const g = new Float32Array(z.data.length)
    for (let b = 0; b < B; b++)
      for (let i = 0; i < n; i++) {
        const p0 = this.pore(z.data[b * n + i])
        g[b * n + i] = this.sharpness * p0 * (1 - p0) * (v.data[(b * 2 + 1) * n + i] - v.data[b * 2 * n + i])
      }
    return { data: g, dims: z.dims }
  }
}

/** Φ⁻¹ by bisection on the complementary error function (enough for choosing a threshold). */
export function normalQuantile(p: number): number {
  const cdf = (x: number) => {
    // Abramowitz–Stegun 7.1.26 for erf
    const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2))
    const y =
      1 -
      ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
        t *
        Math.exp(-(x * x) / 2)
    return 0.5 * (1 + Math.sign(x) * y)
  }
  let lo = -8
  let hi = 8
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2
    if (cdf(mid) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** The Gaussian-field model: one latent channel, factor 1, phase 0 of fraction `fraction` in 2D samples. */
export function gaussianFieldModel(
  schedule: NoiseSchedule,
  correlationLength: number,
  fraction: number,
): LatentDiffusionModel {
  const decoder = new ThresholdDecoder(normalQuantile(fraction))
  return {
    phases: 2,
    latentChannels: 1,
    factor: 1,
    denoiser: new GaussianFieldDenoiser(schedule, correlationLength),
    encoder: {
      encode: () => Promise.reject(new Error('the Gaussian-field model has no encoder (use refine 0)')),
    },
    decoder,
    decoderVjp: decoder,
    maxBatch: 64,
    maxBatchPixels: 1 << 20,
  }
}

function normalDensity(x: number): number {
  return Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI)
}

/** Φ(x) by midpoint quadrature of the density (accurate to ~1e-7 here). */
function normalCdf(x: number): number {
  const a = -10
  const n = 4000
  const h = (x - a) / n
  let s = 0
  for (let i = 0; i < n; i++) s += normalDensity(a + (i + 0.5) * h) * h
  return s
}

/**
 * S2 of phase 0 of the thresholded field at lag r: P(Z₁ < u, Z₂ < u) for standard normals with correlation
 * ρ = exp(−r² / 2ℓ²), as ∫_{−∞}^{u} φ(x) Φ((u − ρx) / √(1 − ρ²)) dx.
 */
export function thresholdedFieldS2(r: number, correlationLength: number, fraction: number): number {
  const u = normalQuantile(fraction)
  const rho = Math.exp(-(r * r) / (2 * correlationLength ** 2))
  if (rho > 0.9999) return normalCdf(u)
  const a = -10
  const n = 2000
  const h = (u - a) / n
  let s = 0
  for (let i = 0; i < n; i++) {
    const x = a + (i + 0.5) * h
    s += normalDensity(x) * normalCdf((u - rho * x) / Math.sqrt(1 - rho * rho)) * h
  }
  return s
}
