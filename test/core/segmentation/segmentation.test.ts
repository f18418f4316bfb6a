import { describe, expect, it } from 'vitest'
import {
  applySegmentation,
  betweenClassVariance,
  binning,
  checkSegmentation,
  greyPreview,
  histogram,
  identityLabelMap,
  multiOtsu,
  multiOtsuExhaustive,
  otsu,
  phaseFractions,
  phaseList,
  segmentBins,
  thresholdValue,
} from '../../../src/core/segmentation'
import { createRandom } from '../../../src/core/synth/random'

/** Histogram of 256 bins with the given (bin, count) pairs. */
function hist(pairs: [number, number][]): number[] {
  const h = new Array<number>(256).fill(0)
  for (const [b, c] of pairs) h[b] += c
  return h
}

/** Gaussian mixture samples, rounded and clipped to 0..255. */
function mixture(seed: number, n: number, modes: [number, number, number][]): Uint8Array {
  const rand = createRandom(seed)
  const out = new Uint8Array(n)
  const total = modes.reduce((a, m) => a + m[2], 0)
  for (let i = 0; i < n; i++) {
    let u = rand.uniform() * total
    let m = modes[0]
    for (const mode of modes) {
      m = mode
      if ((u -= mode[2]) < 0) break
    }
    const g = rand.normal()
    out[i] = Math.max(0, Math.min(255, Math.round(m[0] + m[1] * g)))
  }
  return out
}

describe('histogram', () => {
  it('uses one bin per grey level for 8-bit integers and 256 even bins otherwise', () => {
    const h = histogram(Uint8Array.from([0, 1, 1, 255]))
    expect(h.integer8).toBe(true)
    expect([h.counts[0], h.counts[1], h.counts[255]]).toEqual([1, 2, 1])
    const f = histogram(Float64Array.from([-1, 0, 1000, 1535]))
    expect(f.integer8).toBe(false)
    expect(f.lo).toBe(-1)
    expect(f.width).toBeCloseTo(6)
    expect(f.counts[0]).toBe(2)
    expect(f.counts[255]).toBe(1)
    expect(f.counts.reduce((a, b) => a + b)).toBe(4)
    expect(thresholdValue(10, f)).toBeCloseTo(59)
  })
})

describe('otsu', () => {
  it('splits two separated spikes between them (first bin of the upper class)', () => {
    expect(
      otsu(
        hist([
          [40, 100],
          [200, 100],
        ]),
      ),
    ).toBe(41)
    expect(
      otsu(
        hist([
          [10, 5],
          [11, 5],
          [12, 5],
          [100, 3],
        ]),
      ),
    ).toBe(13)
  })

  it('splits a symmetric pair of spikes regardless of their weights only at the gap', () => {
    // Any t in 51..150 gives the same σ_B²; the first one wins.
    expect(
      otsu(
        hist([
          [50, 900],
          [150, 100],
        ]),
      ),
    ).toBe(51)
  })

  it('puts a single-valued image in one class', () => {
    expect(otsu(hist([[77, 10]]))).toBe(78)
  })

  it('finds the analytic threshold of two equal uniform blocks', () => {
    // Uniform on 0..99 and 156..255, equal weight: every t in the gap gives σ_B² = ω0ω1(μ1 − μ0)², the first wins.
    const h = new Array<number>(256).fill(0)
    for (let i = 0; i < 100; i++) h[i] = 1
    for (let i = 156; i < 256; i++) h[i] = 1
    expect(otsu(h)).toBe(100)
    expect(betweenClassVariance(h, [100])).toBeCloseTo(((205.5 - 49.5) / 2) ** 2)
  })

  it('maximises the between-class variance over every threshold', () => {
    const h = histogram(
      mixture(3, 20000, [
        [60, 15, 2],
        [170, 25, 1],
      ]),
    ).counts
    const t = otsu(h)
    const v = betweenClassVariance(h, [t])
    for (let s = 1; s < 256; s++) expect(betweenClassVariance(h, [s])).toBeLessThanOrEqual(v + 1e-9)
    expect(t).toBeGreaterThan(80)
    expect(t).toBeLessThan(150)
  })
})

