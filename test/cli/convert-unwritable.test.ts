/**
 * `microlad convert X.npy --out /proc/nope/x.inp`: a target folder that cannot be made fails at once
 * (no recursive-mkdir spin), with one line naming the path and the reason, a non-zero exit, and no file.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeNpy } from '../../src/core/io/npy'
import { makeVolume } from '../../src/core/volume/volume'
import { tempDir } from '../helpers'

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'microlad.cjs')
const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe.skipIf(!existsSync('/proc/self'))('microlad convert to an unwritable place', () => {
  it('fails within 5 s with one line and leaves no file', () => {
    const t = tempDir()
    cleanups.push(t.cleanup)
    const input = path.join(t.dir, 'x.npy')
    writeFileSync(
      input,
      Buffer.concat(
        encodeNpy(
          makeVolume(
            [3, 4, 5],
            new Uint8Array(60).map((_, i) => i % 2),
          ),
        ),
      ),
    )
    for (const out of ['/proc/nope/x.inp', '/proc/nope/deeper/x.stl']) {
      const t0 = Date.now()
      const r = spawnSync(process.execPath, [BIN, 'convert', input, '--out', out, '--phase', '1'], {
        encoding: 'utf8',
        timeout: 20_000,
      })
      const seconds = (Date.now() - t0) / 1000
      expect(r.signal, `${out}: killed after ${seconds} s`).toBeNull()
      expect(seconds, out).toBeLessThan(5)
      expect(r.status, out).not.toBe(0)
      const lines = r.stderr.trim().split('\n')
      expect(lines, r.stderr).toHaveLength(1)
      expect(lines[0]).toMatch(/cannot create the folder '\/proc\/nope[^']*': .+/)
      expect(existsSync(out)).toBe(false)
      expect(existsSync('/proc/nope')).toBe(false)
    }
  })
})
