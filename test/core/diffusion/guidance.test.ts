import { describe, expect, it } from 'vitest'
import { TwoPointLoss, VolumeFractionLoss, type PlaneLoss } from '../../../src/core/diffusion/guidance'
import type { PlaneBatch } from '../../../src/core/diffusion/networks'
import { SeededRandom } from '../../../src/core/diffusion/random'

/** Compare a loss's gradient with central differences at a few entries. */
function checkGradient(loss: PlaneLoss, y: PlaneBatch, entries: number[]) {
  const { gradient } = loss.evaluate(y)
  const h = 1e-3
  for (const i of entries) {
    const plus = { data: y.data.slice(), dims: y.dims }
    const minus = { data: y.data.slice(), dims: y.dims }
    plus.data[i] += h
    minus.data[i] -= h
    const numeric = (loss.evaluate(plus).value - loss.evaluate(minus).value) / (2 * h)
    expect(gradient[i]).toBeCloseTo(numeric, 5)
  }
}

function softPlanes(seed: number, dims: [number, number, number, number]): PlaneBatch {
  const rng = new SeededRandom(seed)
  const [B, P, H, W] = dims
  const data = new Float32Array(B * P * H * W)
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < H * W; i++) {
      const p1 = rng.uniform()
      data[(b * P + 1) * H * W + i] = p1
      data[b * P * H * W + i] = 1 - p1
    }
  }
  return { data, dims }
}

describe('guidance losses', () => {
  const y = softPlanes(3, [2, 2, 8, 6])

  it('volume-fraction loss is ½ Σ (mean − target)² with the matching gradient', () => {
    const loss = new VolumeFractionLoss([0.2, 0.8])
    let m1 = 0
    for (let b = 0; b < 2; b++) for (let i = 0; i < 48; i++) m1 += y.data[(b * 2 + 1) * 48 + i] / 96
    expect(loss.evaluate(y).value).toBeCloseTo(0.5 * ((1 - m1 - 0.2) ** 2 + (m1 - 0.8) ** 2), 6)
    checkGradient(loss, y, [0, 17, 50, 140, 191])
  })

  it('the hard variant measures argmax fractions and keeps the soft gradient', () => {
    const hard = new VolumeFractionLoss([0.2, 0.8], true)
    let count0 = 0
    for (let b = 0; b < 2; b++)
      for (let i = 0; i < 48; i++) if (y.data[b * 96 + i] >= y.data[b * 96 + 48 + i]) count0++
    const e = count0 / 96 - 0.2
    expect(hard.evaluate(y).value).toBeCloseTo(e * e, 6) // ½ (e² + e²)
    expect(hard.evaluate(y).gradient[0]).toBeCloseTo(e / 96, 8)
  })

  it('S2 loss is zero on its own curves and has the finite-difference gradient', () => {
    const target = { phase: 0, y: [0.3, 0.2, 0.15, 0.12], x: [0.3, 0.22, 0.18, 0.1] }
    const loss = new TwoPointLoss([target])
    expect(loss.evaluate(y).value).toBeGreaterThan(0)
    checkGradient(loss, y, [0, 9, 47, 100, 120])
    // the phase-1 channel does not enter a phase-0 loss
    expect(
      loss
        .evaluate(y)
        .gradient.subarray(48, 96)
        .every((g) => g === 0),
    ).toBe(true)
  })
})
