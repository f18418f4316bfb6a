import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeVolume } from '../../src/core/io'
import { synthesize } from '../../src/core/synth'
import type { ValidationReport } from '../../src/shared/validation'
import { SHARED_DATA, hasSharedData, tempDir } from '../helpers'

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'microlad.cjs')
const BEREA = path.join(SHARED_DATA, '3d-berea-sandstone', 'volume.raw')

function microlad(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const tmp = tempDir('microlad-validate-cli-')
afterAll(() => tmp.cleanup())

/** The real Berea volume's held-out half when ../shared/data is here, else a synthetic two-phase volume. */
async function referenceFile(): Promise<{ file: string; region: string }> {
  if (hasSharedData) return { file: BEREA, region: '128:256' }
  const file = path.join(tmp.dir, 'reference.npy')
  await writeVolume(file, synthesize('grf', { shape: [48, 48, 48], vf: 0.8, seed: 1 }))
  return { file, region: '16:48' }
}

describe('microlad validate (shipped Berea bundle, tiny sizes)', () => {
  it(`reports every row per phase with a verdict (${hasSharedData ? 'real Berea reference' : 'synthetic reference: ../shared/data absent'})`, async () => {
    const ref = await referenceFile()
    const common = ['--model', 'berea-sandstone', '--reference', ref.file, '--region', ref.region]
    const small = ['--size', '16', '--count', '2', '--draws', '3', '--seed', '4']
    const r = microlad('validate', ...common, ...small, '--json')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as ValidationReport
    expect(report.mode).toBe('3d')
    expect(report.model?.id).toBe('berea-sandstone')
    expect(report.reference.region).toEqual(ref.region.split(':').map(Number))
    expect(report.settings).toMatchObject({ size: 16, count: 2, draws: 3, generatedSeeds: [4, 5] })
    for (const phase of [0, 1]) {
      const keys = report.rows.filter((row) => row.phase === phase).map((row) => row.key)
      expect(keys).toEqual(
        expect.arrayContaining([
          'vf',
          'drel',
          'drel-z',
          'drel-y',
          'drel-x',
          'euler',
          'percolating',
          's2',
          'lineal',
        ]),
      )
    }
    for (const row of report.rows) expect(['within', 'outside']).toContain(row.verdict)
    expect(report.samples.find((s) => s.key === 'vf')!.real).toHaveLength(6)

    // The same run as a text table: one line per row with its verdict.
    const t = microlad('validate', ...common, ...small, '--axes', 'z')
    expect(t.code).toBe(0)
    expect(t.stdout).toMatch(/^phase\s+descriptor\s+generated/m)
    expect(t.stdout).toMatch(/^pore\s+volume fraction\s+.*(within|outside)$/m)
    expect(t.stdout).toMatch(/^solid\s+D_rel along z\s+.*(within|outside)$/m)
    expect(t.stdout).not.toMatch(/D_rel along y/)
  }, 60_000)

  it('bad input fails with one line naming the file or the problem', () => {
    const missing = microlad('validate', '--model', 'berea-sandstone', '--reference', '/no/such/ref.npy')
    expect(missing.code).not.toBe(0)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toContain('/no/such/ref.npy')
    const region = microlad(
      'validate',
      '--model',
      'berea-sandstone',
      '--reference',
      'x.npy',
      '--region',
      '9:3',
    )
    expect(region.code).not.toBe(0)
    expect(region.stderr.trim().split('\n')).toHaveLength(1)
    expect(region.stderr).toContain('--region')
    const help = microlad('validate', '--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--json')
  })
})
