import { describe, expect, it } from 'vitest'
import {
  compareVolumes,
  describeVolume,
  micro3diffError,
  slicedWassersteinDistance,
  volumeFractions,
} from '../../../src/core/analysis'
import { synthesize } from '../../../src/core/synth'
import { UserError } from '../../../src/core/errors'
import { randomLabels, volumeFrom } from './fixtures'

describe('micro3diffError', () => {
  it('is 100 Σ|gen − ref| / Σ ref over the common lags', () => {
    expect(micro3diffError([0.5, 0.3, 0.2], [0.5, 0.25, 0.25, 0.9])).toBeCloseTo((100 * 0.1) / 1.0, 12)
    expect(micro3diffError([1, 2], [1, 2])).toBe(0)
    expect(micro3diffError([0, 0], [0, 0])).toBe(0)
    expect(micro3diffError([1], [0])).toBe(Infinity)
  })
})

describe('compareVolumes', () => {
  it('gives zero errors against itself and positive ones against another structure', () => {
    const a = synthesize('spheres', { size: 32, vf: 0.3, radius: 3, seed: 1 })
    const same = compareVolumes(a, a)
    expect(same.axes).toEqual(['z', 'y', 'x'])
    for (const p of same.phases) {
      expect(p.volumeFractionDifference).toBe(0)
      expect(p.s2ErrorPercent.mean).toBe(0)
      expect(p.linealPathErrorPercent.mean).toBe(0)
    }
    const b = synthesize('grf', { size: 32, vf: 0.4, seed: 2, correlationLength: 2 })
    const diff = compareVolumes(b, a)
    expect(diff.phases[1].volumeFractionDifference).toBeCloseTo(
      volumeFractions(b)[1] - volumeFractions(a)[1],
      12,
    )
    expect(diff.phases[1].s2ErrorPercent.x).toBeGreaterThan(10)
    expect(diff.phases[1].linealPathErrorPercent.mean).toBeGreaterThan(10)
  })

  it('compares a 2D image with a volume along the axes both have', () => {
    const img = synthesize('spheres', { shape: [1, 40, 40], vf: 0.3, radius: 3, seed: 1 })
    const vol = synthesize('spheres', { size: 40, vf: 0.3, radius: 3, seed: 1 })
    expect(compareVolumes(img, vol).axes).toEqual(['y', 'x'])
  })
})

describe('slicedWassersteinDistance', () => {
  it('is zero for identical images, small between realisations and large between different structures', () => {
    const a = synthesize('spheres', { shape: [1, 96, 96], vf: 0.3, radius: 4, seed: 1 })
    const a2 = synthesize('spheres', { shape: [1, 96, 96], vf: 0.3, radius: 4, seed: 2 })
    const stripes = volumeFrom([1, 96, 96], (_z, _y, x) => (x % 6 < 2 ? 1 : 0))
    const noise = randomLabels([1, 96, 96], 2, 3, 0.3)
    const opts = { patchSize: 5, projections: 32, seed: 7 }
    expect(slicedWassersteinDistance(a, a, opts)).toBe(0)
    const twin = slicedWassersteinDistance(a, a2, opts)
    expect(twin).toBeLessThan(0.5 * slicedWassersteinDistance(a, stripes, opts))
    expect(twin).toBeLessThan(0.5 * slicedWassersteinDistance(a, noise, opts))
    // Deterministic by seed.
    expect(slicedWassersteinDistance(a, noise, opts)).toBe(slicedWassersteinDistance(a, noise, opts))
  })

  it('takes the sections of a volume along the three axes and refuses images smaller than the window', () => {
    const small = synthesize('spheres', { size: 12, vf: 0.3, radius: 3, seed: 4 })
    // 3 section families × 12 sections × 8 × 8 windows = 2304, all used: identical sets.
    expect(slicedWassersteinDistance(small, small)).toBe(0)
    const v = synthesize('spheres', { size: 24, vf: 0.3, radius: 3, seed: 4 })
    const noise = randomLabels([24, 24, 24], 2, 5, 0.3)
    // With fewer windows drawn than exist, two draws from the same volume differ only by sampling.
    const self = slicedWassersteinDistance(v, v, { maxPatches: 2000 })
    expect(self).toBeGreaterThan(0)
    expect(self).toBeLessThan(0.3 * slicedWassersteinDistance(v, noise, { maxPatches: 2000 }))
    expect(() =>
      slicedWassersteinDistance(
        volumeFrom([1, 3, 3], () => 0),
        v,
      ),
    ).toThrow(RangeError)
  })
})

describe('describeVolume', () => {
  it('describes every phase, or one phase, and adds TPB density for three phases', () => {
    const vol = synthesize('spheres-3phase', { size: 24, vf: [0.3, 0.2], radius: 3, seed: 5 })
    const d = describeVolume(vol)
    expect(d.shape).toEqual([24, 24, 24])
    expect(d.phases.map((p) => p.id)).toEqual([0, 1, 2])
    const vf = volumeFractions(vol)
    d.phases.forEach((p, i) => {
      expect(p.volumeFraction).toBe(vf[i])
      expect(p.s2.x[0]).toBeCloseTo(vf[i], 12)
      expect(p.linealPath.z[0]).toBeCloseTo(vf[i], 12)
      expect(p.specificSurfaceArea.faceCount).toBeGreaterThan(0)
    })
    expect(d.triplePhaseBoundaryDensity!.segments).toBeGreaterThan(0)
    const one = describeVolume(vol, { phase: 2, periodic: true })
    expect(one.phases.map((p) => p.id)).toEqual([2])
    expect(one.periodic).toBe(true)
    expect(() => describeVolume(vol, { phase: 5 })).toThrow(UserError)
    expect(
      describeVolume(synthesize('spheres', { size: 16, seed: 1 })).triplePhaseBoundaryDensity,
    ).toBeUndefined()
  })
})
