import { createHash } from 'node:crypto'
import { copyFileSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { zipSync } from 'fflate'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserError } from '../../../src/core/errors'
import { discoverBundles, loadBundle, resolveBundle, sha256File } from '../../../src/core/models/bundle'
import { openBundleModel } from '../../../src/core/models/onnx-model'
import { availableProviders, providerCandidates } from '../../../src/core/models/providers'
import { reconstructVolume } from '../../../src/core/models/reconstruct'
import { tempDir } from '../../helpers'

const TOY = path.join(__dirname, 'fixtures', 'toy-bundle')
const settings = { provider: 'cpu' as const, intraOpNumThreads: 1, maxBatch: 8, maxBatchPixels: 1 << 16 }

describe('model bundles', () => {
  let tmp: { dir: string; cleanup: () => void }
  /** A copy of the toy bundle under tmp/models/NAME, changed by `edit`. */
  const variant = (name: string, edit: (dir: string) => void = () => {}) => {
    const dir = path.join(tmp.dir, 'models', name)
    cpSync(TOY, dir, { recursive: true })
    edit(dir)
    return dir
  }
  const rewriteManifest = (dir: string, edit: (m: Record<string, unknown>) => void) => {
    const file = path.join(dir, 'manifest.json')
    const m = JSON.parse(readFileSync(file, 'utf8'))
    edit(m)
    writeFileSync(file, JSON.stringify(m))
  }

  beforeAll(() => {
    tmp = tempDir()
  })
  afterAll(() => tmp.cleanup())

  it('loads a valid bundle with its manifest, statistics and identity hash', async () => {
    const b = await loadBundle(TOY)
    expect(b.id).toBe('toy-bundle')
    expect(b.manifest.latent).toEqual({ channels: 2, size: 4, factor: 4 })
    expect(b.stats.planes.all.phases[0].volumeFraction.mean).toBe(0.3)
    expect(b.manifestSha256).toBe(await sha256File(path.join(TOY, 'manifest.json')))
  })

  it('refuses a missing file, a changed file and a bad manifest with one clear line each', async () => {
    const missing = variant('missing', (d) => rmSync(path.join(d, 'decoder_vjp.onnx')))
    await expect(loadBundle(missing)).rejects.toThrow(/^bundle missing: decoder_vjp.onnx is missing$/)
    const changed = variant('changed', (d) =>
      copyFileSync(path.join(d, 'encoder.onnx'), path.join(d, 'decoder.onnx')),
    )
    await expect(loadBundle(changed)).rejects.toThrow(/decoder.onnx does not match its sha256/)
    const format = variant('format', (d) => rewriteManifest(d, (m) => (m.format = 'something-else')))
    await expect(loadBundle(format)).rejects.toThrow(/invalid bundle manifest: format/)
    const noVjp = variant('no-vjp-listed', (d) =>
      rewriteManifest(d, (m) => delete (m.files as Record<string, string>)['decoder_vjp.onnx']),
    )
    await expect(loadBundle(noVjp)).rejects.toThrow(/files lacks decoder_vjp.onnx/)
    const sizes = variant('sizes', (d) => rewriteManifest(d, (m) => (m.imageSize = 32)))
    await expect(loadBundle(sizes)).rejects.toThrow(/imageSize 32 is not latent.size × latent.factor/)
    for (const dir of [missing, changed, format]) {
      const err = await loadBundle(dir).catch((e) => e)
      expect(err).toBeInstanceOf(UserError)
      expect(err.message).not.toContain('\n')
    }
  })

  it('refuses a graph whose inputs or outputs are not the contract, when the sessions open', async () => {
    const wrong = variant('wrong-names', (d) => {
      copyFileSync(path.join(d, 'decoder_wrong_names.onnx'), path.join(d, 'decoder.onnx'))
      const hash = createHash('sha256')
        .update(readFileSync(path.join(d, 'decoder.onnx')))
        .digest('hex')
      rewriteManifest(d, (m) => ((m.files as Record<string, string>)['decoder.onnx'] = hash))
    })
    const bundle = await loadBundle(wrong) // hashes are consistent, so the manifest level passes
    await expect(openBundleModel(bundle, settings)).rejects.toThrow(
      /^bundle wrong-names: decoder.onnx has outputs \[probs\], expected \[y float32\[rank 4\]\]$/,
    )
  })

  it('discovers bundles in a folder, reporting refused ones with their reason, and resolves ids', async () => {
    variant('good')
    const found = await discoverBundles({ projectDir: tmp.dir, shippedDir: path.join(tmp.dir, 'none') })
    const byId = Object.fromEntries(found.map((f) => [f.id, f]))
    expect(byId.good.ok).toBe(true)
    expect(byId.good.source).toBe('project')
    expect(byId.missing.ok).toBe(false)
    expect(byId.missing.ok === false && byId.missing.error).toMatch(/decoder_vjp.onnx is missing/)
    const b = await resolveBundle('good', { projectDir: tmp.dir, shippedDir: path.join(tmp.dir, 'none') })
    expect(b.source).toBe('project')
    await expect(
      resolveBundle('nope', { projectDir: tmp.dir, shippedDir: path.join(tmp.dir, 'none') }),
    ).rejects.toThrow(/no model bundle 'nope' \(known: .*good/)
    expect((await resolveBundle(TOY)).source).toBe('path')
  })
})

describe('zipped bundles', () => {
  it('load from a .zip (manifest at the root or in one folder), unpacked once into the cache', async () => {
    const tmp = tempDir()
    try {
      const files: Record<string, Uint8Array> = {}
      for (const f of readdirSync(TOY)) files[`toy/${f}`] = new Uint8Array(readFileSync(path.join(TOY, f)))
      const zip = path.join(tmp.dir, 'zipped-toy.zip')
      writeFileSync(zip, zipSync(files))
      process.env.MICROLAD_CACHE_DIR = path.join(tmp.dir, 'cache')
      const b = await loadBundle(zip)
      expect(b.id).toBe('zipped-toy')
      expect(b.manifest.name).toBe('toy')
      expect(b.dir.startsWith(path.join(tmp.dir, 'cache'))).toBe(true)
      const found = await discoverBundles({ projectDir: tmp.dir, shippedDir: path.join(tmp.dir, 'none') })
      expect(found.map((f) => [f.id, f.ok])).toEqual([['zipped-toy', true]])
      writeFileSync(path.join(tmp.dir, 'broken.zip'), 'not a zip')
      await expect(loadBundle(path.join(tmp.dir, 'broken.zip'))).rejects.toThrow(
        /broken.zip: not a readable zip/,
      )
    } finally {
      delete process.env.MICROLAD_CACHE_DIR
      tmp.cleanup()
    }
  })
})

describe('ONNX Runtime sessions', () => {
  it('auto tries the providers of this build and always ends with the CPU', () => {
    const auto = providerCandidates('auto')
    expect(auto.at(-1)).toBe('cpu')
    expect(auto).not.toContain('dml') // not compiled into the Linux build
    expect(() => providerCandidates('coreml')).toThrow(/not part of this ONNX Runtime build/)
  })

  it('reconstructs through the toy graphs, reports the provider and is reproducible', async () => {
    const bundle = await loadBundle(TOY)
    const params = {
      shape: [16, 32, 48] as [number, number, number],
      seed: 3,
      steps: 4,
      refine: 1,
      threads: 1,
    }
    const a = await reconstructVolume(bundle, { ...params, provider: 'auto' })
    // on this machine CUDA is compiled in but its libraries are not installed: auto falls back to the CPU
    expect(availableProviders()).toContain(a.provider)
    if (a.provider === 'cpu' && availableProviders().includes('cuda'))
      expect(a.providerFallbacks.join()).toMatch(/cuda/)
    expect(a.volume.shape).toEqual([16, 32, 48])
    expect(a.volume.phases?.map((p) => p.name)).toEqual(['pore', 'solid'])
    expect(a.parameters).toMatchObject({ sampler: 'ddim', steps: 4, seed: 3, refine: 1 })
    expect(a.volumeFractions[0] + a.volumeFractions[1]).toBeCloseTo(1, 9)
    expect(a.timings.total).toBeGreaterThan(0)
    const b = await reconstructVolume(bundle, { ...params, provider: 'cpu' })
    expect(b.volume.data).toEqual(a.volume.data)
  })

  it('volume-fraction guidance through decoder_vjp.onnx brings the decoded fraction to the training one', async () => {
    const bundle = await loadBundle(TOY) // stats say pore 0.3
    const params = {
      shape: [16, 16, 16] as [number, number, number],
      seed: 1,
      steps: 10,
      refine: 0,
      guidanceEvery: 1,
      s2Weight: 0,
      fractions: 'training' as const, // the default draws each volume's own target around 0.3
      provider: 'cpu' as const,
    }
    const off = await reconstructVolume(bundle, { ...params, statsGuidance: 0 })
    const on = await reconstructVolume(bundle, { ...params, statsGuidance: 1 })
    const errOff = Math.abs(off.axisFractions[0][0] - 0.3)
    const errOn = Math.abs(on.axisFractions[0][0] - 0.3)
    expect(errOn).toBeLessThan(errOff)
    expect(errOn).toBeLessThan(0.03)
  })
})
