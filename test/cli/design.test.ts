import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readVolume, writeVolume } from '../../src/core/io'
import { SeededRandom } from '../../src/core/diffusion/random'
import { makeVolume } from '../../src/core/volume/volume'
import { DEFAULT_SDS_PARAMS } from '../../src/core/design/sds'
import { tempDir } from '../helpers'

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'microlad.cjs')
const TOY = path.resolve(__dirname, '..', 'core', 'models', 'fixtures', 'toy-bundle')

function microlad(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface Report {
  output: string
  shape: number[]
  model: { id: string }
  targets: {
    key: string
    target: number
    before: number
    after: number
    error: number
    reached: boolean
    note?: string
  }[]
  volumeFractions: { before: number[]; after: number[] }
  history: {
    step: number
    seconds: number
    losses: Record<string, number>
    measures: Record<string, number>
  }[]
  solves: Record<string, { relativeDiffusivity: number; percolating: boolean }[]>
  parameters: Record<string, unknown>
  timings: Record<string, number>
}

const tmp = tempDir('microlad-design-cli-')
afterAll(() => tmp.cleanup())

describe('microlad design (toy bundle)', () => {
  it('writes the volume and a JSON report with per-term losses over the steps, before/after and timings', async () => {
    const out = path.join(tmp.dir, 'designed.npy')
    const r = microlad(
      'design',
      '--model',
      TOY,
      '--size',
      '16',
      '--seed',
      '3',
      '--target',
      'vf:pore=0.3',
      '--target',
      's2=training',
      '--steps',
      '12',
      '--threads',
      '1',
      '--out',
      out,
      '--json',
    )
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout) as Report
    expect(report.output).toBe(out)
    expect(report.shape).toEqual([16, 16, 16])
    expect(report.model.id).toBeTruthy()
    expect(report.targets.map((t) => t.key)).toEqual(['vf:0', 's2'])
    for (const t of report.targets) {
      for (const k of ['before', 'after', 'error'] as const) expect(Number.isFinite(t[k])).toBe(true)
      expect(typeof t.reached).toBe('boolean')
      if (!t.reached) expect(t.note).toBeTruthy()
    }
    expect(report.targets[0].target).toBe(0.3)
    // the history: steps 1, 10 and the last, each with every term's loss and measure
    expect(report.history.map((h) => h.step)).toEqual([1, 10, 12])
    for (const h of report.history) {
      expect(Object.keys(h.losses).sort()).toEqual(['s2', 'vf:0'])
      expect(Object.keys(h.measures).sort()).toEqual(['s2', 'vf:0'])
      for (const v of Object.values(h.losses)) expect(v).toBeGreaterThanOrEqual(0)
    }
    expect(report.history[2].seconds).toBeGreaterThanOrEqual(report.history[0].seconds)
    expect(report.volumeFractions.before.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6)
    expect(report.volumeFractions.after.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6)
    for (const k of ['start', 'load', 'sds', 'measure', 'total']) {
      expect(report.timings[k], k).toBeGreaterThanOrEqual(0)
    }
    expect(report.timings.total).toBeGreaterThan(report.timings.sds)
    // options not given keep their defaults (--batch was undefined before the definedOnly fix)
    expect(report.parameters.steps).toBe(12)
    expect(report.parameters.seed).toBe(3)
    expect(report.parameters.batch).toBe(DEFAULT_SDS_PARAMS.batch)
    expect(report.parameters.tMin).toBe(DEFAULT_SDS_PARAMS.tMin)
    expect(report.parameters.strength).toBe(DEFAULT_SDS_PARAMS.strength)
    expect(existsSync(out)).toBe(true)
    const vol = await readVolume(out)
    expect(vol.shape).toEqual([16, 16, 16])
    const pore = vol.data.reduce((a, l) => a + (l === 0 ? 1 : 0), 0) / vol.data.length
    expect(pore).toBeCloseTo(report.volumeFractions.after[0], 6)
    expect(report.targets[0].after).toBeCloseTo(pore, 6)
  }, 120_000)

  it('reports a diffusivity target above the phase fraction as out of reach, with the reason', async () => {
    // 30 % pore in random voxels: D_rel ≤ ε = 0.3 whatever happens, so 0.95 cannot be reached.
    const rng = new SeededRandom(7)
    const start = makeVolume(
      [16, 16, 16],
      Uint8Array.from({ length: 16 ** 3 }, () => (rng.uniform() < 0.3 ? 0 : 1)),
    )
    const from = path.join(tmp.dir, 'start.npy')
    await writeVolume(from, start)
    const out = path.join(tmp.dir, 'unreachable.npy')
    const r = microlad(
      'design',
      '--model',
      TOY,
      '--from',
      from,
      '--target',
      'diffusivity:pore:z=0.95',
      '--steps',
      '4',
      '--batch',
      '2',
      '--threads',
      '1',
      '--out',
      out,
      '--json',
    )
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout) as Report
    const [t] = report.targets
    expect(t.key).toBe('diffusivity:0:z')
    expect(t.reached).toBe(false)
    expect(t.after).toBeLessThanOrEqual(report.volumeFractions.after[0] + 1e-9)
    expect(t.note).toMatch(/cannot exceed the phase's volume fraction/)
    expect(report.parameters.batch).toBe(2)
    expect(report.solves['diffusivity:0:z'].length).toBeGreaterThanOrEqual(1)
    // the text report names it too
    const text = microlad(
      'design',
      '--model',
      TOY,
      '--from',
      from,
      '--target',
      'diffusivity:pore:z=0.95',
      '--steps',
      '2',
      '--threads',
      '1',
      '--out',
      out,
    )
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/diffusivity:0:z: .* NOT reached: D_rel cannot exceed/)
  }, 120_000)

  it('refuses a start given twice or not at all, and a missing target, in one line', () => {
    const out = path.join(tmp.dir, 'never.npy')
    for (const args of [
      ['--target', 'vf:0=0.3'],
      ['--size', '16', '--from', 'x.npy', '--target', 'vf:0=0.3'],
      ['--size', '16'],
      ['--size', '16', '--target', 'vf:9=0.3'],
    ]) {
      const r = microlad('design', '--model', TOY, ...args, '--out', out)
      expect(r.code, args.join(' ')).not.toBe(0)
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
    }
    expect(existsSync(out)).toBe(false)
  }, 60_000)
})
