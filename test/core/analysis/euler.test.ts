import { describe, expect, it } from 'vitest'
import { eulerCharacteristic } from '../../../src/core/analysis/euler'
import type { Shape3 } from '../../../src/core/volume/volume'
import { randomLabels, volumeFrom } from './fixtures'

const inBox = (v: number, lo: number, hi: number) => v >= lo && v < hi
const box = (z: number, y: number, x: number, lo: number, hi: number) =>
  inBox(z, lo, hi) && inBox(y, lo, hi) && inBox(x, lo, hi)

const both = (shape: Shape3, f: (z: number, y: number, x: number) => boolean) => {
  const vol = volumeFrom(shape, (z, y, x) => (f(z, y, x) ? 1 : 0))
  return [eulerCharacteristic(vol, 1).chi, eulerCharacteristic(vol, 1, { connectivity: 6 }).chi]
}

describe('eulerCharacteristic', () => {
  it('is 1 for a solid cube, also one touching the volume faces', () => {
    expect(both([7, 7, 7], (z, y, x) => box(z, y, x, 1, 6))).toEqual([1, 1])
    expect(both([4, 4, 4], () => true)).toEqual([1, 1])
  })

  it('is 2 for a hollow cube (one cavity)', () => {
    expect(both([9, 9, 9], (z, y, x) => box(z, y, x, 1, 8) && !box(z, y, x, 3, 6))).toEqual([2, 2])
  })

  it('is 0 for a ring (one tunnel) and for a cube with a through-hole', () => {
    const ring = (z: number, y: number, x: number) => z === 2 && box(0, y, x, 1, 6) && !box(0, y, x, 2, 5)
    expect(both([5, 7, 7], ring)).toEqual([0, 0])
    const drilled = (z: number, y: number, x: number) => box(z, y, x, 1, 8) && !(y === 4 && x === 4)
    expect(both([9, 9, 9], drilled)).toEqual([0, 0])
  })

  it('is 2 for two separate cubes', () => {
    const two = (z: number, y: number, x: number) => box(z, y, x, 1, 4) || box(z, y, x - 4, 1, 4)
    expect(both([5, 5, 9], two)).toEqual([2, 2])
  })

  it('joins corner-touching cubes at 26-connectivity only', () => {
    const corner = (z: number, y: number, x: number) => box(z, y, x, 0, 2) || box(z, y, x, 2, 4)
    expect(both([4, 4, 4], corner)).toEqual([1, 2])
    // An edge contact (shared edge along z) behaves the same.
    const edge = (_z: number, y: number, x: number) => (y < 2 && x < 2) || (y >= 2 && x >= 2)
    expect(both([3, 4, 4], edge)).toEqual([1, 2])
  })

  it('is components − holes on 2D images, 26 ≙ 8 and 6 ≙ 4 in the plane', () => {
    // A diamond of 12 single pixels |y − 4| + |x − 4| = 3: one 8-connected loop (χ = 0), or 12 isolated
    // 4-connected pixels whose inside leaks out diagonally (χ = 12).
    const diamond = (_z: number, y: number, x: number) => Math.abs(y - 4) + Math.abs(x - 4) === 3
    expect(both([1, 9, 9], diamond)).toEqual([0, 12])
    // A square ring with a dot inside: 2 components − 1 hole.
    const ringDot = (_z: number, y: number, x: number) =>
      (box(0, y, x, 1, 8) && !box(0, y, x, 2, 7)) || (y === 4 && x === 4)
    expect(both([1, 9, 9], ringDot)).toEqual([1, 1])
  })

  it('satisfies χ₆(X) = χ₂₆(frame ∪ complement) − 1 on random volumes', () => {
    for (const [shape, seed] of [
      [[6, 7, 8], 1],
      [[1, 20, 17], 2],
      [[12, 10, 9], 3],
    ] as [Shape3, number][]) {
      const vol = randomLabels(shape, 2, seed, 0.5)
      const [nz, ny, nx] = shape
      const framed = volumeFrom([nz + 2, ny + 2, nx + 2], (z, y, x) => {
        if (z === 0 || y === 0 || x === 0 || z > nz || y > ny || x > nx) return 0
        return vol.data[((z - 1) * ny + y - 1) * nx + x - 1]
      })
      const chi6 = eulerCharacteristic(vol, 1, { connectivity: 6 }).chi
      expect(chi6).toBe(eulerCharacteristic(framed, 0).chi - 1)
    }
  })

  it('reports χ per voxel of the volume', () => {
    const vol = volumeFrom([4, 5, 5], (z, y, x) => (z === 1 && y === 1 && (x === 1 || x === 3) ? 2 : 0))
    expect(eulerCharacteristic(vol, 2)).toEqual({ chi: 2, perVoxel: 2 / 100, connectivity: 26 })
    expect(eulerCharacteristic(vol, 1)).toEqual({ chi: 0, perVoxel: 0, connectivity: 26 })
  })
})
