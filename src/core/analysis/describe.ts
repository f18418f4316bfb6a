/**
 * All descriptors of a label volume in one record: per phase the volume fraction, S2 and lineal path
 * along each axis (radial S2 for 2D images), chord-length distributions, specific surface area and
 * percolating fraction, Euler characteristic (26-connectivity, see euler.ts) and the local-thickness
 * (pore-size) distribution (open boundary, see local-thickness.ts; null when the phase is absent or fills
 * the volume); the triple-phase boundary density when the volume has three or more phases. Thickness
 * lengths are in voxels, and in the volume's unit when the spacing is isotropic (in-plane for a 2D image;
 * null otherwise).
 */
import { chordLengthDistribution, linealPath, type ChordLengthDistribution } from './chords'
import { eulerCharacteristic, type EulerCharacteristic } from './euler'
import { checkPhase } from './indicator'
import { localThickness, type ThicknessHistogram } from './local-thickness'
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
  eulerCharacteristic: EulerCharacteristic
  localThickness: LocalThicknessSummary | null
}

/** Local-thickness (pore-size) distribution of a phase, without the per-voxel map. */
export interface LocalThicknessSummary {
  /** Volume-weighted histogram of the thickness, edges in voxels. */
  histogram: ThicknessHistogram
  /** Volume-weighted mean, median and largest thickness, voxels. */
  mean: number
  median: number
  max: number
  /** The same in the volume's unit; null when the spacing is not isotropic. */
  meanLength: number | null
  medianLength: number | null
  unit: string
}

/** One length per voxel when the spacing is isotropic (in-plane for a 2D image), else null. */
function isotropicSpacing(vol: Volume): number | null {
  const [dz, dy, dx] = vol.spacing
  const used = vol.shape[0] === 1 ? [dy, dx] : [dz, dy, dx]
  return used.every((s) => Math.abs(s - used[0]) <= 1e-9 * Math.abs(used[0])) ? used[0] : null
}

export function localThicknessSummary(vol: Volume, id: number): LocalThicknessSummary | null {
  const lt = localThickness(vol, id)
  if (lt.phaseVoxels === 0 || !lt.bounded) return null
  const h = isotropicSpacing(vol)
  return {
    histogram: lt.histogram,
    mean: lt.mean,
    median: lt.median,
    max: lt.max,
    meanLength: h === null ? null : lt.mean * h,
    medianLength: h === null ? null : lt.median * h,
    unit: vol.unit,
  }
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
    eulerCharacteristic: eulerCharacteristic(vol, id),
    localThickness: localThicknessSummary(vol, id),
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
