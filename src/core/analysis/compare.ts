/**
 * Comparison of descriptor curves and volumes.
 *
 * micro3diffError (Micro3Diff, Lee & Yun 2024): error % = 100 × Σ_r |gen(r) − ref(r)| / Σ_r ref(r), the sums
 * taken over the lags both curves have (r = 0 .. min(length) − 1). A reference that sums to zero gives 0
 * when the curves agree and Infinity otherwise.
 *
 * compareVolumes(a, ref): for every phase of the reference, the volume-fraction difference a − ref and the
 * micro3diff error of the non-periodic S2 and lineal-path curves along each axis with more than one voxel
 * in both volumes, plus their mean over those axes.
 */
import { linealPath } from './chords'
import { twoPointCorrelation, type AxisCurves } from './two-point'
import { volumeFractions } from './volume-fraction'
import type { Axis, Volume } from '../volume/volume'
import { activeAxes } from './lines'

export function micro3diffError(gen: ArrayLike<number>, ref: ArrayLike<number>): number {
  const n = Math.min(gen.length, ref.length)
  let diff = 0
  let sum = 0
  for (let r = 0; r < n; r++) {
    diff += Math.abs(gen[r] - ref[r])
    sum += ref[r]
  }
  if (sum === 0) return diff === 0 ? 0 : Infinity
  return (100 * diff) / sum
}

export type AxisErrors = Partial<Record<Axis, number>> & { mean: number }

export interface PhaseComparison {
  id: number
  volumeFraction: number
  referenceVolumeFraction: number
  /** volumeFraction − referenceVolumeFraction */
  volumeFractionDifference: number
  s2ErrorPercent: AxisErrors
  linealPathErrorPercent: AxisErrors
}

export interface VolumeComparison {
  shape: [number, number, number]
  referenceShape: [number, number, number]
  axes: Axis[]
  phases: PhaseComparison[]
}

function axisErrors(gen: AxisCurves, ref: AxisCurves, axes: Axis[]): AxisErrors {
  const out: AxisErrors = { mean: 0 }
  for (const axis of axes) out[axis] = micro3diffError(gen[axis], ref[axis])
  out.mean = axes.length ? axes.reduce((s, a) => s + (out[a] as number), 0) / axes.length : 0
  return out
}

export function compareVolumes(a: Volume, ref: Volume): VolumeComparison {
  const refAxes = activeAxes(ref.shape)
  const axes = activeAxes(a.shape).filter((x) => refAxes.includes(x))
  const vfA = volumeFractions(a)
  const vfRef = volumeFractions(ref)
  const phases = vfRef.map((refVf, id): PhaseComparison => {
    const vf = vfA[id] ?? 0
    return {
      id,
      volumeFraction: vf,
      referenceVolumeFraction: refVf,
      volumeFractionDifference: vf - refVf,
      s2ErrorPercent: axisErrors(twoPointCorrelation(a, id), twoPointCorrelation(ref, id), axes),
      linealPathErrorPercent: axisErrors(linealPath(a, id), linealPath(ref, id), axes),
    }
  })
  return { shape: [...a.shape], referenceShape: [...ref.shape], axes, phases }
}
