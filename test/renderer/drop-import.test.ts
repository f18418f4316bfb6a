import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setApiClient } from '../../src/renderer/src/api/client'
import { WEB_DROP_MESSAGE, droppedPaths } from '../../src/renderer/src/lib/drop-import'
import DatasetsView from '../../src/renderer/src/views/DatasetsView.vue'
import type { GreyPreviewInfo } from '../../src/shared/datasets'
import type { DatasetInfo } from '../../src/shared/dto'
import { job, mockClient, type MockClient } from './mock-client'

const file = (name: string) => new File(['x'], name)
const atDisk = (f: File) => `/disk/${f.name}`

describe('droppedPaths', () => {
  it('gives the paths of importable files under Electron and says which were refused', () => {
    expect(droppedPaths([file('a.png'), file('b.TIF'), file('notes.txt')], atDisk)).toEqual({
      paths: ['/disk/a.png', '/disk/b.TIF'],
      message: expect.stringContaining('notes.txt'),
    })
    expect(droppedPaths([file('a.png')], () => '').paths).toEqual([])
  })

  it('explains that a browser gives no path, and that nothing was dropped', () => {
    expect(droppedPaths([file('a.png')], undefined)).toEqual({ paths: [], message: WEB_DROP_MESSAGE })
    expect(droppedPaths([], atDisk).message).toMatch(/Nothing/)
  })
})

const dataset: DatasetInfo = { id: 3, name: 'rocks', anisotropic: false, createdAt: '2026', images: [] }
const greyPreview: GreyPreviewInfo = {
  path: '/disk/grey.png',
  shape: [1, 2, 2],
  slice: 0,
  width: 2,
  height: 2,
  scale: 1,
  bins: btoa(String.fromCharCode(10, 10, 200, 200)),
  histogram: {
    counts: Array.from({ length: 256 }, (_, b) => (b === 10 || b === 200 ? 2 : 0)),
    lo: 0,
    width: 1,
    integer8: true,
  },
  distinct: 2,
}

let client: MockClient
let nextJob = 1

async function mountView() {
  const w = mount(DatasetsView)
  await flushPromises()
  return w
}

async function drop(w: Awaited<ReturnType<typeof mountView>>, files: File[]) {
  await w.get('[data-testid="drop-zone"]').trigger('drop', { dataTransfer: { files } })
  await flushPromises()
}

beforeEach(() => {
  setActivePinia(createPinia())
  client = mockClient({
    'datasets.list': () => [dataset],
    'volumes.list': () => [],
    'datasets.previewImage': () => greyPreview,
    'jobs.start': (input) =>
      job({ id: nextJob++, kind: 'import', params: (input as { params: Record<string, unknown> }).params }),
  })
  setApiClient(client)
})

afterEach(() => {
  delete (globalThis as { microlad?: unknown }).microlad
})

describe('dropping files on the Datasets view', () => {
  it('under Electron, one file fills the path, loads its preview and imports it segmented', async () => {
    ;(globalThis as { microlad?: unknown }).microlad = { pathForFile: atDisk }
    const w = await mountView()
    await drop(w, [file('grey.png')])
    expect((w.get('[data-testid="import-path"]').element as HTMLInputElement).value).toBe('/disk/grey.png')
    expect(client.calls.find((c) => c.method === 'datasets.previewImage')?.input).toEqual({
      path: '/disk/grey.png',
    })
    expect(w.find('[data-testid="segmentation"]').exists()).toBe(true)
    await w.get('[data-testid="import-dataset"]').setValue(3)
    await w.get('[data-testid="import-start"]').trigger('click')
    await flushPromises()
    const start = client.calls.find((c) => c.method === 'jobs.start')?.input as {
      params: Record<string, unknown>
    }
    expect(start.params).toMatchObject({ path: '/disk/grey.png', datasetId: 3, thresholds: [11] })
  })

  it('under Electron, several files are imported at once into the chosen dataset', async () => {
    ;(globalThis as { microlad?: unknown }).microlad = { pathForFile: atDisk }
    const w = await mountView()
    await drop(w, [file('a.png'), file('b.npy')])
    expect(w.get('[data-testid="drop-message"]').text()).toMatch(/choose a dataset/)
    await w.get('[data-testid="import-dataset"]').setValue(3)
    await drop(w, [file('a.png'), file('b.npy')])
    const paths = client.calls
      .filter((c) => c.method === 'jobs.start')
      .map((c) => (c.input as { params: { path: string } }).params.path)
    expect(paths).toEqual(['/disk/a.png', '/disk/b.npy'])
    expect(w.get('[data-testid="drop-message"]').text()).toContain('2 imports started')
  })

  it('in a browser, says to type the path and starts nothing', async () => {
    const w = await mountView()
    await drop(w, [file('grey.png')])
    expect(w.get('[data-testid="drop-message"]').text()).toBe(WEB_DROP_MESSAGE)
    expect(client.calls.some((c) => c.method === 'jobs.start' || c.method === 'datasets.previewImage')).toBe(
      false,
    )
  })
})
