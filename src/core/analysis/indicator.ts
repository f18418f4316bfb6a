/**
 * Phase indicator fields: 1 where a voxel belongs to the phase, 0 elsewhere. Descriptors that work on soft
 * phase-probability fields (the gradients, the smoothed surface area) take such a field directly.
 */
import type { Volume } from '../volume/volume'
import { UserError } from '../errors'

export function phaseIndicator(vol: Volume, phase: number): Float32Array {
  const out = new Float32Array(vol.data.length)
  const d = vol.data
  for (let i = 0; i < d.length; i++) out[i] = d[i] === phase ? 1 : 0
  return out
}

/** Refuse a phase label outside 0..255 or not an integer, with a one-line message. */
export function checkPhase(phase: number): void {
  if (!Number.isInteger(phase) || phase < 0 || phase > 255) {
    throw new UserError(`phase must be an integer label 0..255, got ${phase}`)
  }
}
