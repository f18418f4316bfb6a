/**
 * Cutting an image or volume into square (2D) or cubic (3D) patches: a size-N window moved by `stride`
 * along each axis, starting at 0 (the windows that fit; the remainder at the far edge is left out). A 2D
 * image (nz = 1) gives N×N patches; a volume N×N×N ones (the z extent must be at least N).
 */
import { UserError } from '../errors'
import { cropVolume, type Volume } from '../volume/volume'

export interface Patch {
  /** Corner [z, y, x] of the patch in the source. */
  origin: [number, number, number]
  volume: Volume
}

/** Start offsets of the windows of `size` moved by `stride` along an axis of length n. */
export function windowStarts(n: number, size: number, stride: number): number[] {
  const out: number[] = []
  for (let s = 0; s + size <= n; s += stride) out.push(s)
  return out
}

/** How many patches cropPatches would cut (checks the arguments the same way). */
export function patchCount(shape: readonly [number, number, number], size: number, stride = size): number {
  const [nz, ny, nx] = checkArgs(shape, size, stride)
  return (
    (nz === 1 ? 1 : windowStarts(nz, size, stride).length) *
    windowStarts(ny, size, stride).length *
    windowStarts(nx, size, stride).length
  )
}

function checkArgs(shape: readonly [number, number, number], size: number, stride: number) {
  if (!Number.isInteger(size) || size < 1)
    throw new UserError(`patch size must be a positive integer, got ${size}`)
  if (!Number.isInteger(stride) || stride < 1)
    throw new UserError(`patch stride must be a positive integer, got ${stride}`)
  const [nz, ny, nx] = shape
  if (size > ny || size > nx || (nz > 1 && size > nz))
    throw new UserError(`patch size ${size} is larger than the ${shape.join('×')} source`)
  return shape
}

/** Cut the patches, in z, y, x order of their corners; each keeps the source's spacing, unit and phases. */
export function cropPatches(vol: Volume, size: number, stride = size, maxPatches = 10_000): Patch[] {
  const [nz, ny, nx] = checkArgs(vol.shape, size, stride)
  const count = patchCount(vol.shape, size, stride)
  if (count > maxPatches)
    throw new UserError(`${count} patches is more than ${maxPatches}; use a larger stride`)
  const depth = nz === 1 ? 1 : size
  const zs = nz === 1 ? [0] : windowStarts(nz, size, stride)
  const out: Patch[] = []
  for (const z0 of zs)
    for (const y0 of windowStarts(ny, size, stride))
      for (const x0 of windowStarts(nx, size, stride)) {
        out.push({ origin: [z0, y0, x0], volume: cropVolume(vol, [z0, y0, x0], [depth, size, size]) })
      }
  return out
}
