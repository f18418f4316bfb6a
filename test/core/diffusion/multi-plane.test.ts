import { describe, expect, it } from 'vitest'
import { CancelledError } from '../../../src/core/errors'
import {
  argmaxPhases,
  decodeThreeAxes,
  fractionMatchedLabels,
  labelFractions,
  refineRound,
} from '../../../src/core/diffusion/decode'
import { MultiPlaneSampler } from '../../../src/core/diffusion/multi-plane-sampler'
import {
  DEFAULT_PARAMS,
  latentDimsFor,
  reconstructWithModel,
  type ModelDescription,
} from '../../../src/core/diffusion/pipeline'
import {
  accumulatePlanes,
  extractPlanes,
  insertPlanes,
  type GridDims,
} from '../../../src/core/diffusion/planes'
import { SeededRandom } from '../../../src/core/diffusion/random'
import { DdimSampler, type DiffusionSampler } from '../../../src/core/diffusion/samplers'
import { makeNoiseSchedule } from '../../../src/core/diffusion/schedule'
import { toyModel } from './toy-networks'

const spec = { kind: 'linear' as const, T: 1000, betaStart: 1e-4, betaEnd: 2e-2 }
const schedule = makeNoiseSchedule(spec)
const desc: ModelDescription = {
  schedule: spec,
  conditioning: { kind: 'none', labels: [], nullId: 0 },
  trainingFractions: [0.3, 0.7],
}
const none = { labelsByAxis: [0, 0, 0] as [number, number, number], nullId: 0, weight: 1 }

describe('plane views', () => {
  const dims: GridDims = [2, 3, 4, 5]
  const grid = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i)
  const at = (c: number, z: number, y: number, x: number) => grid[((c * 3 + z) * 4 + y) * 5 + x]

  it('are the NumPy slices vol[i], vol[:, i] and vol[:, :, i]', () => {
    const z = extractPlanes(grid, dims, 0) // [3, 2, 4, 5]
    expect(z[((2 * 2 + 1) * 4 + 3) * 5 + 4]).toBe(at(1, 2, 3, 4))
    const y = extractPlanes(grid, dims, 1) // [4, 2, 3, 5]
    expect(y[((3 * 2 + 1) * 3 + 2) * 5 + 4]).toBe(at(1, 2, 3, 4))
    const x = extractPlanes(grid, dims, 2) // [5, 2, 3, 4]
    expect(x[((4 * 2 + 1) * 3 + 2) * 4 + 3]).toBe(at(1, 2, 3, 4))
    const sub = extractPlanes(grid, dims, 2, 1, 2)
    expect(sub.length).toBe(2 * 2 * 3 * 4)
    expect(sub[0]).toBe(at(0, 0, 0, 1))
  })

  it('insert undoes extract along every axis', () => {
    for (const axis of [0, 1, 2] as const) {
      const copy = new Float32Array(grid.length)
      insertPlanes(copy, dims, axis, extractPlanes(grid, dims, axis))
      expect(copy).toEqual(grid)
    }
  })

  it('accumulate spreads a plane over its slab', () => {
    const vol = new Float32Array(1 * 4 * 2 * 2)
    accumulatePlanes(vol, [1, 4, 2, 2], 0, Float32Array.from([1, 2, 3, 4]), 1, 1, 2, 0.5)
    expect(Array.from(vol)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0.5, 1, 1.5, 2, 0.5, 1, 1.5, 2])
  })
})

describe('multi-plane sampler', () => {
  it('cycles the denoising axis z, y, x every pass, harmonizing passes included', async () => {
    const model = toyModel(schedule, 0.5)
    const mp = new MultiPlaneSampler(model.denoiser, {
      sampler: new DdimSampler(schedule, 4),
      rng: new SeededRandom(0),
      harmonize: 1,
      conditioning: none,
      maxBatch: 64,
    })
    // non-cubic latent grid: planes are 3×5 along z, 2×5 along y, 2×3 along x
    await mp.sample([2, 2, 3, 5])
    const sizes = model.denoiser.seen.map((s) => `${s.h}x${s.w}`)
    expect(sizes).toEqual(['3x5', '2x5', '2x3', '3x5', '2x5', '2x3', '3x5', '2x5'])
    expect(model.denoiser.seen.map((s) => s.t)).toEqual([999, 999, 749, 749, 499, 499, 249, 249])
  })

  it('with an ideal denoiser, DDIM reaches the data exactly whatever the axis order', async () => {
    for (const axisMode of ['cycle', 'average'] as const) {
      const model = toyModel(schedule, 0.25)
      const mp = new MultiPlaneSampler(model.denoiser, {
        sampler: new DdimSampler(schedule, 20),
        rng: new SeededRandom(1),
        axisMode,
        conditioning: none,
        maxBatch: 3,
      })
      const z = await mp.sample([2, 4, 3, 5])
      for (const v of z) expect(v).toBeCloseTo(0.25, 4)
    }
  })

  it('classifier-free guidance combines the conditional and unconditional noise with weight ω', async () => {
    const model = toyModel(schedule, 0)
    const calls: number[] = []
    const denoiser = {
      predictNoise: async (
        zt: { data: Float32Array; dims: [number, number, number, number] },
        _t: number,
        cond: Int32Array,
      ) => {
        calls.push(cond[0])
        return { data: new Float32Array(zt.data.length).fill(cond[0] === 0 ? 1 : 2), dims: zt.dims }
      },
    }
    const eps: number[] = []
    const sampler = new DdimSampler(schedule, 1)
    const capture: DiffusionSampler = {
      kind: sampler.kind,
      schedule,
      steps: sampler.steps,
      step: (_x, e) => void eps.push(e[0]),
    }
    const mp = new MultiPlaneSampler(denoiser, {
      sampler: capture,
      rng: new SeededRandom(1),
      conditioning: { labelsByAxis: [1, 2, 3], nullId: 0, weight: 3 },
      maxBatch: 8,
    })
    await mp.sample([1, 2, 2, 2])
    expect(calls).toEqual([1, 0])
    expect(eps[0]).toBeCloseTo(1 + 3 * (2 - 1), 6)
    void model
  })
})

