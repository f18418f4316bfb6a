import { describe, expect, it } from 'vitest'
import { describeVolume } from '../../../src/core/analysis'
import { localThickness, squaredDistanceTransform } from '../../../src/core/analysis/local-thickness'
import type { Volume } from '../../../src/core/volume/volume'
import { randomLabels, volumeFrom } from './fixtures'

/** Brute force: every voxel against every other voxel. */
function bruteSquaredDistance(vol: Volume, phase: number, solid: boolean): Float64Array {
  const [nz, ny, nx] = vol.shape
  const out = new Float64Array(vol.data.length)
  const coords = (i: number) => [Math.floor(i / (ny * nx)), Math.floor(i / nx) % ny, i % nx]
  for (let i = 0; i < out.length; i++) {
    if (vol.data[i] !== phase) continue
    const [z, y, x] = coords(i)
    let best = Infinity
    for (let j = 0; j < out.length; j++) {
      if (vol.data[j] === phase) continue
      const [zj, yj, xj] = coords(j)
      best = Math.min(best, (z - zj) ** 2 + (y - yj) ** 2 + (x - xj) ** 2)
    }
    if (solid) {
      const walls = [x + 1, nx - x, y + 1, ny - y, ...(nz > 1 ? [z + 1, nz - z] : [])]
      for (const w of walls) best = Math.min(best, w * w)
    }
    out[i] = best
  }
  return out
}

