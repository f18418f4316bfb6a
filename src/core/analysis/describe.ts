/**
 * All descriptors of a label volume in one record: per phase the volume fraction, S2 and lineal path
 * along each axis (radial S2 for 2D images), chord-length distributions, specific surface area and
 * percolating fraction; the triple-phase boundary density when the volume has three or more phases.
 */
import { chordLengthDistribution, linealPath, type ChordLengthDistribution } from './chords'
import { checkPhase } from './indicator'
import { percolatingFraction, type PercolatingFraction } from './percolation'
import {
  specificSurfaceArea,
  triplePhaseBoundaryDensity,
  type SpecificSurfaceArea,
  type TriplePhaseBoundaryDensity,
} from './surface'
import { twoPointCorrelation, type AxisCurves, type TwoPointCorrelation } from './two-point'
import { volumeFractions } from './volume-fraction'
import { UserError } from '../errors'
import type { Shape3, Volume } from '../volume/volume'

export interface PhaseDescription {
  id: number
  name?: string
  volumeFraction: number
  s2: TwoPointCorrelation
  linealPath: AxisCurves
  chordLength: ChordLengthDistribution
  specificSurfaceArea: SpecificSurfaceArea
  percolatingFraction: PercolatingFraction
}

export interface VolumeDescription {
  shape: Shape3
  spacing: [number, number, number]
  unit: string
  periodic: boolean
  phases: PhaseDescription[]
  triplePhaseBoundaryDensity?: TriplePhaseBoundaryDensity
}

export interface DescribeOptions {
  /** Describe only this phase (label). */
  phase?: number
  /** Periodic S2 instead of the non-periodic estimator. */
  periodic?: boolean
}

export function describePhase(vol: Volume, id: number, vf: number, periodic: boolean): PhaseDescription {
  return {
    id,
    ...(vol.phases?.[id]?.name ? { name: vol.phases[id].name } : {}),
    volumeFraction: vf,
    s2: twoPointCorrelation(vol, id, { periodic }),
    linealPath: linealPath(vol, id),
    chordLength: chordLengthDistribution(vol, id),
    specificSurfaceArea: specificSurfaceArea(vol, id),
    percolatingFraction: percolatingFraction(vol, id),
  }
}

export function describeVolume(vol: Volume, opts: DescribeOptions = {}): VolumeDescription {
  const fractions = volumeFractions(vol)
  const periodic = opts.periodic ?? false
  let ids = fractions.map((_, id) => id)
  if (opts.phase !== undefined) {
    checkPhase(opts.phase)
    if (opts.phase >= fractions.length) {
      throw new UserError(`phase ${opts.phase} is not in this volume (labels 0..${fractions.length - 1})`)
    }
    ids = [opts.phase]
  }
  const present = fractions.filter((f) => f > 0).length
  return {
    shape: [...vol.shape],
    spacing: [...vol.spacing],
    unit: vol.unit,
    periodic,
    phases: ids.map((id) => describePhase(vol, id, fractions[id], periodic)),
    ...(present >= 3 ? { triplePhaseBoundaryDensity: triplePhaseBoundaryDensity(vol) } : {}),
  }
}
