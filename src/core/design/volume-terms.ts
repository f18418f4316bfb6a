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
 * The sums (lags 0 … R only) are updated exactly after every write-back (`written`): for the batch's
 * in-plane directions by the batch's old and new line sums, and for the direction normal to the slices by
 * the change of the lagged products of the lines through the written slices (`addNormalChange`);
 * `resolve()` recomputes everything (after a refinement round and every `resolveEvery` steps, which also
 * bounds float drift).
 */
import { addS2LossGradient, lagProductSums, LineSpectra } from '../analysis/gradients'
import type { PlaneBatch } from '../diffusion/networks'
import { extractPlanes, planeCount, type AxisIndex, type GridDims } from '../diffusion/planes'
import { AXES, type Axis, type Shape3 } from '../volume/volume'
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

/**
 * Change of the lagged products Σ_lines Σ_i p_i p_{i+r} (r = 0 … R) along `axis` of a [Z, Y, X] field when
 * the planes `indices` perpendicular to `axis` changed from `old` to their present values (both [B, H, W]
 * as extractPlanes lays them out), added into `sums`. With δ = new − old on the changed planes S and q the
 * present field, each pair (i, i + r) with a plane in S changes by δ_i q_{i+r} + q_i δ_{i+r} − δ_i δ_{i+r}:
 *   Δ(r) = Σ_{i∈S} ⟨δ_i, q_{i+r}⟩ + ⟨δ_i, q_{i−r}⟩ − Σ_{i, i+r ∈ S} ⟨δ_i, δ_{i+r}⟩   (r > 0),
 *   Δ(0) = Σ_{i∈S} 2 ⟨δ_i, q_i⟩ − ⟨δ_i, δ_i⟩.
 */
