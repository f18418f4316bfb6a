/**
 * Guidance of the predicted clean latent x̂0 toward the training statistics during sampling.
 *
 * Multi-plane denoising erodes the minority phase (DESIGN §5.2, "Measured risk"). At a reverse step the
 * planes of the current axis have a clean estimate x̂0; it is decoded to phase probabilities y, pixel-space
 * losses compare y with the bundle's training statistics, and one gradient step is taken on x̂0 through the
 * decoder: g = J_dec(x̂0)ᵀ ∂L/∂y, computed by the bundle's decoder_vjp graph.
 *
 * Every loss is written as L = ½ Σ_k w_k r_k² (residuals r_k), and the step length is Polyak's,
 * λ = κ · 2L / ‖g‖²: for a decoder that is linear along g and a single residual, κ = 1 moves the residual
 * exactly to zero. The step is therefore scaled by the current error and vanishes when the statistics match.
 * Where the decoder saturates, ‖g‖ is tiny and the Polyak length explodes; the step's root-mean-square
 * per latent element is therefore capped (`maxStepRms`, in the units of the unit-variance latent).
 *
 * Losses:
 * - volume fraction: r_p = m_p − v*_p with m_p = mean of y_p over the batch, v*_p the training fraction;
 * - two-point correlation: r_{p,a,r} = S2_{p,a}(r) − S2*_{p,a}(r) for the in-plane axes a (rows, columns)
 *   and r = 0 … R, on the soft field y_p of every plane (non-periodic estimator, as in the statistics);
 *   S2 and its gradient come from core/analysis (s2LossGradient).
 */
import { s2LossGradient } from '../analysis/gradients'
import { phaseSums, type DecoderVjp, type LatentDecoder, type PlaneBatch } from './networks'
import type { AxisIndex } from './planes'
import type { ReverseStep } from './samplers'

/** A correction of x̂0 applied at every reverse step (in place on the batch of planes). */
export interface CleanLatentGuidance {
  apply(x0: PlaneBatch, axis: AxisIndex, step: ReverseStep): Promise<void>
}

/** A pixel-space loss on decoded planes y [B, P, H, W], in the form L = ½ Σ w r². */
export interface PlaneLoss {
  readonly name: string
  evaluate(y: PlaneBatch): { value: number; gradient: Float32Array }
}

/** Mean of each phase channel of y [B, P, H, W]. */
export function phaseMeans(y: PlaneBatch): number[] {
  const [B, , H, W] = y.dims
  return phaseSums(y).map((s) => s / (B * H * W))
}

/** Fraction of pixels of each phase under argmax of y [B, P, H, W] (ties to the lower phase). */
export function argmaxFractions(y: PlaneBatch): number[] {
  const [B, P, H, W] = y.dims
  const plane = H * W
  const counts = new Array<number>(P).fill(0)
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < plane; i++) {
      let best = 0
      for (let p = 1; p < P; p++)
        if (y.data[(b * P + p) * plane + i] > y.data[(b * P + best) * plane + i]) best = p
      counts[best]++
    }
  }
  return counts.map((c) => c / (B * plane))
}

/**
 * Volume-fraction loss. `hard`: the residual uses the fraction of pixels whose argmax is the phase (what the
 * labels will show; a softmax decoder's mean probability can sit far from it), with the gradient of the soft
 * mean as its surrogate (a straight-through estimate).
 */
export class VolumeFractionLoss implements PlaneLoss {
  readonly name = 'volumeFraction'
  constructor(
    private readonly targets: readonly number[],
    private readonly hard = false,
  ) {}

  evaluate(y: PlaneBatch): { value: number; gradient: Float32Array } {
    const [B, P, H, W] = y.dims
    if (P !== this.targets.length) {
      throw new Error(`volume-fraction loss has ${this.targets.length} targets, decoder gives ${P} phases`)
    }
    const plane = H * W
    const n = B * plane
    const err = (this.hard ? argmaxFractions(y) : phaseMeans(y)).map((m, p) => m - this.targets[p])
    const gradient = new Float32Array(y.data.length)
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < P; p++) gradient.fill(err[p] / n, (b * P + p) * plane, (b * P + p + 1) * plane)
    }
    return { value: 0.5 * err.reduce((a, e) => a + e * e, 0), gradient }
  }
}

/** Target S2 curves of one phase along the plane's rows (y, the H axis) and columns (x, the W axis). */
export interface PlaneS2Target {
  phase: number
  y: number[]
  x: number[]
}

