import { describe, expect, it } from 'vitest'
import {
  axisTwoPointCorrelation,
  s2LossGradient,
  surfaceAreaGradient,
  volumeFractionGradient,
} from '../../../src/core/analysis'
import { createRandom } from '../../../src/core/synth/random'
import type { Shape3 } from '../../../src/core/volume/volume'

function softField(shape: Shape3, seed: number): Float32Array {
  const rng = createRandom(seed)
  return Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => 0.05 + 0.9 * rng.uniform())
}

/** Largest |analytic − central finite difference| over some entries, relative to the largest |gradient|. */
function finiteDifferenceMismatch(
  field: Float32Array,
  fn: (p: Float32Array) => { value: number; gradient: Float32Array },
  entries: number[],
  h = 1e-2,
): number {
  const { gradient } = fn(field)
  const scale = Math.max(...Array.from(gradient, Math.abs))
  let worst = 0
  for (const j of entries) {
    const plus = Float32Array.from(field)
    const minus = Float32Array.from(field)
    plus[j] += h
    minus[j] -= h
    const fd = (fn(plus).value - fn(minus).value) / (2 * h)
    worst = Math.max(worst, Math.abs(fd - gradient[j]) / scale)
  }
  return worst
}

const ENTRIES = [0, 1, 7, 23, 50, 111, 200, 239]

describe('volumeFractionGradient', () => {
  it('is the mean and 1/N everywhere', () => {
    const p = softField([2, 3, 4], 1)
    const { value, gradient } = volumeFractionGradient(p)
    expect(value).toBeCloseTo(p.reduce((s, v) => s + v, 0) / 24, 6)
    expect(finiteDifferenceMismatch(p, volumeFractionGradient, [0, 5, 23])).toBeLessThan(1e-4)
    for (const g of gradient) expect(g).toBeCloseTo(1 / 24, 7)
  })
})

describe('s2LossGradient', () => {
  const shape: Shape3 = [4, 6, 10]
  const target = { z: [0.3, 0.2], y: [0.3, 0.25, 0.2, 0.15], x: [0.3, 0.28, 0.2, 0.1, 0.12, 0.1] }

  it('matches finite differences, non-periodic', () => {
    const p = softField(shape, 2)
    const fn = (q: Float32Array) => s2LossGradient(q, shape, target)
    expect(fn(p).value).toBeGreaterThan(0)
    expect(finiteDifferenceMismatch(p, fn, ENTRIES)).toBeLessThan(1e-3)
  })

  it('matches finite differences, periodic, including a lag of half the line', () => {
    const p = softField(shape, 3)
    const fn = (q: Float32Array) => s2LossGradient(q, shape, target, { periodic: true })
    expect(finiteDifferenceMismatch(p, fn, ENTRIES)).toBeLessThan(1e-3)
  })

  it("is zero when the target is the field's own S2 curve, and grows with the mismatch", () => {
    const p = softField(shape, 4)
    const own = { y: axisTwoPointCorrelation(p, shape, 'y', { maxR: 3 }) }
    const exact = s2LossGradient(p, shape, own)
    expect(exact.value).toBeLessThan(1e-12)
    expect(Math.max(...Array.from(exact.gradient, Math.abs))).toBeLessThan(1e-9)
    const shifted = s2LossGradient(p, shape, { y: own.y.map((v) => v + 0.1) })
    expect(shifted.value).toBeCloseTo(4 * 0.01, 9)
    // Raising S2 everywhere needs more of the phase: every entry of the gradient is negative.
    expect(shifted.gradient.every((g) => g < 0)).toBe(true)
  })
})

describe('surfaceAreaGradient', () => {
  // eps = 0.05 keeps √(|∇u|² + eps²) smooth on the scale of the finite-difference step (with the default
  // 1e-3 a voxel whose blurred gradient nearly vanishes makes central differences of step 1e-2 inexact).
  it('matches finite differences in 3D and 2D', () => {
    const shape: Shape3 = [4, 6, 10]
    const p = softField(shape, 5)
    const fn = (q: Float32Array) => surfaceAreaGradient(q, shape, { eps: 0.05 })
    expect(finiteDifferenceMismatch(p, fn, ENTRIES)).toBeLessThan(2e-3)
    const image: Shape3 = [1, 12, 20]
    const q = softField(image, 6)
    const fn2 = (f: Float32Array) => surfaceAreaGradient(f, image, { spacing: [1, 0.5, 2], eps: 0.05 })
    expect(finiteDifferenceMismatch(q, fn2, ENTRIES)).toBeLessThan(2e-3)
  })
})
