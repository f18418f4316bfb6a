/**
 * Guidance of the predicted clean latent x̂0 toward the training statistics during sampling.
 *
 * Multi-plane denoising erodes the minority phase (DESIGN §5.2, "Measured risk"). At a reverse step the
 * planes of the current axis have a clean estimate x̂0; it is decoded to phase probabilities y, their
 * volume fraction m_p = mean(y_p) is compared with the training fraction v*_p, and one gradient step on
 *   L(x̂0) = ½ Σ_p (m_p − v*_p)²
 * is taken through the decoder: g = J_dec(x̂0)ᵀ ∂L/∂y with ∂L/∂y_p = (m_p − v*_p) / N (N pixels per phase),
 * computed by the bundle's decoder_vjp graph. The step length is Polyak's, λ = κ · 2L / ‖g‖², which for a
 * decoder that is linear in the direction of g moves m exactly onto the target when κ = 1: the step is
 * scaled by the current error and vanishes when the fraction is right.
 */
import type { DecoderVjp, LatentDecoder, PlaneBatch } from './networks'
import type { AxisIndex } from './planes'
import type { ReverseStep } from './samplers'

/** A correction of x̂0 applied at every reverse step (in place on the batch of planes). */
export interface CleanLatentGuidance {
  apply(x0: PlaneBatch, axis: AxisIndex, step: ReverseStep): Promise<void>
}

/** One guidance step as it was taken, for measuring the drift that it corrects. */
export interface GuidanceRecord {
  t: number
  axis: AxisIndex
  /** Volume fraction per phase of the decoded x̂0 before the correction. */
  fractions: number[]
}

export class VolumeFractionGuidance implements CleanLatentGuidance {
  readonly records: GuidanceRecord[] = []

  /**
   * @param targets training volume fraction per phase (sums to 1)
   * @param strength κ, the fraction of the Polyak step taken (1 = the full step)
   * @param untilT apply only at timesteps t ≥ untilT (0 = every step)
   */
  constructor(
    private readonly decoder: LatentDecoder,
    private readonly vjp: DecoderVjp,
    private readonly targets: readonly number[],
    private readonly strength = 1,
    private readonly untilT = 0,
  ) {}

  async apply(x0: PlaneBatch, axis: AxisIndex, step: ReverseStep): Promise<void> {
    if (step.t < this.untilT) return
    const y = await this.decoder.decode(x0)
    const [B, P, H, W] = y.dims
    if (P !== this.targets.length) {
      throw new Error(
        `volume-fraction guidance has ${this.targets.length} targets, the decoder gives ${P} phases`,
      )
    }
    const plane = H * W
    const n = B * plane
    const fractions = new Array<number>(P).fill(0)
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < P; p++) {
        const off = (b * P + p) * plane
        let s = 0
        for (let i = 0; i < plane; i++) s += y.data[off + i]
        fractions[p] += s
      }
    }
    for (let p = 0; p < P; p++) fractions[p] /= n
    this.records.push({ t: step.t, axis, fractions: [...fractions] })
    const err = fractions.map((m, p) => m - this.targets[p])
    const loss = 0.5 * err.reduce((a, e) => a + e * e, 0)
    if (loss === 0 || this.strength === 0) return
    const v = new Float32Array(y.data.length)
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < P; p++) v.fill(err[p] / n, (b * P + p) * plane, (b * P + p + 1) * plane)
    }
    const g = await this.vjp.vjp(x0, { data: v, dims: y.dims })
    let g2 = 0
    for (let i = 0; i < g.data.length; i++) g2 += g.data[i] * g.data[i]
    if (!(g2 > 0)) return
    const lambda = (this.strength * 2 * loss) / g2
    for (let i = 0; i < x0.data.length; i++) x0.data[i] -= lambda * g.data[i]
  }
}