export function addNormalChange(
  field: ArrayLike<number>,
  shape: Shape3,
  axis: AxisIndex,
  indices: readonly number[],
  old: ArrayLike<number>,
  sums: Float64Array,
): void {
  const n = shape[axis]
  const R = Math.min(sums.length - 1, n - 1)
  // Element (o, i, t) of the field, i along the axis, is field[(o n + i) inner + t]; in a plane, o inner + t.
  const inner = axis === 0 ? shape[1] * shape[2] : axis === 1 ? shape[2] : 1
  const outer = axis === 0 ? 1 : shape[0] * (axis === 1 ? 1 : shape[1])
  const plane = outer * inner
  const B = indices.length
  const delta = new Float64Array(B * plane)
  const slot = new Int32Array(n).fill(-1)
  indices.forEach((index, b) => {
    slot[index] = b
    for (let o = 0; o < outer; o++) {
      const base = (o * n + index) * inner
      const p = b * plane + o * inner
      for (let t = 0; t < inner; t++) delta[p + t] = field[base + t] - old[p + t]
    }
  })
  // M[b][j] = ⟨δ_b, q_j⟩ for every plane j within R of a changed plane: a (B × plane) by (plane × planes)
  // product, in blocks of 2 changed planes by 4 planes so that every load serves several products.
  let jlo = n
  let jhi = -1
  for (const i of indices) {
    jlo = Math.min(jlo, Math.max(0, i - R))
    jhi = Math.max(jhi, Math.min(n - 1, i + R))
  }
  const M = new Float64Array(B * n)
  const ni = n * inner
  for (let b = 0; b < B; b += 2) {
    const d0 = b * plane
    const two = b + 1 < B
    const d1 = two ? d0 + plane : d0
    let j = jlo
    for (; j + 3 <= jhi; j += 4) {
      let m00 = 0
      let m01 = 0
      let m02 = 0
      let m03 = 0
      let m10 = 0
      let m11 = 0
      let m12 = 0
      let m13 = 0
      // Plane element e = o · inner + t sits at field[o · n · inner + j · inner + t]; with inner = 1 the
      // runs are single values, so walk o directly.
      const runs = inner === 1 ? 1 : outer
      const run = inner === 1 ? outer : inner
      const step = inner === 1 ? n : 1
      for (let o = 0; o < runs; o++) {
        const e0 = o * run
        const f0 = o * ni + j * inner
        for (let t = 0; t < run; t++) {
          const x0 = delta[d0 + e0 + t]
          const x1 = delta[d1 + e0 + t]
          const f = f0 + t * step
          const q0 = field[f]
          const q1 = field[f + inner]
          const q2 = field[f + 2 * inner]
          const q3 = field[f + 3 * inner]
          m00 += x0 * q0
          m01 += x0 * q1
          m02 += x0 * q2
          m03 += x0 * q3
          m10 += x1 * q0
          m11 += x1 * q1
          m12 += x1 * q2
          m13 += x1 * q3
        }
      }
      M[b * n + j] = m00
      M[b * n + j + 1] = m01
      M[b * n + j + 2] = m02
      M[b * n + j + 3] = m03
      if (two) {
        M[(b + 1) * n + j] = m10
        M[(b + 1) * n + j + 1] = m11
        M[(b + 1) * n + j + 2] = m12
        M[(b + 1) * n + j + 3] = m13
      }
    }
    for (; j <= jhi; j++) {
      let m0 = 0
      let m1 = 0
      for (let o = 0; o < outer; o++) {
        const e0 = o * inner
        const f0 = o * ni + j * inner
        for (let t = 0; t < inner; t++) {
          const q = field[f0 + t]
          m0 += delta[d0 + e0 + t] * q
          m1 += delta[d1 + e0 + t] * q
        }
      }
      M[b * n + j] = m0
      if (two) M[(b + 1) * n + j] = m1
    }
  }
  const acc = new Float64Array(R + 1)
  for (let b = 0; b < B; b++) {
    const i = indices[b]
    acc[0] += 2 * M[b * n + i]
    for (let r = 1; r <= R; r++) {
      if (i + r < n) acc[r] += M[b * n + i + r]
      if (i - r >= 0) acc[r] += M[b * n + i - r]
    }
    // − ⟨δ_b, δ_b'⟩ for the pairs of changed planes r = i_b' − i_b ≥ 0 apart (each pair once).
    for (let c = 0; c < B; c++) {
      const r = indices[c] - i
      if (r < 0 || r > R || (r === 0 && c !== b)) continue
      let dd = 0
      const db = b * plane
      const dc = c * plane
      for (let t = 0; t < plane; t++) dd += delta[db + t] * delta[dc + t]
      acc[r] -= dd
    }
  }
  for (let r = 0; r <= R; r++) sums[r] += acc[r]
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
  /** Per target phase, the batch's stored line sums (in-plane directions) and values, set by evaluate. */
  private oldBatch: { sums: Float64Array[]; field: Float32Array }[] = []

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
    this.sums[k][d] = lagProductSums(field, this.shape, AXES[d], this.refs[k].length - 1)
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
      const spectra: Partial<Record<Axis, LineSpectra>> = {}
      dirs.forEach((d, j) => {
        const along = j === 0 ? 'y' : 'x'
        const before = lagProductSums(old, shape, along, R)
        const spec = new LineSpectra(field, shape, along, R)
        spectra[along] = spec
        const after = spec.lagSums
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
      this.oldBatch.push({ sums: olds, field: old })
      const grad = new Float64Array(field.length)
      const value = addS2LossGradient(spectra, field.length, aim, grad)
      loss += 0.5 * c * value
      addPhaseGradient(gradient, y.dims, t.phase, Float32Array.from(grad), 0.5 * c)
    })
    return { loss, gradient, measure }
  }

  written(batch: SliceBatch, y: PlaneBatch): void {
    const [B, , H, W] = y.dims
    const dirs = inPlaneDirections(batch.axis)
    const n = this.shape[0] * this.shape[1] * this.shape[2]
    this.targets.forEach((t, k) => {
      const field = phaseField(y, t.phase)
      const R = this.refs[k].length - 1
      const old = this.oldBatch[k]
      dirs.forEach((d, j) => {
        if (this.stale[k][d]) return
        if (!old) {
          this.stale[k][d] = true
          return
        }
        const now = lagProductSums(field, [B, H, W], j === 0 ? 'y' : 'x', R)
        const before = old.sums[j]
        const sums = this.sums[k][d]
        for (let r = 0; r < sums.length; r++) sums[r] += now[r] - before[r]
      })
      const d = batch.axis
      if (this.stale[k][d]) return
      if (!old) {
        this.stale[k][d] = true
        return
      }
      // The stored volume now holds y over the batch's planes.
      const volume = this.probs.subarray(t.phase * n, (t.phase + 1) * n)
      addNormalChange(volume, this.shape, d, batch.indices, old.field, this.sums[k][d])
    })
    this.oldBatch = []
  }
}
