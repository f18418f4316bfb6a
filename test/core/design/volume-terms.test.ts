import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../src/core/diffusion/random'
import type { PlaneBatch } from '../../../src/core/diffusion/networks'
import { extractPlanes, insertPlanes, type GridDims } from '../../../src/core/diffusion/planes'
import type { SliceBatch } from '../../../src/core/design/terms'
import { lagProductSums } from '../../../src/core/analysis/gradients'
import {
  addNormalChange,
  TwoPointVolumeTerm,
  VolumeFractionVolumeTerm,
  inPlaneDirections,
} from '../../../src/core/design/volume-terms'

const n = 8
const dims: GridDims = [2, n, n, n]

/** Random two-phase probabilities [2, n, n, n] with p_0 = 1 − p_1. */
function randomProbs(seed: number): Float32Array {
  const rng = new SeededRandom(seed)
  const probs = new Float32Array(2 * n ** 3)
  for (let i = 0; i < n ** 3; i++) {
    const p = 0.05 + 0.9 * rng.uniform()
    probs[i] = p
    probs[n ** 3 + i] = 1 - p
  }
  return probs
}

/** The batch's stored slices, changed a little (a stand-in for the decoder's round trip). */
function perturbedSlices(probs: Float32Array, batch: SliceBatch, seed: number): PlaneBatch {
  const rng = new SeededRandom(seed)
  const item = 2 * n * n
  const data = new Float32Array(batch.indices.length * item)
  batch.indices.forEach((index, b) => data.set(extractPlanes(probs, dims, batch.axis, index, 1), b * item))
  for (let b = 0; b < batch.indices.length; b++)
    for (let i = 0; i < n * n; i++) {
      const p = Math.min(0.98, Math.max(0.02, data[b * item + i] + 0.1 * (rng.uniform() - 0.5)))
      data[b * item + i] = p
      data[b * item + n * n + i] = 1 - p
    }
  return { data, dims: [batch.indices.length, 2, n, n] }
}

function write(probs: Float32Array, batch: SliceBatch, y: PlaneBatch) {
  const item = 2 * n * n
  batch.indices.forEach((index, b) =>
    insertPlanes(probs, dims, batch.axis, y.data.subarray(b * item, (b + 1) * item), index, 1),
  )
}

function finiteDifference(loss: () => number, y: PlaneBatch, i: number, h = 1e-3) {
  const orig = y.data[i]
  y.data[i] = orig + h
  const up = loss()
  y.data[i] = orig - h
  const down = loss()
  y.data[i] = orig
  return (up - down) / (2 * h)
}

