import { describe, expect, it } from 'vitest'
import {
  cubePairDistanceWeights,
  fractionCovariance,
  interpolateCovariance,
  spreadFromS2,
} from '../../../src/core/models/fraction-spread'
import type { TrainingStats } from '../../../src/core/models/stats'

const table = {
  method: 'subvolumes',
  sizes: [16, 32],
  covariance: [
    [
      [0.04, -0.04],
      [-0.04, 0.04],
    ],
    [
      [0.01, -0.01],
      [-0.01, 0.01],
    ],
  ],
}

/** Training statistics whose S2 is that of independent pixels: S2(0) = f, S2(r > 0) = f². */
function iidStats(f: number): TrainingStats {
  const r = Array.from({ length: 33 }, (_, i) => i)
  const s2 = (g: number) => r.map((i) => (i === 0 ? g : g * g))
  const phase = (id: number, g: number) => ({
    id,
    volumeFraction: { mean: g, std: 0 },
    s2: { x: { mean: s2(g), std: [] }, y: { mean: s2(g), std: [] } },
    linealPath: { x: { mean: [], std: [] }, y: { mean: [], std: [] } },
  })
  return { imageSize: 64, r, planes: { all: { phases: [phase(0, f), phase(1, 1 - f)] } } }
}

describe('fraction spread of real subvolumes', () => {
  it('interpolates the variance log-linearly between tabulated sides', () => {
    const mid = interpolateCovariance(table, Math.sqrt(16 * 32)) // geometric mean of the sides
    expect(mid[0][0]).toBeCloseTo(0.02, 10)
    expect(mid[0][1]).toBeCloseTo(-0.02, 10)
  })

  it('falls as n⁻³ beyond the largest side and holds below the smallest', () => {
    expect(interpolateCovariance(table, 64)[0][0]).toBeCloseTo(0.01 / 8, 12)
    expect(interpolateCovariance(table, 8)[1][1]).toBeCloseTo(0.04, 12)
  })

  it('uses the cube of equal volume for a non-cubic shape', () => {
    const stats = { ...iidStats(0.3), fractionSpread: table } as TrainingStats
    expect(fractionCovariance(stats, [16, 64, 64])![0][0]).toBeCloseTo(
      0.01 * (32 / Math.cbrt(16 * 64 * 64)) ** 3,
      10,
    )
  })

  it('pair-distance weights count every ordered voxel pair of the cube once', () => {
    const w = cubePairDistanceWeights(5, 20)
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    expect(w[0]).toBeCloseTo(1 / 125, 12) // the pairs (x, x)
  })

  it('from S2 alone, independent voxels give the binomial variance f(1 − f)/n³', () => {
    const spread = spreadFromS2(iidStats(0.3))
    spread.sizes.forEach((n, i) => {
      expect(spread.covariance[i][0][0]).toBeCloseTo((0.3 * 0.7) / n ** 3, 10)
      expect(spread.covariance[i][0][1]).toBe(0)
    })
  })
})
