import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { setApiClient } from '../../src/renderer/src/api/client'
import DesignTargetEditor from '../../src/renderer/src/components/DesignTargetEditor.vue'
import {
  checkDesign,
  designJobParams,
  phaseRef,
  targetString,
  type DesignDraft,
} from '../../src/renderer/src/lib/design-targets'
import type { ModelInfo, VolumeInfo } from '../../src/shared/dto'
import { job, mockClient, type MockClient } from './mock-client'

const model: ModelInfo = {
  id: 'toy',
  source: 'shipped',
  dir: '/models/toy',
  ok: true,
  error: null,
  name: 'Toy',
  description: null,
  material: null,
  phases: [
    { id: 0, name: 'pore', color: '#000' },
    { id: 1, name: 'solid', color: '#fff' },
  ],
  imageSize: 32,
  conditioning: 'none',
  licence: null,
  training: null,
  latentFactor: 4,
  diffusionSteps: 1000,
  trainingFractions: [0.2, 0.8],
}

function volume(id: number, phases = 2): VolumeInfo {
  return {
    id,
    name: `v${id}`,
    shape: [32, 32, 32],
    spacing: [1, 1, 1],
    unit: 'voxel',
    phases: Array.from({ length: phases }, (_, i) => ({ id: i, name: `p${i}`, color: '#888' })),
    source: 'reconstruct',
    jobId: null,
    datasetId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    url: `/vox/volumes/${id}`,
  }
}

const names = ['pore', 'solid']
const ctx = { phaseNames: names, latentFactor: 4, trainingFractions: [0.2, 0.8] }

function draft(over: Partial<DesignDraft> = {}): DesignDraft {
  return {
    start: 'fresh',
    shape: [32, 32, 32],
    seed: 0,
    volumeId: null,
    targets: [{ kind: 'vf', phase: 0, value: 0.28 }],
    weights: { vf: 1, s2: 1, ssa: 1, diffusivity: 1 },
    steps: 500,
    ...over,
  }
}

describe('design target strings', () => {
  it('writes the CLI strings, naming a phase by name only when that is unambiguous', () => {
    expect(targetString({ kind: 'vf', phase: 0, value: 0.28 }, names)).toBe('vf:pore=0.28')
    expect(targetString({ kind: 's2', source: 'training' }, names)).toBe('s2=training')
    expect(targetString({ kind: 's2', source: 7 }, names)).toBe('s2=volume:7')
    expect(targetString({ kind: 'ssa', phase: 1, value: 0.2 }, names)).toBe('ssa:solid=0.2')
    expect(targetString({ kind: 'diffusivity', phase: 0, axis: 'x', value: 0.1 }, names)).toBe(
      'diffusivity:pore:x=0.1',
    )
    expect(phaseRef(0, ['Pore', 'pore'])).toBe('0')
    expect(phaseRef(1, ['a', 'carbon black'])).toBe('1')
    expect(phaseRef(2, ['a'])).toBe('2')
  })

  it('builds the job parameters: size or shape, weights that differ from 1, or a start volume', () => {
    const d = draft({ weights: { vf: 1, s2: 2, ssa: 1, diffusivity: 0.5 } })
    expect(designJobParams('toy', d, names)).toEqual({
      model: 'toy',
      targets: ['vf:pore=0.28'],
      weights: ['s2=2', 'diffusivity=0.5'],
      steps: 500,
      seed: 0,
      size: 32,
    })
    expect(designJobParams('toy', draft({ shape: [16, 32, 32] }), names).shape).toEqual([16, 32, 32])
    const fromVolume = designJobParams('toy', draft({ start: 'volume', volumeId: 3 }), names)
    expect(fromVolume.volumeId).toBe(3)
    expect(fromVolume.size).toBeUndefined()
  })
})

