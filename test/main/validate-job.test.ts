/**
 * The validate job through the backend: typed parameters checked at jobs.start, the run in a job process,
 * the report stored in the validations table with the model and listed by validations.list.
 */
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { forkLauncher } from '../../src/main/jobs/launcher'
import type { ValidationReport } from '../../src/shared/validation'
import { tempDir } from '../helpers'
import { JOB_ENTRY, makeTestBackend, waitForJob } from '../backend-helpers'

describe('validate job', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => cleanups.splice(0).forEach((c) => c()))

  it('validates the shipped Berea bundle against a project volume and stores the report with the model', async () => {
    const t = tempDir()
    const b = makeTestBackend(t.dir, { launcher: forkLauncher(JOB_ENTRY) })
    cleanups.push(() => {
      b.app.closeProject()
      t.cleanup()
    })
    await b.invoke('projects.create', { dir: path.join(t.dir, 'proj'), name: 'P' })
    const synth = await waitForJob(
      b,
      (await b.invoke('jobs.start', { kind: 'synth', params: { kind: 'grf', size: 32, vf: 0.8, seed: 3 } }))
        .id,
    )
    expect(synth.status, synth.error ?? '').toBe('succeeded')
    const [ref] = await b.invoke('volumes.list', {})

    // Typed parameters: refused at the door with one line, before any process starts.
    await expect(
      b.invoke('jobs.start', {
        kind: 'validate',
        params: { model: 'berea-sandstone', referenceVolumeId: ref.id, count: 1 },
      }),
    ).rejects.toThrow(/count/)
    await expect(
      b.invoke('jobs.start', { kind: 'validate', params: { model: 'berea-sandstone' } }),
    ).rejects.toThrow(/referenceVolumeId/)
    await expect(
      b.invoke('jobs.start', {
        kind: 'validate',
        params: { model: 'berea-sandstone', referenceVolumeId: 999 },
      }),
    ).rejects.toThrow(/999/)

    const started = await b.invoke('jobs.start', {
      kind: 'validate',
      params: {
        model: 'berea-sandstone',
        modelSource: 'shipped',
        referenceVolumeId: ref.id,
        region: [8, 32],
        size: 16,
        count: 2,
        draws: 3,
        seed: 1,
      },
    })
    expect(started.params).toMatchObject({ size: 16, count: 2, draws: 3 })
    const done = await waitForJob(b, started.id, 60_000)
    expect(done.status, done.error ?? '').toBe('succeeded')
    expect((done.result as { validationIds: number[] }).validationIds).toHaveLength(1)

    const list = await b.invoke('validations.list', { modelId: 'berea-sandstone' })
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ modelId: 'berea-sandstone', modelSource: 'shipped', jobId: started.id })
    expect(list[0].modelSha256).toMatch(/^[0-9a-f]{64}$/)
    const report = list[0].report as ValidationReport
    expect(report.reference.region).toEqual([8, 32])
    expect(report.reference.name).toBe(`project volume ${ref.id}`)
    expect(report.rows.filter((r) => r.key === 'vf')).toHaveLength(2)
    expect(report.settings.generatedSeeds).toEqual([1, 2])
    expect(await b.invoke('validations.list', { modelId: 'berea-sandstone', source: 'project' })).toEqual([])
    expect(await b.invoke('validations.list', { modelId: 'other' })).toEqual([])
  }, 90_000)
})
