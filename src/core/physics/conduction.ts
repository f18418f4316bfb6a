/**
 * Steady conduction (or diffusion) through a voxel grid with a conductivity σ per voxel, driven along one
 * axis. Convention (shared with TauFactor):
 *
 * - voxels are unit cubes; the unknown is the potential c at each voxel centre (finite volumes);
 * - two face-adjacent voxels exchange flux g (c_i − c_j) with g = 2 σ_i σ_j / (σ_i + σ_j), the harmonic
 *   mean (series resistance of two half voxels);
 * - c = 1 is held on the outer face of the first layer along the axis and c = 0 on the outer face of the
 *   last layer, half a voxel from the voxel centres, so a boundary voxel exchanges 2 σ_i (c_bc − c_i);
 * - no flux through the other outer faces, or periodic wrap across them when `periodic` is set;
 * - voxels with σ = 0, and conducting voxels not face-connected to both ends, are removed;
 * - σ_eff = F L / (A Δc), with F the flux leaving through the outlet face, L the number of layers along
 *   the axis, A the cross-section in voxels and Δc = 1.
 *
 * The linear system is solved by conjugate gradients preconditioned by an aggregation multigrid V-cycle.
 */
import type { Axis, Shape3 } from '../volume/volume'
import { axisIndex } from '../volume/volume'
import { CancelledError } from '../errors'
import { emptyOperator, residualNorm64, updateInverseDiagonal, type GridOperator } from './grid-operator'
import { MultigridPreconditioner, type MultigridOptions } from './multigrid'
import { preconditionedConjugateGradient, type SolveProgress } from './pcg'
import { PERCOLATING, reachability } from './percolation'

export interface ConductionOptions {
  axis: Axis
  /** Periodic wrap across the sides parallel to the axis (default: no-flux sides). */
  periodic?: boolean
  /** Relative residual ‖b − A c‖ / ‖b‖ to reach (default 1e-6). */
  tol?: number
  /** Iteration cap of the conjugate gradients (default 500). */
  maxIter?: number
  onProgress?: (progress: SolveProgress) => void
  signal?: AbortSignal
  /** Tuning of the multigrid preconditioner (defaults suit binary and moderate-contrast media). */
  multigrid?: MultigridOptions
}

export interface ConductionSolution {
  shape: Shape3
  axis: Axis
  /** σ_eff = F L / (A Δc); 0 when nothing percolates. */
  effectiveConductivity: number
  percolating: boolean
  /** Fraction of all voxels in the conducting network joining both ends. */
  connectedFraction: number
  iterations: number
  /** True relative residual ‖b − A c‖ / ‖b‖ of the returned field (Float64). */
  residual: number
  /** Potential c per voxel (0 outside the conducting network). */
  potential: Float64Array
  /** Per voxel, the REACHED_FROM_INLET / REACHED_FROM_OUTLET bits. */
  reach: Uint8Array
}

const DEFAULT_TOL = 1e-6
const DEFAULT_MAX_ITER = 500

/** Per-axis periodic flags: the sides parallel to the transport axis wrap when asked. */
function periodicFlags(axis: 0 | 1 | 2, periodic: boolean): [boolean, boolean, boolean] {
  return [0, 1, 2].map((d) => periodic && d !== axis) as [boolean, boolean, boolean]
}

/** Position of every voxel along `axis` is (i / stride) % extent. */
function axisStride(shape: Shape3, axis: 0 | 1 | 2): number {
  return axis === 0 ? shape[1] * shape[2] : axis === 1 ? shape[2] : 1
}

interface Assembly {
  op: GridOperator
  b: Float64Array
}

