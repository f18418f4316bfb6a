import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { setApiClient } from '../../src/renderer/src/api/client'
import GenerateView from '../../src/renderer/src/views/GenerateView.vue'
import type { ModelInfo } from '../../src/shared/dto'
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
  phases: [],
  imageSize: 32,
  conditioning: null,
  licence: null,
  training: null,
}

let client: MockClient
let nextJob = 1

async function mountForm() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: GenerateView },
      { path: '/jobs', component: { template: '<div />' } },
    ],
  })
  await router.push('/')
  const w = mount(GenerateView, { global: { plugins: [router] } })
  await flushPromises()
  return { w, router }
}

beforeEach(() => {
  setActivePinia(createPinia())
  client = mockClient({
    'models.list': () => [model, { ...model, id: 'broken', ok: false, error: 'bad hash' }],
    'jobs.start': (input) =>
      job({
        id: nextJob++,
        kind: 'reconstruct',
        params: (input as { params: Record<string, unknown> }).params,
      }),
  })
  setApiClient(client)
})

describe('Generate form', () => {
  it('offers only valid bundles and picks the first', async () => {
    const { w } = await mountForm()
    const options = w.get('[data-testid="generate-model"]').findAll('option')
    expect(options.map((o) => o.attributes('value'))).toEqual(['toy'])
    expect((w.get('[data-testid="generate-model"]').element as HTMLSelectElement).value).toBe('toy')
    expect(w.get('[data-testid="generate-start"]').attributes('disabled')).toBeUndefined()
  })

  it('refuses a size that is not a multiple of 4 and says why', async () => {
    const { w } = await mountForm()
    await w.get('[data-testid="generate-size"]').setValue(30)
    expect(w.text()).toContain('size must be a multiple of 4')
    expect(w.get('[data-testid="generate-start"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="generate-size"]').setValue(8)
    expect(w.get('[data-testid="generate-start"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="generate-size"]').setValue(32)
    expect(w.get('[data-testid="generate-start"]').attributes('disabled')).toBeUndefined()
  })

  it('starts one reconstruction per requested volume with consecutive seeds, then shows the jobs', async () => {
    const { w, router } = await mountForm()
    await w.get('[data-testid="generate-size"]').setValue(32)
    const count = w.findAll('input[type="number"]').find((i) => i.attributes('max') === '64')!
    await count.setValue(2)
    await w.get('[data-testid="generate-start"]').trigger('click')
    await flushPromises()
    const starts = client.calls.filter((c) => c.method === 'jobs.start').map((c) => c.input)
    expect(starts).toEqual([
      { kind: 'reconstruct', params: expect.objectContaining({ model: 'toy', size: 32, seed: 1 }) },
      { kind: 'reconstruct', params: expect.objectContaining({ model: 'toy', size: 32, seed: 2 }) },
    ])
    expect(router.currentRoute.value.path).toBe('/jobs')
  })

  it('takes the core defaults, a non-cubic shape, and offers γ and ω only to bundles conditioned for them', async () => {
    client = mockClient({
      'models.list': () => [
        { ...model, id: 'plane', conditioning: 'plane', latentFactor: 8, diffusionSteps: 500 },
        { ...model, id: 'class', conditioning: 'class', conditioningLabels: ['a', 'b'] },
      ],
      'models.defaults': () => ({
        reconstruct: {
          seed: 0,
          sampler: 'ddim',
          steps: 40,
          harmonize: 0,
          gamma: 1,
          refine: 2,
          guidanceWeight: 1,
        },
        design: { steps: 500, batch: 8 },
      }),
      'volumes.list': () => [],
      'jobs.start': (input) =>
        job({
          id: nextJob++,
          kind: 'reconstruct',
          params: (input as { params: Record<string, unknown> }).params,
        }),
    })
    setApiClient(client)
    const { w } = await mountForm()
    const value = (id: string) => (w.get(`[data-testid="${id}"]`).element as HTMLInputElement).value
    expect([value('generate-steps'), value('generate-refine'), value('generate-seed')]).toEqual([
      '40',
      '2',
      '0',
    ])
    // plane-conditioned: γ on, ω off with its reason; latent factor 8 decides the sizes.
    expect(w.get('[data-testid="generate-gamma"]').attributes('disabled')).toBeUndefined()
    expect(w.get('[data-testid="generate-omega"]').attributes('disabled')).toBeDefined()
    expect(w.text()).toContain('only for class-conditioned models')
    await w.get('[data-testid="generate-cubic"]').setValue(false)
    await w.get('[data-testid="generate-shape-0"]').setValue(36)
    expect(w.get('[data-testid="generate-problems"]').text()).toContain('each side must be a multiple of 8')
    await w.get('[data-testid="generate-shape-0"]').setValue(32)
    await w.get('[data-testid="generate-sampler"]').setValue('ddpm')
    expect(value('generate-steps')).toBe('500')
    await w.get('[data-testid="generate-steps"]').setValue(501)
    expect(w.get('[data-testid="generate-problems"]').text()).toContain(
      'steps must be a whole number from 1 to 500',
    )
    await w.get('[data-testid="generate-steps"]').setValue(200)
    await w.get('[data-testid="generate-gamma"]').setValue(0.5)
    await w.get('[data-testid="generate-start"]').trigger('click')
    await flushPromises()
    const params = (
      client.calls.find((c) => c.method === 'jobs.start')!.input as { params: Record<string, unknown> }
    ).params
    expect(params).toEqual({
      model: 'plane',
      shape: [32, 64, 64],
      seed: 0,
      sampler: 'ddpm',
      steps: 200,
      harmonize: 0,
      refine: 2,
      gamma: 0.5,
    })

    // class-conditioned: ω and the class on, γ off.
    await w.get('[data-testid="generate-model"]').setValue('class')
    expect(w.get('[data-testid="generate-gamma"]').attributes('disabled')).toBeDefined()
    expect(w.get('[data-testid="generate-omega"]').attributes('disabled')).toBeUndefined()
    expect(
      w
        .get('[data-testid="generate-class"]')
        .findAll('option')
        .map((o) => o.text()),
    ).toEqual(['a', 'b'])
  })

  it('switches to the target editor, starts a design job and follows its losses live', async () => {
    client = mockClient({
      'models.list': () => [
        {
          ...model,
          phases: [
            { id: 0, name: 'pore', color: '#000' },
            { id: 1, name: 'solid', color: '#fff' },
          ],
        },
      ],
      'volumes.list': () => [],
      'jobs.start': (input) =>
        job({
          id: 42,
          kind: 'design',
          status: 'running',
          params: (input as { params: Record<string, unknown> }).params,
        }),
    })
    setApiClient(client)
    const { w } = await mountForm()
    await w.get('[data-testid="mode-design"]').trigger('click')
    await w.get('[data-testid="design-add-vf"]').trigger('click')
    await w.get('[data-testid="target-0-value"]').setValue(0.25)
    await w.get('[data-testid="design-run"]').trigger('click')
    await flushPromises()
    expect(client.calls.find((c) => c.method === 'jobs.start')!.input).toEqual({
      kind: 'design',
      params: expect.objectContaining({ model: 'toy', targets: ['vf:pore=0.25'], steps: 500 }),
    })
    expect(w.get('[data-testid="design-live"]').text()).toContain('Design job #42')
    client.emit('job.history', {
      jobId: 42,
      entries: [{ step: 1, seconds: 0.1, losses: { 'vf:0': 0.4 }, measures: { 'vf:0': 0.3 } }],
    })
    await flushPromises()
    expect(w.find('[data-testid="design-live"] path[data-series="vf pore"]').exists()).toBe(true)
  })
})
