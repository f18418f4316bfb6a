import { describe, expect, it } from 'vitest'
import { LineSpectra, lagProductSums } from '../../../src/core/analysis/gradients'
import { axisLines } from '../../../src/core/analysis/lines'
import { createRandom } from '../../../src/core/synth/random'
import { AXES, type Shape3 } from '../../../src/core/volume/volume'

function softField(shape: Shape3, seed: number): Float32Array {
  const rng = createRandom(seed)
  return Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => 0.05 + 0.9 * rng.uniform())
}

// Odd line counts (a line without a partner in the packed transform) and a side that is not a power of two.
const shape: Shape3 = [3, 5, 12]

describe('LineSpectra (packed, zero-padded line transforms)', () => {
  it('gives the lagged products Σ_lines Σ_i p_i p_{i+r} of a direct sum', () => {
    const field = softField(shape, 1)
    for (const axis of AXES) {
      const { length: n, stride, starts } = axisLines(shape, axis)
      for (const maxR of [0, 1, Math.floor(n / 2), n - 1, n + 3]) {
        const sums = lagProductSums(field, shape, axis, maxR)
        expect(sums.length).toBe(Math.min(maxR, n - 1) + 1)
        sums.forEach((v, r) => {
          let direct = 0
          for (const s of starts)
            for (let i = 0; i + r < n; i++) direct += field[s + i * stride] * field[s + (i + r) * stride]
          expect(v).toBeCloseTo(direct, 9)
        })
      }
    }
  })

  it('correlates every line with the symmetric kernel as a direct sum, zero outside the line', () => {
    const field = softField(shape, 2)
    for (const axis of AXES) {
      const { length: n, stride, starts } = axisLines(shape, axis)
      const R = Math.min(4, n - 1)
      const c = Float64Array.from({ length: R + 1 }, (_, r) => 0.3 - 0.1 * r)
      const out = new Float64Array(field.length).fill(1)
      new LineSpectra(field, shape, axis, R).addCorrelation(c, out)
      for (const s of starts)
        for (let j = 0; j < n; j++) {
          let direct = 2 * c[0] * field[s + j * stride]
          for (let r = 1; r <= R; r++) {
            if (j + r < n) direct += c[r] * field[s + (j + r) * stride]
            if (j - r >= 0) direct += c[r] * field[s + (j - r) * stride]
          }
          expect(out[s + j * stride]).toBeCloseTo(1 + direct, 9)
        }
    }
  })
})
