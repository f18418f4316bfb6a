/**
 * Interface measures: specific surface area and triple-phase boundary density.
 *
 * Specific surface area S_v of a phase = area of its interface with the other phases per unit volume of
 * the whole sample (unit⁻¹; for a 2D image, perimeter per unit area). Faces on the outer boundary of the
 * sample are not counted. Two estimates:
 *   faceCount: the number of voxel faces between a voxel of the phase and a face-neighbour of another
 *     phase, each weighted by its area, over the sample volume. Exact for axis-aligned surfaces; it
 *     overestimates curved or oblique surfaces (by 3/2 on average for isotropic ones);
 *   smoothed: the indicator is blurred with a Gaussian (σ = 0.7 voxel, normalized at the faces) and
 *     S_v = mean over voxels of |∇u| (central differences, one-sided at the faces). By the coarea formula
 *     this averages the areas of the level sets of u between 0 and 1, so it measures the smooth surface
 *     rather than the staircase. It also applies to soft probability fields (see gradients.ts). Measured:
 *     within 1 % on isolated spheres (R = 4–16) and oblique planes; 5–17 % low on overlapping spheres of
 *     radius 8–4, where the blur fills narrow crevices (face count / 1.5 is within 5 % there).
 *
 * Triple-phase boundary (TPB) density: length of the lines where three phases meet per unit volume. A voxel
 * edge is a TPB segment when the four voxels around it hold at least three different phases; density =
 * Σ segment lengths / sample volume (unit⁻²). For a 2D image: TPB points (2 × 2 blocks holding three
 * phases) per unit area.
 */
import { gaussianBlur } from './gaussian-blur'
import { axisLines } from './lines'
import { checkPhase, phaseIndicator } from './indicator'
import { AXES, axisIndex, type Shape3, type Volume } from '../volume/volume'

export interface SpecificSurfaceArea {
  /** Face-counting estimate, per unit length of the volume's unit. */
  faceCount: number
  /** Smoothed (blurred-gradient) estimate, per unit length of the volume's unit. */
  smoothed: number
  /** e.g. "um^-1", or "voxel^-1" when the spacing is unknown. */
  unit: string
  /** The same two estimates with unit voxel spacing. */
  perVoxel: { faceCount: number; smoothed: number }
}

export const SURFACE_BLUR_SIGMA = 0.7

/** Interface faces of a phase along each axis (z, y, x), interior faces only. */
export function interfaceFaceCounts(vol: Volume, phase: number): [number, number, number] {
  const counts: [number, number, number] = [0, 0, 0]
  const d = vol.data
  for (const axis of AXES) {
    const { starts, stride, length, count } = axisLines(vol.shape, axis)
    let faces = 0
    for (let l = 0; l < count; l++) {
      const s = starts[l]
      let prev = d[s] === phase
      for (let i = 1; i < length; i++) {
        const cur = d[s + i * stride] === phase
        if (cur !== prev) faces++
        prev = cur
      }
    }
    counts[axisIndex(axis)] = faces
  }
  return counts
}

/**
 * Mean of |∇u| over voxels for a field u, central differences divided by the spacing, one-sided at the faces.
 * With `eps` > 0 each voxel contributes √(|∇u|² + eps²) − eps, differentiable at ∇u = 0. When `gradient` is
 * given, the derivative of the returned mean with respect to u is added into it (the adjoint stencil).
 */
export function meanGradientMagnitude(
  u: ArrayLike<number>,
  shape: Shape3,
  spacing: [number, number, number],
  eps = 0,
  gradient?: Float64Array,
): number {
  const [nz, ny, nx] = shape
  const n = nz * ny * nx
  const sz = ny * nx
  let total = 0
  let i = 0
  for (let z = 0; z < nz; z++) {
    // Neighbours along z (one-sided at the faces) and the distance between them.
    const zlo = z > 0 ? -sz : 0
    const zhi = z < nz - 1 ? sz : 0
    const hz = ((zhi - zlo) / sz) * spacing[0]
    for (let y = 0; y < ny; y++) {
      const ylo = y > 0 ? -nx : 0
      const yhi = y < ny - 1 ? nx : 0
      const hy = ((yhi - ylo) / nx) * spacing[1]
      for (let x = 0; x < nx; x++, i++) {
        const xlo = x > 0 ? -1 : 0
        const xhi = x < nx - 1 ? 1 : 0
        const hx = (xhi - xlo) * spacing[2]
        const gz = nz > 1 ? (u[i + zhi] - u[i + zlo]) / hz : 0
        const gy = ny > 1 ? (u[i + yhi] - u[i + ylo]) / hy : 0
        const gx = nx > 1 ? (u[i + xhi] - u[i + xlo]) / hx : 0
        const mag = Math.sqrt(gz * gz + gy * gy + gx * gx + eps * eps)
        total += mag - eps
        if (gradient && mag > 0) {
          // Adjoint of the central-difference stencil.
          if (gz !== 0) {
            gradient[i + zhi] += gz / (mag * hz * n)
            gradient[i + zlo] -= gz / (mag * hz * n)
          }
          if (gy !== 0) {
            gradient[i + yhi] += gy / (mag * hy * n)
            gradient[i + ylo] -= gy / (mag * hy * n)
          }
          if (gx !== 0) {
            gradient[i + xhi] += gx / (mag * hx * n)
            gradient[i + xlo] -= gx / (mag * hx * n)
          }
        }
      }
    }
  }
  return total / n
}

