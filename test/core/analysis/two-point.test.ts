import { describe, expect, it } from 'vitest'
import { twoPointCorrelation, volumeFractions } from '../../../src/core/analysis'
import type { Shape3 } from '../../../src/core/volume/volume'
import { bruteForceS2, randomLabels, volumeFrom } from './fixtures'

const AXES = ['z', 'y', 'x'] as const

function maxErrorAgainstBruteForce(shape: Shape3, periodic: boolean, seed: number): number {
  const vol = randomLabels(shape, 3, seed)
  let worst = 0
  for (let phase = 0; phase < 3; phase++) {
    const s2 = twoPointCorrelation(vol, phase, { periodic, maxR: 1000 })
    AXES.forEach((axis, a) => {
      const curve = s2[axis]
      expect(curve.length).toBe(shape[a])
      for (let r = 0; r < curve.length; r++) {
        worst = Math.max(worst, Math.abs(curve[r] - bruteForceS2(vol, phase, a as 0 | 1 | 2, r, periodic)))
      }
    })
  }
  return worst
}

describe('twoPointCorrelation', () => {
  it('equals the exact non-periodic estimator on small random 3D volumes (odd, non power-of-two sizes)', () => {
    expect(maxErrorAgainstBruteForce([7, 12, 9], false, 1)).toBeLessThan(1e-9)
    expect(maxErrorAgainstBruteForce([16, 5, 11], false, 2)).toBeLessThan(1e-9)
  })

  it('equals the exact periodic estimator', () => {
    expect(maxErrorAgainstBruteForce([7, 12, 9], true, 3)).toBeLessThan(1e-9)
  })

  it('equals the exact estimators on 2D images, whose z curve is [volume fraction]', () => {
    expect(maxErrorAgainstBruteForce([1, 21, 14], false, 4)).toBeLessThan(1e-9)
    expect(maxErrorAgainstBruteForce([1, 21, 14], true, 5)).toBeLessThan(1e-9)
  })

  it('starts at the volume fraction and runs to half the extent by default', () => {
    const vol = randomLabels([10, 20, 31], 2, 6)
    const vf = volumeFractions(vol)[1]
    const s2 = twoPointCorrelation(vol, 1)
    expect(s2.z).toHaveLength(6)
    expect(s2.y).toHaveLength(11)
    expect(s2.x).toHaveLength(16)
    for (const axis of AXES) expect(s2[axis][0]).toBeCloseTo(vf, 12)
  })

  it('gives the radial in-plane average for 2D images, equal to the axis curves for stripes at r = 0', () => {
    // Vertical stripes of period 4 (2 on, 2 off): S2 along y is constant 0.5; along x it is periodic.
    const vol = volumeFrom([1, 32, 32], (_z, _y, x) => (x % 4 < 2 ? 1 : 0))
    const s2 = twoPointCorrelation(vol, 1, { periodic: true })
    expect(s2.radial).toBeDefined()
    expect(s2.radial![0]).toBeCloseTo(0.5, 12)
    expect(s2.y.every((v) => Math.abs(v - 0.5) < 1e-12)).toBe(true)
    expect(s2.x.slice(0, 5)).toEqual([0.5, 0.25, 0, 0.25, 0.5].map((v) => expect.closeTo(v, 12)))
    // Bin r = 1 holds the lags with round(|d|) = 1: (±1, 0) give 0.5, (0, ±1) and the four diagonals 0.25.
    expect(s2.radial![1]).toBeCloseTo((2 * 0.5 + 6 * 0.25) / 8, 12)
    expect(twoPointCorrelation(randomLabels([4, 8, 8], 2, 7), 1).radial).toBeUndefined()
  })

  it('matches the exact radial average on a random image', () => {
    const vol = randomLabels([1, 13, 10], 2, 8)
    const s2 = twoPointCorrelation(vol, 1)
    const [, ny, nx] = vol.shape
    const rMax = s2.radial!.length - 1
    const sums = new Array(rMax + 1).fill(0)
    const counts = new Array(rMax + 1).fill(0)
    for (let dy = -rMax; dy <= rMax; dy++) {
      for (let dx = -rMax; dx <= rMax; dx++) {
        const r = Math.round(Math.hypot(dy, dx))
        if (r > rMax) continue
        let hits = 0
        let pairs = 0
        for (let y = 0; y < ny; y++) {
          for (let x = 0; x < nx; x++) {
            const y2 = y + dy
            const x2 = x + dx
            if (y2 < 0 || y2 >= ny || x2 < 0 || x2 >= nx) continue
            pairs++
            if (vol.data[y * nx + x] === 1 && vol.data[y2 * nx + x2] === 1) hits++
          }
        }
        sums[r] += hits / pairs
        counts[r]++
      }
    }
    sums.forEach((s, r) => expect(s2.radial![r]).toBeCloseTo(s / counts[r], 9))
  })
})
