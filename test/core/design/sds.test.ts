import { describe, expect, it } from 'vitest'
import path from 'node:path'
import { makeNoiseSchedule } from '../../../src/core/diffusion/schedule'
import { SeededRandom } from '../../../src/core/diffusion/random'
import { makeVolume } from '../../../src/core/volume/volume'
import { designWithModel, designVolume } from '../../../src/core/design/design-volume'
import { impliedTextureTarget } from '../../../src/core/design/targets'
import { pickDistinct, scoreWeight } from '../../../src/core/design/sds'
import { loadBundle } from '../../../src/core/models/bundle'
import { CancelledError } from '../../../src/core/errors'
import { toyModel } from '../diffusion/toy-networks'

const spec = { kind: 'linear' as const, T: 1000, betaStart: 1e-4, betaEnd: 0.02 }
const schedule = makeNoiseSchedule(spec)
const desc = { schedule: spec, conditioning: { kind: 'none' as const, labels: [], nullId: 0 } }

function randomLabels(n: number, p1: number, seed: number) {
  const rng = new SeededRandom(seed)
  return makeVolume(
    [n, n, n],
    Uint8Array.from({ length: n ** 3 }, () => (rng.uniform() < p1 ? 1 : 0)),
  )
}

describe('SDS helpers', () => {
  it('picks distinct sorted slices and weights the score as documented', () => {
    const picked = pickDistinct(new SeededRandom(1), 10, 4)
    expect(new Set(picked).size).toBe(4)
    expect(picked).toEqual([...picked].sort((a, b) => a - b))
    expect(pickDistinct(new SeededRandom(1), 3, 8)).toEqual([0, 1, 2])
    const ab = schedule.alphaBar(300)
    expect(scoreWeight(schedule, 300, 'one-minus-alpha-bar')).toBeCloseTo(1 - ab, 12)
    expect(scoreWeight(schedule, 300, 'kappa')).toBeCloseTo((1 - ab) / ab, 12)
  })
})

describe('designWithModel on hand-written networks', () => {
  // The toy decoder is linear in the latent, so its probabilities move uniformly and argmax is all or nothing:
  // the soft fraction of the updated slices is what this checks.
  it('moves the soft volume fraction of the updated slices to its target', async () => {
    const model = toyModel(schedule, 0.5)
    const start = randomLabels(16, 0.5, 2)
    const out = await designWithModel(model, desc, start, {
      start: { volume: start },
      targets: [{ kind: 'vf', phase: 1, value: 0.25 }],
      sds: { steps: 40, batch: 4, refineEvery: 0, scoreWeight: 0 },
    })
    expect(out.before[0].value).toBeGreaterThan(0.4)
    expect(Math.abs(out.history.at(-1)!.measures['vf:1'] - 0.25)).toBeLessThan(0.03)
    expect(Math.abs(out.history[0].measures['vf:1'] - 0.25)).toBeGreaterThan(0.15)
    expect(out.history[0].step).toBe(1)
    expect(out.history.at(-1)!.losses['vf:1']).toBeLessThan(out.history[0].losses['vf:1'])
  })

  it('stops with CancelledError when aborted', async () => {
    const model = toyModel(schedule, 0.5)
    const start = randomLabels(8, 0.5, 3)
    const controller = new AbortController()
    const run = designWithModel(
      model,
      desc,
      start,
      {
        start: { volume: start },
        targets: [{ kind: 'vf', phase: 1, value: 0.3 }],
        sds: { steps: 50, batch: 2 },
      },
      { signal: controller.signal, onProgress: (p) => p.step === 3 && controller.abort() },
    )
    await expect(run).rejects.toBeInstanceOf(CancelledError)
  })
})

describe('designVolume on the toy ONNX bundle', () => {
  it('runs every term end to end and reports each target', async () => {
    const bundle = await loadBundle(path.join(__dirname, '..', 'models', 'fixtures', 'toy-bundle'))
    const start = randomLabels(16, 0.4, 5)
    const r = await designVolume(bundle, {
      start: { volume: start },
      targets: [
        { kind: 'vf', phase: 0, value: 0.3 },
        { kind: 's2', source: 'training' },
        { kind: 'ssa', phase: 0, value: 0.2 },
        { kind: 'diffusivity', phase: 0, axis: 'z', value: 0.1 },
      ],
      sds: { steps: 6, batch: 2, refineEvery: 3, resolveEvery: 2, logEvery: 2 },
      threads: 1,
    })
    expect(r.volume.shape).toEqual([16, 16, 16])
    expect(r.outcomes.map((o) => o.key)).toEqual(['vf:0', 's2', 'ssa:0', 'diffusivity:0:z'])
    for (const o of r.outcomes) if (!o.reached) expect(o.note).toBeTruthy()
    expect(r.solves['diffusivity:0:z'].length).toBeGreaterThanOrEqual(3)
    expect(Object.keys(r.history[0].losses)).toHaveLength(4)
  })
})

describe('the texture implied by volume-fraction targets', () => {
  const vf = { kind: 'vf' as const, phase: 0, value: 0.3 }
  it('is added for vf targets without s2, and not otherwise', () => {
    expect(impliedTextureTarget([vf], true, 1)).toEqual({ kind: 's2', source: 'training', implied: true })
    expect(impliedTextureTarget([vf], true, 0)).toBeUndefined()
    expect(impliedTextureTarget([vf], false, 1)).toBeUndefined()
    expect(impliedTextureTarget([vf, { kind: 's2', source: 'training' }], true, 1)).toBeUndefined()
    expect(impliedTextureTarget([{ kind: 'ssa', phase: 0, value: 0.2 }], true, 1)).toBeUndefined()
  })

  it('a vf target alone designs with the training S2 moved to the target; --weight s2=0 turns it off', async () => {
    const bundle = await loadBundle(path.join(__dirname, '..', 'models', 'fixtures', 'toy-bundle'))
    const start = randomLabels(16, 0.4, 5)
    const params = {
      start: { volume: start },
      targets: [vf],
      sds: { steps: 4, batch: 2, refineEvery: 0, logEvery: 2 },
      threads: 1,
    }
    const r = await designVolume(bundle, params)
    expect(r.outcomes.map((o) => o.key)).toEqual(['vf:0', 's2'])
    expect(r.outcomes[1].implied).toBe(true)
    expect(r.outcomes[1].note).toMatch(/implied by the vf target.*--weight s2=0/)
    expect(Object.keys(r.history[0].losses).sort()).toEqual(['s2', 'vf:0'])
    const off = await designVolume(bundle, { ...params, weights: { s2: 0 } })
    expect(off.outcomes.map((o) => o.key)).toEqual(['vf:0'])
    expect(Object.keys(off.history[0].losses)).toEqual(['vf:0'])
  })
})
