import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { setApiClient } from '../../src/renderer/src/api/client'
import ExportDialog from '../../src/renderer/src/components/ExportDialog.vue'
import type { FileFormat, VolumeInfo } from '../../src/shared/dto'
import { job, mockClient, type MockClient } from './mock-client'

const formats: FileFormat[] = [
  { id: 'npy', extensions: ['.npy'], read: true, write: true, description: 'NumPy' },
  { id: 'png', extensions: ['.png'], read: true, write: true, description: 'PNG 2D image' },
  { id: 'tiff', extensions: ['.tif', '.tiff'], read: true, write: true, description: 'TIFF' },
  { id: 'vti', extensions: ['.vti'], read: true, write: true, description: 'VTK' },
  { id: 'inp', extensions: ['.inp'], read: false, write: true, description: 'Abaqus' },
  { id: 'stl', extensions: ['.stl'], read: false, write: true, description: 'STL' },
]

function volume(shape: [number, number, number]): VolumeInfo {
  return {
    id: 5,
    name: 'berea 64',
    shape,
    spacing: [1, 1, 1],
    unit: 'voxel',
    phases: [
      { id: 0, name: 'pore', color: '#000000' },
      { id: 1, name: 'solid', color: '#ffffff' },
      { id: 2, name: 'clay', color: '#aa5500' },
    ],
    source: 'reconstruct',
    jobId: 1,
    datasetId: null,
    createdAt: '2026',
    url: '/vox/volumes/5',
  }
}

let client: MockClient

beforeEach(() => {
  setActivePinia(createPinia())
  client = mockClient({
    'io.formats': () => formats,
    'jobs.start': (input) => job({ id: 21, kind: 'convert', status: 'queued', ...(input as object) }),
    'jobs.get': () => job({ id: 21, kind: 'convert', status: 'running' }),
  })
  setApiClient(client)
})

const options = (w: ReturnType<typeof mount>) =>
  w
    .get('[data-testid="export-format"]')
    .findAll('option')
    .map((o) => o.element.value)

describe('Export dialog', () => {
  it('offers .png only for a 2D image', async () => {
    const w3 = mount(ExportDialog, { props: { volume: volume([64, 64, 64]) } })
    await flushPromises()
    expect(options(w3)).not.toContain('.png')
    expect(options(w3)).toContain('.tif')
    const w2 = mount(ExportDialog, { props: { volume: volume([1, 64, 64]) } })
    await flushPromises()
    expect(options(w2)).toContain('.png')
  })

  it('asks for the STL phase and passes it; lets an .inp leave phases out', async () => {
    const w = mount(ExportDialog, { props: { volume: volume([8, 8, 8]) } })
    await flushPromises()
    expect(w.find('[data-testid="export-phase"]').exists()).toBe(false)
    await w.get('[data-testid="export-format"]').setValue('.stl')
    await w.get('[data-testid="export-phase"]').setValue('2')
    await w.get('[data-testid="export-path"]').setValue('exports/clay.stl')
    await w.get('[data-testid="export-start"]').trigger('click')
    await flushPromises()
    expect(client.calls.find((c) => c.method === 'jobs.start')?.input).toEqual({
      kind: 'convert',
      params: { volumeId: 5, output: 'exports/clay.stl', phase: 2 },
    })

    // While the job runs, Export waits; once it is done the next export can start.
    expect(w.get('[data-testid="export-start"]').attributes('disabled')).toBeDefined()
    client.emit(
      'job',
      job({ id: 21, kind: 'convert', status: 'succeeded', params: { output: '/p/exports/clay.stl' } }),
    )
    await flushPromises()
    expect(w.get('[data-testid="export-status"]').text()).toBe('written to /p/exports/clay.stl')
    await w.get('[data-testid="export-format"]').setValue('.inp')
    await w.get('[data-testid="export-omit-0"]').setValue(true)
    await w.get('[data-testid="export-path"]').setValue('/tmp/mesh.inp')
    await w.get('[data-testid="export-start"]').trigger('click')
    await flushPromises()
    expect(client.calls.filter((c) => c.method === 'jobs.start')[1]?.input).toEqual({
      kind: 'convert',
      params: { volumeId: 5, output: '/tmp/mesh.inp', omitPhases: [0], periodic: false },
    })
    for (const id of [1, 2]) await w.get(`[data-testid="export-omit-${id}"]`).setValue(true)
    expect(w.get('[data-testid="export-start"]').attributes('disabled')).toBeDefined()
    expect(w.text()).toContain('keep at least one phase')
  })

  it('stops saying "exporting…" when the job fails and shows why', async () => {
    const w = mount(ExportDialog, { props: { volume: volume([8, 8, 8]) } })
    await flushPromises()
    await w.get('[data-testid="export-path"]').setValue('/proc/nope/x.vti')
    await w.get('[data-testid="export-start"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="export-status"]').text()).toBe('exporting…')
    client.emit(
      'job',
      job({
        id: 21,
        kind: 'convert',
        status: 'failed',
        error: "cannot create the folder '/proc/nope': the folder does not accept new files (ENOENT)",
      }),
    )
    await flushPromises()
    expect(w.find('[data-testid="export-status"]').exists()).toBe(false)
    const err = w.get('[data-testid="export-error"]')
    expect(err.text()).toBe(
      "export failed: cannot create the folder '/proc/nope': the folder does not accept new files (ENOENT)",
    )
    expect(err.classes()).toContain('error')
  })

  it('shows a refused start inline', async () => {
    client = mockClient({
      'io.formats': () => formats,
      'jobs.start': () => {
        throw new Error("a .png holds one 2D image and 'berea 64' is a 3D volume")
      },
    })
    setApiClient(client)
    const w = mount(ExportDialog, { props: { volume: volume([8, 8, 8]) } })
    await flushPromises()
    await w.get('[data-testid="export-start"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="export-error"]').text()).toMatch(/3D volume/)
  })
})
