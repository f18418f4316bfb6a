/**
 * API fuzzing (issue 22, item 3): property-based requests (fast-check) for every method of the contract —
 * the list comes from apiMethods itself, so a new method is fuzzed without touching this file — through
 * the dispatcher every transport uses: arbitrary values, inputs with the method's own keys but wrong
 * types, huge and non-finite numbers, deep nesting, oversized payloads, unknown method names. The backend
 * must always answer a typed reply (never throw, never hang) and keep working; the size and depth limits
 * hold in the dispatcher and over the web host's WebSocket.
 *
 * MICROLAD_FUZZ_RUNS (default 150) runs per method and generator; MICROLAD_FUZZ_SEED (default 22).
 * Counts go to test-artifacts/api-fuzz.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { z } from 'zod'
import { startWebHost } from '../../src/host/server'
import { MAX_MESSAGE_BYTES, MAX_MESSAGE_DEPTH, type DispatchResult } from '../../src/main/api/dispatch'
import { createBackend, type Backend } from '../../src/main/backend'
import type { JobLauncher } from '../../src/main/jobs/launcher'
import { apiMethods, type MethodName } from '../../src/shared/api'
import { tempDir } from '../helpers'
import { childPids } from './harness'

const RUNS = Number(process.env.MICROLAD_FUZZ_RUNS ?? 150)
const SEED = Number(process.env.MICROLAD_FUZZ_SEED ?? 22)
const ROOT = path.resolve(__dirname, '..', '..')
const METHODS = Object.keys(apiMethods) as MethodName[]
const OPEN_PROJECT = () => path.join(t.dir, 'open-project')

/** Job processes that exit at once without an answer: jobs.start is fuzzed without running anything. */
const silentLauncher: JobLauncher = () => {
  let exit: ((code: number | null) => void) | null = null
  return {
    pid: undefined,
    send: () => setTimeout(() => exit?.(1), 0),
    onMessage: () => {},
    onExit: (l) => (exit = l),
    kill: () => setTimeout(() => exit?.(null), 0),
  }
}

let t: { dir: string; cleanup: () => void }
let b: Backend
const counts: Record<string, { runs: number; ok: number; refused: number; ms: number }> = {}

/** Keys of a method's input object (zod object shapes; none for other inputs). */
function inputKeys(m: MethodName): string[] {
  const schema = apiMethods[m].input as z.ZodType
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape
  return shape ? Object.keys(shape) : []
}

/**
 * File-system paths a fuzzed request names are kept inside the test folder: projects.create and its kin
 * really create folders, and a Python path is really run. Everything else is sent as generated.
 */
const PATH_KEYS = new Set(['dir', 'path', 'pythonPath', 'output', 'input'])
function confine(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) }
  for (const [k, v] of Object.entries(out))
    if (PATH_KEYS.has(k) && typeof v === 'string' && v.length > 0)
      out[k] = path.join(t.dir, 'fuzz', v.replace(/[./\\~:\0]/g, '_').slice(0, 200))
  return out
}

