/**
 * The design job through the backend: its outcomes (targets before/after, reached or why not, the S2 curves
 * aimed at) are recorded as a `design` measurement of the volume it produced, where Results reads them; its
 * loss history reaches clients live as `job.history` events.
 */
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { forkLauncher, type JobLauncher } from '../../src/main/jobs/launcher'
import type { EventPayload } from '../../src/shared/api'
import { tempDir } from '../helpers'
import { JOB_ENTRY, makeTestBackend, waitForJob } from '../backend-helpers'

const TOY_BUNDLE = path.resolve(__dirname, '../core/models/fixtures/toy-bundle')

interface DesignRecord {
  targets: string[]
  outcomes: { key: string; target: number; before: number; after: number; reached: boolean; note?: string }[]
  before: { key: string; value: number }[]
  after: { key: string; value: number }[]
  fractionsAfter: number[]
  s2Target: { phase: number; y: number[]; x: number[] }[] | null
  trainingS2: { phase: number; y: number[]; x: number[] }[]
}

describe('design job', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => cleanups.splice(0).forEach((c) => c()))

  function setup(launcher: JobLauncher = forkLauncher(JOB_ENTRY)) {
    const t = tempDir()
    const b = makeTestBackend(t.dir, { launcher })
    cleanups.push(() => {
      b.app.closeProject()
      t.cleanup()
    })
    return { b, dir: t.dir }
  }

  it('records the outcomes of a toy-bundle design as a measurement of the volume it produced', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    // A start volume and an S2 reference from the project, named by id as the Generate view does.
    const synth = await waitForJob(
      b,
      (
        await b.invoke('jobs.start', {
          kind: 'synth',
          params: { kind: 'spheres', size: 16, vf: 0.4, radius: 3, seed: 2 },
        })
      ).id,
    )
    expect(synth.status, synth.error ?? '').toBe('succeeded')
    const [start] = await b.invoke('volumes.list', {})
    const job = await b.invoke('jobs.start', {
      kind: 'design',
      params: {
        model: TOY_BUNDLE,
        volumeId: start.id,
        targets: ['vf:pore=0.3', `s2=volume:${start.id}`],
        weights: ['s2=2'],
        steps: 4,
        batch: 2,
        seed: 0,
      },
    })
    // The volume reference became the file the job reads (and the run records).
    expect(job.params.targets).toEqual(['vf:pore=0.3', expect.stringMatching(/^s2=.*volumes.*\.npy$/)])
    const done = await waitForJob(b, job.id, 90_000)
    expect(done.status, done.error ?? '').toBe('succeeded')

    const designed = (await b.invoke('volumes.list', {})).find((v) => v.jobId === job.id)!
    expect(designed.source).toBe('design')
    expect(designed.shape).toEqual([16, 16, 16])
    const ms = await b.invoke('measurements.list', { volumeId: designed.id })
    const design = ms.find((m) => m.kind === 'design')
    expect(design, 'a design measurement of the produced volume').toBeDefined()
    const r = design!.result as DesignRecord
    expect(r.outcomes.map((o) => o.key)).toEqual(['vf:0', 's2'])
    expect(r.outcomes[0].target).toBe(0.3)
    expect(r.before.map((m) => m.key)).toEqual(['vf:0', 's2'])
    expect(r.outcomes[0].after).toBeCloseTo(r.fractionsAfter[0], 10)
    for (const o of r.outcomes) if (!o.reached) expect(o.note).toBeTruthy()
    // The S2 aimed at is the start volume's (the mean over its axes, to half the slice size), per phase.
    expect(r.s2Target).toHaveLength(2)
    expect(r.s2Target![0].y).toHaveLength(9)
    expect(r.s2Target![0].y[0]).toBeCloseTo(r.before[0].value, 6)
    expect(r.trainingS2).toHaveLength(2)
    expect(r.targets[1]).toMatch(/^s2=.*\.npy$/)
    // The job's own result keeps the loss history for its details.
    const result = done.result as { history: { step: number; losses: Record<string, number> }[] }
    expect(result.history.at(-1)!.step).toBe(4)
    expect(Object.keys(result.history[0].losses).sort()).toEqual(['s2', 'vf:0'])
  }, 120_000)

  it('forwards history messages of the job process to clients as job.history events', async () => {
    const entries = [
      { step: 1, seconds: 0.1, losses: { 'vf:0': 0.5 }, measures: { 'vf:0': 0.4 } },
      { step: 10, seconds: 0.9, losses: { 'vf:0': 0.1 }, measures: { 'vf:0': 0.32 } },
    ]
    // A job process that logs two history entries (one malformed message in between), then finishes.
    const launcher: JobLauncher = () => {
      let onMessage: (m: unknown) => void = () => {}
      let onExit: (c: number | null) => void = () => {}
      return {
        pid: 1,
        send: () =>
          setTimeout(() => {
            onMessage({ type: 'history', entries: [entries[0]] })
            onMessage({ type: 'history', entries: [{ step: 'x' }] })
            onMessage({ type: 'history', entries: [entries[1]] })
            onMessage({ type: 'done', outcome: { result: {} } })
            onExit(0)
          }, 10),
        onMessage: (l) => (onMessage = l),
        onExit: (l) => (onExit = l),
        kill: () => {},
      }
    }
    const { b, dir } = setup(launcher)
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const got: EventPayload<'job.history'>[] = []
    b.events.subscribe((e, p) => e === 'job.history' && got.push(p as EventPayload<'job.history'>))
    const job = await b.invoke('jobs.start', { kind: 'design', params: { model: 'x', targets: [] } })
    expect((await waitForJob(b, job.id, 5000)).status).toBe('succeeded')
    expect(got).toEqual([
      { jobId: job.id, entries: [entries[0]] },
      { jobId: job.id, entries: [entries[1]] },
    ])
  })
})
