import { describe, expect, it } from 'vitest'
import { UserError } from '../../../src/core/errors'
import { synthesize } from '../../../src/core/synth'
import { createRandom } from '../../../src/core/synth/random'
import {
  planeOf,
  referenceRegion,
  TRANSPORT_NOTE,
  validateEnsemble,
  type GenerateSample,
} from '../../../src/core/validation'
import { curveRowAndBand, scalarRow } from '../../../src/core/validation/verdicts'
import { cropVolume, makeVolume, type Volume } from '../../../src/core/volume/volume'

// A 3D Gaussian-field reference (two phases, correlated texture); samples of 16³ drawn from it.
const reference = synthesize('grf', { shape: [48, 48, 48], vf: 0.3, seed: 7 })
const N = 16
const opts = { size: N, count: 4, draws: 8, seed: 3, transportAxes: ['z' as const] }

/** Generated = more real subvolumes of the same reference (independent positions). */
function realSubvolumes(ref: Volume, seed: number): GenerateSample {
  const rng = createRandom(seed)
  return async () =>
    cropVolume(ref, [0, 1, 2].map((a) => rng.integer(ref.shape[a] - N + 1)) as [number, number, number], [
      N,
      N,
      N,
    ])
}

/** Generated = white noise with exactly the reference's mean fraction in every volume. */
function constantFraction(fraction: number, seed: number): GenerateSample {
  const rng = createRandom(seed)
  return async () => {
    const n3 = N ** 3
    const data = new Uint8Array(n3).fill(0)
    const ones = Math.round((1 - fraction) * n3)
    for (let i = 0; i < ones; i++) data[i] = 1
    for (let i = n3 - 1; i > 0; i--) {
      const j = rng.integer(i + 1)
      ;[data[i], data[j]] = [data[j], data[i]]
    }
    return makeVolume([N, N, N], data)
  }
}

describe('validation verdicts (definitions)', () => {
  it('scalar rows: real range = min–max of ensemble means, real per-volume SD = mean within-ensemble SD', () => {
    const real = [
      [0.1, 0.3],
      [0.2, 0.4],
      [0.15, 0.25],
    ]
    const row = scalarRow(0, 'pore', 'vf', 'volume fraction', 'vf', [0.2, 0.3], real)
    expect(row.realMin).toBeCloseTo(0.2)
    expect(row.realMax).toBeCloseTo(0.3)
    expect(row.realMean).toBeCloseTo((0.1 + 0.3 + 0.2 + 0.4 + 0.15 + 0.25) / 6)
    const sdOf = (a: number, b: number) => Math.abs(a - b) / Math.SQRT2
    expect(row.realSd).toBeCloseTo((sdOf(0.1, 0.3) + sdOf(0.2, 0.4) + sdOf(0.15, 0.25)) / 3)
    expect(row.generated).toBeCloseTo(0.25)
    expect(row.verdict).toBe('within')
    // Same mean, no spread: the SD-ratio check fails.
    const flat = scalarRow(0, 'pore', 'vf', 'volume fraction', 'vf', [0.25, 0.25], real)
    expect(flat.checks.map((c) => c.pass)).toEqual([true, false])
    expect(flat.verdict).toBe('outside')
    // Mean outside the range of ensemble means.
    expect(scalarRow(0, 'pore', 'vf', 'vf', 'vf', [0.4, 0.5], real).verdict).toBe('outside')
  })

  it('D_rel rows: mean within ±0.75 real SD and generated SD ≥ 0.5 real SD; Euler/percolation ±1 SD', () => {
    const real = [
      [0.0, 0.2],
      [0.1, 0.3],
    ] // means 0.1, 0.2 → μ 0.15; SD of each ensemble 0.1414 → s_r 0.1414
    const sr = 0.2 / Math.SQRT2
    const ok = scalarRow(0, 'p', 'drel', 'D', 'drel', [0.15 + 0.7 * sr - 0.05, 0.15 + 0.7 * sr + 0.05], real)
    expect(ok.verdict).toBe('within')
    const far = scalarRow(0, 'p', 'drel', 'D', 'drel', [0.15 + 0.8 * sr - 0.05, 0.15 + 0.8 * sr + 0.05], real)
    expect(far.checks[0].pass).toBe(false)
    const narrow = scalarRow(0, 'p', 'drel', 'D', 'drel', [0.15, 0.15 + 0.1 * sr], real)
    expect(narrow.checks[1].pass).toBe(false)
    expect(scalarRow(0, 'p', 'euler', 'E', 'sd1', [0.15 + 0.9 * sr, 0.15 + 0.9 * sr], real).verdict).toBe(
      'within',
    )
    expect(scalarRow(0, 'p', 'euler', 'E', 'sd1', [0.15 + 1.1 * sr, 0.15 + 1.1 * sr], real).verdict).toBe(
      'outside',
    )
  })

  it('curve rows: generated error within the worst real ensemble error, band = min–max of ensemble means', () => {
    const ref = { x: [1, 0.5, 0.25] }
    const draws = [
      [{ x: [1, 0.5, 0.3] }, { x: [1, 0.5, 0.2] }],
      [{ x: [1, 0.6, 0.3] }, { x: [1, 0.6, 0.3] }],
    ]
    const good = curveRowAndBand(0, 'p', 's2', 'S2', 'r', [{ x: [1, 0.52, 0.25] }], draws, ref)
    // errors: draw 1 mean curve [1, .5, .25] → 0 %; draw 2 [1, .6, .3] → 100·0.15/1.75
    expect(good.row.realMax).toBeCloseTo((100 * 0.15) / 1.75)
    expect(good.row.realMin).toBeCloseTo(0)
    expect(good.row.generated).toBeCloseTo((100 * 0.02) / 1.75)
    expect(good.row.verdict).toBe('within')
    expect(good.band.realMin).toEqual([1, 0.5, 0.25])
    expect(good.band.realMax[1]).toBeCloseTo(0.6)
    const bad = curveRowAndBand(0, 'p', 's2', 'S2', 'r', [{ x: [1, 0.8, 0.5] }], draws, ref)
    expect(bad.row.verdict).toBe('outside')
  })
})

