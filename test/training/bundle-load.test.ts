/**
 * A bundle written by the Python trainer loads in onnxruntime-node with the graph contract of DESIGN §4:
 * input/output names, element types, shapes (also at a larger latent plane) and the sha256 of every file.
 * Uses test-artifacts/tiny-bundle, creating it with `python -m microlad_train.tiny` when missing; skipped
 * when no Python with torch is available. The shipped bundles in resources/models are checked the same way.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import * as ort from 'onnxruntime-node'
import { beforeAll, describe, expect, it } from 'vitest'
import { findPython, trainingDir } from '../../src/core/models/python'

const ROOT = path.resolve(__dirname, '..', '..')
const TINY = path.join(ROOT, 'test-artifacts', 'tiny-bundle')
const SHIPPED = ['berea-sandstone', 'nmc-cathode'].map((id) => path.join(ROOT, 'resources', 'models', id))

interface Manifest {
  imageSize: number
  phases: { id: number }[]
  latent: { channels: number; size: number }
  conditioning: { nullId: number }
  files: Record<string, string>
}

async function ensureTinyBundle(): Promise<string | undefined> {
  if (existsSync(path.join(TINY, 'manifest.json'))) return undefined
  let executable: string
  try {
    executable = (await findPython()).executable
  } catch (err) {
    return `skipping the tiny-bundle test: ${(err as Error).message}`
  }
  const result = spawnSync(executable, ['-m', 'microlad_train.tiny', '--out', TINY], {
    env: { ...process.env, PYTHONPATH: trainingDir() },
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`microlad_train.tiny failed: ${result.stderr.split('\n').slice(-3).join(' ')}`)
  return undefined
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

function tensor(dims: number[], fill: (i: number) => number = () => Math.random()): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1)
  return new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => fill(i)), dims)
}

async function checkBundle(dir: string): Promise<void> {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest
  for (const [file, digest] of Object.entries(manifest.files)) expect(sha256(path.join(dir, file)), file).toBe(digest)
  const P = manifest.phases.length
  const C = manifest.latent.channels
  const open = (f: string) => ort.InferenceSession.create(path.join(dir, f), { intraOpNumThreads: 1 })
  const [enc, dec, den, vjp] = await Promise.all(
    ['encoder.onnx', 'decoder.onnx', 'denoiser.onnx', 'decoder_vjp.onnx'].map(open),
  )
  expect([enc.inputNames, enc.outputNames]).toEqual([['x'], ['mu']])
  expect([dec.inputNames, dec.outputNames]).toEqual([['z'], ['y']])
  expect([den.inputNames, den.outputNames]).toEqual([['z_t', 't', 'cond'], ['eps']])
  expect([vjp.inputNames, vjp.outputNames]).toEqual([['z', 'v'], ['g']])
  // twice the training size: the spatial axes are dynamic
  const S = 2 * manifest.imageSize
  const L = 2 * manifest.latent.size
  const x = tensor([2, P, S, S], (i) => (Math.floor(i / (S * S)) % P === 0 ? 1 : 0))
  const { mu } = await enc.run({ x })
  expect(mu.dims).toEqual([2, C, L, L])
  const { y } = await dec.run({ z: mu })
  expect(y.dims).toEqual([2, P, S, S])
  const probs = y.data as Float32Array
  for (const k of [0, 17, S * S - 1]) {
    let sum = 0
    for (let p = 0; p < P; p++) sum += probs[p * S * S + k]
    expect(sum).toBeCloseTo(1, 4)
  }
  const t = new ort.Tensor('int64', BigInt64Array.from([10n, 900n]), [2])
  const cond = new ort.Tensor('int64', BigInt64Array.from([BigInt(manifest.conditioning.nullId), 0n]), [2])
  const { eps } = await den.run({ z_t: mu, t, cond })
  expect(eps.dims).toEqual([2, C, L, L])
  const { g } = await vjp.run({ z: mu, v: tensor([2, P, S, S]) })
  expect(g.dims).toEqual([2, C, L, L])
  expect((g.data as Float32Array).every(Number.isFinite)).toBe(true)
  await Promise.all([enc, dec, den, vjp].map((s) => s.release()))
}

describe('tiny bundle from the Python trainer', () => {
  let skip: string | undefined
  beforeAll(async () => {
    skip = await ensureTinyBundle()
  }, 600_000)

  it('loads in onnxruntime-node with the contract names, shapes and hashes', async (ctx) => {
    if (skip) {
      console.warn(skip)
      ctx.skip()
    }
    await checkBundle(TINY)
  })
})

describe.each(SHIPPED)('shipped bundle %s', (dir) => {
  it.skipIf(!existsSync(path.join(dir, 'manifest.json')))(
    'loads in onnxruntime-node with the contract names, shapes and hashes',
    async () => {
      await checkBundle(dir)
    },
  )
})