describe('three-axis decode and refinement', () => {
  it('spreads each latent plane over its slab and averages the axes', async () => {
    const model = toyModel(schedule, 0, 2)
    const ld: GridDims = [2, 2, 3, 4]
    const rng = new SeededRandom(5)
    const latent = new Float32Array(2 * 2 * 3 * 4)
    for (let i = 0; i < 24; i++) latent[i] = rng.uniform() // channel 0 in [0, 1]
    const { probs, dims, axisFractions } = await decodeThreeAxes(model, latent, ld)
    expect(dims).toEqual([2, 4, 6, 8])
    const n = 4 * 6 * 8
    for (let z = 0; z < 4; z++)
      for (let y = 0; y < 6; y++)
        for (let x = 0; x < 8; x++) {
          const expected = latent[(Math.floor(z / 2) * 3 + Math.floor(y / 2)) * 4 + Math.floor(x / 2)]
          const i = (z * 6 + y) * 8 + x
          expect(probs[n + i]).toBeCloseTo(expected, 5)
          expect(probs[i] + probs[n + i]).toBeCloseTo(1, 5)
        }
    let mean = 0
    for (let i = 0; i < 24; i++) mean += latent[i] / 24
    for (const fr of axisFractions) expect(fr[1]).toBeCloseTo(mean, 5)
  })

  it('averages different per-axis decodes with weight 1/3 each', async () => {
    // a decoder that answers with a constant phase-1 probability depending on the plane shape, i.e. the axis
    const byShape: Record<string, number> = { '6x8': 0.9, '4x8': 0.3, '4x6': 0.0 }
    const base = toyModel(schedule, 0, 2)
    const model = {
      ...base,
      decoder: {
        decode: async (z: { dims: [number, number, number, number] }) => {
          const [B, , h, w] = z.dims
          const H = 2 * h
          const W = 2 * w
          const v = byShape[`${H}x${W}`]
          const data = new Float32Array(B * 2 * H * W)
          for (let b = 0; b < B; b++) {
            data.fill(1 - v, b * 2 * H * W, (b * 2 + 1) * H * W)
            data.fill(v, (b * 2 + 1) * H * W, (b * 2 + 2) * H * W)
          }
          return { data, dims: [B, 2, H, W] as [number, number, number, number] }
        },
      },
    }
    const { probs, axisFractions } = await decodeThreeAxes(model, new Float32Array(24), [2, 2, 3, 4])
    expect(probs[4 * 6 * 8 + 17]).toBeCloseTo(0.4, 6)
    expect(axisFractions.map((f) => f[1])).toEqual([
      expect.closeTo(0.9, 6),
      expect.closeTo(0.3, 6),
      expect.closeTo(0, 6),
    ])
  })

  it('refinement keeps a volume the VAE represents exactly, and argmax picks the likelier phase', async () => {
    const model = toyModel(schedule, 0, 2)
    const ld: GridDims = [2, 2, 2, 2]
    const latent = Float32Array.from([0.1, 0.9, 0.8, 0.2, 0.6, 0.4, 0.7, 0.05, ...new Array(8).fill(0)])
    const { probs, dims } = await decodeThreeAxes(model, latent, ld)
    const refined = await refineRound(model, probs, dims)
    for (let i = 0; i < probs.length; i++) expect(refined[i]).toBeCloseTo(probs[i], 5)
    const labels = argmaxPhases(refined, 2)
    expect(labels[0]).toBe(0) // 0.1 < 0.5
    expect(labels[2]).toBe(1) // x = 2 is latent cell (0, 0, 1) = 0.9
  })
})

