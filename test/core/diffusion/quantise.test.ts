import { describe, expect, it } from 'vitest'
import { fractionMatchedLabels, hysteresisLabels, labelFractions } from '../../../src/core/diffusion/decode'
import { SeededRandom } from '../../../src/core/diffusion/random'

/** Probabilities [2, Z, Y, X] from a p0 field. */
function twoPhase(p0: Float32Array): Float32Array {
  const out = new Float32Array(2 * p0.length)
  out.set(p0)
  for (let i = 0; i < p0.length; i++) out[p0.length + i] = 1 - p0[i]
  return out
}

/** Number of 6-connected clusters of phase 0 in a 1 × Y × X volume. */
function clusters2d(labels: Uint8Array, Y: number, X: number): number {
  const seen = new Uint8Array(labels.length)
  let n = 0
  for (let s = 0; s < labels.length; s++) {
    if (labels[s] !== 0 || seen[s]) continue
    n++
    const stack = [s]
    seen[s] = 1
    while (stack.length) {
      const i = stack.pop()!
      const x = i % X
      const y = (i - x) / X
      const next = [x > 0 ? i - 1 : -1, x < X - 1 ? i + 1 : -1, y > 0 ? i - X : -1, y < Y - 1 ? i + X : -1]
      for (const j of next)
        if (j >= 0 && labels[j] === 0 && !seen[j]) {
          seen[j] = 1
          stack.push(j)
        }
    }
  }
  return n
}

describe('fraction-matched hysteresis quantisation', () => {
  it('gives exactly the target fraction, and the plain quantile threshold with seedFraction 1', () => {
    const rng = new SeededRandom(3)
    const p0 = new Float32Array(8 * 10 * 12).map(() => rng.uniform())
    const probs = twoPhase(p0)
    for (const rho of [0.05, 0.3, 0.7]) {
      const labels = hysteresisLabels(probs, [8, 10, 12], 0.25, rho)
      expect(labelFractions(labels, 2)[0]).toBeCloseTo(Math.round(0.25 * 960) / 960, 12)
    }
    expect(hysteresisLabels(probs, [8, 10, 12], 0.25, 1)).toEqual(fractionMatchedLabels(probs, [0.25, 0.75]))
  })

  it('opens a throat of middling probability between two pores instead of an isolated blob', () => {
    // 1 × 5 × 11: two confident pores (p 0.9) joined by a 3-voxel throat (p 0.4), and an isolated blob of
    // 3 voxels at p 0.45 elsewhere. Phase 0 gets 3 + 3 + 3 voxels.
    const Y = 5
    const X = 11
    const p0 = new Float32Array(Y * X).fill(0.05)
    const at = (y: number, x: number) => y * X + x
    for (const x of [0, 1, 2]) p0[at(0, x)] = 0.9 // pore A (x 0–2), pore B (x 6–8), throat x 3–5
    for (const x of [6, 7, 8]) p0[at(0, x)] = 0.9
    for (const x of [3, 4, 5]) p0[at(0, x)] = 0.4
    for (const x of [2, 3, 4]) p0[at(4, x)] = 0.45 // isolated blob
    const probs = twoPhase(p0)
    const target = 9 / (Y * X)
    const plain = fractionMatchedLabels(probs, [target, 1 - target])
    const connected = hysteresisLabels(probs, [1, Y, X], target, 0.5)
    expect(labelFractions(connected, 2)[0]).toBeCloseTo(target, 12)
    expect(clusters2d(plain, Y, X)).toBe(3) // the plain threshold takes the blob and leaves the pores apart
    expect(clusters2d(connected, Y, X)).toBe(1)
    expect([3, 4, 5].every((x) => connected[at(0, x)] === 0)).toBe(true)
  })
})
