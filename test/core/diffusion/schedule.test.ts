import { describe, expect, it } from 'vitest'
import { makeNoiseSchedule } from '../../../src/core/diffusion/schedule'

describe('noise schedules', () => {
  it('linear β is an arithmetic sequence and ᾱ is the product of (1 − β)', () => {
    const s = makeNoiseSchedule({ kind: 'linear', T: 1000, betaStart: 1e-4, betaEnd: 2e-2 })
    expect(s.betas[0]).toBeCloseTo(1e-4, 12)
    expect(s.betas[999]).toBeCloseTo(2e-2, 12)
    expect(s.betas[500] - s.betas[499]).toBeCloseTo((2e-2 - 1e-4) / 999, 12)
    // closed form: log ᾱ_t = Σ_{s≤t} log(1 − β_s)
    for (const t of [0, 200, 350, 500, 999]) {
      let log = 0
      for (let k = 0; k <= t; k++) log += Math.log(1 - (1e-4 + ((2e-2 - 1e-4) * k) / 999))
      expect(s.alphaBar(t)).toBeCloseTo(Math.exp(log), 10)
    }
    // reference values quoted in the MicroLad notes
    expect(s.alphaBar(200)).toBeCloseTo(0.656, 3)
    expect(s.alphaBar(350)).toBeCloseTo(0.283, 3)
    expect(s.alphaBar(500)).toBeCloseTo(0.078, 3)
    expect(s.alphaBar(-1)).toBe(1)
  })

  it('cosine ᾱ_t equals f(t + 1) / f(0) wherever β is not clipped', () => {
    const T = 1000
    const s = makeNoiseSchedule({ kind: 'cosine', T, betaStart: 0, betaEnd: 0 })
    const f = (u: number) => Math.cos(((u / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2
    for (const t of [0, 10, 250, 500, 900]) expect(s.alphaBar(t)).toBeCloseTo(f(t + 1) / f(0), 10)
    expect(Math.max(...s.betas)).toBeLessThanOrEqual(0.999)
    // ᾱ decreases strictly
    for (let t = 1; t < T; t++) expect(s.alphaBars[t]).toBeLessThan(s.alphaBars[t - 1])
  })

  it('rejects out-of-range timesteps', () => {
    const s = makeNoiseSchedule({ kind: 'linear', T: 10, betaStart: 1e-4, betaEnd: 2e-2 })
    expect(() => s.alphaBar(10)).toThrow(/outside/)
  })
})
