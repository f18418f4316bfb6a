/**
 * The relative-diffusivity term of inverse design, evaluated in 3D on the whole volume (DESIGN §5.3,
 * "going beyond the reference").
 *
 * Every `resolveEvery` steps the current labels (argmax of the probability volume) are solved for D_rel of
 * the phase along the axis (σ = 1 in the phase, 0 elsewhere; core/physics), together with the sensitivity
 * S_v = ∂D_rel/∂σ_v of every voxel (envelope theorem; one-sided at σ_v = 0, so closed voxels that would
 * open a path have S_v > 0). Between solves D_rel is tracked to first order,
 *
 *   D̃ = D_solve + Σ_v S_v (p_v − p_v^solve),     p = probability of the phase,
 *
 * treating σ_v ≈ p_v (straight-through: the measured quantity is the hard D_rel, the gradient is taken on
 * the soft field). When the phase does not percolate the hard sensitivity is zero; the soft field
 * σ = 10⁻³ + (1 − 10⁻³) p is then solved for a sensitivity that points at where to open a path.
 *
 * On a batch of slices the residual is the batch's share of the volume's error, r = β (D̃ − D*) / s with
 * β = (voxels in the batch) / (voxels in the volume) and s = max(D*, 10⁻³), and ∂(½r²)/∂y_v = r β S_v / s on
 * the slices' voxels: a batch is asked to correct only its part of the error.
 */
import { conductionSensitivity } from '../physics'
import { extractPlanes, type GridDims } from '../diffusion/planes'
import type { PlaneBatch } from '../diffusion/networks'
import { argmaxPhases } from '../diffusion/decode'
import type { Axis, Shape3 } from '../volume/volume'
import { addPhaseGradient, type DesignTerm, type SliceBatch, type TermValue } from './terms'

/** Conductivity of the other phases in the soft fallback solve. */
export const SOFT_FLOOR = 1e-3

export interface DiffusivitySolve {
  /** D_rel of the hard labels (0 when the phase does not percolate). */
  relativeDiffusivity: number
  percolating: boolean
  iterations: number
  seconds: number
}

export class DiffusivityTerm implements DesignTerm {
  readonly key: string
  private readonly scale: number
  private sensitivity: Float32Array
  private baseProbs: Float32Array
  private baseValue = 0
  /** Every solve made, in order. */
  readonly solves: DiffusivitySolve[] = []

  constructor(
    readonly phase: number,
    readonly axis: Axis,
    readonly target: number,
    private readonly probs: Float32Array,
    private readonly dims: GridDims,
    private readonly signal?: AbortSignal,
  ) {
    this.key = `diffusivity:${phase}:${axis}`
    this.scale = Math.max(target, 1e-3)
    const n = dims[1] * dims[2] * dims[3]
    this.sensitivity = new Float32Array(n)
    this.baseProbs = new Float32Array(n)
  }

  private get shape(): Shape3 {
    return [this.dims[1], this.dims[2], this.dims[3]]
  }

  private phaseProbs(): Float32Array {
    const n = this.baseProbs.length
    return this.probs.slice(this.phase * n, (this.phase + 1) * n)
  }

  /** Solve the current volume again and reset the linear tracking. */
  resolve(): DiffusivitySolve {
    const started = performance.now()
    const labels = argmaxPhases(this.probs, this.dims[0])
    const hard = Float32Array.from(labels, (l) => (l === this.phase ? 1 : 0))
    const opts = { axis: this.axis, signal: this.signal }
    const res = conductionSensitivity(this.shape, hard, opts)
    let iterations = res.iterations
    this.baseProbs = this.phaseProbs()
    this.baseValue = res.percolating ? res.effectiveConductivity : 0
    this.sensitivity = res.sensitivity
    if (!res.percolating) {
      const soft = this.baseProbs.map((p) => SOFT_FLOOR + (1 - SOFT_FLOOR) * p)
      const fallback = conductionSensitivity(this.shape, soft, opts)
      this.sensitivity = fallback.sensitivity
      iterations += fallback.iterations
    }
    const solve = {
      relativeDiffusivity: this.baseValue,
      percolating: res.percolating,
      iterations,
      seconds: (performance.now() - started) / 1000,
    }
    this.solves.push(solve)
    return solve
  }

  /** D̃: the last solve's D_rel plus the first-order change since. */
  estimate(): number {
    const n = this.baseProbs.length
    const off = this.phase * n
    let d = this.baseValue
    for (let v = 0; v < n; v++) d += this.sensitivity[v] * (this.probs[off + v] - this.baseProbs[v])
    return Math.max(0, d)
  }

  evaluate(y: PlaneBatch, batch: SliceBatch): TermValue {
    const [B, , H, W] = y.dims
    const n = this.baseProbs.length
    const share = (B * H * W) / n
    const d = this.estimate()
    const r = (share * (d - this.target)) / this.scale
    const sensDims: GridDims = [1, this.dims[1], this.dims[2], this.dims[3]]
    const sens = new Float32Array(B * H * W)
    batch.indices.forEach((index, b) =>
      sens.set(extractPlanes(this.sensitivity, sensDims, batch.axis, index, 1), b * H * W),
    )
    const gradient = new Float32Array(y.data.length)
    addPhaseGradient(gradient, y.dims, this.phase, sens, (r * share) / this.scale)
    return { loss: 0.5 * r * r, gradient, measure: d }
  }
}
