/**
 * Volume-level loss terms of inverse design: a batch is aimed by the whole volume's residual.
 *
 * The targets are properties of the volume (its volume fraction, its S2 along each axis), but a step sees
 * only a batch of slices. A batch-level residual (terms.ts) asks every batch of 8 slices to match the
 * target on its own, so the step chases the batch's sampling noise (8 slices of 64² have fractions that
 * differ by ±0.02 and S2 tails that differ by ±20 %) as much as the volume's error. Here the term keeps
 * running sums of the stored volume's quantity and aims the batch's own measure m_b(y) (y the decoded
 * slices) at its present value less the volume's residual, so the batch takes its share of the volume's
 * correction and the volume moves by β · residual per step (β the batch's share of voxels or lines).
 * ℓ = ½ ((m_b(y) − aim) / s)², gradient with the aim held fixed. The two terms differ in what "present"
 * means, i.e. in what they do with the change of the encode→decode round trip (and score step) y − stored:
 *
 * - vf undoes it: aim = m_b(stored) − (m_vol − target). The round trip loses a little of the minority
 *   phase every time (on the Berea bundle 0.006 of pore fraction per visit at 0.28); kept, it leaves the
 *   volume that far below the target. ℓ is the exact batch loss.
 * - S2 keeps it: aim = m_b(y) − (m_vol(batch replaced by y) − target). Undoing it asks the decoder for the
 *   stored texture, which it cannot make along every plane; on the Berea bundle that left the pore S2
 *   error at 3–4 % instead of 1–1.2 % (docs/design.md). ℓ is the volume loss and the gradient is its
 *   gradient divided by β.
 *
 * test/core/design/volume-terms.test.ts checks both gradients by finite differences.
 *
 * The sums are updated after every write-back (`written`): exactly for the batch's in-plane directions
 * (the batch's old and new line sums), and by a full recomputation of the direction normal to the slices,
 * done lazily when it is next needed; `resolve()` recomputes everything (after a refinement round and
 * every `resolveEvery` steps, which also bounds float drift).
 */
import { s2LossGradient } from '../analysis/gradients'
import { summedLineAutocorrelation } from '../analysis/two-point'
import type { PlaneBatch } from '../diffusion/networks'
import { extractPlanes, planeCount, type AxisIndex, type GridDims } from '../diffusion/planes'
import { AXES, type Shape3 } from '../volume/volume'
import {
  addPhaseGradient,
  phaseField,
  type DesignTerm,
  type PhaseS2Curves,
  type SliceBatch,
  type TermValue,
} from './terms'

/** A term that tracks the volume: told about every write-back, recomputed now and then. */
export interface VolumeTrackingTerm extends DesignTerm {
  written(batch: SliceBatch, y: PlaneBatch): void
  resolve(): unknown
}

/** The volume directions (0 = z, 1 = y, 2 = x) of a plane's rows (H) and columns (W) along `axis`. */
export function inPlaneDirections(axis: AxisIndex): [AxisIndex, AxisIndex] {
  return axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1]
}

/** Channel `phase` of planes `indices` along `axis` of a [P, Z, Y, X] volume, as one [B, H, W] field. */
function gatherPhase(probs: Float32Array, dims: GridDims, phase: number, batch: SliceBatch): Float32Array {
  const n = dims[1] * dims[2] * dims[3]
  const one: GridDims = [1, dims[1], dims[2], dims[3]]
  const channel = probs.subarray(phase * n, (phase + 1) * n)
  const plane = n / planeCount(dims, batch.axis)
  const out = new Float32Array(batch.indices.length * plane)
  batch.indices.forEach((index, b) => out.set(extractPlanes(channel, one, batch.axis, index, 1), b * plane))
  return out
}

/** Volume fraction of a phase, with the volume's residual. */
export class VolumeFractionVolumeTerm implements VolumeTrackingTerm {
  readonly key: string
  private readonly scale: number
  private sum = 0
  /** The batch's stored sum (set by evaluate, used by written). */
  private oldBatchSum = 0

  constructor(
    private readonly phase: number,
    private readonly target: number,
    private readonly probs: Float32Array,
    private readonly dims: GridDims,
  ) {
    this.key = `vf:${phase}`
    this.scale = Math.max(target, 0.01)
    this.resolve()
  }

  private get voxels(): number {
    return this.dims[1] * this.dims[2] * this.dims[3]
  }

  resolve(): number {
    const n = this.voxels
    let s = 0
    for (let i = this.phase * n; i < (this.phase + 1) * n; i++) s += this.probs[i]
    this.sum = s
    return s / n
  }

  /** The stored volume's fraction. */
  fraction(): number {
    return this.sum / this.voxels
  }

  evaluate(y: PlaneBatch, batch: SliceBatch): TermValue {
    const [B, , H, W] = y.dims
    const m = B * H * W
    const old = gatherPhase(this.probs, this.dims, this.phase, batch)
    let oldSum = 0
    for (let i = 0; i < old.length; i++) oldSum += old[i]
    this.oldBatchSum = oldSum
    const field = phaseField(y, this.phase)
    let newSum = 0
    for (let i = 0; i < field.length; i++) newSum += field[i]
    const volume = this.fraction()
    const aim = oldSum / m - (volume - this.target)
    const r = (newSum / m - aim) / this.scale
    const gradient = new Float32Array(y.data.length)
    const uniform = new Float32Array(m).fill(1 / m)
    addPhaseGradient(gradient, y.dims, this.phase, uniform, r / this.scale)
    return { loss: 0.5 * r * r, gradient, measure: volume }
  }

  written(_batch: SliceBatch, y: PlaneBatch): void {
    const field = phaseField(y, this.phase)
    let s = 0
    for (let i = 0; i < field.length; i++) s += field[i]
    this.sum += s - this.oldBatchSum
  }
}