function bruteThickness(vol: Volume, phase: number, solid: boolean): Float64Array {
  const [, ny, nx] = vol.shape
  const dist = bruteSquaredDistance(vol, phase, solid)
  const out = new Float64Array(dist.length)
  const coords = (i: number) => [Math.floor(i / (ny * nx)), Math.floor(i / nx) % ny, i % nx]
  for (let c = 0; c < dist.length; c++) {
    if (vol.data[c] !== phase) continue
    const [cz, cy, cx] = coords(c)
    for (let v = 0; v < dist.length; v++) {
      const [z, y, x] = coords(v)
      if ((z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 < dist[c]) out[v] = Math.max(out[v], dist[c])
    }
  }
  return out.map((r2) => 2 * Math.sqrt(r2))
}

describe('squaredDistanceTransform', () => {
  it('is the exact squared EDT, with the boundary open or solid', () => {
    for (const [vol, solid] of [
      [randomLabels([7, 9, 8], 2, 4, 0.8), false],
      [randomLabels([7, 9, 8], 2, 5, 0.9), true],
      [randomLabels([1, 15, 13], 2, 6, 0.85), true],
    ] as [Volume, boolean][]) {
      const ours = squaredDistanceTransform(vol, 1, solid ? 'solid' : 'open')
      const ref = bruteSquaredDistance(vol, 1, solid)
      expect(Array.from(ours)).toEqual(Array.from(ref))
    }
  })
})

describe('localThickness', () => {
  it('matches the brute-force definition on random volumes', () => {
    for (const [vol, boundary] of [
      [randomLabels([8, 9, 10], 2, 7, 0.75), 'open'],
      [randomLabels([8, 9, 10], 2, 8, 0.85), 'solid'],
      [randomLabels([1, 20, 18], 2, 9, 0.8), 'open'],
    ] as [Volume, 'open' | 'solid'][]) {
      const lt = localThickness(vol, 1, { map: true, boundary })
      const ref = bruteThickness(vol, 1, boundary === 'solid')
      lt.map!.forEach((t, i) => expect(t).toBeCloseTo(ref[i], 5))
    }
  })

  it('gives 2r across a ball of radius r, and the ball alone sets the distribution', () => {
    const r = 6
    const vol = volumeFrom([17, 17, 17], (z, y, x) =>
      (z - 8) ** 2 + (y - 8) ** 2 + (x - 8) ** 2 <= r * r ? 1 : 0,
    )
    const lt = localThickness(vol, 1, { map: true })
    // The nearest outside voxel centre is at √37 from the centre; that ball covers the whole digital ball.
    const t = 2 * Math.sqrt(37)
    expect(lt.max).toBeCloseTo(t, 6)
    expect(lt.mean).toBeCloseTo(t, 6)
    expect(lt.median).toBeCloseTo(t, 6)
    expect(Math.abs(lt.mean - 2 * r)).toBeLessThan(1)
    const bin = Math.floor(t)
    expect(lt.histogram.fraction[bin]).toBeCloseTo(1, 12)
    expect(lt.histogram.edges.length).toBe(lt.histogram.fraction.length + 1)
  })

  it('gives plates of width w a thickness 2 ceil(w / 2) (1-voxel plate: 2) and two sizes their shares', () => {
    // Two slabs normal to x: widths 3 (x = 1..3) and 7 (x = 6..12), solid elsewhere.
    const vol = volumeFrom([6, 6, 14], (_z, _y, x) => ((x >= 1 && x <= 3) || (x >= 6 && x <= 12) ? 1 : 0))
    const lt = localThickness(vol, 1, { map: true })
    expect(lt.map![2]).toBe(4)
    expect(lt.map![9]).toBe(8)
    expect(lt.histogram.fraction[4]).toBeCloseTo(0.3, 12)
    expect(lt.histogram.fraction[8]).toBeCloseTo(0.7, 12)
    expect(lt.mean).toBeCloseTo(0.3 * 4 + 0.7 * 8, 12)
    expect(lt.median).toBe(8)
    const plate = localThickness(
      volumeFrom([4, 4, 3], (_z, _y, x) => (x === 1 ? 1 : 0)),
      1,
    )
    expect(plate.mean).toBe(2)
  })

  it('treats the boundary as open by default and as a wall when asked', () => {
    // A slab touching the x = 0 face: open, it is as thick as its distance to the other wall allows.
    const vol = volumeFrom([9, 9, 9], (_z, _y, x) => (x < 3 ? 1 : 0))
    expect(localThickness(vol, 1).max).toBe(6)
    expect(localThickness(vol, 1, { boundary: 'solid' }).max).toBe(4)
    // A phase filling the volume has no thickness under the open boundary.
    const full = localThickness(
      volumeFrom([3, 3, 3], () => 1),
      1,
    )
    expect(full.bounded).toBe(false)
    expect(full.mean).toBeNaN()
    expect(
      localThickness(
        volumeFrom([3, 3, 3], () => 1),
        1,
        { boundary: 'solid' },
      ).max,
    ).toBe(4)
    const none = localThickness(
      volumeFrom([3, 3, 3], () => 0),
      1,
    )
    expect(none.phaseVoxels).toBe(0)
    expect(none.histogram.fraction).toEqual([])
  })

  it('keeps at most 100 bins', () => {
    const vol = volumeFrom([1, 300, 300], (_z, y, x) => ((y - 150) ** 2 + (x - 150) ** 2 <= 140 ** 2 ? 1 : 0))
    const lt = localThickness(vol, 1)
    expect(lt.histogram.fraction.length).toBeLessThanOrEqual(100)
    expect(lt.histogram.fraction.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
  })
})

describe('describeVolume', () => {
  it('reports the Euler characteristic and the thickness distribution of each phase', () => {
    const vol = volumeFrom([6, 6, 14], (_z, _y, x) => ((x >= 1 && x <= 3) || (x >= 6 && x <= 12) ? 1 : 0))
    vol.spacing = [0.5, 0.5, 0.5]
    vol.unit = 'um'
    const d = describeVolume(vol)
    expect(d.phases[1].eulerCharacteristic).toEqual({ chi: 2, perVoxel: 2 / 504, connectivity: 26 })
    expect(d.phases[1].localThickness?.mean).toBeCloseTo(6.8, 12)
    expect(d.phases[1].localThickness?.meanLength).toBeCloseTo(3.4, 12)
    expect(d.phases[1].localThickness?.unit).toBe('um')
    vol.spacing = [1, 0.5, 0.5]
    expect(describeVolume(vol, { phase: 1 }).phases[0].localThickness?.meanLength).toBeNull()
    expect(describeVolume(volumeFrom([4, 4, 4], () => 1)).phases[1].localThickness).toBeNull()
  })
})