describe('fraction-matched quantisation', () => {
  it('hits the target fractions and keeps the ranking by probability', () => {
    const rng = new SeededRandom(9)
    const n = 10_000
    for (const P of [2, 3]) {
      const probs = new Float32Array(P * n)
      for (let i = 0; i < n; i++) {
        let sum = 0
        for (let p = 0; p < P; p++) sum += probs[p * n + i] = rng.uniform() ** 2
        for (let p = 0; p < P; p++) probs[p * n + i] /= sum
      }
      const targets = P === 2 ? [0.2, 0.8] : [0.2, 0.3, 0.5]
      const labels = fractionMatchedLabels(probs, targets)
      labelFractions(labels, P).forEach((f, p) => expect(f).toBeCloseTo(targets[p], P === 2 ? 6 : 2))
      if (P === 2) {
        // every voxel labelled 0 is at least as likely phase 0 as every voxel labelled 1
        let minPore = Infinity
        let maxSolid = -Infinity
        for (let i = 0; i < n; i++) {
          if (labels[i] === 0) minPore = Math.min(minPore, probs[i])
          else maxSolid = Math.max(maxSolid, probs[i])
        }
        expect(minPore).toBeGreaterThanOrEqual(maxSolid)
      }
    }
  })
})

describe('fraction-matched quantisation of a strongly drifted field', () => {
  it('still gives exactly the target fraction when every voxel is far from the plain argmax boundary', () => {
    const n = 50_000
    const rng = new SeededRandom(2)
    const probs = new Float32Array(2 * n)
    for (let i = 0; i < n; i++) {
      probs[i] = 0.1 * rng.uniform() // the minority phase never wins a plain argmax
      probs[n + i] = 1 - probs[i]
    }
    expect(labelFractions(argmaxPhases(probs, 2), 2)[0]).toBe(0)
    expect(labelFractions(fractionMatchedLabels(probs, [0.2, 0.8]), 2)[0]).toBeCloseTo(0.2, 9)
  })
})

describe('reconstruction pipeline', () => {
  const params = {
    ...DEFAULT_PARAMS,
    shape: [8, 12, 16] as [number, number, number],
    steps: 10,
    refine: 1,
    guidanceEvery: 1,
    s2Weight: 0,
    quantise: 'argmax' as const,
  }

  it('is reproducible from its seed and changes with it', async () => {
    const run = (seed: number, sampler: 'ddpm' | 'ddim') =>
      reconstructWithModel(toyModel(schedule, 0.45, 4, 8, 0.3), desc, {
        ...params,
        seed,
        sampler,
        eta: 1,
        statsGuidance: 0,
      })
    const a = await run(7, 'ddpm')
    const b = await run(7, 'ddpm')
    const c = await run(8, 'ddpm')
    expect(a.labels).toEqual(b.labels)
    expect(a.shape).toEqual([8, 12, 16])
    expect(a.labels.length).toBe(8 * 12 * 16)
    expect(c.labels).not.toEqual(a.labels)
  })

  it('rejects sizes that are not multiples of the latent factor', () => {
    expect(() => latentDimsFor([64, 63, 64], { factor: 4, latentChannels: 4 })).toThrow(
      /side y = 63 .* factor 4/,
    )
  })

  it('reports progress with stages and an ETA, and stops with CancelledError when aborted', async () => {
    const events: { stage: string; fraction: number; eta: number | null }[] = []
    const out = await reconstructWithModel(toyModel(schedule, 0.45), desc, params, {
      onProgress: (p) => events.push({ stage: p.stage, fraction: p.fraction, eta: p.etaSeconds }),
    })
    expect(new Set(events.map((e) => e.stage))).toEqual(new Set(['sample', 'decode', 'refine', 'quantise']))
    expect(events.at(-1)!.fraction).toBeCloseTo(1, 6)
    for (let i = 1; i < events.length; i++)
      expect(events[i].fraction).toBeGreaterThanOrEqual(events[i - 1].fraction)
    expect(events[3].eta).not.toBeNull()
    expect(out.timings.total).toBeGreaterThan(0)

    const controller = new AbortController()
    let passes = 0
    const model = toyModel(schedule, 0.45)
    const run = reconstructWithModel(model, desc, params, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'sample' && ++passes === 3) controller.abort()
      },
    })
    await expect(run).rejects.toBeInstanceOf(CancelledError)
    expect(model.denoiser.seen.length).toBe(3)
  })

  it('volume-fraction guidance pulls a drifting model onto the training fraction', async () => {
    // the toy model's data is 0.45 everywhere (phase 1 fraction 0.45); the training statistics say 0.7
    const off = await reconstructWithModel(toyModel(schedule, 0.45), desc, { ...params, statsGuidance: 0 })
    const on = await reconstructWithModel(toyModel(schedule, 0.45), desc, { ...params, statsGuidance: 1 })
    const soft = (o: typeof on) => o.axisFractions[0][1]
    expect(soft(off)).toBeCloseTo(0.45, 2)
    expect(Math.abs(soft(on) - 0.7)).toBeLessThan(0.02)
    expect(on.guidance.length).toBe(params.steps)
    const sparse = await reconstructWithModel(toyModel(schedule, 0.45), desc, { ...params, guidanceEvery: 3 })
    expect(sparse.guidance.map((g) => g.t)).toEqual(on.guidance.filter((_, i) => i % 3 === 0).map((g) => g.t))
  })
})
