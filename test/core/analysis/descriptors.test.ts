import { describe, expect, it } from 'vitest'
import {
  chordLengthDistribution,
  linealPath,
  percolatingFraction,
  specificSurfaceArea,
  triplePhaseBoundaryDensity,
  volumeFractions,
} from '../../../src/core/analysis'
import { randomLabels, volumeFrom } from './fixtures'

describe('volumeFractions', () => {
  it('counts labels', () => {
    const vol = volumeFrom([2, 2, 5], (z, y, x) => (x < 2 ? 0 : x < 4 ? 1 : 2))
    expect(volumeFractions(vol)).toEqual([0.4, 0.4, 0.2])
  })
})

describe('linealPath', () => {
  it('is 1 − r / w on laminates of width w along the layering and constant across it', () => {
    // Layers normal to x: phase 1 on x in [0, 4) of every 10 (w = 4), infinite along z and y.
    const vol = volumeFrom([6, 30, 40], (_z, _y, x) => (x % 10 < 4 ? 1 : 0))
    const lp = linealPath(vol, 1)
    lp.y.forEach((v) => expect(v).toBeCloseTo(0.4, 12))
    // Along x: a segment of r + 1 voxels fits in a layer of 4 at 4 − r start positions of 10 (r < 4).
    for (let r = 0; r < 8; r++) {
      const positions = 40 - r
      let inside = 0
      for (let i = 0; i + r < 40; i++) {
        let all = true
        for (let j = i; j <= i + r; j++) if (j % 10 >= 4) all = false
        if (all) inside++
      }
      expect(lp.x[r]).toBeCloseTo(inside / positions, 12)
    }
    expect(lp.x[4]).toBe(0)
  })

  it('matches a direct count on a random volume and starts at the volume fraction', () => {
    const vol = randomLabels([9, 8, 7], 2, 3, 0.7)
    const lp = linealPath(vol, 1, { maxR: 6 })
    const [nz, ny, nx] = vol.shape
    for (let r = 0; r <= 6; r++) {
      let hits = 0
      let total = 0
      for (let z = 0; z < nz; z++)
        for (let y = 0; y < ny; y++)
          for (let x = 0; x + r < nx; x++) {
            total++
            let all = true
            for (let j = 0; j <= r; j++) if (vol.data[(z * ny + y) * nx + x + j] !== 1) all = false
            if (all) hits++
          }
      expect(lp.x[r]).toBeCloseTo(hits / total, 12)
    }
    expect(lp.z[0]).toBeCloseTo(volumeFractions(vol)[1], 12)
  })
})

describe('chordLengthDistribution', () => {
  it('counts chords on a hand-made line, leaving out chords cut by the boundary unless asked', () => {
    // x line: 1 1 0 1 1 1 0 0 1 0 1 1  → runs 2 (edge), 3, 1, 2 (edge)
    const row = [1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1]
    const vol = volumeFrom([1, 1, row.length], (_z, _y, x) => row[x])
    const interior = chordLengthDistribution(vol, 1)
    expect(interior.x.counts).toEqual([0, 1, 0, 1])
    expect(interior.x.count).toBe(2)
    expect(interior.x.mean).toBe(2)
    const all = chordLengthDistribution(vol, 1, { includeEdgeChords: true })
    expect(all.x.counts).toEqual([0, 1, 2, 1])
    expect(all.x.mean).toBe(2)
    const zeros = chordLengthDistribution(vol, 0, { includeEdgeChords: true })
    expect(zeros.x.counts).toEqual([0, 2, 1])
  })

  it('gives the layer widths of a laminate and scales the mean by the spacing', () => {
    const vol = volumeFrom([4, 4, 50], (_z, _y, x) => (x % 10 < 3 ? 1 : 0))
    vol.spacing = [1, 1, 0.5]
    const cld = chordLengthDistribution(vol, 1)
    expect(cld.x.mean).toBe(3)
    expect(cld.x.meanLength).toBe(1.5)
    expect(cld.x.count).toBe(4 * 4 * 4)
    expect(cld.z.count).toBe(0)
  })
})

