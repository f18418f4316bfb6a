import { describe, expect, it } from 'vitest'
import {
  cholesky,
  drawTargetFractions,
  inverseNormalCdf,
  quasiNormals,
} from '../../../src/core/diffusion/target-fractions'
import { DEFAULT_PARAMS, targetFractions, type ModelDescription } from '../../../src/core/diffusion/pipeline'

const mean = [0.38, 0.52, 0.1]
const cov = [
  [0.003, -0.0025, -0.0005],
  [-0.0025, 0.0027, -0.0002],
  [-0.0005, -0.0002, 0.0007],
]

function moments(rows: number[][]) {
  const n = rows.length
  const m = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / n)
  const c = m.map((_, i) =>
    m.map((_, j) => rows.reduce((s, r) => s + (r[i] - m[i]) * (r[j] - m[j]), 0) / (n - 1)),
  )
  return { m, c }
}

describe('target fractions drawn from the real spread', () => {
  it('Φ⁻¹ matches known quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBe(0)
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959964, 5)
    expect(inverseNormalCdf(0.001)).toBeCloseTo(-3.090232, 5)
    expect(inverseNormalCdf(1 - 1e-9)).toBeCloseTo(5.997807, 4)
  })

  it('windows of 8 consecutive seeds: mean closer to 0 than independent draws, SD near 1', () => {
    let meanAbs = 0
    for (let start = 0; start < 200; start++) {
      const z = Array.from({ length: 8 }, (_, i) => quasiNormals(start + i, 1)[0])
      const { m, c } = moments(z.map((v) => [v]))
      meanAbs += Math.abs(m[0]) / 200
      expect(Math.abs(m[0])).toBeLessThan(0.5)
      expect(Math.sqrt(c[0][0])).toBeGreaterThan(0.9)
      expect(Math.sqrt(c[0][0])).toBeLessThan(1.4)
    }
    // independent draws: E|mean of 8| = √(2/π)/√8 ≈ 0.28
    expect(meanAbs).toBeLessThan(0.2)
  })

  it('Cholesky factor reproduces the matrix, singular ones included', () => {
    const L = cholesky(cov)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        expect(L[i].reduce((s, l, k) => s + l * L[j][k], 0)).toBeCloseTo(cov[i][j], 12)
    expect(
      cholesky([
        [0, 0],
        [0, 1],
      ]),
    ).toEqual([
      [0, 0],
      [0, 1],
    ])
  })

  it('draws sum to one and have the given mean and covariance over many seeds', () => {
    const rows = Array.from({ length: 400 }, (_, s) => drawTargetFractions(mean, cov, s))
    for (const r of rows) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    const { m, c } = moments(rows)
    m.forEach((v, p) => expect(v).toBeCloseTo(mean[p], 2))
    expect(c[0][0]).toBeCloseTo(cov[0][0], 3)
    expect(c[2][2]).toBeCloseTo(cov[2][2], 3)
    expect(c[0][1]).toBeCloseTo(cov[0][1], 3)
  })

  it("the pipeline's fractions option: sampled varies by seed, training pins, explicit is checked", () => {
    const desc = {
      trainingFractions: [0.2, 0.8],
      fractionCovariance: [
        [0.001, -0.001],
        [-0.001, 0.001],
      ],
    } as ModelDescription
    const a = targetFractions(desc, { fractions: 'sampled', seed: 1 }, 2)!
    const b = targetFractions(desc, { fractions: 'sampled', seed: 2 }, 2)!
    expect(a[0]).not.toBeCloseTo(b[0], 4)
    expect(targetFractions(desc, { fractions: 'training', seed: 1 }, 2)).toEqual([0.2, 0.8])
    expect(
      targetFractions({ ...desc, fractionCovariance: undefined }, { fractions: 'sampled', seed: 1 }, 2),
    ).toEqual([0.2, 0.8])
    expect(targetFractions(desc, { fractions: [0.3, 0.7], seed: 1 }, 2)).toEqual([0.3, 0.7])
    expect(() => targetFractions(desc, { fractions: [0.3, 0.3], seed: 1 }, 2)).toThrow(/sum to 1/)
    expect(() => targetFractions(desc, { fractions: [1], seed: 1 }, 2)).toThrow(/2 numbers/)
    expect(DEFAULT_PARAMS.fractions).toBe('sampled')
  })
})