describe('validateEnsemble', () => {
  it('real subvolumes as the "generated" ensemble: every row is within real variation', async () => {
    const seen: number[] = []
    const report = await validateEnsemble(reference, realSubvolumes(reference, 11), {
      ...opts,
      onProgress: (p) => seen.push(p.fraction),
    })
    expect(report.mode).toBe('3d')
    const keys = report.rows.map((r) => `${r.phase}:${r.key}`)
    for (const p of [0, 1])
      for (const k of ['vf', 'drel', 'drel-z', 'euler', 'percolating', 's2', 'lineal', 'chord'])
        expect(keys).toContain(`${p}:${k}`)
    // size distribution (local thickness) of the minority phase only (phase 0 is the majority here)
    expect(keys).toContain('1:poreSize')
    expect(keys).not.toContain('0:poreSize')
    expect(report.pending).toEqual([])
    const outside = report.rows.filter((r) => r.verdict !== 'within')
    expect(outside.map((r) => `${r.phase}:${r.key} ${JSON.stringify(r.checks)}`)).toEqual([])
    expect(report.summary.within).toBe(report.rows.length)
    // one-sided tests have a null bound, so the report survives JSON
    const drel = report.rows.find((r) => r.key === 'drel' && r.phase === 0)!
    expect(drel.checks[1]).toMatchObject({ name: 'SD ratio', low: 0.5, high: null })
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
    // histograms carry every per-volume value; curves carry the real band
    const vf = report.samples.find((s) => s.key === 'vf' && s.phase === 0)!
    expect(vf.generated).toHaveLength(4)
    expect(vf.real).toHaveLength(4 * 8)
    const s2 = report.curves.find((c) => c.key === 's2' && c.phase === 0)!
    expect(s2.generated).toHaveLength(N / 2 + 1)
    for (let r = 0; r < s2.realMin.length; r++) expect(s2.realMin[r]).toBeLessThanOrEqual(s2.realMax[r])
    // progress is monotone and ends at 1
    expect(seen.at(-1)).toBe(1)
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1])
  })

  it('constant-fraction volumes: the volume-fraction row is outside (no spread) and the texture rows too', async () => {
    const pore = 1 - (reference.data.reduce((s, v) => s + v, 0) as number) / reference.data.length
    const report = await validateEnsemble(reference, constantFraction(pore, 5), opts)
    const vf = report.rows.find((r) => r.key === 'vf' && r.phase === 0)!
    expect(vf.generatedSd).toBeLessThan(1e-3)
    expect(vf.checks.find((c) => c.name === 'SD ratio')!.pass).toBe(false)
    expect(vf.verdict).toBe('outside')
    // white noise has short runs (lineal path, chords) and its minority phase hardly conducts
    for (const key of ['lineal', 'chord', 'drel', 'percolating', 'euler'])
      expect(report.rows.find((r) => r.key === key && r.phase === 1)!.verdict, key).toBe('outside')
  })

  it('a 2D reference: generated slices against real patches, no transport, and the report says so', async () => {
    const image = planeOf(reference, 'z', 20)
    expect(image.shape).toEqual([1, 48, 48])
    const report = await validateEnsemble(image, realSubvolumes(reference, 2), opts)
    expect(report.mode).toBe('2d')
    expect(report.notes).toContain(TRANSPORT_NOTE)
    expect(report.settings.sampleShape).toEqual([1, N, N])
    expect(report.rows.some((r) => r.key.startsWith('drel'))).toBe(false)
    expect(report.rows.some((r) => r.key === 'vf')).toBe(true)
    expect(report.rows.some((r) => r.key === 's2')).toBe(true)
    expect(report.rows.some((r) => r.key === 'euler')).toBe(true)
  })

  it('regions and sizes: z slices, refusals with one line', async () => {
    expect(referenceRegion(reference, [24, 48]).shape).toEqual([24, 48, 48])
    expect(() => referenceRegion(reference, [40, 60])).toThrow(UserError)
    await expect(
      validateEnsemble(reference, realSubvolumes(reference, 1), { ...opts, region: [40, 48] }),
    ).rejects.toThrow(/do not fit/)
    await expect(
      validateEnsemble(reference, realSubvolumes(reference, 1), { ...opts, count: 1 }),
    ).rejects.toThrow(UserError)
  })

  it('cancellation stops the run', async () => {
    const c = new AbortController()
    c.abort()
    await expect(
      validateEnsemble(reference, realSubvolumes(reference, 1), { ...opts, signal: c.signal }),
    ).rejects.toThrow(/cancelled/)
  })
})