describe('specificSurfaceArea', () => {
  it('is exact for a slab (two faces) in voxel units and with a spacing', () => {
    const vol = volumeFrom([20, 10, 10], (z) => (z >= 5 && z < 12 ? 1 : 0))
    const s = specificSurfaceArea(vol, 1)
    // Two faces of 10 × 10 voxels in a 2000-voxel sample.
    expect(s.faceCount).toBeCloseTo(200 / 2000, 12)
    expect(s.smoothed).toBeCloseTo(200 / 2000, 3)
    vol.spacing = [2, 1, 1]
    vol.unit = 'um'
    const scaled = specificSurfaceArea(vol, 1)
    // Area 2 × 10 × 10 um² in 20·2 × 10 × 10 um³.
    expect(scaled.faceCount).toBeCloseTo(200 / 4000, 12)
    expect(scaled.smoothed).toBeCloseTo(200 / 4000, 3)
    expect(scaled.unit).toBe('um^-1')
    expect(scaled.perVoxel.faceCount).toBeCloseTo(0.1, 12)
  })

  it('counts the six faces of a cube exactly; the smoothed estimate rounds the edges off', () => {
    for (const side of [10, 20]) {
      const n = side + 12
      const inside = (c: number) => c >= 6 && c < 6 + side
      const vol = volumeFrom([n, n, n], (z, y, x) => (inside(z) && inside(y) && inside(x) ? 1 : 0))
      const s = specificSurfaceArea(vol, 1)
      const exact = (6 * side * side) / n ** 3
      expect(s.faceCount).toBeCloseTo(exact, 12)
      // Measured: 12 % low at side 10, 6 % at side 20 (about 0.65 voxel of width lost along every edge).
      expect(s.smoothed).toBeLessThan(exact)
      expect(1 - s.smoothed / exact).toBeLessThan(1.5 / side)
    }
  })

  it('estimates a sphere: face count about 3/2 of the area, smoothed within 2 %', () => {
    const n = 36
    const c = (n - 1) / 2
    const radius = 12
    const vol = volumeFrom([n, n, n], (z, y, x) =>
      (z - c) ** 2 + (y - c) ** 2 + (x - c) ** 2 <= radius ** 2 ? 1 : 0,
    )
    const exact = (4 * Math.PI * radius ** 2) / n ** 3
    const s = specificSurfaceArea(vol, 1)
    expect(s.faceCount / exact).toBeGreaterThan(1.4)
    expect(s.faceCount / exact).toBeLessThan(1.6)
    expect(Math.abs(s.smoothed / exact - 1)).toBeLessThan(0.02)
  })
})

describe('triplePhaseBoundaryDensity', () => {
  it('finds the line where three blocks meet', () => {
    // Phase 0 for x < 5; for x >= 5 phase 1 when y < 4, else phase 2: one TPB line along z at (y, x) edge.
    const vol = volumeFrom([6, 8, 10], (_z, y, x) => (x < 5 ? 0 : y < 4 ? 1 : 2))
    const tpb = triplePhaseBoundaryDensity(vol)
    expect(tpb.segments).toBe(6)
    expect(tpb.density).toBeCloseTo(6 / (6 * 8 * 10), 12)
    vol.spacing = [2, 1, 1]
    expect(triplePhaseBoundaryDensity(vol).density).toBeCloseTo(12 / (12 * 8 * 10), 12)
    const image = volumeFrom([1, 8, 10], (_z, y, x) => (x < 5 ? 0 : y < 4 ? 1 : 2))
    expect(triplePhaseBoundaryDensity(image).segments).toBe(1)
  })

  it('is zero for two phases', () => {
    expect(triplePhaseBoundaryDensity(randomLabels([5, 5, 5], 2, 1)).segments).toBe(0)
  })
})

describe('percolatingFraction', () => {
  it('counts only clusters touching both faces along each axis', () => {
    // A column along z through the whole volume (spans z only) and an isolated block.
    const vol = volumeFrom([10, 10, 10], (z, y, x) =>
      (y === 2 && x === 2) || (z >= 4 && z < 6 && y >= 6 && y < 8 && x >= 6 && x < 8) ? 1 : 0,
    )
    const p = percolatingFraction(vol, 1)
    expect(p.z).toBeCloseTo(10 / 18, 12)
    expect(p.y).toBe(0)
    expect(p.x).toBe(0)
    const matrix = percolatingFraction(vol, 0)
    expect(matrix).toEqual({ z: 1, y: 1, x: 1 })
  })

  it('uses face connectivity: a diagonal staircase does not connect', () => {
    const vol = volumeFrom([1, 6, 6], (_z, y, x) => (x === y ? 1 : 0))
    expect(percolatingFraction(vol, 1)).toEqual({ z: null, y: 0, x: 0 })
    const path = volumeFrom([1, 6, 6], (_z, y, x) => (x === y || x === y + 1 ? 1 : 0))
    expect(percolatingFraction(path, 1)).toEqual({ z: null, y: 1, x: 1 })
  })
})