/** Values meant to break validators: wrong types, edge numbers, deep nesting, large strings. */
const nasty = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(
    Number.NaN,
    Infinity,
    -Infinity,
    -0,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    2 ** 53,
    -(2 ** 53),
    1e308,
    2 ** 31,
    -1,
    0,
    '',
    ' ',
    '\0',
    '../../..',
    '__proto__',
    'constructor',
    true,
    null,
    undefined,
    [],
    {},
  ),
  fc.double(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.bigInt(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.nat(200).map((n) => 'x'.repeat(n * 1000)),
  fc.integer({ min: 1, max: 300 }).map((d) => {
    let v: unknown = 1
    for (let i = 0; i < d; i++) v = [v]
    return v
  }),
)

/** An input object with the method's own keys (some), wrong-typed values and sometimes an extra key. */
function shapedInput(m: MethodName) {
  const keys = inputKeys(m)
  const extra = fc.option(fc.tuple(fc.string({ maxLength: 20 }), nasty), { nil: undefined })
  return fc
    .tuple(fc.subarray(keys), fc.array(nasty, { minLength: keys.length, maxLength: keys.length }), extra)
    .map(([chosen, values, more]) => {
      const o: Record<string, unknown> = {}
      chosen.forEach((k) => (o[k] = values[keys.indexOf(k)]))
      if (more) o[more[0]] = more[1]
      return o
    })
}

function expectTyped(r: DispatchResult, what: string): void {
  expect(typeof r, what).toBe('object')
  expect(typeof r.ok, what).toBe('boolean')
  if (!r.ok) {
    expect(typeof r.error.message, what).toBe('string')
    expect(r.error.message.length, what).toBeGreaterThan(0)
    expect(r.error.message.length, what).toBeLessThanOrEqual(1100)
    expect(r.error.message, what).not.toContain('\n')
    expect(typeof r.error.userError, what).toBe('boolean')
  }
}

async function send(m: unknown, input: unknown): Promise<DispatchResult> {
  const key = typeof m === 'string' && m in apiMethods ? m : '(unknown method)'
  const c = (counts[key] ??= { runs: 0, ok: 0, refused: 0, ms: 0 })
  const t0 = performance.now()
  const r = await b.dispatch(m, input)
  c.ms += performance.now() - t0
  c.runs++
  if (r.ok) c.ok++
  else c.refused++
  return r
}

beforeAll(() => {
  t = tempDir('microlad-fuzz-')
  // models.trainer would start Python with PyTorch (seconds) each time it is valid: point it at nothing.
  process.env.MICROLAD_PYTHON = path.join(t.dir, 'no-python')
  b = createBackend({
    userDataDir: path.join(t.dir, 'user'),
    transport: 'in-process',
    launcher: silentLauncher,
    volumeUrl: (id) => `/vox/volumes/${id}`,
  })
})

afterAll(() => {
  b?.app.closeProject()
  mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true })
  writeFileSync(
    path.join(ROOT, 'test-artifacts', 'api-fuzz.json'),
    JSON.stringify({ seed: SEED, runsPerGenerator: RUNS, methods: METHODS.length, counts }, null, 2),
  )
  t?.cleanup()
})

