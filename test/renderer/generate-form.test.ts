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
})
