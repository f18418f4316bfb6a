import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../src/core/diffusion/random'
import type { PlaneBatch } from '../../../src/core/diffusion/networks'
import { insertPlanes, type GridDims } from '../../../src/core/diffusion/planes'
import {
  SurfaceAreaTerm,
  TwoPointTerm,
  VolumeFractionTerm,
  type DesignTerm,
  type SliceBatch,
} from '../../../src/core/design/terms'
import { DiffusivityTerm } from '../../../src/core/design/diffusivity-term'

/** A random two-phase batch y [B, 2, H, W] with y_1 = 1 − y_0. */
function randomBatch(B: number, H: number, W: number, seed: number): PlaneBatch {
  const rng = new SeededRandom(seed)
  const data = new Float32Array(B * 2 * H * W)
  for (let b = 0; b < B; b++)
    for (let i = 0; i < H * W; i++) {
      const p = 0.1 + 0.8 * rng.uniform()
      data[(b * 2 + 1) * H * W + i] = p
      data[b * 2 * H * W + i] = 1 - p
    }
  return { data, dims: [B, 2, H, W] }
}

/** Central finite differences of loss(y) at a few entries against the analytic gradient. */
function checkGradient(term: DesignTerm, y: PlaneBatch, batch: SliceBatch, entries: number[], h = 1e-3) {
  const g = term.evaluate(y, batch).gradient
  for (const i of entries) {
    const orig = y.data[i]
    y.data[i] = orig + h
    const up = term.evaluate(y, batch).loss
    y.data[i] = orig - h
    const down = term.evaluate(y, batch).loss
    y.data[i] = orig
    const fd = (up - down) / (2 * h)
    expect(Math.abs(g[i] - fd)).toBeLessThanOrEqual(1e-3 * Math.max(Math.abs(fd), 1e-4) + 1e-7)
  }
}

const batch: SliceBatch = { axis: 0, indices: [0, 1, 2] }

describe('design loss terms', () => {
  it('volume fraction: value and gradient', () => {
    const y = randomBatch(3, 8, 8, 1)
    const term: DesignTerm = new VolumeFractionTerm(1, 0.3)
    const r = term.evaluate(y, batch)
    const m = r.measure
    expect(r.loss).toBeCloseTo(0.5 * ((m - 0.3) / 0.3) ** 2, 10)
    checkGradient(term, y, batch, [3 * 64 + 5, 64 + 9, 2])
  })

  it('S2 curve: gradient by finite differences, zero loss on its own curve', () => {
    const y = randomBatch(2, 8, 8, 2)
    const target = { phase: 1, y: [0.4, 0.3, 0.25, 0.2], x: [0.4, 0.28, 0.22, 0.2] }
    const term: DesignTerm = new TwoPointTerm([target])
    checkGradient(term, y, batch, [64 + 0, 64 + 27, 3 * 64 + 63, 5])
    // A constant field has S2(r) = p² for every r: aimed at that, the loss vanishes.
    const flat: PlaneBatch = { data: new Float32Array(2 * 2 * 64).fill(0.5), dims: [2, 2, 8, 8] }
    const exact: DesignTerm = new TwoPointTerm([{ phase: 1, y: [0.25, 0.25, 0.25], x: [0.25, 0.25, 0.25] }])
    expect(exact.evaluate(flat, batch).loss).toBeLessThan(1e-12)
  })

  it('surface area: gradient by finite differences', () => {
    const y = randomBatch(2, 8, 8, 3)
    const term: DesignTerm = new SurfaceAreaTerm(1, 0.2)
    checkGradient(term, y, batch, [64 + 10, 64 + 36, 3 * 64 + 18])
    expect(term.evaluate(y, batch).measure).toBeGreaterThan(0)
  })

  it('diffusivity: the slice gradient matches finite differences of the tracked D_rel', () => {
    const n = 8
    const dims: GridDims = [2, n, n, n]
    const probs = new Float32Array(2 * n ** 3)
    // phase 1 = a straight channel along z plus noise, phase 0 the rest
    const rng = new SeededRandom(4)
    for (let i = 0; i < n ** 3; i++) {
      const x = i % n
      const yy = Math.floor(i / n) % n
      const p = (x >= 2 && x < 5 && yy >= 2 && yy < 5 ? 0.9 : 0.1) + 0.05 * rng.uniform()
      probs[n ** 3 + i] = p
      probs[i] = 1 - p
    }
    const term = new DiffusivityTerm(1, 'z', 0.05, probs, dims)
    const solve = term.resolve()
    expect(solve.percolating).toBe(true)
    expect(solve.relativeDiffusivity).toBeCloseTo(9 / 64, 2)
    const sliceBatch: SliceBatch = { axis: 1, indices: [3] }
    // y holds the slice's current values; evaluate writes nothing, so keep probs and y in step by hand.
    const y: PlaneBatch = { data: new Float32Array(2 * n * n), dims: [1, 2, n, n] }
    const sync = () => insertPlanes(probs, dims, 1, y.data, 3, 1)
    for (let zi = 0; zi < n; zi++)
      for (let x = 0; x < n; x++) {
        const v = zi * n * n + 3 * n + x
        y.data[zi * n + x] = probs[v]
        y.data[n * n + zi * n + x] = probs[n ** 3 + v]
      }
    const g = term.evaluate(y, sliceBatch).gradient
    for (const i of [n * n + 3 * n + 3, n * n + 0 * n + 2, n * n + 7 * n + 4]) {
      const h = 1e-3
      const orig = y.data[i]
      y.data[i] = orig + h
      sync()
      const up = term.evaluate(y, sliceBatch).loss
      y.data[i] = orig - h
      sync()
      const down = term.evaluate(y, sliceBatch).loss
      y.data[i] = orig
      sync()
      const fd = (up - down) / (2 * h)
      expect(Math.abs(g[i] - fd)).toBeLessThanOrEqual(1e-3 * Math.abs(fd) + 1e-9)
      expect(Math.abs(g[i])).toBeGreaterThan(0)
    }
  })
})
