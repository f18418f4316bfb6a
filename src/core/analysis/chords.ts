/**
 * Run-based descriptors along an axis: lineal path and chord-length distribution.
 *
 * A chord is a maximal run of consecutive voxels of the phase along a line parallel to the axis.
 *
 * Lineal path (non-periodic): L_a(r) = probability that the r + 1 consecutive voxels i, i+1, ..., i+r of a
 * line all lie in the phase, over all start positions with i + r inside the volume. A run of length ℓ holds
 * max(0, ℓ − r) such segments, so L_a(r) = Σ_runs max(0, ℓ − r) / (lines × (n − r)); L(0) is the volume
 * fraction. Runs cut by the volume boundary count as they are (the estimator only uses segments inside).
 *
 * Chord-length distribution: the number of chords of each length ℓ = 1..n (index ℓ of `counts`). By
 * default chords that touch either end of their line are left out, since the boundary truncates them
 * (as PoreSpy's apply_chords(trim_edges=True)); `mean` is the number-weighted mean chord length in voxels,
 * `meanLength` the same times the spacing along the axis.
 */
import { axisLines } from './lines'
import { checkPhase } from './indicator'
import type { AxisCurves } from './two-point'
import { axisIndex, type Axis, type Volume } from '../volume/volume'

export interface RunHistograms {
  /** counts of all runs by length (index = length). */
  all: Float64Array
  /** counts of runs that touch neither end of their line. */
  interior: Float64Array
  lineLength: number
  lineCount: number
}

export function axisRunHistograms(vol: Volume, phase: number, axis: Axis): RunHistograms {
  const lines = axisLines(vol.shape, axis)
  const n = lines.length
  const all = new Float64Array(n + 1)
  const interior = new Float64Array(n + 1)
  const d = vol.data
  const { starts, stride } = lines
  for (let l = 0; l < lines.count; l++) {
    const s = starts[l]
    let run = 0
    let runStart = 0
    for (let i = 0; i < n; i++) {
      if (d[s + i * stride] === phase) {
        if (run === 0) runStart = i
        run++
      } else if (run > 0) {
        all[run]++
        if (runStart > 0) interior[run]++
        run = 0
      }
    }
    if (run > 0) all[run]++
  }
  return { all, interior, lineLength: n, lineCount: lines.count }
}

export function linealPathFromRuns(h: RunHistograms, maxR?: number): number[] {
  const n = h.lineLength
  const rMax = maxR === undefined ? Math.floor(n / 2) : Math.min(Math.max(0, Math.floor(maxR)), n - 1)
  const out = new Array<number>(rMax + 1)
  for (let r = 0; r <= rMax; r++) {
    let segments = 0
    for (let len = r + 1; len <= n; len++) segments += h.all[len] * (len - r)
    out[r] = segments / (h.lineCount * (n - r))
  }
  return out
}

/** Lineal path of one phase along z, y and x (definition in the module comment). */
export function linealPath(vol: Volume, phase: number, opts: { maxR?: number } = {}): AxisCurves {
  checkPhase(phase)
  return {
    z: linealPathFromRuns(axisRunHistograms(vol, phase, 'z'), opts.maxR),
    y: linealPathFromRuns(axisRunHistograms(vol, phase, 'y'), opts.maxR),
    x: linealPathFromRuns(axisRunHistograms(vol, phase, 'x'), opts.maxR),
  }
}

export interface ChordHistogram {
  /** counts[ℓ] = number of chords of length ℓ voxels; trimmed after the longest chord. */
  counts: number[]
  count: number
  /** Number-weighted mean chord length in voxels (0 when there is no chord). */
  mean: number
  /** mean × spacing along the axis, in the volume's unit. */
  meanLength: number
}

export interface ChordLengthDistribution {
  z: ChordHistogram
  y: ChordHistogram
  x: ChordHistogram
  unit: string
  edgeChordsIncluded: boolean
}

function chordHistogram(hist: Float64Array, spacing: number): ChordHistogram {
  let last = 0
  let count = 0
  let total = 0
  for (let len = 1; len < hist.length; len++) {
    if (hist[len] > 0) last = len
    count += hist[len]
    total += hist[len] * len
  }
  const mean = count > 0 ? total / count : 0
  return { counts: Array.from(hist.subarray(0, last + 1)), count, mean, meanLength: mean * spacing }
}

/** Chord-length distribution of one phase along z, y and x (definition in the module comment). */
export function chordLengthDistribution(
  vol: Volume,
  phase: number,
  opts: { includeEdgeChords?: boolean } = {},
): ChordLengthDistribution {
  checkPhase(phase)
  const includeEdge = opts.includeEdgeChords ?? false
  const per = (axis: Axis) => {
    const h = axisRunHistograms(vol, phase, axis)
    return chordHistogram(includeEdge ? h.all : h.interior, vol.spacing[axisIndex(axis)])
  }
  return { z: per('z'), y: per('y'), x: per('x'), unit: vol.unit, edgeChordsIncluded: includeEdge }
}
