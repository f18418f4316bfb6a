/**
 * Per-sample descriptors measured on every generated and every real sample (a 3D volume or a 2D slice):
 * per phase the volume fraction, relative diffusivity along each transport axis and their mean, the
 * percolating fraction (mean over the sample's axes), the Euler characteristic per voxel, and the curves
 * S2(r), lineal path L(r), chord-length distribution p(ℓ) and pore-size distribution along each axis.
 *
 * Curves are per axis of the sample (z, y, x; only the axes with more than one voxel): S2 non-periodic and
 * L for r = 0 … ⌊n/2⌋, the chord-length distribution as the fraction of interior chords (not touching the
 * sample's faces) of each length ℓ = 0 … n (entry 0 is 0), and the size distribution from the local
 * thickness (topology.ts; no axis: stored under the key 'all'), for the phases in `sizePhases` only.
 */
import { chordLengthDistribution, linealPath } from '../analysis/chords'
import { activeAxes } from '../analysis/lines'
import { percolatingFraction } from '../analysis/percolation'
import { twoPointCorrelation } from '../analysis/two-point'
import { computeTransport } from '../physics/transport'
import type { Axis, Volume } from '../volume/volume'
import { eulerPerVoxel, poreSizeDistribution } from './topology'

export type CurveSet = Partial<Record<Axis | 'all', number[]>>

export interface PhaseSample {
  vf: number
  /** D_rel per transport axis (empty when transport is not computed). */
  drel: Partial<Record<Axis, number>>
  drelMean: number | null
  percolating: number | null
  euler: number | null
  s2: CurveSet
  lineal: CurveSet
  chord: CurveSet
  poreSize: CurveSet | null
}

export interface SampleOptions {
  phases: number[]
  /** Axes along which D_rel is solved (none: no transport). */
  transportAxes: Axis[]
  solverTolerance: number
  /** Largest lag of S2 and lineal path. */
  maxR: number
  /** Longest chord / largest pore diameter kept. */
  maxLength: number
  /** Phases whose size distribution (local thickness) is measured. */
  sizePhases: number[]
  signal?: AbortSignal
}

export function chordPdf(counts: readonly number[], count: number, maxLength: number): number[] {
  const out = new Array<number>(maxLength + 1).fill(0)
  if (count <= 0) return out
  for (let len = 1; len < counts.length && len <= maxLength; len++) out[len] = counts[len] / count
  return out
}

export function describeSample(vol: Volume, opts: SampleOptions): PhaseSample[] {
  const axes = activeAxes(vol.shape)
  const total = vol.data.length
  const counts = new Float64Array(256)
  for (let i = 0; i < total; i++) counts[vol.data[i]]++
  return opts.phases.map((phase) => {
    const vf = counts[phase] / total
    const drel: Partial<Record<Axis, number>> = {}
    for (const axis of opts.transportAxes) {
      drel[axis] =
        vf === 0
          ? 0
          : computeTransport(vol, { phase, axis, tol: opts.solverTolerance, signal: opts.signal })
              .relativeDiffusivity
    }
    const drelValues = opts.transportAxes.map((a) => drel[a] as number)
    const perc = percolatingFraction(vol, phase)
    const percValues = axes.map((a) => perc[a]).filter((v): v is number => v !== null)
    const s2 = twoPointCorrelation(vol, phase, { maxR: opts.maxR })
    const lp = linealPath(vol, phase, { maxR: opts.maxR })
    const chords = chordLengthDistribution(vol, phase)
    const pick = (c: Record<Axis, number[]>): CurveSet =>
      Object.fromEntries(axes.map((a) => [a, c[a].slice(0, opts.maxR + 1)]))
    const psd = opts.sizePhases.includes(phase) ? poreSizeDistribution(vol, phase, opts.maxLength) : null
    return {
      vf,
      drel,
      drelMean: drelValues.length ? drelValues.reduce((s, v) => s + v, 0) / drelValues.length : null,
      percolating: percValues.length ? percValues.reduce((s, v) => s + v, 0) / percValues.length : null,
      euler: eulerPerVoxel(vol, phase),
      s2: pick(s2),
      lineal: pick(lp),
      chord: Object.fromEntries(
        axes.map((a) => [a, chordPdf(chords[a].counts, chords[a].count, opts.maxLength)]),
      ),
      poreSize: psd ? { all: psd } : null,
    }
  })
}
