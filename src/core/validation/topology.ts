/**
 * THE ONE PLACE where the topology descriptors plug into validation: the Euler characteristic per voxel
 * and the pore-size (local thickness) distribution of a phase. They come from src/core/analysis/euler.ts
 * and src/core/analysis/local-thickness.ts; while those modules are not in this build, both functions
 * return null and the report lists the descriptor under `pending`.
 */
import { eulerCharacteristic } from '../analysis/euler'
import type { Volume } from '../volume/volume'

/** Euler characteristic per voxel of `phase` (default connectivity: 26 for the phase, 6 for its complement). */
export function eulerPerVoxel(vol: Volume, phase: number): number | null {
  return eulerCharacteristic(vol, phase).perVoxel
}

/**
 * Pore-size distribution of `phase`: fraction of the phase's voxels whose local thickness (diameter of the
 * largest inscribed sphere covering the voxel) falls in bin d = 1, 2, …, maxDiameter voxels (index d − 1).
 * Null when the analysis module is not available.
 */
export function poreSizeDistribution(vol: Volume, phase: number, maxDiameter: number): number[] | null {
  void vol
  void phase
  void maxDiameter
  return null
}

export const TOPOLOGY_PENDING = {
  euler: 'Euler characteristic (src/core/analysis/euler.ts not in this build)',
  poreSize: 'pore-size distribution (src/core/analysis/local-thickness.ts not in this build)',
} as const
