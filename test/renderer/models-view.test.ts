import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { setApiClient } from '../../src/renderer/src/api/client'
import JobDetails from '../../src/renderer/src/components/JobDetails.vue'
import ModelsView from '../../src/renderer/src/views/ModelsView.vue'
import type { DatasetInfo, ModelDetails, ModelInfo, TrainerStatus } from '../../src/shared/dto'
import { job, mockClient, type MockClient } from './mock-client'

const berea: ModelInfo = {
  id: 'berea-sandstone',
  source: 'shipped',
  dir: '/app/resources/models/berea-sandstone',
  ok: true,
  error: null,
  name: 'berea-sandstone',
  description: 'Berea sandstone, X-ray micro-CT',
  material: 'Berea sandstone',
  phases: [
    { id: 0, name: 'pore', color: '#1f2937' },
    { id: 1, name: 'solid', color: '#e5c07b' },
  ],
  imageSize: 64,
  conditioning: 'none',
  licence: 'MIT',
  training: {},
}

const bereaDetails: ModelDetails = {
  info: berea,
  manifest: {
    format: 'microlad-bundle',
    createdAt: '2026-11-01T00:00:00Z',
    training: {
      dataSource: 'LukasMosser/PorousMediaGan berea.zip',
      steps: { vae: 1500, denoiser: 11000 },
      wallTimeS: 4050.4,
      device: 'cpu',
      threads: 2,
    },
  },
  statistics: [
    { plane: 'all', phase: 0, volumeFraction: { mean: 0.206, std: 0.031 }, surfaceArea: null },
    { plane: 'all', phase: 1, volumeFraction: { mean: 0.794, std: 0.031 }, surfaceArea: null },
  ],
  origin: null,
  manifestSha256: 'ab'.repeat(32),
}

const dataset: DatasetInfo = {
  id: 3,
  name: 'Berea sandstone (demo excerpt)',
  anisotropic: false,
  createdAt: '2026-01-01',
  images: [{ id: 1, volumeId: 1, plane: null, classLabel: null, sourcePath: null }],
}

const project = {
  dir: '/home/me/MicroLad Demo',
  name: 'MicroLad Demo',
  createdAt: '2026-01-01',
  counts: { datasets: 1, volumes: 1, jobs: 0, models: 0 },
}

const torchOk: TrainerStatus = {
  ok: true,
  executable: 'python3',
  pythonVersion: '3.11.9',
  torchVersion: '2.13.0+cpu',
  cuda: false,
  error: null,
  install: 'python3 -m pip install torch==2.13.0',
}

let client: MockClient
let models: ModelInfo[]

function setup(trainer: TrainerStatus, importReply?: (input: unknown) => unknown) {
  models = [berea]
  client = mockClient({
    'models.list': () => models,
    'models.get': () => bereaDetails,
    'models.trainer': () => trainer,
    'models.import':
      importReply ??
      (() => {
        const m = { ...berea, id: 'my-anode', source: 'project' as const, name: 'my-anode' }
        models = [m, berea]
        return m
      }),
    'datasets.list': () => [dataset],
    'jobs.start': (input) =>
      job({
        id: 9,
        kind: 'train',
        status: 'queued',
        params: (input as { params: Record<string, unknown> }).params,
      }),
    'app.info': () => ({
      name: 'MicroLad Studio',
      version: '0',
      transport: 'in-process',
      node: '24',
      platform: 'linux',
      cpus: 2,
      project: project.dir,
    }),
    'projects.current': () => project,
    'projects.recent': () => [],
  })
  setApiClient(client)
}

beforeEach(() => setActivePinia(createPinia()))

