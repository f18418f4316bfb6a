/**
 * Reuse of a bundle's ONNX sessions across `reconstructVolume` calls. Opening the four sessions costs
 * 0.1–2 s (graph optimisation; more on GPU providers), which a job making many volumes, the design loop or
 * a benchmark would otherwise pay on every call.
 *
 * The cache holds at most `MAX_IDLE` idle models (one bundle's four sessions, tens of MB with ORT's arenas);
 * an idle model is closed after `idleMs` without use, so a long-lived job process does not keep them. A
 * model is lent to one run at a time: a second run that wants the same sessions while they are busy opens
 * its own, which is closed when that run ends. Keys: bundle folder, manifest hash (which covers every
 * file's hash), provider choice and thread count; batch limits are not session settings and are applied to
 * the lent model. `MICROLAD_SESSION_CACHE=0` turns the cache off.
 */
import type { ModelBundle } from './bundle'
import { openBundleModel, type ModelSettings, type OpenedModel } from './onnx-model'

export interface LentModel {
  model: OpenedModel
  /** True when the sessions were opened by an earlier run. */
  reused: boolean
  /** Latent plane sizes ("h×w") this model's denoiser is known to take (filled by the caller). */
  probed: Set<string>
  /** Give the model back: to the cache when it came from there, else close its sessions. */
  release(): Promise<void>
}

interface Entry {
  key: string
  model: OpenedModel
  probed: Set<string>
  busy: boolean
  timer?: ReturnType<typeof setTimeout>
}

const MAX_IDLE = 1
let idleMs = 60_000
const entries = new Map<string, Entry>()

function cacheEnabled(): boolean {
  return process.env.MICROLAD_SESSION_CACHE !== '0'
}

function keyOf(bundle: ModelBundle, settings: ModelSettings): string {
  return [bundle.dir, bundle.manifestSha256, settings.provider, settings.intraOpNumThreads ?? 0].join('|')
}

function withBatches(model: OpenedModel, settings: ModelSettings): OpenedModel {
  return { ...model, maxBatch: settings.maxBatch, maxBatchPixels: settings.maxBatchPixels }
}

async function close(entry: Entry): Promise<void> {
  if (entry.timer) clearTimeout(entry.timer)
  entries.delete(entry.key)
  await entry.model.release()
}

/** Close idle models until at most `keep` remain (oldest first). */
async function evictIdle(keep: number): Promise<void> {
  const idle = [...entries.values()].filter((e) => !e.busy)
  for (const e of idle.slice(0, Math.max(0, idle.length - keep))) await close(e)
}

/** Lend the sessions of `bundle` opened with `settings`: cached ones when idle, else freshly opened ones. */
export async function acquireBundleModel(bundle: ModelBundle, settings: ModelSettings): Promise<LentModel> {
  if (!cacheEnabled()) {
    const model = await openBundleModel(bundle, settings)
    return { model, reused: false, probed: new Set(), release: () => model.release() }
  }
  const key = keyOf(bundle, settings)
  const cached = entries.get(key)
  if (cached && !cached.busy) {
    if (cached.timer) clearTimeout(cached.timer)
    cached.timer = undefined
    cached.busy = true
    return {
      model: { ...withBatches(cached.model, settings), loadSeconds: 0 },
      reused: true,
      probed: cached.probed,
      release: async () => giveBack(cached),
    }
  }
  const model = await openBundleModel(bundle, settings)
  if (entries.has(key)) {
    // The cached sessions are busy with another run (or another run opened them meanwhile): these are private.
    return { model, reused: false, probed: new Set(), release: () => model.release() }
  }
  await evictIdle(MAX_IDLE - 1)
  const entry: Entry = { key, model, probed: new Set(), busy: true }
  entries.set(key, entry)
  return {
    model: withBatches(model, settings),
    reused: false,
    probed: entry.probed,
    release: async () => giveBack(entry),
  }
}

async function giveBack(entry: Entry): Promise<void> {
  if (!entry.busy) return
  entry.busy = false
  if (entries.get(entry.key) !== entry) {
    await entry.model.release()
    return
  }
  // Most recently used last, so that eviction closes the others first.
  entries.delete(entry.key)
  entries.set(entry.key, entry)
  await evictIdle(MAX_IDLE)
  if (!entries.has(entry.key)) return
  entry.timer = setTimeout(() => void close(entry).catch(() => {}), idleMs)
  // An idle cache must not keep a CLI process alive.
  entry.timer.unref?.()
}

/** Close every idle cached model; busy ones are closed when their run gives them back. */
export async function releaseCachedModels(): Promise<void> {
  for (const e of [...entries.values()]) {
    if (e.busy) entries.delete(e.key)
    else await close(e)
  }
}

/** Number of cached models (idle or lent), for tests and diagnostics. */
export function cachedModelCount(): number {
  return entries.size
}

/** Set the idle time after which a cached model is closed (tests; the app keeps the default). */
export function setSessionCacheIdleMs(ms: number): void {
  idleMs = ms
}
