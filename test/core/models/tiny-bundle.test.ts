/**
 * Integration with a bundle from the real trainer: `python -m microlad_train.tiny` (seconds of training on
 * synthetic discs). The bundle is built once per trainer version into node_modules/.cache and reused.
 * Skipped, with a message, where Python with torch, onnx and onnxruntime is not available.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadBundle, type ModelBundle } from '../../../src/core/models/bundle'
import { openBundleModel } from '../../../src/core/models/onnx-model'
import { reconstructVolume } from '../../../src/core/models/reconstruct'

const ROOT = path.resolve(__dirname, '..', '..', '..')
const TRAINING = path.join(ROOT, 'training')

function trainerVersion(): string {
  const dir = path.join(TRAINING, 'microlad_train')
  const hash = createHash('sha256')
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .sort())
    hash.update(readFileSync(path.join(dir, f)))
  return hash.digest('hex').slice(0, 12)
}

const python = spawnSync('python3', ['-c', 'import torch, onnx, onnxruntime'], { encoding: 'utf8' })
const hasTrainer = python.status === 0 && existsSync(path.join(TRAINING, 'microlad_train', 'tiny.py'))
if (!hasTrainer)
  console.warn(
    'skipping the tiny-bundle integration test: python3 with torch, onnx and onnxruntime (and training/) not found',
  )

describe.skipIf(!hasTrainer)('integration with the trainer’s tiny bundle', () => {
  let bundle: ModelBundle

  beforeAll(async () => {
    const dir = path.join(ROOT, 'node_modules', '.cache', `microlad-tiny-bundle-${trainerVersion()}`)
    if (!existsSync(path.join(dir, 'manifest.json'))) {
      rmSync(dir, { recursive: true, force: true })
      const run = spawnSync('python3', ['-m', 'microlad_train.tiny', '--out', dir], {
        cwd: TRAINING,
        env: { ...process.env, PYTHONPATH: TRAINING },
        encoding: 'utf8',
      })
      if (run.status !== 0)
        throw new Error(`python -m microlad_train.tiny failed: ${run.stderr.split('\n').slice(-3).join(' ')}`)
    }
    bundle = await loadBundle(dir)
  }, 1_200_000)

  it('passes validation: manifest, hashes and the four graphs’ contracts', async () => {
    expect(bundle.manifest.format).toBe('microlad-bundle')
    const model = await openBundleModel(bundle, {
      provider: 'cpu',
      intraOpNumThreads: 2,
      maxBatch: 16,
      maxBatchPixels: 1 << 18,
    })
    expect(model.provider).toBe('cpu')
    expect(model.factor).toBe(bundle.manifest.latent.factor)
    await model.release()
  })

  it('reconstructs a non-cubic volume, and guidance moves the decoded fractions toward the training ones', async () => {
    const f = bundle.manifest.latent.factor
    const shape: [number, number, number] = [8 * f, 4 * f, 12 * f]
    const common = { shape, seed: 5, steps: 8, refine: 1, provider: 'cpu' as const, threads: 2 }
    const off = await reconstructVolume(bundle, { ...common, statsGuidance: 0 })
    const on = await reconstructVolume(bundle, { ...common, statsGuidance: 1 })
    expect(on.volume.shape).toEqual(shape)
    expect(on.volume.data.length).toBe(shape[0] * shape[1] * shape[2])
    expect(on.volumeFractions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
    const target = bundle.stats.planes.all.phases[1].volumeFraction.mean
    const gap = (r: typeof on) => Math.abs(r.axisFractions.reduce((a, fr) => a + fr[1], 0) / 3 - target)
    expect(gap(on)).toBeLessThan(gap(off))
  })

  it('refuses a shape whose latent planes the U-Net cannot take, with the sizes that work', async () => {
    const f = bundle.manifest.latent.factor
    await expect(reconstructVolume(bundle, { shape: [6 * f, 6 * f, 6 * f], steps: 2 })).rejects.toThrow(
      /cannot denoise latent planes of 6×6 cells .* multiples of/,
    )
  })
})