describe('multiOtsu', () => {
  it('equals otsu for two classes', () => {
    const h = histogram(
      mixture(5, 5000, [
        [50, 10, 1],
        [120, 30, 1],
      ]),
    ).counts
    expect(multiOtsu(h, 2)).toEqual([otsu(h)])
  })

  it('separates three spikes between them', () => {
    expect(
      multiOtsu(
        hist([
          [20, 10],
          [120, 10],
          [220, 10],
        ]),
        3,
      ),
    ).toEqual([21, 121])
  })

  it('gives the exhaustive search maximum for 3 and 4 classes (DP)', () => {
    for (const seed of [1, 2, 7]) {
      const h = histogram(
        mixture(seed, 20000, [
          [40, 12, 3],
          [110, 15, 2],
          [170, 10, 2],
          [230, 8, 1],
        ]),
      ).counts
      for (const k of [3, 4]) {
        const dp = multiOtsu(h, k)
        const ex = multiOtsuExhaustive(h, k)
        expect(betweenClassVariance(h, dp)).toBeCloseTo(betweenClassVariance(h, ex), 9)
        expect(dp).toEqual(ex)
      }
    }
  })

  it('refuses fewer than 2 classes', () => {
    expect(() => multiOtsu(hist([[1, 1]]), 1)).toThrow(/at least 2/)
  })
})

describe('label maps', () => {
  it('classes values by the thresholds they reach and maps classes to phases', () => {
    const v = [0, 9, 10, 19, 20, 255]
    expect([...applySegmentation(v, [10, 20])]).toEqual([0, 0, 1, 1, 2, 2])
    const map = {
      classToPhase: [1, 0, 1],
      phases: [
        { id: 0, name: 'solid' },
        { id: 1, name: 'pore' },
      ],
    }
    expect([...applySegmentation(v, [10, 20], map)]).toEqual([1, 1, 0, 0, 1, 1])
    expect([...segmentBins(v, [10, 20], map)]).toEqual([1, 1, 0, 0, 1, 1])
    expect(phaseFractions([0, 1, 1, 1])).toEqual([0.25, 0.75])
    expect(phaseList({ classToPhase: [0, 2], phases: [{ id: 2, name: 'b' }] })).toEqual([
      { id: 0, name: 'phase 0' },
      { id: 1, name: 'phase 1' },
      { id: 2, name: 'b' },
    ])
  })

  it('says what is wrong with thresholds and maps', () => {
    expect(checkSegmentation([10, 20], identityLabelMap(3))).toBeNull()
    expect(checkSegmentation([])).toMatch(/at least one/)
    expect(checkSegmentation([20, 10])).toMatch(/increase/)
    expect(checkSegmentation([10], identityLabelMap(3))).toMatch(/2 classes/)
  })
})

describe('greyPreview', () => {
  it('keeps a small image whole and shrinks a large one to 512 px by block means', () => {
    const small = greyPreview({ shape: [3, 4, 5], samples: Uint8Array.from({ length: 60 }, (_, i) => i) })
    expect([small.slice, small.width, small.height, small.scale]).toEqual([1, 5, 4, 1])
    expect([...small.bins.slice(0, 3)]).toEqual([20, 21, 22])
    expect(small.histogram.counts.reduce((a, b) => a + b)).toBe(60)

    const big = new Uint8Array(1030 * 1030)
    for (let y = 0; y < 1030; y++) for (let x = 0; x < 1030; x++) big[y * 1030 + x] = x < 515 ? 10 : 200
    const p = greyPreview({ shape: [1, 1030, 1030], samples: big })
    expect(p.scale).toBe(3)
    expect([p.width, p.height]).toEqual([344, 344])
    expect(p.bins[0]).toBe(10)
    expect(p.bins[p.width - 1]).toBe(200)
    expect(p.distinct).toBe(2)
  })

  it('bins float images over their range so bin thresholds map back to grey values', () => {
    const samples = Float64Array.from({ length: 1000 }, (_, i) => (i < 500 ? 0.1 : 0.9) + (i % 7) * 0.001)
    const p = greyPreview({ shape: [1, 10, 100], samples })
    const { lo, width } = binning(samples)
    const t = otsu(p.histogram.counts)
    const viaBins = segmentBins(p.bins, [t])
    const viaValues = applySegmentation(samples, [thresholdValue(t, { lo, width })])
    expect([...viaBins]).toEqual([...viaValues])
    expect(phaseFractions(viaValues)).toEqual([0.5, 0.5])
  })
})