describe('API fuzzing through the dispatcher', () => {
  it('covers every method of the contract', () => {
    expect(METHODS.length).toBeGreaterThan(20)
  })

  for (const [mode, open] of [
    ['no project open', false],
    ['a project open', true],
  ] as const) {
    it(`every method answers malformed and edge-case input with a typed reply (${mode})`, async () => {
      if (open) await b.invoke('projects.create', { dir: OPEN_PROJECT(), name: 'fuzz' })
      for (const m of METHODS) {
        const gens = [nasty, shapedInput(m)]
        for (const [g, gen] of gens.entries()) {
          // Fuzzed projects.close / projects.open calls may have changed the open project: put it back.
          if (open) await b.invoke('projects.open', { dir: OPEN_PROJECT() })
          else b.app.closeProject()
          await fc.assert(
            fc.asyncProperty(gen, async (input) => {
              const r = await send(m, confine(input))
              expectTyped(
                r,
                `${m} ${String(JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)))?.slice(0, 200)}`,
              )
            }),
            { numRuns: RUNS, seed: SEED + g + (open ? 100 : 0) },
          )
        }
        // The backend still works after each method's batch.
        expect((await send('app.info', {})).ok).toBe(true)
      }
      // Fuzzed jobs.start calls ran nothing: no job process was started or left behind.
      expect(childPids()).toEqual([])
    }, 300_000)
  }

  it('jobs.start: every job kind with fuzzed parameters is recorded or refused, typed', async () => {
    const kinds = (apiMethods['jobs.start'].input as unknown as { shape: { kind: z.ZodEnum } }).shape.kind
      .options as string[]
    await b.invoke('projects.open', { dir: OPEN_PROJECT() })
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...kinds),
        fc.dictionary(fc.constantFrom('volumeId', 'size', 'path', 'model', 'targets', 'x'), nasty),
        async (kind, params) => {
          expectTyped(await send('jobs.start', confine({ kind, params })), `${kind}`)
        },
      ),
      { numRuns: RUNS * 4, seed: SEED },
    )
    await b.app.requireRunner().whenIdle()
    expect(childPids()).toEqual([])
  })

  it('refuses unknown methods, typed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything({ maxDepth: 2 }).filter((m) => !(typeof m === 'string' && m in apiMethods)),
        nasty,
        async (m, input) => {
          const r = await send(m, input)
          expect(r.ok).toBe(false)
          if (!r.ok) expect(r.error.message).toMatch(/^unknown API method/)
          expectTyped(r, String(typeof m))
        },
      ),
      { numRuns: RUNS * 10, seed: SEED },
    )
  })

  it('enforces the message size and nesting limits', async () => {
    const big = await send('projects.open', { dir: 'a'.repeat(MAX_MESSAGE_BYTES + 10) })
    expect(big.ok).toBe(false)
    if (!big.ok) expect(big.error.message).toMatch(/larger than 1048576 bytes/)
    const manyKeys = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]))
    const wide = await send('jobs.start', { kind: 'synth', params: manyKeys })
    expect(wide.ok).toBe(false)
    if (!wide.ok) expect(wide.error.message).toMatch(/larger than/)
    let deep: unknown = {}
    for (let i = 0; i < 100_000; i++) deep = { a: deep }
    const nested = await send('jobs.start', { kind: 'synth', params: deep as Record<string, unknown> })
    expect(nested.ok).toBe(false)
    if (!nested.ok)
      expect(nested.error.message).toMatch(new RegExp(`nested deeper than ${MAX_MESSAGE_DEPTH}`))
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect((await send('jobs.start', { kind: 'synth', params: cyclic })).ok).toBe(false)
    // Just under the limit is accepted by the size check (and then validated as usual).
    const under = await send('projects.open', { dir: path.join(t.dir, 'b'.repeat(4000)) })
    expectTyped(under, 'under the limit')
  })
})

describe('API fuzzing over the web host WebSocket', () => {
  it('answers oversized, non-JSON, non-object and fuzzed frames typed and keeps the socket open', async () => {
    const host = await startWebHost(b, { port: 0, rendererDir: path.join(t.dir, 'renderer') })
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin: host.origin })
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const replies: unknown[] = []
    let waiting: (() => void) | null = null
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d)) as { event?: string }
      if (msg.event) return
      replies.push(msg)
      waiting?.()
    })
    const ask = async (frame: string): Promise<{ id: unknown; ok: boolean; error?: { message: string } }> => {
      const n = replies.length
      ws.send(frame)
      while (replies.length === n) await new Promise<void>((r) => (waiting = r))
      return replies[n] as { id: unknown; ok: boolean; error?: { message: string } }
    }
    try {
      const big = await ask(
        JSON.stringify({ id: 1, method: 'app.info', input: { x: 'y'.repeat(MAX_MESSAGE_BYTES) } }),
      )
      expect(big.ok).toBe(false)
      expect(big.error?.message).toMatch(/larger than/)
      for (const frame of ['null', '42', '"app.info"', '[1,2]', '{', '', '{"method":{"a":1}}'])
        expect((await ask(frame)).ok, frame).toBe(false)
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...METHODS), nasty, async (m, input) => {
          const json = JSON.stringify({ id: 7, method: m, input: confine(input) }, (_k, v) =>
            typeof v === 'bigint' ? Number(v) : v,
          )
          const r = await ask(json)
          expect(typeof r.ok).toBe('boolean')
        }),
        { numRuns: RUNS * 4, seed: SEED },
      )
      expect((await ask(JSON.stringify({ id: 9, method: 'app.info', input: {} }))).ok).toBe(true)
      // Far above the limit, the frame is not even read: the socket is closed with 1009 (message too big).
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)))
      ws.send('x'.repeat(4 * MAX_MESSAGE_BYTES + 1))
      expect(await closed).toBe(1009)
    } finally {
      ws.close()
      await host.close()
    }
  }, 120_000)
})
