/**
 * Loss terms of inverse design on a batch of decoded slices y [B, P, H, W] (phase probabilities).
 *
 * Every term is written as ℓ = ½ Σ_k r_k² with dimensionless residuals r_k = (measure_k − target_k) / s,
 * s the term's scale (the target itself for scalars, floored; S2(0) of the target curve for S2), so terms of
 * different units are comparable and a weight of 1 suits all of them. `evaluate` returns ℓ, ∂ℓ/∂y (same
 * layout as y) and the unscaled measure on the batch, for the report (for S2: the RMS deviation from the
 * target curve in % of the curve's mean, averaged over phases).
 *
 * - vf:  m_p = mean of y_p over the batch; r = (m_p − v*) / max(v*, 0.01).
 * - s2:  per phase, S2 of the batch's soft field along the slices' rows and columns (non-periodic, as in
 *        the training statistics) for r = 0 … R; r_{a,r} = (S2_a(r) − t_a(r)) / t(0) / √(2(R+1)), so a
 *        curve counts like one scalar of its mean relative error. S2 and its gradient are core/analysis's.
 * - ssa: per slice, the smoothed perimeter per unit area L_A of y_p (σ = 0.7 blur, as in surface.ts); the
 *        3D specific surface area by stereology for isotropic structures, S_V = (4/π) L_A, averaged over
 *        the batch; r = (S_V − v*) / max(v*, 1e-3).
 */
import { s2LossGradient, surfaceAreaGradient } from '../analysis/gradients'
import { phaseMeans } from '../diffusion/guidance'
import type { PlaneBatch } from '../diffusion/networks'
import type { AxisIndex } from '../diffusion/planes'

/** Which voxel slices a batch holds: planes `indices` perpendicular to `axis` of the probability volume. */
export interface SliceBatch {
  axis: AxisIndex
  indices: number[]
}

export interface TermValue {
  /** ½ Σ r², before the user's weight. */
  loss: number
  /** ∂loss/∂y, [B, P, H, W]. */
  gradient: Float32Array
  /** The measured quantity (volume fraction, S2 error %, S_V, D_rel) on what the term sees. */
  measure: number
}

export interface DesignTerm {
  readonly key: string
  evaluate(y: PlaneBatch, batch: SliceBatch): TermValue
  /** Told the values `y` written over the batch's slices after the step (volume-level terms track them). */
  written?(batch: SliceBatch, y: PlaneBatch): void
}

/** Copy channel `phase` of every plane of y into one [B, H, W] field. */
export function phaseField(y: PlaneBatch, phase: number): Float32Array {
  const [B, P, H, W] = y.dims
  const plane = H * W
  const out = new Float32Array(B * plane)
  for (let b = 0; b < B; b++)
    out.set(y.data.subarray((b * P + phase) * plane, (b * P + phase + 1) * plane), b * plane)
  return out
}

/** Add scale × g (a [B, H, W] field) into channel `phase` of the [B, P, H, W] gradient. */
export function addPhaseGradient(
  out: Float32Array,
  dims: PlaneBatch['dims'],
  phase: number,
  g: ArrayLike<number>,
  scale: number,
): void {
  const [B, P, H, W] = dims
  const plane = H * W
  for (let b = 0; b < B; b++) {
    const off = (b * P + phase) * plane
    for (let i = 0; i < plane; i++) out[off + i] += scale * g[b * plane + i]
  }
}

export class VolumeFractionTerm implements DesignTerm {
  readonly key: string
  private readonly scale: number
  constructor(
    private readonly phase: number,
    private readonly target: number,
  ) {
    this.key = `vf:${phase}`
    this.scale = Math.max(target, 0.01)
  }

  evaluate(y: PlaneBatch): TermValue {
    const [B, , H, W] = y.dims
    const m = phaseMeans(y)[this.phase]
    const r = (m - this.target) / this.scale
    const gradient = new Float32Array(y.data.length)
    const uniform = new Float32Array(B * H * W).fill(1 / (B * H * W))
    addPhaseGradient(gradient, y.dims, this.phase, uniform, r / this.scale)
    return { loss: 0.5 * r * r, gradient, measure: m }
  }
}

/** S2 target curves of one phase along a slice's rows (y) and columns (x), r = 0 … R. */
export interface PhaseS2Curves {
  phase: number
  y: number[]
  x: number[]
}

export class TwoPointTerm implements DesignTerm {
  readonly key = 's2'
  constructor(private readonly targets: readonly PhaseS2Curves[]) {}

  evaluate(y: PlaneBatch): TermValue {
    const [B, , H, W] = y.dims
    const gradient = new Float32Array(y.data.length)
    let loss = 0
    let rms = 0
    for (const t of this.targets) {
      const R = Math.min(t.y.length, t.x.length, H, W) - 1
      const curves = { y: t.y.slice(0, R + 1), x: t.x.slice(0, R + 1) }
      const s0 = Math.max(0.5 * (curves.y[0] + curves.x[0]), 1e-3)
      const c = 1 / (s0 * s0 * 2 * (R + 1))
      const field = phaseField(y, t.phase)
      const res = s2LossGradient(field, [B, H, W], curves)
      loss += 0.5 * c * res.value
      addPhaseGradient(gradient, y.dims, t.phase, res.gradient, 0.5 * c)
      const mean = (curves.y.reduce((a, v) => a + v, 0) + curves.x.reduce((a, v) => a + v, 0)) / (2 * (R + 1))
      rms += (100 * Math.sqrt(res.value / (2 * (R + 1)))) / Math.max(mean, 1e-12)
    }
    return { loss, gradient, measure: rms / Math.max(this.targets.length, 1) }
  }
}

/** Stereological factor S_V = (4/π) L_A between a section's perimeter per area and the 3D surface density. */
export const STEREOLOGY_SV_PER_LA = 4 / Math.PI

export class SurfaceAreaTerm implements DesignTerm {
  readonly key: string
  private readonly scale: number
  constructor(
    private readonly phase: number,
    private readonly target: number,
  ) {
    this.key = `ssa:${phase}`
    this.scale = Math.max(target, 1e-3)
  }

  evaluate(y: PlaneBatch): TermValue {
    const [B, , H, W] = y.dims
    const plane = H * W
    const field = phaseField(y, this.phase)
    const perSlice = new Float32Array(field.length)
    let sum = 0
    for (let b = 0; b < B; b++) {
      const res = surfaceAreaGradient(field.subarray(b * plane, (b + 1) * plane), [1, H, W])
      sum += res.value
      perSlice.set(res.gradient, b * plane)
    }
    const sv = (STEREOLOGY_SV_PER_LA * sum) / B
    const r = (sv - this.target) / this.scale
    const gradient = new Float32Array(y.data.length)
    addPhaseGradient(gradient, y.dims, this.phase, perSlice, (r / this.scale) * (STEREOLOGY_SV_PER_LA / B))
    return { loss: 0.5 * r * r, gradient, measure: sv }
  }
}