/** Builds A and b of the convention above on the voxels flagged in `keep`. */
function assemble(
  shape: Shape3,
  sigma: ArrayLike<number>,
  keep: Uint8Array,
  axis: 0 | 1 | 2,
  periodic: [boolean, boolean, boolean],
): Assembly {
  const [nz, ny, nx] = shape
  const op = emptyOperator(shape, periodic)
  const b = new Float64Array(keep.length)
  const { gx, gy, gz, dirichlet } = op
  const extent = shape[axis]
  const stride = axisStride(shape, axis)
  const plane = nx * ny
  const face = (i: number, j: number): number => {
    if (!keep[j] || i === j) return 0
    return (2 * sigma[i] * sigma[j]) / (sigma[i] + sigma[j])
  }
  for (let iz = 0; iz < nz; iz++) {
    for (let iy = 0; iy < ny; iy++) {
      const base = (iz * ny + iy) * nx
      for (let ix = 0; ix < nx; ix++) {
        const i = base + ix
        if (!keep[i]) continue
        if (ix < nx - 1) gx[i] = face(i, i + 1)
        else if (periodic[2]) gx[i] = face(i, base)
        if (iy < ny - 1) gy[i] = face(i, i + nx)
        else if (periodic[1]) gy[i] = face(i, i - iy * nx)
        if (iz < nz - 1) gz[i] = face(i, i + plane)
        else if (periodic[0]) gz[i] = face(i, i - iz * plane)
        const layer = Math.floor(i / stride) % extent
        if (layer === 0) {
          dirichlet[i] += 2 * sigma[i]
          b[i] += 2 * sigma[i]
        }
        if (layer === extent - 1) dirichlet[i] += 2 * sigma[i]
      }
    }
  }
  updateInverseDiagonal(op)
  return { op, b }
}

/** Flux leaving through the outlet face: Σ over outlet voxels of 2 σ_i c_i. */
function outletFlux(
  shape: Shape3,
  sigma: ArrayLike<number>,
  keep: Uint8Array,
  c: Float64Array,
  axis: 0 | 1 | 2,
) {
  const stride = axisStride(shape, axis)
  const extent = shape[axis]
  let flux = 0
  for (let i = 0; i < c.length; i++) {
    if (keep[i] && Math.floor(i / stride) % extent === extent - 1) flux += 2 * sigma[i] * c[i]
  }
  return flux
}

export function solveConduction(
  shape: Shape3,
  sigma: ArrayLike<number>,
  options: ConductionOptions,
): ConductionSolution {
  const a = axisIndex(options.axis)
  const n = shape[0] * shape[1] * shape[2]
  const periodic = periodicFlags(a, options.periodic ?? false)
  const conducting = new Uint8Array(n)
  for (let i = 0; i < n; i++) conducting[i] = sigma[i] > 0 ? 1 : 0
  const reach = reachability(conducting, shape, a, periodic)
  const keep = conducting
  let kept = 0
  for (let i = 0; i < n; i++) {
    keep[i] = reach[i] === PERCOLATING ? 1 : 0
    kept += keep[i]
  }
  const potential = new Float64Array(n)
  const base = { shape, axis: options.axis, reach, potential }
  if (kept === 0) {
    return {
      ...base,
      effectiveConductivity: 0,
      percolating: false,
      connectedFraction: 0,
      iterations: 0,
      residual: 0,
    }
  }
  if (options.signal?.aborted) throw new CancelledError()
  const { op, b } = assemble(shape, sigma, keep, a, periodic)
  // The linear profile between the two held faces: exact for straight channels, a good start otherwise.
  const stride = axisStride(shape, a)
  const extent = shape[a]
  for (let i = 0; i < n; i++) {
    if (keep[i]) potential[i] = 1 - ((Math.floor(i / stride) % extent) + 0.5) / extent
  }
  const multigrid = new MultigridPreconditioner(op, options.multigrid)
  const pcg = preconditionedConjugateGradient(op, b, potential, (r, z) => multigrid.apply(r, z), {
    tol: options.tol ?? DEFAULT_TOL,
    maxIter: options.maxIter ?? DEFAULT_MAX_ITER,
    onProgress: options.onProgress,
    signal: options.signal,
  })
  for (let i = 0; i < n; i++) if (!keep[i]) potential[i] = 0
  let bNorm = 0
  for (let i = 0; i < n; i++) bNorm += b[i] * b[i]
  const residual = residualNorm64(op, potential, b) / Math.sqrt(bNorm)
  const flux = outletFlux(shape, sigma, keep, potential, a)
  return {
    ...base,
    effectiveConductivity: (flux * extent) / (n / extent),
    percolating: true,
    connectedFraction: kept / n,
    iterations: pcg.iterations,
    residual,
  }
}
