/** Rows of the Compare table: volume fractions and S2 errors of each volume against a reference. */
import { curveErrorPercent } from './curves'
import { curveAxes, type VolumeDescription } from './measurements'

export interface ComparePhaseCell {
  volumeFraction: number | null
  /** Mean S2 error % over the axes both have; null for the reference itself or without data. */
  s2ErrorPercent: number | null
}

/** One cell per phase id for a volume's description against the reference description. */
export function compareCells(
  phaseIds: readonly number[],
  description: VolumeDescription | null,
  reference: VolumeDescription | null,
  isReference: boolean,
): ComparePhaseCell[] {
  return phaseIds.map((id) => {
    const mine = description?.phases.find((p) => p.id === id)
    const ref = reference?.phases.find((p) => p.id === id)
    if (!mine) return { volumeFraction: null, s2ErrorPercent: null }
    if (isReference || !ref) return { volumeFraction: mine.volumeFraction, s2ErrorPercent: null }
    const axes = curveAxes(ref.s2).filter((a) => curveAxes(mine.s2).includes(a))
    const s2ErrorPercent = axes.length
      ? axes.reduce((s, a) => s + curveErrorPercent(mine.s2[a], ref.s2[a]), 0) / axes.length
      : null
    return { volumeFraction: mine.volumeFraction, s2ErrorPercent }
  })
}
