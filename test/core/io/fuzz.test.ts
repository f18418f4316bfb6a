/**
 * Mutated and truncated files of every readable format must fail with a UserError (one line, naming the
 * file) or read as some volume, never another exception and never a hang.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readVolume, writeVolume } from '../../../src/core/io'
import { UserError } from '../../../src/core/errors'
import { tempDir } from '../../helpers'
import { randomVolume, seededRandom } from './volumes'

const tmp = tempDir('microlad-fuzz-')
afterAll(() => tmp.cleanup())

const FORMATS = ['npy', 'vti', 'tif', 'mhd', 'png', 'raw'] as const

async function expectCleanOutcome(file: string): Promise<'read' | 'refused'> {
  try {
    await readVolume(file)
    return 'read'
  } catch (err) {
    if (!(err instanceof UserError)) {
      throw new Error(`${path.basename(file)}: ${String(err)} is not a UserError`, { cause: err })
    }
    expect(err.message).not.toContain('\n')
    expect(err.message).toContain(path.basename(file).replace(/\.(mhd|raw)$/, ''))
    return 'refused'
  }
}

describe('fuzzed inputs give clean errors', () => {
  for (const ext of FORMATS) {
    it(`.${ext}: truncations and byte flips`, async () => {
      const vol = ext === 'png' ? randomVolume([1, 12, 9], 3, 4) : randomVolume([4, 6, 5], 3, 4)
      const good = path.join(tmp.dir, `good.${ext}`)
      await writeVolume(good, vol)
      // For .mhd the header is the file to mutate; for .raw, the samples (sidecars stay valid).
      const original = readFileSync(good)
      const rand = seededRandom(ext.length * 97 + 1)
      const outcomes = { read: 0, refused: 0 }
      const variants: Buffer[] = []
      for (const frac of [0, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
        variants.push(original.subarray(0, Math.floor(original.length * frac)))
      for (let k = 0; k < 40; k++) {
        const copy = Buffer.from(original)
        const flips = 1 + Math.floor(rand() * 4)
        for (let f = 0; f < flips; f++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256)
        variants.push(copy)
      }
      variants.push(Buffer.concat([original, Buffer.from('garbage at the end')]))
      for (const [i, bytes] of variants.entries()) {
        const file = path.join(tmp.dir, `f${i}.${ext}`)
        if (ext === 'raw' || ext === 'mhd') {
          // Keep the companions beside the mutated file.
          for (const side of ext === 'raw' ? ['json', 'mhd'] : ['raw']) {
            writeFileSync(
              path.join(tmp.dir, `f${i}.${side}`),
              readFileSync(path.join(tmp.dir, `good.${side}`), 'latin1').replace(/good\./g, `f${i}.`),
              'latin1',
            )
          }
        }
        writeFileSync(file, bytes)
        outcomes[await expectCleanOutcome(file)]++
      }
      expect(outcomes.refused).toBeGreaterThan(0)
    })
  }

  it('declared sizes beyond the file or memory are refused before allocation', async () => {
    const npy = path.join(tmp.dir, 'huge.npy')
    const header = "{'descr': '|u1', 'fortran_order': False, 'shape': (100000, 100000, 100000), }"
    const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length + 1, 0])
    writeFileSync(npy, Buffer.concat([pre, Buffer.from(header + '\n')]))
    await expect(readVolume(npy)).rejects.toThrow(/larger than memory/)
    const mhd = path.join(tmp.dir, 'huge.mhd')
    writeFileSync(
      mhd,
      'NDims = 3\nDimSize = 4000 4000 4000\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n\x01\x02',
    )
    await expect(readVolume(mhd)).rejects.toThrow(/larger than memory/)
    writeFileSync(
      mhd,
      'NDims = 3\nDimSize = 400 400 400\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n\x01\x02',
    )
    await expect(readVolume(mhd)).rejects.toThrow(/needs 64000000 bytes, file has 2/)
    const vti = path.join(tmp.dir, 'lz4.vti')
    writeFileSync(
      vti,
      '<VTKFile type="ImageData" compressor="vtkLZ4DataCompressor"><ImageData WholeExtent="0 1 0 1 0 1">',
    )
    await expect(readVolume(vti)).rejects.toThrow(/unsupported compression/)
  })
})