describe('volume-level design terms', () => {
  it('maps each slice axis to its in-plane volume directions', () => {
    expect(inPlaneDirections(0)).toEqual([1, 2])
    expect(inPlaneDirections(1)).toEqual([0, 2])
    expect(inPlaneDirections(2)).toEqual([0, 1])
  })

  it('vf: aims the batch at its stored fraction less the volume residual; exact gradient', () => {
    const probs = randomProbs(1)
    const batch: SliceBatch = { axis: 1, indices: [2, 5] }
    const term = new VolumeFractionVolumeTerm(1, 0.3, probs, dims)
    let vol = 0
    for (let i = n ** 3; i < 2 * n ** 3; i++) vol += probs[i]
    vol /= n ** 3
    expect(term.fraction()).toBeCloseTo(vol, 6)
    const y = perturbedSlices(probs, batch, 2)
    const r = term.evaluate(y, batch)
    expect(r.measure).toBeCloseTo(vol, 6)
    // aim = stored batch fraction − (volume − target); residual = (y's fraction − aim) / target
    const stored = extractPlanes(probs.subarray(n ** 3), [1, n, n, n], 1, 2, 1)
    const stored2 = extractPlanes(probs.subarray(n ** 3), [1, n, n, n], 1, 5, 1)
    const storedMean = [...stored, ...stored2].reduce((a, v) => a + v, 0) / (2 * n * n)
    let yMean = 0
    for (let b = 0; b < 2; b++) for (let i = 0; i < n * n; i++) yMean += y.data[(b * 2 + 1) * n * n + i]
    yMean /= 2 * n * n
    const res = (yMean - (storedMean - (vol - 0.3))) / 0.3
    expect(r.loss).toBeCloseTo(0.5 * res * res, 8)
    for (const i of [n * n + 3, 3 * n * n + 17, 5]) {
      const fd = finiteDifference(() => term.evaluate(y, batch).loss, y, i)
      expect(Math.abs(r.gradient[i] - fd)).toBeLessThanOrEqual(1e-3 * Math.abs(fd) + 1e-7)
    }
    // after the write-back the tracked fraction is the volume's
    write(probs, batch, y)
    term.written(batch, y)
    let now = 0
    for (let i = n ** 3; i < 2 * n ** 3; i++) now += probs[i]
    expect(term.fraction()).toBeCloseTo(now / n ** 3, 6)
  })

  it('S2: the loss is the volume loss with the batch replaced, the gradient that loss’s divided by the batch share', () => {
    const probs = randomProbs(3)
    const batch: SliceBatch = { axis: 0, indices: [1, 6] }
    const target = { phase: 1, y: [0.45, 0.3, 0.26, 0.25, 0.25], x: [0.45, 0.31, 0.27, 0.25, 0.25] }
    const term = new TwoPointVolumeTerm([target], probs, dims)
    const y = perturbedSlices(probs, batch, 4)
    const g = term.evaluate(y, batch).gradient
    // the loss seen with y written into the volume, by a fresh term (no incremental sums)
    const volumeLoss = () => {
      const copy = Float32Array.from(probs)
      write(copy, batch, y)
      const fresh = new TwoPointVolumeTerm([target], copy, dims)
      return fresh.evaluate(y, batch).loss
    }
    expect(term.evaluate(y, batch).loss).toBeCloseTo(volumeLoss(), 10)
    const share = batch.indices.length / n
    for (const i of [n * n + 9, 3 * n * n + 40, n * n + 63]) {
      const fd = finiteDifference(volumeLoss, y, i)
      expect(Math.abs(g[i] * share - fd)).toBeLessThanOrEqual(2e-3 * Math.abs(fd) + 1e-8)
      expect(Math.abs(fd)).toBeGreaterThan(0)
    }
    // the phase-0 channel is not a target: no gradient there
    expect(g.subarray(0, n * n).every((v) => v === 0)).toBe(true)
  })

  it('S2: the running sums follow write-backs along every axis', () => {
    const probs = randomProbs(5)
    const target = { phase: 0, y: [0.5, 0.35, 0.3, 0.27], x: [0.5, 0.35, 0.3, 0.27] }
    const term = new TwoPointVolumeTerm([target], probs, dims)
    const rng = new SeededRandom(6)
    for (let step = 0; step < 6; step++) {
      const batch: SliceBatch = {
        axis: (step % 3) as 0 | 1 | 2,
        indices: [rng.integer(n), (rng.integer(n - 1) + 4) % n].sort(),
      }
      if (batch.indices[0] === batch.indices[1]) batch.indices.pop()
      const y = perturbedSlices(probs, batch, 10 + step)
      term.evaluate(y, batch)
      write(probs, batch, y)
      term.written(batch, y)
    }
    const fresh = new TwoPointVolumeTerm([target], Float32Array.from(probs), dims)
    expect(term.volumeError()).toBeCloseTo(fresh.volumeError(), 8)
    expect(term.volumeError()).toBeGreaterThan(0)
  })
})

describe('addNormalChange', () => {
  it('updates the lagged products normal to written planes as a full recomputation does', () => {
    const shape: [number, number, number] = [6, 7, 9]
    const rng = new SeededRandom(5)
    const field = Float32Array.from({ length: 6 * 7 * 9 }, () => rng.uniform())
    const one: GridDims = [1, ...shape]
    for (const axis of [0, 1, 2] as const) {
      // Adjacent planes, both ends and an interior plane; lags up to the last.
      const indices = [0, 1, 3, shape[axis] - 1]
      const R = shape[axis] - 1
      const before = Float32Array.from(field)
      const sums = lagProductSums(before, shape, (['z', 'y', 'x'] as const)[axis], R)
      const plane = field.length / shape[axis]
      const old = new Float32Array(indices.length * plane)
      indices.forEach((index, b) => {
        old.set(extractPlanes(field, one, axis, index, 1), b * plane)
        const next = Float32Array.from({ length: plane }, () => rng.uniform())
        insertPlanes(field, one, axis, next, index, 1)
      })
      addNormalChange(field, shape, axis, indices, old, sums)
      const full = lagProductSums(field, shape, (['z', 'y', 'x'] as const)[axis], R)
      full.forEach((v, r) => expect(sums[r]).toBeCloseTo(v, 9))
      field.set(before)
    }
  })
})