describe('Models view', () => {
  it('shows a bundle’s training provenance and statistics', async () => {
    setup(torchOk)
    const w = mount(ModelsView, { global: { stubs: ['router-link'] } })
    await flushPromises()
    await w.get('[data-testid="model-details-berea-sandstone"]').trigger('click')
    await flushPromises()
    expect(client.calls.find((c) => c.method === 'models.get')?.input).toEqual({
      id: 'berea-sandstone',
      source: 'shipped',
    })
    const info = w.get('[data-testid="model-info-berea-sandstone"]').text()
    expect(info).toContain('LukasMosser/PorousMediaGan berea.zip')
    expect(info).toContain('67.5 min')
    const stats = w.get('[data-testid="model-stats-berea-sandstone"]').text()
    expect(stats).toContain('pore')
    expect(stats).toContain('0.206 ± 0.031')
  })

  it('imports a bundle and lists it; a refused bundle shows the validator’s message', async () => {
    setup(torchOk)
    const w = mount(ModelsView, { global: { stubs: ['router-link'] } })
    await flushPromises()
    const button = w.get('[data-testid="import-button"]')
    expect(button.attributes('disabled')).toBeDefined()
    await w.get('[data-testid="import-path"]').setValue('/tmp/my-anode.zip')
    await button.trigger('click')
    await flushPromises()
    expect(client.calls.find((c) => c.method === 'models.import')?.input).toEqual({
      path: '/tmp/my-anode.zip',
    })
    expect(w.get('[data-testid="import-done"]').text()).toContain('my-anode')
    expect(w.find('[data-testid="model-my-anode"]').exists()).toBe(true)

    setActivePinia(createPinia())
    setup(torchOk, () => {
      throw new Error('cannot import /tmp/bad: encoder.onnx does not match its sha256 in manifest.json')
    })
    const w2 = mount(ModelsView, { global: { stubs: ['router-link'] } })
    await flushPromises()
    await w2.get('[data-testid="import-path"]').setValue('/tmp/bad')
    await w2.get('[data-testid="import-button"]').trigger('click')
    await flushPromises()
    expect(w2.get('[data-testid="import-error"]').text()).toMatch(/encoder\.onnx does not match its sha256/)
  })

  it('starts a train job on a dataset', async () => {
    setup(torchOk)
    const w = mount(ModelsView, { global: { stubs: ['router-link'] } })
    await flushPromises()
    expect(w.get('[data-testid="train-python"]').text()).toContain('torch 2.13.0+cpu')
    await w.get('[data-testid="train-name"]').setValue('my model')
    await w.get('[data-testid="train-preset"]').setValue('tiny')
    await w.get('[data-testid="train-steps"]').setValue('6')
    await w.get('[data-testid="train-start"]').trigger('click')
    await flushPromises()
    expect(client.calls.find((c) => c.method === 'jobs.start')?.input).toEqual({
      kind: 'train',
      params: { datasetId: 3, preset: 'tiny', name: 'my model', steps: 6 },
    })
    expect(w.get('[data-testid="train-started"]').text()).toContain('#9')
  })

  it('explains what to install instead of a dead Train button when torch is missing', async () => {
    setup({
      ok: false,
      executable: null,
      pythonVersion: null,
      torchVersion: null,
      cuda: false,
      error: "PyTorch does not import in python3 (ModuleNotFoundError: No module named 'torch')",
      install: 'python3 -m pip install torch==2.13.0 numpy==2.4.6 onnx==1.23.2 onnxruntime==1.31.1 pillow',
    })
    const w = mount(ModelsView, { global: { stubs: ['router-link'] } })
    await flushPromises()
    expect(w.get('[data-testid="train-unavailable"]').text()).toContain("No module named 'torch'")
    expect(w.get('[data-testid="train-install"]').text()).toBe(
      'python3 -m pip install torch==2.13.0 numpy==2.4.6 onnx==1.23.2 onnxruntime==1.31.1 pillow',
    )
    expect(w.find('[data-testid="train-start"]').exists()).toBe(false)
  })
})

describe('Job details log', () => {
  it('shows the log stored in the project after a reload (no live lines)', async () => {
    setup(torchOk)
    client = mockClient({
      'jobs.logs': () => [
        { seq: 0, time: 't', line: 'started train job' },
        { seq: 1, time: 't', line: 'vae step 10/30 loss 0.5' },
      ],
    })
    setApiClient(client)
    const w = mount(JobDetails, { props: { job: job({ id: 4, kind: 'train' }), log: [] } })
    await flushPromises()
    expect(client.calls[0]).toEqual({ method: 'jobs.logs', input: { id: 4 } })
    expect(w.get('[data-testid="job-log"]').text()).toBe('started train job\nvae step 10/30 loss 0.5')
  })
})