export class TwoPointLoss implements PlaneLoss {
  readonly name = 's2'
  constructor(private readonly targets: readonly PlaneS2Target[]) {}

  evaluate(y: PlaneBatch): { value: number; gradient: Float32Array } {
    const [B, P, H, W] = y.dims
    const plane = H * W
    const gradient = new Float32Array(y.data.length)
    let value = 0
    for (const target of this.targets) {
      if (target.phase >= P) throw new Error(`S2 target for phase ${target.phase}, decoder gives ${P} phases`)
      // the phase's soft field of all planes as one [B, H, W] volume; S2 along its y and x axes only
      const field = new Float32Array(B * plane)
      for (let b = 0; b < B; b++)
        field.set(
          y.data.subarray((b * P + target.phase) * plane, (b * P + target.phase + 1) * plane),
          b * plane,
        )
      const res = s2LossGradient(field, [B, H, W], { y: target.y, x: target.x })
      value += 0.5 * res.value
      for (let b = 0; b < B; b++) {
        const off = (b * P + target.phase) * plane
        for (let i = 0; i < plane; i++) gradient[off + i] += 0.5 * res.gradient[b * plane + i]
      }
    }
    return { value, gradient }
  }
}

/** One guidance step as it was taken, for measuring the drift that it corrects. */
export interface GuidanceRecord {
  t: number
  axis: AxisIndex
  /** Mean phase probabilities of the decoded x̂0 before the correction. */
  fractions: number[]
  /** Each loss's value before the correction. */
  losses: Record<string, number>
}

export interface WeightedLoss {
  loss: PlaneLoss
  weight: number
}

export class DecodedLatentGuidance implements CleanLatentGuidance {
  readonly records: GuidanceRecord[] = []
  private steps = 0
  private lastT = -1

  /**
   * @param strength κ, the fraction of the Polyak step taken (1 = the full step)
   * @param minT guide only at timesteps t ≥ minT (0 = every step)
   * @param maxStepRms cap on the root-mean-square of the step per latent element
   * @param every guide at every `every`-th reverse step only (1 = every step), to save decoder calls
   */
  constructor(
    private readonly decoder: LatentDecoder,
    private readonly vjp: DecoderVjp,
    private readonly losses: readonly WeightedLoss[],
    private readonly strength = 1,
    private readonly minT = 0,
    private readonly maxStepRms = 0.5,
    private readonly every = 1,
  ) {}

  async apply(x0: PlaneBatch, axis: AxisIndex, step: ReverseStep): Promise<void> {
    if (step.t !== this.lastT) {
      this.steps++
      this.lastT = step.t
    }
    if (step.t < this.minT || (this.steps - 1) % this.every !== 0) return
    const y = await this.decoder.decode(x0)
    let total = 0
    const v = new Float32Array(y.data.length)
    const values: Record<string, number> = {}
    for (const { loss, weight } of this.losses) {
      const { value, gradient } = loss.evaluate(y)
      values[loss.name] = value
      total += weight * value
      for (let i = 0; i < v.length; i++) v[i] += weight * gradient[i]
    }
    this.records.push({ t: step.t, axis, fractions: phaseMeans(y), losses: values })
    if (!(total > 0) || this.strength === 0) return
    // The VJP is linear in v: send v scaled to unit maximum and scale g back. Unscaled, ∂L/∂y is ~1e-6 per
    // pixel and the backward pass of the decoder runs into denormal floats, which made it 3× slower.
    let vmax = 0
    for (let i = 0; i < v.length; i++) vmax = Math.max(vmax, Math.abs(v[i]))
    if (!(vmax > 0)) return
    for (let i = 0; i < v.length; i++) v[i] /= vmax
    const g = await this.vjp.vjp(x0, { data: v, dims: y.dims })
    for (let i = 0; i < g.data.length; i++) g.data[i] *= vmax
    let g2 = 0
    for (let i = 0; i < g.data.length; i++) g2 += g.data[i] * g.data[i]
    if (!(g2 > 0 && Number.isFinite(g2))) return
    const polyak = (this.strength * 2 * total) / g2
    const lambda = Math.min(polyak, this.maxStepRms * Math.sqrt(g.data.length / g2))
    for (let i = 0; i < x0.data.length; i++) x0.data[i] -= lambda * g.data[i]
  }
}
