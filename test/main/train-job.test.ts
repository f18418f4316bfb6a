/**
 * The `train` job end to end: the Python trainer (tiny preset, a few steps) on the demo project's dataset,
 * the bundle registered as a trained project model, progress and loss in the job's log. Skipped, saying
 * why, when no Python with torch is available; the missing-Python path is tested always.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { findPython } from '../../src/core/models/python'
import { type Backend } from '../../src/main/backend'
import type { JobInfo } from '../../src/shared/dto'
import { tempDir } from '../helpers'
import { makeTestBackend, waitForJob } from '../backend-helpers'

let torchMissing: string | null = null
beforeAll(async () => {
  try {
    await findPython()
  } catch (err) {
    torchMissing = (err as Error).message
  }
})

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

async function demoBackend(): Promise<{ b: Backend; datasetId: number }> {
  const t = tempDir()
  const b = makeTestBackend(t.dir)
  cleanups.push(() => {
    b.app.closeProject()
    t.cleanup()
  })
  expect(await b.app.openDemoOnFirstStart()).toBe(true)
  const [dataset] = await b.invoke('datasets.list', {})
  return { b, datasetId: dataset.id }
}

describe('train job', () => {
  it('says what to install when the configured Python does not exist', async () => {
    const { b, datasetId } = await demoBackend()
    await b.invoke('settings.set', { pythonPath: '/nonexistent/python-for-test' })
    const job = await b.invoke('jobs.start', { kind: 'train', params: { datasetId, preset: 'tiny' } })
    const done = await waitForJob(b, job.id, 30_000)
    expect(done.status).toBe('failed')
    expect(done.error).toMatch(/no Python found \(tried \/nonexistent\/python-for-test\).*pip install torch/)
    const models = readdirSync(path.join(b.app.requireProject().dir, 'models'))
    expect(models).toEqual([])
  })

  it('trains a tiny bundle on a project dataset and registers it as a trained model', async (t) => {
    if (torchMissing) {
      t.skip()
      return
    }
    const { b, datasetId } = await demoBackend()
    const job = await b.invoke('jobs.start', {
      kind: 'train',
      params: { datasetId, preset: 'tiny', steps: 6, name: 'tiny demo' },
    })
    const progress: number[] = []
    b.events.subscribe((e, p) => {
      if (e === 'job' && (p as JobInfo).id === job.id) progress.push((p as JobInfo).progress)
    })
    const done = await waitForJob(b, job.id, 300_000)
    expect(done.status, done.error ?? '').toBe('succeeded')
    expect(done.result).toMatchObject({ bundle: 'tiny-demo', modelIds: [1] })
    expect(progress.some((f) => f > 0.02 && f < 1)).toBe(true)
    const log = (await b.invoke('jobs.logs', { id: job.id })).map((l) => l.line)
    expect(log.some((l) => /^(vae|denoiser) step \d+\/\d+ loss \d/.test(l))).toBe(true)
    expect(log.some((l) => /torch 2\./.test(l))).toBe(true)
    const model = (await b.invoke('models.list', {})).find((m) => m.id === 'tiny-demo')
    expect(model).toMatchObject({ source: 'project', ok: true })
    const details = await b.invoke('models.get', { id: 'tiny-demo', source: 'project' })
    expect(details.origin).toBe('trained')
    expect(details.manifest).toHaveProperty('training.datasetHash')
    const left = readdirSync(path.join(b.app.requireProject().dir, 'models'))
    expect(left).toEqual(['tiny-demo'])
    expect(existsSync(path.join(b.app.requireProject().dir, 'models', 'tiny-demo', 'manifest.json'))).toBe(
      true,
    )
  }, 320_000)

  it('cancelling stops the trainer and removes its working folder', async (t) => {
    if (torchMissing || process.platform === 'win32') {
      t.skip()
      return
    }
    const { b, datasetId } = await demoBackend()
    const job = await b.invoke('jobs.start', {
      kind: 'train',
      params: { datasetId, preset: 'tiny', steps: 100_000 },
    })
    const work = path.join(b.app.requireProject().dir, 'models', `.train-job${job.id}`)
    for (let i = 0; i < 600 && (await b.invoke('jobs.get', { id: job.id })).progress <= 0.02; i++)
      await new Promise((r) => setTimeout(r, 100))
    expect(existsSync(work)).toBe(true)
    await b.invoke('jobs.cancel', { id: job.id })
    expect((await waitForJob(b, job.id, 30_000)).status).toBe('cancelled')
    // the trainer notices its parent is gone (stdin closed) and exits
    let running = true
    for (let i = 0; i < 50 && running; i++) {
      await new Promise((r) => setTimeout(r, 200))
      running = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(work)
    }
    expect(running).toBe(false)
    await new Promise((r) => setTimeout(r, 300))
    b.app.closeProject()
    await b.invoke('projects.demo', {})
    expect(existsSync(work)).toBe(false)
  }, 120_000)
})
