import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CancelledError } from '../../../src/core/errors'
import { loadBundle } from '../../../src/core/models/bundle'
import { reconstructVolume } from '../../../src/core/models/reconstruct'
import {
  cachedModelCount,
  releaseCachedModels,
  setSessionCacheIdleMs,
} from '../../../src/core/models/session-cache'

const TOY = path.join(__dirname, 'fixtures', 'toy-bundle')
const params = {
  shape: [16, 16, 32] as [number, number, number],
  seed: 4,
  steps: 3,
  refine: 1,
  provider: 'cpu' as const,
  threads: 1,
}

describe('ONNX session reuse across reconstructVolume calls', () => {
  afterEach(async () => {
    setSessionCacheIdleMs(60_000)
    delete process.env.MICROLAD_SESSION_CACHE
    await releaseCachedModels()
  })

  it('opens the sessions once for consecutive volumes, with the same result as fresh sessions', async () => {
    await releaseCachedModels()
    const bundle = await loadBundle(TOY)
    const a = await reconstructVolume(bundle, params)
    expect(a.sessionsReused).toBe(false)
    expect(a.timings.load).toBeGreaterThan(0)
    expect(cachedModelCount()).toBe(1)
    const b = await reconstructVolume(bundle, { ...params, seed: 5 })
    expect(b.sessionsReused).toBe(true)
    expect(b.timings.load).toBe(0)
    const c = await reconstructVolume(bundle, params)
    expect(c.sessionsReused).toBe(true)
    expect(c.volume.data).toEqual(a.volume.data)
    process.env.MICROLAD_SESSION_CACHE = '0'
    const fresh = await reconstructVolume(bundle, params)
    expect(fresh.sessionsReused).toBe(false)
    expect(fresh.volume.data).toEqual(a.volume.data)
  })

  it('a cancelled run gives its sessions back; other settings evict them (one idle model at most)', async () => {
    await releaseCachedModels()
    const bundle = await loadBundle(TOY)
    await reconstructVolume(bundle, params)
    const controller = new AbortController()
    const cancelled = reconstructVolume(bundle, params, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'sample' && p.step >= 1) controller.abort()
      },
    })
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError)
    expect(cachedModelCount()).toBe(1)
    const again = await reconstructVolume(bundle, params)
    expect(again.sessionsReused).toBe(true)
    const other = await reconstructVolume(bundle, { ...params, threads: 2 })
    expect(other.sessionsReused).toBe(false)
    expect(cachedModelCount()).toBe(1)
    const back = await reconstructVolume(bundle, params)
    expect(back.sessionsReused).toBe(false) // the threads: 1 sessions were closed
  })

  it('concurrent runs do not share sessions, and idle sessions are closed after the idle time', async () => {
    await releaseCachedModels()
    const bundle = await loadBundle(TOY)
    const [a, b] = await Promise.all([
      reconstructVolume(bundle, params),
      reconstructVolume(bundle, { ...params, seed: 9 }),
    ])
    expect([a.sessionsReused, b.sessionsReused]).toEqual([false, false])
    expect(cachedModelCount()).toBe(1)
    setSessionCacheIdleMs(20)
    await reconstructVolume(bundle, params) // gives its sessions back with the short idle time
    await new Promise((r) => setTimeout(r, 100))
    expect(cachedModelCount()).toBe(0)
  })
})