function lengthUnit(vol: Volume): string {
  return vol.unit && vol.unit !== 'voxel' ? vol.unit : 'voxel'
}

/** Specific surface area of one phase, face-counting and smoothed (definitions in the module comment). */
export function specificSurfaceArea(vol: Volume, phase: number): SpecificSurfaceArea {
  checkPhase(phase)
  const n = vol.data.length
  const faces = interfaceFaceCounts(vol, phase)
  const [dz, dy, dx] = vol.spacing
  const faceCount = faces[0] / (n * dz) + faces[1] / (n * dy) + faces[2] / (n * dx)
  const faceVoxel = (faces[0] + faces[1] + faces[2]) / n
  const u = gaussianBlur(phaseIndicator(vol, phase), vol.shape, SURFACE_BLUR_SIGMA)
  const smoothed = meanGradientMagnitude(u, vol.shape, vol.spacing)
  const smoothedVoxel = meanGradientMagnitude(u, vol.shape, [1, 1, 1])
  return {
    faceCount,
    smoothed,
    unit: `${lengthUnit(vol)}^-1`,
    perVoxel: { faceCount: faceVoxel, smoothed: smoothedVoxel },
  }
}

export interface TriplePhaseBoundaryDensity {
  /** TPB length per unit volume (unit⁻²), or TPB points per unit area for a 2D image. */
  density: number
  /** Number of voxel edges (or 2 × 2 blocks in 2D) where three phases meet. */
  segments: number
  unit: string
}

function distinctAtLeastThree(a: number, b: number, c: number, d: number): boolean {
  let distinct = 1
  if (b !== a) distinct++
  if (c !== a && c !== b) distinct++
  if (d !== a && d !== b && d !== c) distinct++
  return distinct >= 3
}

/** TPB density of a label volume with three (or more) phases; definition in the module comment. */
export function triplePhaseBoundaryDensity(vol: Volume): TriplePhaseBoundaryDensity {
  const [nz, ny, nx] = vol.shape
  const d = vol.data
  const [dz, dy, dx] = vol.spacing
  const unit = lengthUnit(vol)
  const idx = (z: number, y: number, x: number) => (z * ny + y) * nx + x
  const sampleVolume = nz * ny * nx * dz * dy * dx
  if (nz === 1) {
    let points = 0
    for (let y = 0; y + 1 < ny; y++) {
      for (let x = 0; x + 1 < nx; x++) {
        if (
          distinctAtLeastThree(
            d[idx(0, y, x)],
            d[idx(0, y, x + 1)],
            d[idx(0, y + 1, x)],
            d[idx(0, y + 1, x + 1)],
          )
        ) {
          points++
        }
      }
    }
    return { density: points / (ny * nx * dy * dx), segments: points, unit: `${unit}^-2` }
  }
  // Edges along z sit between 2×2 blocks in (y, x); along y between blocks in (z, x); along x in (z, y).
  let ez = 0
  let ey = 0
  let ex = 0
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const v = d[idx(z, y, x)]
        if (y + 1 < ny && x + 1 < nx) {
          if (distinctAtLeastThree(v, d[idx(z, y, x + 1)], d[idx(z, y + 1, x)], d[idx(z, y + 1, x + 1)])) ez++
        }
        if (z + 1 < nz && x + 1 < nx) {
          if (distinctAtLeastThree(v, d[idx(z, y, x + 1)], d[idx(z + 1, y, x)], d[idx(z + 1, y, x + 1)])) ey++
        }
        if (z + 1 < nz && y + 1 < ny) {
          if (distinctAtLeastThree(v, d[idx(z, y + 1, x)], d[idx(z + 1, y, x)], d[idx(z + 1, y + 1, x)])) ex++
        }
      }
    }
  }
  return {
    density: (ez * dz + ey * dy + ex * dx) / sampleVolume,
    segments: ez + ey + ex,
    unit: `${unit}^-2`,
  }
}
