import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeVolume } from '../../../src/core/io'
import { makeVolume } from '../../../src/core/volume/volume'
import { tempDir } from '../../helpers'

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'microlad.cjs')

function microlad(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('microlad property', () => {
  const tmp = tempDir()
  const file = path.join(tmp.dir, 'channels.npy')

  beforeAll(async () => {
    // pore (label 0) channels along z over the columns x < 2 of a 6x4x5 volume: D_rel = 2/5, tau = 1 along z
    const vol = makeVolume([6, 4, 5])
    for (let i = 0; i < vol.data.length; i++) vol.data[i] = i % 5 < 2 ? 0 : 1
    await writeVolume(file, vol)
  })
  afterAll(() => tmp.cleanup())

  it('prints the transport result as JSON', () => {
    const r = microlad('property', file, '--phase', '0', '--axis', 'z', '--json')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ phase: 0, axis: 'z', percolating: true })
    expect(out.volumeFraction).toBeCloseTo(0.4, 12)
    expect(out.relativeDiffusivity).toBeCloseTo(0.4, 6)
    expect(out.tortuosityFactor).toBeCloseTo(1, 6)
    for (const key of ['iterations', 'residual']) expect(typeof out[key]).toBe('number')
  })

  it('reports a non-percolating phase as a result, with a null tortuosity factor', () => {
    const r = microlad('property', file, '--phase', '0', '--axis', 'x', '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      relativeDiffusivity: 0,
      tortuosityFactor: null,
      percolating: false,
    })
  })

  it('validates options before reading the file, with one line', () => {
    for (const args of [
      ['--phase', 'one', '--axis', 'z'],
      ['--phase', '0', '--axis', 'w'],
      ['--phase', '0', '--axis', 'z', '--tol', '0'],
    ]) {
      const r = microlad('property', '/no/such/file.npy', ...args)
      expect(r.code).not.toBe(0)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toContain('no such file')
    }
  })
})
