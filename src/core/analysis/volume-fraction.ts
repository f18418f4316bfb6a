/**
 * Volume fraction of each phase: the number of voxels with label p over the number of voxels, for
 * p = 0..P−1 (P = one more than the largest label, or the length of the phase table when longer).
 */
import { phaseCount, type Volume } from '../volume/volume'

export function volumeFractions(vol: Volume): number[] {
  const counts = new Float64Array(Math.max(1, phaseCount(vol)))
  const d = vol.data
  for (let i = 0; i < d.length; i++) counts[d[i]]++
  return Array.from(counts, (c) => c / d.length)
}
