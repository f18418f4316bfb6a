/**
 * Where the topology descriptors plug into validation: the Euler characteristic per voxel and the
 * pore-size (local thickness) distribution of a phase, from src/core/analysis/euler.ts and
 * src/core/analysis/local-thickness.ts. A function returning null leaves its rows out, and the report
 * lists the descriptor under `pending`.
 */
import { eulerCharacteristic } from '../analysis/euler'
import { localThickness } from '../analysis/local-thickness'
import type { Volume } from '../volume/volume'

/** Euler characteristic per voxel of `phase` (default connectivity: 26 for the phase, 6 for its complement). */
export function eulerPerVoxel(vol: Volume, phase: number): number | null {
  return eulerCharacteristic(vol, phase).perVoxel
}

/**
 * Pore-size (for a solid phase: grain-size) distribution of `phase` from its local thickness (open
 * boundary, as PoreSpy): entry d = fraction of the phase's voxels whose thickness t (diameter, voxels)
 * satisfies d ≤ t < d + 1, for d = 0 … maxDiameter (larger thicknesses counted in the last entry). All
 * zeros when the phase is absent or fills the sample (thickness undefined).
 */
export function poreSizeDistribution(vol: Volume, phase: number, maxDiameter: number): number[] | null {
  const out = new Array<number>(maxDiameter + 1).fill(0)
  const lt = localThickness(vol, phase)
  if (!lt.bounded || lt.phaseVoxels === 0) return out
  const { edges, fraction } = lt.histogram
  for (let j = 0; j < fraction.length; j++) out[Math.min(maxDiameter, Math.floor(edges[j]))] += fraction[j]
  return out
}

export const TOPOLOGY_PENDING = {
  euler: 'Euler characteristic (src/core/analysis/euler.ts not in this build)',
  poreSize: 'pore-size distribution (src/core/analysis/local-thickness.ts not in this build)',
} as const
