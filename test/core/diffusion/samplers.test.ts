import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../src/core/diffusion/random'
import {
  DdimSampler,
  DdpmSampler,
  epsFromX0,
  predictX0,
  renoise,
  spacedSteps,
} from '../../../src/core/diffusion/samplers'
import { makeNoiseSchedule } from '../../../src/core/diffusion/schedule'

const schedule = makeNoiseSchedule({ kind: 'linear', T: 1000, betaStart: 1e-4, betaEnd: 2e-2 })

describe('seeded random numbers', () => {
  it('are reproducible and standard normal', () => {
    const a = new SeededRandom(42).fillNormal(new Float32Array(200_000))
    const b = new SeededRandom(42).fillNormal(new Float32Array(200_000))
    expect(a).toEqual(b)
    expect(new SeededRandom(43).fillNormal(new Float32Array(4))).not.toEqual(a.subarray(0, 4))
    let m = 0
    let v = 0
    for (const x of a) m += x
    m /= a.length
    for (const x of a) v += (x - m) ** 2
    v /= a.length
    expect(Math.abs(m)).toBeLessThan(0.01)
    expect(Math.abs(v - 1)).toBeLessThan(0.01)
    // P(|z| > 1.96) ≈ 0.05
    const tail = a.filter((x) => Math.abs(x) > 1.96).length / a.length
    expect(tail).toBeCloseTo(0.05, 2)
  })
})

describe('timestep spacing', () => {
  it('uses every timestep for count = T and starts at T − 1 otherwise', () => {
    const all = spacedSteps(1000, 1000)
    expect(all[0]).toEqual({ t: 999, prev: 998 })
    expect(all[999]).toEqual({ t: 0, prev: -1 })
    const fifty = spacedSteps(1000, 50)
    expect(fifty.length).toBe(50)
    expect(fifty[0].t).toBe(999)
    expect(fifty[1].t).toBe(979)
    expect(fifty[49]).toEqual({ t: 19, prev: -1 })
    expect(() => spacedSteps(1000, 0)).toThrow()
  })
})

describe('samplers', () => {
  it('x̂0 and ε are inverse views of the same x_t', () => {
    const rng = new SeededRandom(1)
    const x0 = rng.fillNormal(new Float32Array(64))
    const eps = rng.fillNormal(new Float32Array(64))
    const ab = schedule.alphaBar(300)
    const xt = x0.map((v, i) => Math.sqrt(ab) * v + Math.sqrt(1 - ab) * eps[i])
    const back = predictX0(xt, eps, ab)
    for (let i = 0; i < 64; i++) expect(back[i]).toBeCloseTo(x0[i], 4)
    const e2 = epsFromX0(xt, x0, ab, new Float32Array(64))
    for (let i = 0; i < 64; i++) expect(e2[i]).toBeCloseTo(eps[i], 4)
  })

  it('with the exact noise, deterministic DDIM lands on x̂0·√ᾱ_prev + ε·√(1 − ᾱ_prev)', () => {
    const rng = new SeededRandom(2)
    const x0 = rng.fillNormal(new Float32Array(32))
    const eps = rng.fillNormal(new Float32Array(32))
    const ddim = new DdimSampler(schedule, 10, 0)
    const step = ddim.steps[3]
    const ab = schedule.alphaBar(step.t)
    const abp = schedule.alphaBar(step.prev)
    const xt = x0.map((v, i) => Math.sqrt(ab) * v + Math.sqrt(1 - ab) * eps[i])
    const out = new Float32Array(32)
    ddim.step(xt, eps, step, rng, out)
    for (let i = 0; i < 32; i++)
      expect(out[i]).toBeCloseTo(Math.sqrt(abp) * x0[i] + Math.sqrt(1 - abp) * eps[i], 4)
    // the last step returns x̂0 itself
    const last = ddim.steps[9]
    const xl = x0.map(
      (v, i) => Math.sqrt(schedule.alphaBar(last.t)) * v + Math.sqrt(1 - schedule.alphaBar(last.t)) * eps[i],
    )
    ddim.step(xl, eps, last, rng, out)
    for (let i = 0; i < 32; i++) expect(out[i]).toBeCloseTo(x0[i], 4)
  })

  it('DDPM matches the textbook mean 1/√α (x_t − β/√(1 − ᾱ) ε) and the posterior variance β̃', () => {
    const ddpm = new DdpmSampler(schedule)
    const t = 400
    const step = { t, prev: t - 1 }
    const n = 100_000
    const xt = new Float32Array(n).fill(0.7)
    const eps = new Float32Array(n).fill(-0.3)
    const out = new Float32Array(n)
    ddpm.step(xt, eps, step, new SeededRandom(3), out)
    const a = schedule.alphas[t]
    const b = schedule.betas[t]
    const ab = schedule.alphaBar(t)
    const mean = (0.7 - (b / Math.sqrt(1 - ab)) * -0.3) / Math.sqrt(a)
    const variance = (b * (1 - schedule.alphaBar(t - 1))) / (1 - ab)
    let m = 0
    for (const x of out) m += x
    m /= n
    let v = 0
    for (const x of out) v += (x - m) ** 2
    v /= n
    expect(m).toBeCloseTo(mean, 3)
    expect(v / variance).toBeCloseTo(1, 1)
  })

  it('DDIM with η = 1 over all T steps is the DDPM ancestral step', () => {
    const ddpm = new DdpmSampler(schedule)
    const ddim = new DdimSampler(schedule, 1000, 1)
    const rng = new SeededRandom(4)
    const xt = rng.fillNormal(new Float32Array(16))
    const eps = rng.fillNormal(new Float32Array(16))
    for (const step of [ddpm.steps[0], ddpm.steps[500], ddpm.steps[999]]) {
      const a = new Float32Array(16)
      const b = new Float32Array(16)
      ddpm.step(xt, eps, step, new SeededRandom(9), a)
      ddim.step(xt, eps, step, new SeededRandom(9), b)
      for (let i = 0; i < 16; i++) expect(b[i]).toBeCloseTo(a[i], 4)
    }
  })

  it('re-noising follows q(x_t | x_prev)', () => {
    const n = 100_000
    const x = new Float32Array(n).fill(1)
    const step = { t: 600, prev: 580 }
    const out = renoise(schedule, x, step, new SeededRandom(5), new Float32Array(n))
    const ratio = schedule.alphaBar(600) / schedule.alphaBar(580)
    let m = 0
    for (const v of out) m += v
    m /= n
    let v2 = 0
    for (const v of out) v2 += (v - m) ** 2
    v2 /= n
    expect(m).toBeCloseTo(Math.sqrt(ratio), 2)
    expect(v2 / (1 - ratio)).toBeCloseTo(1, 1)
  })
})
