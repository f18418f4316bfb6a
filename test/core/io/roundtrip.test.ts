import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { SUPPORTED_FORMATS, readVolume, writeVolume } from '../../../src/core/io'
import { makeVolume } from '../../../src/core/volume/volume'
import { tempDir } from '../../helpers'
import { randomVolume } from './volumes'

const tmp = tempDir('microlad-io-')
afterAll(() => tmp.cleanup())

describe('round trips: write, read back, same labels and geometry', () => {
  const vol = randomVolume([20, 30, 40], 3, 7)
  const cases: { file: string; unit: boolean; opts?: { vtiFlavor: 'damask' } }[] = [
    { file: 'v.npy', unit: false },
    { file: 'v.raw', unit: true },
    { file: 'v.mhd', unit: false },
    { file: 'v.tif', unit: true },
    { file: 'v.tiff', unit: true },
    { file: 'v.vti', unit: true },
    { file: 'grid.vti', unit: true, opts: { vtiFlavor: 'damask' } },
  ]
  for (const c of cases) {
    it(c.file + (c.opts ? ' (DAMASK)' : ''), async () => {
      const file = path.join(tmp.dir, c.file)
      const progress: number[] = []
      await writeVolume(file, vol, { ...c.opts, onProgress: (f) => progress.push(f) })
      const back = await readVolume(file)
      expect(back.shape).toEqual(vol.shape)
      expect(Buffer.compare(Buffer.from(back.data), Buffer.from(vol.data))).toBe(0)
      if (!c.file.endsWith('.npy')) expect(back.spacing).toEqual([2, 3, 4])
      if (c.unit) expect(back.unit).toBe('um')
      if (!c.file.endsWith('.npy')) expect(progress.at(-1)).toBe(1)
    })
  }

  it('2D images as PNG (pixel value = label)', async () => {
    const img = randomVolume([1, 17, 23], 4, 3)
    const file = path.join(tmp.dir, 'img.png')
    await writeVolume(file, img)
    const back = await readVolume(file)
    expect(back.shape).toEqual([1, 17, 23])
    expect(Array.from(back.data)).toEqual(Array.from(img.data))
  })

  it('non-integer spacing survives TIFF rationals and VTK text', async () => {
    const v = makeVolume([2, 3, 4], new Uint8Array(24).fill(1), [0.35, 5.345, 1 / 3], 'um')
    for (const name of ['s.tif', 's.vti', 's.mhd', 's.raw']) {
      await writeVolume(path.join(tmp.dir, name), v)
      const back = await readVolume(path.join(tmp.dir, name))
      back.spacing.forEach((d, i) => expect(d, `${name} axis ${i}`).toBeCloseTo(v.spacing[i], 6))
    }
  })

  it('spacing and unit given to readVolume override the file', async () => {
    const file = path.join(tmp.dir, 'o.vti')
    await writeVolume(file, vol)
    const back = await readVolume(file, { spacing: [1, 1, 0.5], unit: 'nm' })
    expect(back.spacing).toEqual([1, 1, 0.5])
    expect(back.unit).toBe('nm')
  })

  it('SUPPORTED_FORMATS lists every extension the dispatcher handles', () => {
    const exts = SUPPORTED_FORMATS.flatMap((f) => f.extensions)
    for (const e of [
      '.npy',
      '.raw',
      '.mhd',
      '.mha',
      '.tif',
      '.tiff',
      '.png',
      '.jpg',
      '.jpeg',
      '.vti',
      '.inp',
      '.stl',
    ]) {
      expect(exts).toContain(e)
    }
    expect(SUPPORTED_FORMATS.find((f) => f.id === 'inp')).toMatchObject({ read: false, write: true })
  })
})
