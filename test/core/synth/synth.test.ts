import { describe, expect, it } from 'vitest'
import { micro3diffError, twoPointCorrelation, volumeFractions } from '../../../src/core/analysis'
import { SYNTH_KINDS, sphereOverlapRatio, synthesize } from '../../../src/core/synth'
import { createRandom } from '../../../src/core/synth/random'
import { UserError } from '../../../src/core/errors'

describe('createRandom', () => {
  it('repeats a sequence for a seed and gives standard normals', () => {
    const a = createRandom(42)
    const b = createRandom(42)
    const c = createRandom(43)
    const first = Array.from({ length: 5 }, () => a.uniform())
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(first)
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(first)
    const rng = createRandom(1)
    const xs = Array.from({ length: 20000 }, () => rng.normal())
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length
    expect(Math.abs(mean)).toBeLessThan(0.03)
    expect(Math.abs(variance - 1)).toBeLessThan(0.05)
    const poisson = Array.from({ length: 5000 }, () => rng.poisson(4))
    expect(poisson.reduce((s, x) => s + x, 0) / poisson.length).toBeCloseTo(4, 0)
  })
})

describe('synthesize', () => {
  it.each(SYNTH_KINDS)('%s is deterministic by seed and reaches the target fractions', (kind) => {
    const three = kind.endsWith('-3phase')
    const vf = three ? [0.25, 0.2] : [0.3]
    // Voronoi's fraction follows from a fitted boundary thickness; the others are exact or Boolean-model.
    const tolerance = kind.startsWith('voronoi') ? 0.04 : 0.03
    const opts = { size: 40, vf: three ? vf : vf[0], seed: 7, radius: 4, correlationLength: 2 }
    const a = synthesize(kind, opts)
    const b = synthesize(kind, opts)
    const c = synthesize(kind, { ...opts, seed: 8 })
    expect(a.shape).toEqual([40, 40, 40])
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true)
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false)
    const fractions = volumeFractions(a)
    expect(fractions).toHaveLength(three ? 3 : 2)
    vf.forEach((target, i) => expect(Math.abs(fractions[i + 1] - target)).toBeLessThan(tolerance))
  })

  it('makes 2D images from a shape with one z slice', () => {
    for (const kind of ['spheres', 'grf', 'fibres', 'voronoi'] as const) {
      const img = synthesize(kind, { shape: [1, 96, 80], vf: 0.3, seed: 1, radius: 3 })
      expect(img.shape).toEqual([1, 96, 80])
      expect(Math.abs(volumeFractions(img)[1] - 0.3)).toBeLessThan(0.04)
    }
  })

  it('thresholds the Gaussian field exactly at the target fraction', () => {
    const vol = synthesize('grf', { shape: [20, 30, 40], vf: 0.37, seed: 2 })
    expect(volumeFractions(vol)[1]).toBeCloseTo(0.37, 3)
  })

  it('makes anisotropic Gaussian fields longer-correlated along the longer length', () => {
    const vol = synthesize('grf', { size: 48, vf: 0.5, seed: 3, correlationLength: [6, 1.5, 1.5] })
    const s2 = twoPointCorrelation(vol, 1)
    expect(s2.z[4]).toBeGreaterThan(s2.x[4] + 0.1)
    expect(Math.abs(s2.y[4] - s2.x[4])).toBeLessThan(0.03)
  })

  it('orients fibres along the requested axis', () => {
    const vol = synthesize('fibres', {
      size: 48,
      vf: 0.2,
      seed: 4,
      radius: 2,
      orientation: 'x',
      spread: 0.05,
    })
    const s2 = twoPointCorrelation(vol, 1)
    expect(s2.x[10]).toBeGreaterThan(2 * s2.z[10])
    expect(s2.x[10]).toBeGreaterThan(2 * s2.y[10])
  })

  it('gives overlapping spheres whose matrix S2 follows the Boolean-model closed form within 4 %', () => {
    const radius = 6
    const vol = synthesize('spheres', { size: 128, vf: 0.4, seed: 11, radius })
    const phi = volumeFractions(vol)[0]
    const s2 = twoPointCorrelation(vol, 0, { periodic: true, maxR: 40 })
    for (const axis of ['z', 'y', 'x'] as const) {
      const closed = s2[axis].map((_, r) => phi ** (2 - sphereOverlapRatio(r, radius)))
      const err = micro3diffError(s2[axis], closed)
      expect(err).toBeLessThan(4)
    }
  })

  it('refuses bad options with one-line user errors', () => {
    expect(() => synthesize('spheres', { size: 16, vf: 1.2 })).toThrow(UserError)
    expect(() => synthesize('spheres-3phase', { size: 16, vf: [0.6, 0.5] })).toThrow(/sum to less than 1/)
    expect(() => synthesize('spheres-3phase', { size: 16, vf: 0.3 })).toThrow(/two fractions/)
    expect(() => synthesize('grf', {})).toThrow(/size or a shape/)
    expect(() => synthesize('fibres', { size: 16, radius: -1 })).toThrow(/radius/)
    expect(() => synthesize('cubes' as never, { size: 16 })).toThrow(/unknown kind/)
  })
})
