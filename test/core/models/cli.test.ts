import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseNpy } from '../../../src/core/io/npy'
import { tempDir } from '../../helpers'

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'microlad.cjs')
const FIXTURES = path.join(__dirname, 'fixtures')
const TOY = path.join(FIXTURES, 'toy-bundle')

function microlad(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MICROLAD_MODELS_DIR: path.join(FIXTURES, 'no-shipped-bundles') },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('microlad models / reconstruct', () => {
  const tmp = tempDir()
  afterAll(() => tmp.cleanup())

  it('lists a project’s bundles as JSON, checked down to the graphs', () => {
    const r = microlad('models', '--project', FIXTURES, '--json')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    const toy = out.bundles.find((b: { id: string }) => b.id === 'toy-bundle')
    expect(toy).toMatchObject({
      ok: true,
      source: 'project',
      phases: ['pore', 'solid'],
      trainingFractions: [0.3, 0.7],
    })
    expect(out.providers).toContain('cpu')
  })

  it('reconstructs to a file and reports shape, provider, timings, parameters and fractions', () => {
    const file = path.join(tmp.dir, 'toy.npy')
    const r = microlad(
      'reconstruct',
      '--model',
      TOY,
      '--shape',
      '16,32,16',
      '--seed',
      '4',
      '--steps',
      '6',
      '--refine',
      '1',
      '--provider',
      'cpu',
      '--out',
      file,
      '--json',
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({
      output: file,
      shape: [16, 32, 16],
      provider: 'cpu',
      model: { id: 'toy-bundle' },
    })
    expect(out.parameters).toMatchObject({ seed: 4, steps: 6, refine: 1, sampler: 'ddim' })
    for (const stage of ['sample', 'decode', 'refine', 'quantise', 'total', 'load'])
      expect(out.timings[stage]).toBeGreaterThanOrEqual(0)
    const vol = parseNpy(new Uint8Array(readFileSync(file)), file)
    expect(vol.shape).toEqual([16, 32, 16])
    const pore = vol.data.reduce((a, v) => a + (v === 0 ? 1 : 0), 0) / vol.data.length
    expect(out.volumeFractions[0]).toBeCloseTo(pore, 9)
  })

  it('fails with one line on a bad size, an unknown model and a missing --out', () => {
    for (const args of [
      ['reconstruct', '--model', TOY, '--size', '30', '--out', path.join(tmp.dir, 'x.npy')],
      ['reconstruct', '--model', 'no-such-model', '--size', '32', '--out', path.join(tmp.dir, 'x.npy')],
      ['reconstruct', '--model', TOY, '--size', '32'],
      [
        'reconstruct',
        '--model',
        TOY,
        '--size',
        '32',
        '--sampler',
        'euler',
        '--out',
        path.join(tmp.dir, 'x.npy'),
      ],
    ]) {
      const r = microlad(...args)
      expect(r.code).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(microlad('reconstruct', '--model', TOY, '--size', '30', '--out', 'x.npy').stderr).toMatch(
      /multiple of the model's latent factor 4/,
    )
  })
})
