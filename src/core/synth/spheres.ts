/**
 * Overlapping spheres (the Boolean model): centres at independent uniform positions in a periodic box, each
 * with a radius R (fixed, or log-normal for polydisperse spheres); a voxel belongs to phase 1 when its
 * centre lies within R of a centre (periodic distance). For a Poisson number of centres with intensity λ
 * the matrix fraction is φ = exp(−λ E[V]), V = 4/3 π R³ (π R² for disks in a 2D image). Rather than
 * drawing the count (whose fluctuations move the fraction by several percent in small boxes), spheres are
 * added one at a time until phase 1 reaches the target fraction: the same point process stopped at the
 * count that realises vf, about −ln(1 − vf) / E[V] per voxel.
 *
 * For monodisperse spheres the matrix S2 has the closed form S2(r) = φ^(2 − V_int(r)/V), with
 * V_int(r)/V = 1 − 3r/(4R) + r³/(16R³) for r < 2R and 0 beyond (3D).
 */
import type { Random } from './random'
import type { Shape3 } from '../volume/volume'

export interface SphereOptions {
  vf: number
  radius: number
  /** Coefficient of variation of the (log-normal) radius; 0 = monodisperse. */
  radiusSpread: number
}

interface RadiusLaw {
  draw(rng: Random): number
  /** E[R³] (3D) or E[R²] (2D) times the shape constant: the mean object volume. */
  meanVolume: number
}

function radiusLaw(radius: number, spread: number, is2D: boolean): RadiusLaw {
  const k = is2D ? 2 : 3
  const c = is2D ? Math.PI : (4 / 3) * Math.PI
  if (spread <= 0) return { draw: () => radius, meanVolume: c * radius ** k }
  const s2 = Math.log(1 + spread * spread)
  const mu = Math.log(radius) - s2 / 2
  // E[R^k] of a log-normal is exp(k μ + k² σ² / 2).
  return {
    draw: (rng) => Math.exp(mu + Math.sqrt(s2) * rng.normal()),
    meanVolume: c * Math.exp(k * mu + (k * k * s2) / 2),
  }
}

/** Volume ratio V_int(r)/V of the lens shared by two spheres for two spheres of radius R at distance r. */
export function sphereOverlapRatio(r: number, radius: number): number {
  if (r >= 2 * radius) return 0
  const q = r / radius
  return 1 - (3 * q) / 4 + (q * q * q) / 16
}

/** Add one sphere (periodic) to `out`; returns how many voxels it newly set. */
function rasteriseSphere(
  out: Uint8Array,
  shape: Shape3,
  cz: number,
  cy: number,
  cx: number,
  r: number,
): number {
  const [nz, ny, nx] = shape
  const r2 = r * r
  const zr = nz === 1 ? 0 : Math.ceil(r)
  const yr = Math.ceil(r)
  const xr = Math.ceil(r)
  // Voxel centres sit at integer coordinates.
  const z0 = Math.round(cz)
  const y0 = Math.round(cy)
  const x0 = Math.round(cx)
  let added = 0
  for (let z = z0 - zr; z <= z0 + zr; z++) {
    const dz2 = (z - cz) ** 2
    if (dz2 > r2) continue
    const zw = ((z % nz) + nz) % nz
    for (let y = y0 - yr; y <= y0 + yr; y++) {
      const dzy2 = dz2 + (y - cy) ** 2
      if (dzy2 > r2) continue
      const row = (zw * ny + (((y % ny) + ny) % ny)) * nx
      for (let x = x0 - xr; x <= x0 + xr; x++) {
        if (dzy2 + (x - cx) ** 2 > r2) continue
        const i = row + (((x % nx) + nx) % nx)
        if (out[i] === 0) {
          out[i] = 1
          added++
        }
      }
    }
  }
  return added
}

/** The Boolean model of spheres with phase 1 fraction vf (see the module comment). */
export function overlappingSpheres(shape: Shape3, opts: SphereOptions, rng: Random): Uint8Array {
  const [nz, ny, nx] = shape
  const out = new Uint8Array(nz * ny * nx)
  const law = radiusLaw(opts.radius, opts.radiusSpread, nz === 1)
  const target = Math.round(opts.vf * out.length)
  // Expected count times a margin: guards against radii too small to hit any voxel centre.
  const maxSpheres = 20 * Math.ceil((-Math.log(1 - opts.vf) * out.length) / law.meanVolume) + 1000
  let filled = 0
  for (let s = 0; filled < target && s < maxSpheres; s++) {
    const cz = nz === 1 ? 0 : rng.uniform() * nz
    const cy = rng.uniform() * ny
    const cx = rng.uniform() * nx
    filled += rasteriseSphere(out, shape, cz, cy, cx, law.draw(rng))
  }
  return out
}
