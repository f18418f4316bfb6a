/**
 * Oriented fibres: straight cylinders of radius R and length L (capsule ends: every voxel centre within R of
 * the fibre's axis segment) at uniform random positions in a periodic box, added one by one until phase 1
 * reaches the target fraction (the last fibre may overshoot by at most its own volume).
 *
 * Orientation: 'z' | 'y' | 'x' (mean direction along that axis, each fibre tilted by a normal angle of
 * standard deviation `spread` radians in a uniform random azimuth), 'random' (isotropic directions; in a 2D
 * image, isotropic in-plane) or 'xy' (uniform directions in the plane normal to z, tilted out of it by
 * `spread`: a layered preform).
 */
import type { Random } from './random'
import type { Shape3 } from '../volume/volume'

export type FibreOrientation = 'z' | 'y' | 'x' | 'random' | 'xy'
export const FIBRE_ORIENTATIONS: readonly FibreOrientation[] = ['z', 'y', 'x', 'random', 'xy']

export interface FibreOptions {
  vf: number
  radius: number
  length: number
  orientation: FibreOrientation
  spread: number
}

type Vec3 = [number, number, number]

function normalise(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2])
  return [v[0] / n, v[1] / n, v[2] / n]
}

/** Direction (dz, dy, dx) of one fibre. */
export function fibreDirection(opts: FibreOptions, is2D: boolean, rng: Random): Vec3 {
  if (is2D) {
    const base = opts.orientation === 'y' ? 0 : opts.orientation === 'x' ? Math.PI / 2 : null
    const angle = base === null ? rng.uniform() * Math.PI : base + opts.spread * rng.normal()
    return [0, Math.cos(angle), Math.sin(angle)]
  }
  if (opts.orientation === 'random') return normalise([rng.normal(), rng.normal(), rng.normal()])
  const tilt = opts.spread * rng.normal()
  const azimuth = rng.uniform() * 2 * Math.PI
  if (opts.orientation === 'xy') {
    return normalise([Math.sin(tilt), Math.cos(tilt) * Math.cos(azimuth), Math.cos(tilt) * Math.sin(azimuth)])
  }
  const along = Math.cos(tilt)
  const a = Math.sin(tilt) * Math.cos(azimuth)
  const b = Math.sin(tilt) * Math.sin(azimuth)
  if (opts.orientation === 'z') return [along, a, b]
  if (opts.orientation === 'y') return [a, along, b]
  return [a, b, along]
}

/**
 * Rasterise one capsule into `out`, returning how many voxels it newly set. Walks the fibre's dominant axis
 * slice by slice and tests a window around the axis in each slice, so every voxel is tested once.
 */
function rasteriseFibre(
  out: Uint8Array,
  shape: Shape3,
  centre: Vec3,
  dir: Vec3,
  radius: number,
  length: number,
) {
  const main = [0, 1, 2].reduce((m, a) => (Math.abs(dir[a]) > Math.abs(dir[m]) ? a : m), 0)
  const [o1, o2] = [0, 1, 2].filter((a) => a !== main)
  const strides = [shape[1] * shape[2], shape[2], 1]
  const half = length / 2
  const cosMain = Math.abs(dir[main])
  const extentMain = half * cosMain + radius
  const window = Math.ceil(radius / Math.max(cosMain, 1e-6)) + 1
  let added = 0
  const p: Vec3 = [0, 0, 0]
  for (let t = Math.ceil(centre[main] - extentMain); t <= Math.floor(centre[main] + extentMain); t++) {
    // Point of the axis line in this slice (clamped to the segment for the window centre).
    const s = Math.max(-half, Math.min(half, (t - centre[main]) / dir[main]))
    const c1 = centre[o1] + s * dir[o1]
    const c2 = centre[o2] + s * dir[o2]
    for (let u = Math.round(c1) - window; u <= Math.round(c1) + window; u++) {
      for (let v = Math.round(c2) - window; v <= Math.round(c2) + window; v++) {
        p[main] = t - centre[main]
        p[o1] = u - centre[o1]
        p[o2] = v - centre[o2]
        const along = Math.max(-half, Math.min(half, p[0] * dir[0] + p[1] * dir[1] + p[2] * dir[2]))
        const d2 = (p[0] - along * dir[0]) ** 2 + (p[1] - along * dir[1]) ** 2 + (p[2] - along * dir[2]) ** 2
        if (d2 > radius * radius) continue
        const coords = [0, 0, 0]
        coords[main] = t
        coords[o1] = u
        coords[o2] = v
        let index = 0
        for (let a = 0; a < 3; a++) index += (((coords[a] % shape[a]) + shape[a]) % shape[a]) * strides[a]
        if (out[index] === 0) {
          out[index] = 1
          added++
        }
      }
    }
  }
  return added
}

export function orientedFibres(shape: Shape3, opts: FibreOptions, rng: Random): Uint8Array {
  const out = new Uint8Array(shape[0] * shape[1] * shape[2])
  const is2D = shape[0] === 1
  const target = Math.round(opts.vf * out.length)
  let filled = 0
  // A fibre that misses the box is impossible (periodic), but guard against an endless loop anyway.
  for (let tries = 0; filled < target && tries < 10 * out.length; tries++) {
    const centre: Vec3 = [
      is2D ? 0 : rng.uniform() * shape[0],
      rng.uniform() * shape[1],
      rng.uniform() * shape[2],
    ]
    filled += rasteriseFibre(out, shape, centre, fibreDirection(opts, is2D, rng), opts.radius, opts.length)
  }
  return out
}
