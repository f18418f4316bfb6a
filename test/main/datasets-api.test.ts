/**
 * The Datasets API end to end in-process (with real job processes): grey preview of a PNG, import
 * segmented with thresholds and a label map, cutting patches, exporting the dataset as a trainer folder.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseNpy } from '../../src/core/io/npy'
import { type Backend } from '../../src/main/backend'
import { tempDir } from '../helpers'
import { makeTestBackend, waitForJob } from '../backend-helpers'

/** A 64×48 grey PNG: left third 30, middle third 120, right third 220. */
function writeGreyPng(file: string): void {
  const png = new PNG({ width: 64, height: 48, colorType: 0, inputColorType: 0, inputHasAlpha: false })
  const data = Buffer.alloc(64 * 48)
  for (let y = 0; y < 48; y++)
    for (let x = 0; x < 64; x++) data[y * 64 + x] = x < 21 ? 30 : x < 42 ? 120 : 220
  png.data = data
  writeFileSync(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }))
}

describe('datasets API', () => {
  const t = tempDir('microlad-datasets-')
  let b: Backend
  const grey = path.join(t.dir, 'grey.png')

  beforeAll(async () => {
    writeGreyPng(grey)
    b = makeTestBackend(t.dir)
    await b.invoke('projects.create', { dir: path.join(t.dir, 'p'), name: 'Datasets' })
  })
  afterAll(() => {
    b.app.closeProject()
    t.cleanup()
  })

  it('previews a grey image, imports it segmented, crops patches and exports a trainer folder', async () => {
    const preview = await b.invoke('datasets.previewImage', { path: grey })
    expect(preview.shape).toEqual([1, 48, 64])
    expect([preview.width, preview.height, preview.scale]).toEqual([64, 48, 1])
    expect(preview.histogram.integer8).toBe(true)
    expect(preview.histogram.counts[30]).toBe(21 * 48)
    expect(preview.histogram.counts[220]).toBe(22 * 48)
    const bins = Buffer.from(preview.bins, 'base64')
    expect([bins[0], bins[30], bins[63]]).toEqual([30, 120, 220])

    const d = await b.invoke('datasets.create', { name: 'grey', anisotropic: false })
    // Dark and bright bands are both 'solid' (phase 1), the middle band 'pore' (phase 0).
    const imp = await b.invoke('jobs.start', {
      kind: 'import',
      params: {
        path: grey,
        datasetId: d.id,
        plane: 'xy',
        thresholds: [75, 170],
        labelMap: {
          classToPhase: [1, 0, 1],
          phases: [
            { id: 0, name: 'pore' },
            { id: 1, name: 'solid' },
          ],
        },
      },
    })
    const done = await waitForJob(b, imp.id)
    expect(done.status, done.error ?? '').toBe('succeeded')
    const [vol] = await b.invoke('volumes.list', {})
    expect(vol.phases.map((p) => p.name)).toEqual(['pore', 'solid'])
    const labels = parseNpy(readFileSync(b.app.requireProject().getVolume(vol.id).path), 'imported.npy').data
    expect([labels[0], labels[30], labels[63]]).toEqual([1, 0, 1])

    const crop = await b.invoke('datasets.crop', { volumeId: vol.id, size: 16, stride: 16 })
    const cropped = await waitForJob(b, crop.id)
    expect(cropped.status, cropped.error ?? '').toBe('succeeded')
    expect((cropped.result as { patches: number }).patches).toBe(3 * 4)
    const ds = (await b.invoke('datasets.list', {})).find((x) => x.id === d.id)!
    expect(ds.images).toHaveLength(13)
    expect(ds.images.every((i) => i.plane === 'xy')).toBe(true)
    const patch = (await b.invoke('volumes.list', {})).find((v) => v.name === 'grey-p1')!
    expect(patch.shape).toEqual([1, 16, 16])
    expect(patch.phases.map((p) => p.name)).toEqual(['pore', 'solid'])

    const out = path.join(t.dir, 'export')
    const ex = await b.invoke('datasets.export', { id: d.id, dir: out })
    const exported = await waitForJob(b, ex.id)
    expect(exported.status, exported.error ?? '').toBe('succeeded')
    const spec = JSON.parse(readFileSync(path.join(out, 'dataset.json'), 'utf8'))
    expect(spec.files).toHaveLength(13)
    expect(spec.files[0]).toEqual({ file: 'grey.png', plane: 'xy' })
    expect(spec.phases.map((p: { name: string }) => p.name)).toEqual(['pore', 'solid'])
    expect(existsSync(path.join(out, 'grey-p0.png'))).toBe(true)
    const back = PNG.sync.read(readFileSync(path.join(out, 'grey.png')))
    expect([back.data[0], back.data[4 * 30], back.data[4 * 63]]).toEqual([1, 0, 1])

    // A second export into the same (now non-empty) folder is refused.
    const again = await waitForJob(b, (await b.invoke('datasets.export', { id: d.id, dir: out })).id)
    expect(again.status).toBe('failed')
    expect(again.error).toMatch(/not empty/)
  }, 60_000)

  it('refuses a label map without thresholds and malformed requests', async () => {
    const j = await b.invoke('jobs.start', {
      kind: 'import',
      params: { path: grey, labelMap: { classToPhase: [0], phases: [] } },
    })
    const done = await waitForJob(b, j.id)
    expect(done.status).toBe('failed')
    expect(done.error).toMatch(/needs thresholds/)
    await expect(b.invoke('datasets.crop', { volumeId: 1, size: 2 } as never)).rejects.toThrow()
    await expect(b.invoke('datasets.previewImage', { path: path.join(t.dir, 'nope.png') })).rejects.toThrow()
  })
})