describe('design validation', () => {
  it('accepts a sound draft', () => {
    const sound = checkDesign(draft(), ctx)
    expect(sound.errors).toEqual([])
    expect(sound.warnings).toEqual([])
    // A vf target alone keeps the training texture unless the s2 weight is 0 (core impliedTextureTarget).
    expect(sound.notes).toEqual([expect.stringMatching(/keep the training texture.*s2 weight to 0/)])
    const free = draft({ weights: { vf: 1, s2: 0, ssa: 1, diffusivity: 1 } })
    expect(checkDesign(free, ctx).notes).toEqual([])
    const withS2 = draft({ targets: [...draft().targets, { kind: 's2', source: 'training' }] })
    expect(checkDesign(withS2, ctx).notes).toEqual([])
  })

  it('refuses volume fractions outside (0, 1) and targets adding up to more than 1', () => {
    for (const value of [0, 1, 1.2, -0.1, Number.NaN]) {
      const { errors } = checkDesign(draft({ targets: [{ kind: 'vf', phase: 0, value }] }), ctx)
      expect(errors).toEqual(['volume fraction of pore must be between 0 and 1 (exclusive)'])
    }
    const over = checkDesign(
      draft({
        targets: [
          { kind: 'vf', phase: 0, value: 0.6 },
          { kind: 'vf', phase: 1, value: 0.6 },
        ],
      }),
      ctx,
    )
    expect(over.errors).toEqual(['the volume-fraction targets add up to 1.200, more than 1'])
  })

  it('warns that D_rel above the phase fraction cannot be reached (target vf, else training fraction)', () => {
    const aboveTraining = checkDesign(
      draft({ targets: [{ kind: 'diffusivity', phase: 0, axis: 'z', value: 0.3 }] }),
      ctx,
    )
    expect(aboveTraining.errors).toEqual([])
    expect(aboveTraining.warnings).toHaveLength(1)
    expect(aboveTraining.warnings[0]).toMatch(
      /D_rel 0\.3 of pore along z is above the model's training fraction 0\.200/,
    )
    const belowTarget = checkDesign(
      draft({
        targets: [
          { kind: 'vf', phase: 0, value: 0.35 },
          { kind: 'diffusivity', phase: 0, axis: 'z', value: 0.3 },
        ],
      }),
      ctx,
    )
    expect(belowTarget.warnings).toEqual([])
    const aboveTarget = checkDesign(
      draft({
        targets: [
          { kind: 'vf', phase: 0, value: 0.25 },
          { kind: 'diffusivity', phase: 0, axis: 'y', value: 0.3 },
        ],
      }),
      ctx,
    )
    expect(aboveTarget.warnings[0]).toMatch(/above its volume-fraction target 0\.250.*raise vf:pore/)
    expect(
      checkDesign(draft({ targets: [{ kind: 'diffusivity', phase: 0, axis: 'z', value: 1.5 }] }), ctx).errors,
    ).toEqual(['D_rel of pore along z must be in (0, 1]'])
  })

  it('says what else is wrong: no target, duplicates, shape, start volume, phases, weights, steps', () => {
    expect(checkDesign(draft({ targets: [] }), ctx).errors).toEqual(['add at least one target'])
    const dup = draft({
      targets: [
        { kind: 's2', source: 'training' },
        { kind: 's2', source: 4 },
      ],
    })
    expect(checkDesign(dup, ctx).errors).toEqual(['two targets on s2: keep one'])
    expect(checkDesign(draft({ shape: [32, 30, 32] }), ctx).errors).toEqual([
      'each side must be a multiple of 4, at least 16 (got 32×30×32)',
    ])
    expect(checkDesign(draft({ start: 'volume' }), ctx).errors).toEqual(['choose the volume to start from'])
    const threePhase = { ...ctx, volumePhases: new Map([[5, 3]]) }
    expect(checkDesign(draft({ start: 'volume', volumeId: 5 }), threePhase).errors).toEqual([
      'the start volume has 3 phases, the model has 2: pick a volume of this material',
    ])
    expect(checkDesign(draft({ weights: { vf: -1, s2: 1, ssa: 1, diffusivity: 1 } }), ctx).errors).toEqual([
      'weight of vf must be a number ≥ 0',
    ])
    expect(checkDesign(draft({ weights: { vf: 0, s2: 1, ssa: 1, diffusivity: 1 } }), ctx).warnings).toEqual([
      'weight of vf is 0: its targets are reported but not pursued',
    ])
    expect(checkDesign(draft({ steps: 0 }), ctx).errors).toEqual([
      'steps must be a whole number from 1 to 100000',
    ])
    expect(checkDesign(draft({ targets: [{ kind: 'ssa', phase: 1, value: 0 }] }), ctx).errors).toEqual([
      'specific surface area of solid must be a positive number',
    ])
  })
})

