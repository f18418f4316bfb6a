import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { zlibSync } from 'fflate'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { readVolume, writeVolume } from '../../../src/core/io'
import { makeVolume } from '../../../src/core/volume/volume'
import { runCli } from '../../../src/cli/program'
import { SHARED_DATA, hasSharedData, sharedDataSkipReason, tempDir } from '../../helpers'

const tmp = tempDir('microlad-readers-')
afterAll(() => tmp.cleanup())
const at = (name: string) => path.join(tmp.dir, name)

/** Labels 0..2 of a 3x2x2 (x, y, z) volume, x fastest. */
const LABELS = Uint8Array.from([0, 1, 2, 2, 1, 0, 1, 1, 0, 2, 2, 0])

function vtiFile(opts: {
  format: string
  body: string
  section?: 'CellData' | 'PointData'
  compressed?: boolean
  appended?: string
}) {
  const ext = opts.section === 'PointData' ? '0 2 0 1 0 1' : '0 3 0 2 0 2'
  const compressor = opts.compressed ? ' compressor="vtkZLibDataCompressor"' : ''
  const offset = opts.format === 'appended' ? ' offset="0"' : ''
  const arr = `<DataArray type="UInt8" Name="phase" format="${opts.format}"${offset}>${opts.body}</DataArray>`
  const section = opts.section ?? 'CellData'
  return Buffer.concat([
    Buffer.from(
      `<?xml version="1.0"?>\n<VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" header_type="UInt32"${compressor}>\n` +
        `<ImageData WholeExtent="${ext}" Origin="0 0 0" Spacing="0.5 0.25 2"><Piece Extent="${ext}">` +
        `<${section}>${arr}</${section}></Piece></ImageData>\n`,
    ),
    opts.appended !== undefined ? Buffer.from(opts.appended, 'latin1') : Buffer.alloc(0),
    Buffer.from('</VTKFile>\n'),
  ])
}

const u32 = (...v: number[]) => Buffer.from(Uint32Array.from(v).buffer)

describe('VTK ImageData variants', () => {
  const plain = Buffer.concat([u32(LABELS.length), Buffer.from(LABELS)])
  const zipped = Buffer.from(zlibSync(LABELS))
  const zipHeader = u32(1, LABELS.length, LABELS.length, zipped.length)
  const variants: Record<string, Buffer> = {
    ascii: vtiFile({ format: 'ascii', body: Array.from(LABELS).join(' ') }),
    'inline binary': vtiFile({ format: 'binary', body: plain.toString('base64') }),
    'inline binary, zlib': vtiFile({
      format: 'binary',
      body: zipHeader.toString('base64') + zipped.toString('base64'),
      compressed: true,
    }),
    'appended raw': vtiFile({
      format: 'appended',
      body: '',
      appended: `<AppendedData encoding="raw">_${plain.toString('latin1')}</AppendedData>`,
    }),
    'appended raw, zlib': vtiFile({
      format: 'appended',
      body: '',
      compressed: true,
      appended: `<AppendedData encoding="raw">_${Buffer.concat([zipHeader, zipped]).toString('latin1')}</AppendedData>`,
    }),
    'appended base64': vtiFile({
      format: 'appended',
      body: '',
      appended: `<AppendedData encoding="base64">_${plain.toString('base64')}</AppendedData>`,
    }),
  }
  for (const [name, bytes] of Object.entries(variants)) {
    it(name, async () => {
      const file = at(`${name.replace(/\W+/g, '_')}.vti`)
      writeFileSync(file, bytes)
      const vol = await readVolume(file)
      expect(vol.shape).toEqual([2, 2, 3])
      expect(Array.from(vol.data)).toEqual(Array.from(LABELS))
      expect(vol.spacing).toEqual([2, 0.25, 0.5])
    })
  }
  it('point data: one voxel per point', async () => {
    const file = at('points.vti')
    writeFileSync(
      file,
      vtiFile({ format: 'ascii', body: Array.from(LABELS).join(' '), section: 'PointData' }),
    )
    expect((await readVolume(file)).shape).toEqual([2, 2, 3])
  })
})

