/**
 * The real design job process sends its loss history while it runs: design-job.test.ts checks that the
 * runner forwards history messages (with a scripted job process); this checks that SDS produces them.
 */
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers'
import { makeTestBackend, waitForJob } from '../backend-helpers'

const TOY = path.resolve(__dirname, '..', 'core', 'models', 'fixtures', 'toy-bundle')

beforeAll(() => {
  process.env.MICROLAD_ENABLE_TEST_JOBS = '1'
})

describe('design job: live history from the real job process (toy bundle)', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => cleanups.splice(0).forEach((c) => c()))

  it('emits job.history events as SDS logs them (runSds calls onHistory), defaults kept for unset options', async () => {
    const t = tempDir()
    const b = makeTestBackend(t.dir)
    cleanups.push(() => {
      b.app.closeProject()
      t.cleanup()
    })
    const live: { jobId: number; steps: number[]; keys: string[][] }[] = []
    const unsubscribe = b.events.subscribe((event, payload) => {
      if (event !== 'job.history') return
      const p = payload as { jobId: number; entries: { step: number; losses: Record<string, number> }[] }
      live.push({
        jobId: p.jobId,
        steps: p.entries.map((e) => e.step),
        keys: p.entries.map((e) => Object.keys(e.losses).sort()),
      })
    })
    cleanups.push(unsubscribe)
    await b.invoke('projects.create', { dir: path.join(t.dir, 'proj'), name: 'P' })
    const { id } = await b.invoke('jobs.start', {
      kind: 'design',
      params: { model: TOY, targets: ['vf:pore=0.3', 's2=training'], size: 16, seed: 2, steps: 12 },
    })
    const job = await waitForJob(b, id, 60_000)
    expect(job.status, job.error ?? '').toBe('succeeded')
    // live history: steps 1, 10 and 12, each with both terms
    expect(live.every((e) => e.jobId === id)).toBe(true)
    expect(live.flatMap((e) => e.steps)).toEqual([1, 10, 12])
    for (const keys of live.flatMap((e) => e.keys)) expect(keys).toEqual(['s2', 'vf:0'])
    const vols = await b.invoke('volumes.list', {})
    const designed = vols.find((v) => v.source === 'design')
    expect(designed?.shape).toEqual([16, 16, 16])
    const ms = await b.invoke('measurements.list', { volumeId: designed!.id })
    const m = ms.find((x) => x.kind === 'design')
    expect(m).toBeTruthy()
    const result = m!.result as {
      outcomes: { key: string; before: number; after: number; reached: boolean; note?: string }[]
      sds: { steps: number; batch: number }
    }
    expect(result.outcomes.map((o) => o.key)).toEqual(['vf:0', 's2'])
    for (const o of result.outcomes) if (!o.reached) expect(o.note).toBeTruthy()
    // batch was not given: the default holds
    expect(result.sds).toMatchObject({ steps: 12, batch: 8 })
  }, 90_000)
})
