/**
 * Sensitivity of the effective conductivity to the conductivity of each voxel, ∂σ_eff/∂σ_v, for inverse
 * design.
 *
 * At the solution c the dissipation W = Σ_f g_f (Δc_f)² (boundary half-faces included) equals the flux
 * through the volume at Δc = 1, so σ_eff = (L/A) W. c minimises W under the held boundary values, so by
 * the envelope theorem only the explicit dependence of the conductances counts:
 *
 *   ∂σ_eff/∂σ_v = (L/A) Σ_{faces f of v} (∂g_f/∂σ_v) (Δc_f)²,
 *
 * with ∂g/∂σ_v = 2 σ_k² / (σ_v + σ_k)² for the harmonic mean with neighbour k, and 2 for a boundary
 * half-face (g = 2 σ_v). Equivalently (Δc_f)² = (q_f / g_f)² with q_f the face flux.
 *
 * For a voxel with σ_v = 0 the one-sided derivative (σ_v → 0⁺) is reported: all its would-be faces have
 * conductance ≈ 2σ_v, so its potential is the mean c̄ of what it touches and
 *
 *   ∂σ_eff/∂σ_v = (L/A) · 2 Σ_k (c_k − c̄)²,
 *
 * over the neighbours in the conducting network (potential c_k), neighbours in clusters joined only to the
 * inlet (potential 1) or only to the outlet (potential 0), and the held faces it lies on. Conducting
 * voxels outside the network have zero sensitivity: changing them connects nothing.
 */
import { UserError } from '../errors'
import { axisIndex, type Shape3, type Volume } from '../volume/volume'
import { solveConduction, type ConductionOptions } from './conduction'
import { PERCOLATING, REACHED_FROM_INLET, REACHED_FROM_OUTLET } from './percolation'
import { checkTransportAxis, conductivityField } from './transport'

export interface SensitivityResult {
  /** σ_eff (D_rel when the conductivity is 1 in one phase and 0 elsewhere). */
  effectiveConductivity: number
  /** ∂σ_eff/∂σ_v for every voxel, C order [z, y, x]. */
  sensitivity: Float32Array
  percolating: boolean
  iterations: number
  residual: number
}

export interface TransportSensitivityOptions extends ConductionOptions {
  /** Conductivity per phase label; or give `phase` for diffusion in one phase (σ = 1 there, 0 elsewhere). */
  conductivities?: readonly number[]
  phase?: number
}

/** Calls visit(k) for the face neighbours of voxel i, wrapping across periodic sides. */
function forEachFaceNeighbour(
  shape: Shape3,
  periodic: [boolean, boolean, boolean],
  i: number,
  visit: (k: number) => void,
): void {
  const [nz, ny, nx] = shape
  const plane = nx * ny
  const ix = i % nx
  const iy = ((i - ix) / nx) % ny
  const iz = (i - ix - iy * nx) / plane
  const along = (coord: number, extent: number, stride: number, wrap: boolean) => {
    if (coord > 0) visit(i - stride)
    else if (wrap && extent > 1) visit(i + (extent - 1) * stride)
    if (coord < extent - 1) visit(i + stride)
    else if (wrap && extent > 1) visit(i - (extent - 1) * stride)
  }
  along(ix, nx, 1, periodic[2])
  along(iy, ny, nx, periodic[1])
  along(iz, nz, plane, periodic[0])
}

/** ∂σ_eff/∂σ_v for a per-voxel conductivity field. */
export function conductionSensitivity(
  shape: Shape3,
  sigma: ArrayLike<number>,
  options: ConductionOptions,
): SensitivityResult {
  const solution = solveConduction(shape, sigma, options)
  const n = sigma.length
  const sensitivity = new Float32Array(n)
  const result = {
    effectiveConductivity: solution.effectiveConductivity,
    sensitivity,
    percolating: solution.percolating,
    iterations: solution.iterations,
    residual: solution.residual,
  }
  if (!solution.percolating) return result
  const a = axisIndex(options.axis)
  const extent = shape[a]
  const stride = a === 0 ? shape[1] * shape[2] : a === 1 ? shape[2] : 1
  const periodic = [0, 1, 2].map((d) => (options.periodic ?? false) && d !== a) as [boolean, boolean, boolean]
  const scale = extent / (n / extent)
  const { potential: c, reach } = solution
  const values: number[] = []
  for (let v = 0; v < n; v++) {
    const layer = Math.floor(v / stride) % extent
    const sv = sigma[v]
    if (sv > 0 && reach[v] === PERCOLATING) {
      let s = 0
      forEachFaceNeighbour(shape, periodic, v, (k) => {
        if (reach[k] !== PERCOLATING || sigma[k] <= 0) return
        const sk = sigma[k]
        const dc = c[v] - c[k]
        s += ((2 * sk * sk) / ((sv + sk) * (sv + sk))) * dc * dc
      })
      if (layer === 0) s += 2 * (1 - c[v]) * (1 - c[v])
      if (layer === extent - 1) s += 2 * c[v] * c[v]
      sensitivity[v] = scale * s
    } else if (sv <= 0) {
      values.length = 0
      forEachFaceNeighbour(shape, periodic, v, (k) => {
        if (sigma[k] <= 0) return
        if (reach[k] === PERCOLATING) values.push(c[k])
        else if (reach[k] === REACHED_FROM_INLET) values.push(1)
        else if (reach[k] === REACHED_FROM_OUTLET) values.push(0)
      })
      if (layer === 0) values.push(1)
      if (layer === extent - 1) values.push(0)
      if (values.length < 2) continue
      const mean = values.reduce((acc, x) => acc + x, 0) / values.length
      sensitivity[v] = scale * 2 * values.reduce((acc, x) => acc + (x - mean) * (x - mean), 0)
    }
  }
  return result
}

/**
 * ∂σ_eff/∂σ_v of a labelled volume, with a conductivity per phase, or ∂D_rel/∂σ_v of diffusion in
 * `phase`.
 */
export function transportSensitivity(vol: Volume, options: TransportSensitivityOptions): SensitivityResult {
  checkTransportAxis(vol, options.axis)
  const { conductivities, phase } = options
  if ((conductivities === undefined) === (phase === undefined)) {
    throw new UserError('give either conductivities (one per phase) or phase, not both')
  }
  const sigma = conductivities
    ? conductivityField(vol, conductivities)
    : Float32Array.from(vol.data, (label) => (label === phase ? 1 : 0))
  return conductionSensitivity(vol.shape, sigma, options)
}