describe('DesignTargetEditor', () => {
  let client: MockClient
  beforeEach(() => {
    setActivePinia(createPinia())
    client = mockClient({
      'jobs.start': (input) =>
        job({ id: 9, kind: 'design', status: 'queued', params: (input as { params: never }).params }),
    })
    setApiClient(client)
  })

  function mountEditor() {
    return mount(DesignTargetEditor, {
      props: { model, volumes: [volume(7), volume(8, 3)], defaultSteps: 300, defaultSize: 32 },
    })
  }

  it('edits targets, shows their strings, warns and starts the design job with them', async () => {
    const w = mountEditor()
    expect(w.get('[data-testid="design-errors"]').text()).toContain('add at least one target')
    expect(w.get('[data-testid="design-run"]').attributes('disabled')).toBeDefined()

    await w.get('[data-testid="design-add-vf"]').trigger('click')
    // Prefilled with the model's training fraction of the phase.
    expect((w.get('[data-testid="target-0-value"]').element as HTMLInputElement).value).toBe('0.2')
    await w.get('[data-testid="target-0-value"]').setValue(0.28)
    await w.get('[data-testid="design-add-s2"]').trigger('click')
    await w.get('[data-testid="target-1-source"]').setValue('7')
    await w.get('[data-testid="design-add-diffusivity"]').trigger('click')
    await w.get('[data-testid="target-2-value"]').setValue(0.3)
    await w.get('[data-testid="target-2-axis"]').setValue('x')
    expect(w.get('[data-testid="design-warnings"]').text()).toMatch(/D_rel 0\.3 of pore along x is above/)
    await w.get('[data-testid="design-weight-diffusivity"]').setValue(2)
    expect(w.findAll('code').map((c) => c.text())).toEqual([
      'vf:pore=0.28',
      's2=volume:7',
      'diffusivity:pore:x=0.3',
    ])
    expect(w.find('[data-testid="design-errors"]').exists()).toBe(false)

    await w.get('[data-testid="design-run"]').trigger('click')
    await flushPromises()
    expect(client.calls.filter((c) => c.method === 'jobs.start').map((c) => c.input)).toEqual([
      {
        kind: 'design',
        params: {
          model: 'toy',
          targets: ['vf:pore=0.28', 's2=volume:7', 'diffusivity:pore:x=0.3'],
          weights: ['diffusivity=2'],
          steps: 300,
          seed: 0,
          size: 32,
        },
      },
    ])
    expect(w.emitted('started')?.[0]).toEqual([expect.objectContaining({ id: 9 })])
  })

  it('blocks a bad value with its message, and a start volume of another material', async () => {
    const w = mountEditor()
    await w.get('[data-testid="design-add-vf"]').trigger('click')
    await w.get('[data-testid="target-0-value"]').setValue(1.4)
    expect(w.get('[data-testid="design-errors"]').text()).toContain(
      'volume fraction of pore must be between 0 and 1',
    )
    expect(w.get('[data-testid="design-run"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="target-0-value"]').setValue(0.3)
    await w.get('[data-testid="design-start-volume"]').setValue(true)
    await w.get('[data-testid="design-volume"]').setValue('8')
    expect(w.get('[data-testid="design-errors"]').text()).toContain('the start volume has 3 phases')
    await w.get('[data-testid="design-volume"]').setValue('7')
    expect(w.find('[data-testid="design-errors"]').exists()).toBe(false)
    await w.get('[data-testid="design-run"]').trigger('click')
    await flushPromises()
    expect(client.calls[0].input).toEqual({
      kind: 'design',
      params: expect.objectContaining({ volumeId: 7, targets: ['vf:pore=0.3'] }),
    })
  })
})
