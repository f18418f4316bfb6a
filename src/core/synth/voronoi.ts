/**
 * Voronoi grains: Poisson seeds in a periodic box, every voxel assigned to its nearest seed (periodic
 * distance); a voxel is a grain-boundary voxel (phase 1) when a face neighbour belongs to another grain, so
 * boundaries are about two voxels thick.
 *
 * The seed count follows from the target boundary fraction through the Poisson–Voronoi interface density
 * (S_V = 2.9105 λ^(1/3) in 3D, L_A = 2 λ^(1/2) in 2D) times an effective boundary thickness t: vf ≈ t S_V.
 * t was measured on these rasterised boundaries (seed 3, vf 0.1–0.5: 1.46–1.61 on 64³ volumes, 1.59–1.74
 * on 256² images), so the fraction reached is approximate, within about 10 % of the target (report the
 * measured one); `grains` sets the count directly instead.
 */
import type { Random } from './random'
import type { Shape3 } from '../volume/volume'

export interface VoronoiOptions {
  /** Target boundary fraction (used when `grains` is not given). */
  vf: number
  grains?: number
}

/** Effective thickness in voxels of the two-sided boundary layer, measured (see the module comment). */
export const BOUNDARY_THICKNESS = { volume: 1.55, image: 1.7 }

/** Number of seeds whose expected boundary fraction is vf (see the module comment). */
export function grainCountForFraction(shape: Shape3, vf: number): number {
  const n = shape[0] * shape[1] * shape[2]
  const is2D = shape[0] === 1
  const density = vf / (is2D ? BOUNDARY_THICKNESS.image : BOUNDARY_THICKNESS.volume)
  const lambda = is2D ? (density / 2) ** 2 : (density / 2.9105) ** 3
  return Math.max(2, Math.round(lambda * n))
}

/** Bucket offsets (dz, dy, dx) of each shell s = max(|dz|, |dy|, |dx|), flattened in triples. */
function shellOffsets(maxShell: number, is2D: boolean): Int32Array[] {
  const shells: number[][] = Array.from({ length: maxShell + 1 }, () => [])
  const zr = is2D ? 0 : maxShell
  for (let bz = -zr; bz <= zr; bz++) {
    for (let by = -maxShell; by <= maxShell; by++) {
      for (let bx = -maxShell; bx <= maxShell; bx++) {
        shells[Math.max(Math.abs(bz), Math.abs(by), Math.abs(bx))].push(bz, by, bx)
      }
    }
  }
  return shells.map((s) => Int32Array.from(s))
}

/** Grain id (0..seeds−1) of every voxel: nearest seed found through a bucket grid searched in shells. */
export function voronoiGrains(shape: Shape3, seeds: number, rng: Random): Int32Array {
  const is2D = shape[0] === 1
  const [nz, ny, nx] = shape
  const pts = new Float64Array(3 * seeds)
  for (let i = 0; i < seeds; i++) {
    pts[3 * i] = is2D ? 0 : rng.uniform() * nz
    pts[3 * i + 1] = rng.uniform() * ny
    pts[3 * i + 2] = rng.uniform() * nx
  }
  // Buckets of about one seed each, stored as a compressed list (start offsets + seed ids).
  const side = is2D ? Math.sqrt((ny * nx) / seeds) : Math.cbrt((nz * ny * nx) / seeds)
  const [dz, dy, dx] = shape.map((n, a) => (is2D && a === 0 ? 1 : Math.max(1, Math.floor(n / side))))
  const [wz, wy, wx] = [nz / dz, ny / dy, nx / dx]
  const bucketOf = new Int32Array(seeds)
  const starts = new Int32Array(dz * dy * dx + 1)
  for (let i = 0; i < seeds; i++) {
    const bz = Math.min(dz - 1, Math.floor(pts[3 * i] / wz))
    const by = Math.min(dy - 1, Math.floor(pts[3 * i + 1] / wy))
    const bx = Math.min(dx - 1, Math.floor(pts[3 * i + 2] / wx))
    bucketOf[i] = (bz * dy + by) * dx + bx
    starts[bucketOf[i] + 1]++
  }
  for (let b = 0; b < dz * dy * dx; b++) starts[b + 1] += starts[b]
  const members = new Int32Array(seeds)
  const fill = starts.slice(0, -1)
  for (let i = 0; i < seeds; i++) members[fill[bucketOf[i]]++] = i
  const minWidth = is2D ? Math.min(wy, wx) : Math.min(wz, wy, wx)
  const shells = shellOffsets(Math.ceil(Math.max(dz, dy, dx) / 2), is2D)
  const out = new Int32Array(nz * ny * nx)
  let index = 0
  for (let z = 0; z < nz; z++) {
    const hz = Math.min(dz - 1, Math.floor(z / wz))
    for (let y = 0; y < ny; y++) {
      const hy = Math.min(dy - 1, Math.floor(y / wy))
      for (let x = 0; x < nx; x++, index++) {
        const hx = Math.min(dx - 1, Math.floor(x / wx))
        let best = -1
        let bestD2 = Infinity
        for (let shell = 0; shell < shells.length; shell++) {
          // A seed in a bucket s shells away is at least (s − 1) bucket widths away (buckets nearer through
          // the periodic wrap were met in an earlier shell): stop once that exceeds the best distance.
          if (best >= 0 && ((shell - 1) * minWidth) ** 2 > bestD2) break
          const offsets = shells[shell]
          for (let o = 0; o < offsets.length; o += 3) {
            const cz = (hz + offsets[o] + dz * 4) % dz
            const cy = (hy + offsets[o + 1] + dy * 4) % dy
            const cx = (hx + offsets[o + 2] + dx * 4) % dx
            const bucket = (cz * dy + cy) * dx + cx
            for (let m = starts[bucket]; m < starts[bucket + 1]; m++) {
              const sd = members[m]
              let ez = Math.abs(pts[3 * sd] - z)
              if (ez > nz / 2) ez = nz - ez
              let ey = Math.abs(pts[3 * sd + 1] - y)
              if (ey > ny / 2) ey = ny - ey
              let ex = Math.abs(pts[3 * sd + 2] - x)
              if (ex > nx / 2) ex = nx - ex
              const d2 = ez * ez + ey * ey + ex * ex
              if (d2 < bestD2) {
                bestD2 = d2
                best = sd
              }
            }
          }
        }
        out[index] = best
      }
    }
  }
  return out
}

/** Phase 1 on voxels with a face neighbour (periodic) in another grain. */
export function grainBoundaries(shape: Shape3, grains: Int32Array): Uint8Array {
  const [nz, ny, nx] = shape
  const out = new Uint8Array(grains.length)
  let i = 0
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const g = grains[i]
        const neighbours = [
          (z * ny + y) * nx + ((x + 1) % nx),
          (z * ny + y) * nx + ((x + nx - 1) % nx),
          (z * ny + ((y + 1) % ny)) * nx + x,
          (z * ny + ((y + ny - 1) % ny)) * nx + x,
          (((z + 1) % nz) * ny + y) * nx + x,
          (((z + nz - 1) % nz) * ny + y) * nx + x,
        ]
        if (neighbours.some((j) => grains[j] !== g)) out[i] = 1
      }
    }
  }
  return out
}