describe('images and raw data', () => {
  it('a 0/255 PNG becomes labels 0/1; thresholds segment grey levels', async () => {
    const png = new PNG({ width: 4, height: 1 })
    const grey = [0, 255, 100, 255]
    grey.forEach((g, i) => png.data.set([g, g, g, 255], 4 * i))
    writeFileSync(at('g.png'), PNG.sync.write(png))
    expect(Array.from((await readVolume(at('g.png'))).data)).toEqual([0, 2, 1, 2])
    expect(Array.from((await readVolume(at('g.png'), { thresholds: [50, 200] })).data)).toEqual([0, 2, 1, 2])
    expect(Array.from((await readVolume(at('g.png'), { thresholds: [150] })).data)).toEqual([0, 1, 0, 1])
  })

  it('a colour JPEG is labelled by its distinct colours in order of luminance, or thresholded', async () => {
    const w = 16
    const data = new Uint8Array(w * w * 4)
    for (let i = 0; i < w * w; i++) data.set(i % w < 8 ? [20, 20, 200, 255] : [250, 250, 50, 255], 4 * i)
    writeFileSync(at('c.jpg'), jpeg.encode({ width: w, height: w, data }, 100).data)
    const vol = await readVolume(at('c.jpg'), { thresholds: [128] })
    expect(vol.shape).toEqual([1, w, w])
    expect(vol.data[0]).toBe(0)
    expect(vol.data[w - 1]).toBe(1)
  })

  it('raw with explicit dimensions, and with a folder meta.json as in ../shared/data', async () => {
    writeFileSync(at('bare.raw'), Buffer.from(LABELS))
    expect((await readVolume(at('bare.raw'), { shape: [2, 2, 3] })).shape).toEqual([2, 2, 3])
    await expect(readVolume(at('bare.raw'))).rejects.toThrow(/needs its shape/)
    const dir = at('dataset')
    mkdirSync(dir)
    writeFileSync(path.join(dir, 'volume.raw'), Buffer.from(LABELS))
    writeFileSync(
      path.join(dir, 'meta.json'),
      JSON.stringify({ file: 'volume.raw', shape: [2, 2, 3], voxel_size: 5.345, voxel_size_unit: 'um' }),
    )
    const vol = await readVolume(path.join(dir, 'volume.raw'))
    expect(vol.spacing).toEqual([5.345, 5.345, 5.345])
    expect(vol.unit).toBe('um')
  })

  it.skipIf(!hasSharedData)('the shared 2D label images read as their own labels', async () => {
    const vol = await readVolume(path.join(SHARED_DATA, '2d-li2018-composite', 'image.png'))
    expect(vol.shape).toEqual([1, 256, 256])
    expect(new Set(vol.data)).toEqual(new Set([0, 1, 2]))
  })
  if (!hasSharedData) it.skip(sharedDataSkipReason, () => {})
})

describe('convert command', () => {
  it('a truncated .npy fails with one short line, exit code 2 and no output file', async () => {
    await writeVolume(at('whole.npy'), makeVolume([4, 5, 6], new Uint8Array(120)))
    writeFileSync(at('cut.npy'), readFileSync(at('whole.npy')).subarray(0, 128 + 50))
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const code = await runCli(['convert', at('cut.npy'), '--out', path.join(tmp.dir, 'out', 'cut.vti')])
    const lines = err.mock.calls.map((c) => String(c[0]))
    err.mockRestore()
    expect(code).toBe(2)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^microlad: error: .*cut\.npy: truncated \.npy data.*\n$/)
    expect(lines[0].length).toBeLessThan(200)
    expect(existsSync(at('out')) ? readdirSync(at('out')) : []).toEqual([])
  })
})
