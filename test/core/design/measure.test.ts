import { describe, expect, it } from 'vitest'
import { makeVolume } from '../../../src/core/volume/volume'
import {
  measureTargets,
  phaseS2ErrorPercent,
  s2ErrorPercent,
  targetOutcomes,
} from '../../../src/core/design/measure'
import { rescaleS2 } from '../../../src/core/design/design-volume'
import type { DesignTarget } from '../../../src/core/design/targets'

/** 12³ labels: phase 0 in isolated 2³ blocks (no path along any axis), phase 1 elsewhere. */
function isolatedBlocks() {
  const n = 12
  const data = new Uint8Array(n ** 3).fill(1)
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) if (z % 4 < 2 && y % 4 < 2 && x % 4 < 2) data[(z * n + y) * n + x] = 0
  return makeVolume([n, n, n], data)
}

describe('design outcomes', () => {
  it('a phase that does not percolate: D_rel 0, not reached, and the note says why', () => {
    const vol = isolatedBlocks()
    const targets: DesignTarget[] = [{ kind: 'diffusivity', phase: 0, axis: 'z', value: 0.05 }]
    const m = measureTargets(vol, 2, targets, [])
    expect(m[0].value).toBe(0)
    expect(m[0].percolating).toBe(false)
    const [o] = targetOutcomes(targets, m, m, [0.125, 0.875])
    expect(o.reached).toBe(false)
    expect(o.error).toBeCloseTo(1, 12)
    expect(o.note).toMatch(/phase 0 does not percolate along z at volume fraction 0\.125/)
  })

  it('a D_rel target above the volume fraction is called impossible before anything else', () => {
    const vol = isolatedBlocks()
    const targets: DesignTarget[] = [{ kind: 'diffusivity', phase: 0, axis: 'x', value: 0.2 }]
    const m = measureTargets(vol, 2, targets, [])
    const [o] = targetOutcomes(targets, m, m, [0.125, 0.875])
    expect(o.note).toMatch(/cannot exceed the phase's volume fraction .* ε = 0\.125/)
  })

  it('reached targets carry no note; vf is judged within ±0.01', () => {
    const vol = isolatedBlocks()
    const targets: DesignTarget[] = [
      { kind: 'vf', phase: 0, value: 0.13 },
      { kind: 'vf', phase: 0, value: 0.14 },
    ]
    const m = measureTargets(vol, 2, targets, [])
    const [near, far] = targetOutcomes(targets, m, m, [0.125, 0.875])
    expect(near.reached).toBe(true)
    expect(near.note).toBeUndefined()
    expect(far.reached).toBe(false)
    expect(far.note).toMatch(/prior/)
  })

  it('the S2 error is the worst phase’s, not the mean over phases', () => {
    const vol = isolatedBlocks()
    // targets: the volume's own curves scaled by 0.9 (phase 0) and exact (phase 1)
    const own = (phase: number) => {
      const curve: number[] = []
      for (let r = 0; r <= 6; r++) {
        const c = [0, 1, 2].map((a) => measureS2(vol, phase, a as 0 | 1 | 2, r))
        curve.push(c.reduce((x, v) => x + v, 0) / 3)
      }
      return curve
    }
    const c0 = own(0).map((v) => 0.9 * v)
    const c1 = own(1)
    const curves = [
      { phase: 0, y: c0, x: c0 },
      { phase: 1, y: c1, x: c1 },
    ]
    const e0 = phaseS2ErrorPercent(vol, curves[0])
    const e1 = phaseS2ErrorPercent(vol, curves[1])
    expect(e0).toBeGreaterThan(5)
    expect(e1).toBeLessThan(1e-6)
    expect(s2ErrorPercent(vol, curves)).toBeCloseTo(e0, 10)
  })

  it('rescaleS2 keeps the normalised autocovariance and moves S2(0) and the tail', () => {
    const phi = 0.2
    const c = [1, 0.6, 0.3, 0.1, 0]
    const curve = c.map((v) => phi * phi + (phi - phi * phi) * v)
    const moved = rescaleS2(curve, 0.28)
    expect(moved[0]).toBeCloseTo(0.28, 12)
    expect(moved[4]).toBeCloseTo(0.28 ** 2, 12)
    moved.forEach((v, r) => expect((v - 0.28 ** 2) / (0.28 - 0.28 ** 2)).toBeCloseTo(c[r], 12))
    expect(rescaleS2(curve, phi)).toEqual(curve.map((v) => expect.closeTo(v, 12)))
  })
})

/** Non-periodic S2 of a phase along one axis at lag r, counted directly. */
function measureS2(vol: ReturnType<typeof makeVolume>, phase: number, axis: 0 | 1 | 2, r: number): number {
  const [nz, ny, nx] = vol.shape
  const n = [nz, ny, nx]
  let hits = 0
  let pairs = 0
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const p = [z, y, x]
        p[axis] += r
        if (p[axis] >= n[axis]) continue
        pairs++
        const a = vol.data[(z * ny + y) * nx + x]
        const b = vol.data[(p[0] * ny + p[1]) * nx + p[2]]
        if (a === phase && b === phase) hits++
      }
  return hits / pairs
}