/**
 * S2 of every listed phase along the volume's three axes, each aimed at the mean of the target's row and
 * column curves (as measure.ts judges it), r = 0 … R, R = min(curve length − 1, side − 1). Residual per phase,
 * direction and lag: (S2_vol(r) − t(r)) / t(0) / √(2(R+1)) over the batch's two in-plane directions.
 * Measure: the Micro3Diff error % of the volume's soft S2 (in-plane directions, worst phase).
 */
export class TwoPointVolumeTerm implements VolumeTrackingTerm {
  readonly key = 's2'
  /** sums[phase][direction]: Σ over the volume's lines along the direction of Σ_i p_i p_{i+r}. */
  private readonly sums: Float64Array[][]
  private readonly stale: boolean[][]
  private readonly refs: number[][]
  private oldBatch: Float64Array[][] = []

  constructor(
    private readonly targets: readonly PhaseS2Curves[],
    private readonly probs: Float32Array,
    private readonly dims: GridDims,
  ) {
    this.refs = targets.map((t) => {
      const R = Math.min(t.y.length, t.x.length, dims[1], dims[2], dims[3]) - 1
      return Array.from({ length: R + 1 }, (_, r) => 0.5 * (t.y[r] + t.x[r]))
    })
    this.sums = targets.map(() => [new Float64Array(0), new Float64Array(0), new Float64Array(0)])
    this.stale = targets.map(() => [true, true, true])
    this.resolve()
  }

  private get shape(): Shape3 {
    return [this.dims[1], this.dims[2], this.dims[3]]
  }

  private recompute(k: number, d: AxisIndex): void {
    const n = this.shape[0] * this.shape[1] * this.shape[2]
    const phase = this.targets[k].phase
    const field = this.probs.subarray(phase * n, (phase + 1) * n)
    this.sums[k][d] = summedLineAutocorrelation(field, this.shape, AXES[d])
    this.stale[k][d] = false
  }

  resolve(): void {
    this.targets.forEach((_, k) => ([0, 1, 2] as const).forEach((d) => this.recompute(k, d)))
  }

  /** S2 of the volume along direction d from line sums (non-periodic normalisation). */
  private s2(k: number, d: AxisIndex, sums: Float64Array): number[] {
    const side = this.shape[d]
    const lines = (this.shape[0] * this.shape[1] * this.shape[2]) / side
    return this.refs[k].map((_, r) => sums[r] / (lines * (side - r)))
  }

  /** Micro3Diff error % of the volume's soft S2 along every axis, worst phase (for logs and tests). */
  volumeError(): number {
    let worst = 0
    this.targets.forEach((_, k) => {
      const ref = this.refs[k]
      const total = ref.reduce((a, v) => a + v, 0)
      let e = 0
      for (const d of [0, 1, 2] as const) {
        if (this.stale[k][d]) this.recompute(k, d)
        const s = this.s2(k, d, this.sums[k][d])
        e += (100 * s.reduce((a, v, r) => a + Math.abs(v - ref[r]), 0)) / Math.max(total, 1e-12) / 3
      }
      worst = Math.max(worst, e)
    })
    return worst
  }

  evaluate(y: PlaneBatch, batch: SliceBatch): TermValue {
    const [B, , H, W] = y.dims
    const dirs = inPlaneDirections(batch.axis)
    const gradient = new Float32Array(y.data.length)
    const measure = this.volumeError()
    let loss = 0
    this.oldBatch = []
    this.targets.forEach((t, k) => {
      const ref = this.refs[k]
      const R = ref.length - 1
      const s0 = Math.max(ref[0], 1e-3)
      const c = 1 / (s0 * s0 * 2 * (R + 1))
      const old = gatherPhase(this.probs, this.dims, t.phase, batch)
      const shape: Shape3 = [B, H, W]
      const olds: Float64Array[] = []
      // Aim of the batch's S2 along each in-plane direction: its S2 now less the residual of the volume
      // with the batch replaced by y (module comment: the round trip's change is kept, not undone).
      const field = phaseField(y, t.phase)
      const aim: { y?: number[]; x?: number[] } = {}
      dirs.forEach((d, j) => {
        const along = j === 0 ? 'y' : 'x'
        const before = summedLineAutocorrelation(old, shape, along)
        const after = summedLineAutocorrelation(field, shape, along)
        olds.push(before)
        const s2Vol = this.s2(
          k,
          d,
          this.sums[k][d].map((v, r) => v - before[r] + after[r]),
        )
        const side = shape[j + 1]
        const batchLines = (B * H * W) / side
        aim[along] = ref.map((v, r) => after[r] / (batchLines * (side - r)) - (s2Vol[r] - v))
      })
      this.oldBatch.push(olds)
      const res = s2LossGradient(field, shape, aim)
      loss += 0.5 * c * res.value
      addPhaseGradient(gradient, y.dims, t.phase, res.gradient, 0.5 * c)
    })
    return { loss, gradient, measure }
  }

  written(batch: SliceBatch, y: PlaneBatch): void {
    const [B, , H, W] = y.dims
    const dirs = inPlaneDirections(batch.axis)
    this.targets.forEach((t, k) => {
      const field = phaseField(y, t.phase)
      dirs.forEach((d, j) => {
        if (this.stale[k][d]) return
        const now = summedLineAutocorrelation(field, [B, H, W], j === 0 ? 'y' : 'x')
        const before = this.oldBatch[k]?.[j]
        if (!before) {
          this.stale[k][d] = true
          return
        }
        const sums = this.sums[k][d]
        for (let r = 0; r < sums.length; r++) sums[r] += now[r] - before[r]
      })
      this.stale[k][batch.axis] = true
    })
    this.oldBatch = []
  }
}
