/**
 * Transport properties of a labelled volume, TauFactor's definitions:
 *
 * - relative diffusivity D_rel = D_eff / D₀ of a phase along an axis: steady diffusion inside the phase
 *   (σ = 1 in the phase, 0 elsewhere) with the boundary convention of `solveConduction`, so
 *   D_rel = F L / (A Δc);
 * - tortuosity factor τ = ε / D_rel, ε the volume fraction of the whole phase (isolated pores included);
 *   null when the phase does not percolate (D_rel = 0), never infinite or negative;
 * - effective conductivity of a multi-phase volume with one conductivity per phase, the same solver with
 *   harmonic means between cells.
 *
 * Voxel spacing is ignored: voxels are unit cubes, as in TauFactor's isotropic solver.
 */
import { UserError } from '../errors'
import { phaseCount, type Axis, type Volume } from '../volume/volume'
import { solveConduction, type ConductionOptions } from './conduction'

export interface TransportOptions extends Omit<ConductionOptions, 'axis'> {
  phase: number
  axis: Axis
  /** Bulk diffusivity D₀ of the phase; when given, the result includes D_eff = D_rel · D₀. */
  bulkDiffusivity?: number
}

export interface TransportResult {
  phase: number
  axis: Axis
  /** ε: fraction of all voxels in the phase. */
  volumeFraction: number
  /** Fraction of all voxels in the part of the phase joining both ends (dead ends included). */
  connectedFraction: number
  relativeDiffusivity: number
  /** ε / D_rel; null when the phase does not percolate. */
  tortuosityFactor: number | null
  percolating: boolean
  iterations: number
  /** Relative residual ‖b − A c‖ / ‖b‖ of the solution. */
  residual: number
  effectiveDiffusivity?: number
  timeMs: number
}

export interface ConductivityResult {
  axis: Axis
  /** σ_eff in the units of the given conductivities. */
  effectiveConductivity: number
  percolating: boolean
  connectedFraction: number
  iterations: number
  residual: number
  timeMs: number
}

/** Rejects an axis with no extent to drive transport through (z of a 2D image). */
export function checkTransportAxis(vol: Volume, axis: Axis): void {
  if (axis === 'z' && vol.shape[0] === 1) {
    throw new UserError(
      `axis z needs a 3D volume; this image is 2D (${vol.shape[1]}x${vol.shape[2]}), use y or x`,
    )
  }
}

export function computeTransport(vol: Volume, options: TransportOptions): TransportResult {
  const started = performance.now()
  const { phase, axis } = options
  if (!Number.isInteger(phase) || phase < 0 || phase > 255) {
    throw new UserError(`phase must be an integer label 0..255, got ${phase}`)
  }
  checkTransportAxis(vol, axis)
  const labels = vol.data
  const sigma = new Uint8Array(labels.length)
  let count = 0
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === phase) {
      sigma[i] = 1
      count++
    }
  }
  const volumeFraction = count / labels.length
  const solution = solveConduction(vol.shape, sigma, { ...options, axis })
  const dRel = solution.effectiveConductivity
  const percolating = solution.percolating && dRel > 0
  const result: TransportResult = {
    phase,
    axis,
    volumeFraction,
    connectedFraction: solution.connectedFraction,
    relativeDiffusivity: percolating ? dRel : 0,
    tortuosityFactor: percolating ? volumeFraction / dRel : null,
    percolating,
    iterations: solution.iterations,
    residual: solution.residual,
    timeMs: 0,
  }
  if (options.bulkDiffusivity !== undefined)
    result.effectiveDiffusivity = result.relativeDiffusivity * options.bulkDiffusivity
  result.timeMs = performance.now() - started
  return result
}

/** Per-voxel conductivity from a per-phase table, after checking that the table covers every label. */
export function conductivityField(vol: Volume, conductivities: readonly number[]): Float32Array {
  conductivities.forEach((s, p) => {
    if (!Number.isFinite(s) || s < 0)
      throw new UserError(`conductivity of phase ${p} must be a number >= 0, got ${s}`)
  })
  const needed = phaseCount(vol)
  if (conductivities.length < needed) {
    throw new UserError(
      `volume has labels 0..${needed - 1}, but ${conductivities.length} conductivities were given`,
    )
  }
  const field = new Float32Array(vol.data.length)
  for (let i = 0; i < field.length; i++) field[i] = conductivities[vol.data[i]]
  return field
}

export function effectiveConductivity(
  vol: Volume,
  conductivities: readonly number[],
  axis: Axis,
  options: Omit<ConductionOptions, 'axis'> = {},
): ConductivityResult {
  const started = performance.now()
  checkTransportAxis(vol, axis)
  const solution = solveConduction(vol.shape, conductivityField(vol, conductivities), { ...options, axis })
  return {
    axis,
    effectiveConductivity: solution.effectiveConductivity,
    percolating: solution.percolating,
    connectedFraction: solution.connectedFraction,
    iterations: solution.iterations,
    residual: solution.residual,
    timeMs: performance.now() - started,
  }
}
