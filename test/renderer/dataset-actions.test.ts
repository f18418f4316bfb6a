import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { setApiClient } from '../../src/renderer/src/api/client'
import DatasetsView from '../../src/renderer/src/views/DatasetsView.vue'
import type { DatasetInfo, VolumeInfo } from '../../src/shared/dto'
import { job, mockClient, type MockClient } from './mock-client'

const volume: VolumeInfo = {
  id: 7,
  name: 'sandstone',
  shape: [1, 256, 256],
  spacing: [1, 1, 1],
  unit: 'voxel',
  phases: [
    { id: 0, name: 'pore', color: '#000000' },
    { id: 1, name: 'solid', color: '#ffffff' },
  ],
  source: 'dataset',
  jobId: 1,
  datasetId: 3,
  createdAt: '2026',
  url: '/vox/volumes/7',
}
const dataset: DatasetInfo = {
  id: 3,
  name: 'rocks',
  anisotropic: false,
  createdAt: '2026',
  images: [{ id: 1, volumeId: 7, plane: 'xy', classLabel: null, sourcePath: '/data/s.png' }],
}

let client: MockClient

beforeEach(() => {
  setActivePinia(createPinia())
  client = mockClient({
    'datasets.list': () => [dataset],
    'volumes.list': () => [volume],
    'measurements.list': () => [],
    'datasets.crop': () => job({ id: 11, kind: 'crop', status: 'queued' }),
    'datasets.export': () =>
      job({ id: 12, kind: 'export-dataset', status: 'running', params: { dir: '/out/train' } }),
    'jobs.get': (input) => job({ id: (input as { id: number }).id, status: 'running' }),
    'jobs.start': (input) => job({ id: 13, ...(input as object), status: 'queued' }),
  })
  setApiClient(client)
  // LabelSliceCanvas fetches the voxels; the actions under test do not need them.
  globalThis.fetch = (async () => new Response(new Uint8Array(256 * 256))) as typeof fetch
})

describe('dataset actions', () => {
  it('cuts patches of the chosen image with N and stride, and exports the dataset to a folder', async () => {
    const w = mount(DatasetsView)
    await flushPromises()
    await w.get('[data-testid="crop-size-3"]').setValue('64')
    await w.get('[data-testid="crop-stride-3"]').setValue('32')
    await w.get('[data-testid="crop-start-3"]').trigger('click')
    await flushPromises()
    expect(client.calls.find((c) => c.method === 'datasets.crop')?.input).toEqual({
      volumeId: 7,
      size: 64,
      stride: 32,
      datasetId: 3,
    })
    expect(w.get('[data-testid="dataset-message-3"]').text()).toContain('cutting patches…')

    expect(w.get('[data-testid="export-dataset-3"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="export-dir-3"]').setValue('/out/train')
    await w.get('[data-testid="export-dataset-3"]').trigger('click')
    await flushPromises()
    expect(client.calls.find((c) => c.method === 'datasets.export')?.input).toEqual({
      id: 3,
      dir: '/out/train',
    })
    expect(w.get('[data-testid="dataset-message-3"]').text()).toBe('exporting to /out/train…')
    // The export job fails: the card says why, instead of "exporting…".
    client.emit(
      'job',
      job({
        id: 12,
        kind: 'export-dataset',
        status: 'failed',
        error: "cannot create the folder '/out/train': permission denied (EACCES)",
      }),
    )
    await flushPromises()
    const msg = w.get('[data-testid="dataset-message-3"]')
    expect(msg.text()).toBe(
      "export failed: cannot create the folder '/out/train': permission denied (EACCES)",
    )
    expect(msg.classes()).toContain('error')
  })

  it('shows a failed import inline, in one line, where the import was started', async () => {
    const w = mount(DatasetsView)
    await flushPromises()
    await w.get('[data-testid="import-dataset"]').setValue(3)
    await w.get('[data-testid="import-path"]').setValue('/data/float.npy')
    await w.get('[data-testid="import-start"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="import-outcome"]').text()).toMatch(/^importing float\.npy…/)
    client.emit(
      'job',
      job({
        id: 13,
        kind: 'import',
        status: 'failed',
        error:
          '/data/float.npy: values are not phase labels (integers 0..255); segment them first (Preview & segment)',
      }),
    )
    await flushPromises()
    expect(w.get('[data-testid="import-error"]').text()).toBe(
      'float.npy was not imported: /data/float.npy: values are not phase labels (integers 0..255); segment them first (Preview & segment)',
    )
  })

  it('refuses a blank dataset name with a message', async () => {
    const w = mount(DatasetsView)
    await flushPromises()
    await w.get('[data-testid="new-dataset-name"]').setValue('   ')
    expect(w.get('[data-testid="create-dataset"]').attributes('disabled')).toBeDefined()
    expect(w.get('[data-testid="dataset-name-error"]').text()).toMatch(/needs a name/)
    expect(client.calls.some((c) => c.method === 'datasets.create')).toBe(false)
  })

  it('describes an image of the dataset from the descriptor card', async () => {
    const w = mount(DatasetsView)
    await flushPromises()
    expect(w.get('[data-testid="dataset-descriptors"]').text()).toContain('no descriptors yet')
    await w.get('[data-testid="desc-run"]').trigger('click')
    await flushPromises()
    expect(client.calls.find((c) => c.method === 'jobs.start')?.input).toEqual({
      kind: 'describe',
      params: { volumeId: 7 },
    })
  })
})
