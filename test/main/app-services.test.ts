/**
 * App services over the real backend (in-process transport, child job processes): job logs kept in the
 * project database, app-level settings used by jobs, the demo project of the first start, and importing
 * model bundles (folder or .zip) into a project.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { zipSync } from 'fflate'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Backend } from '../../src/main/backend'
import { DEMO_FOLDER, readDemoSpec } from '../../src/main/project/demo'
import { Project } from '../../src/main/project/project'
import { jobSettings, parseSettings } from '../../src/main/settings/settings'
import { AppSettings } from '../../src/shared/dto'
import { tempDir } from '../helpers'
import { makeTestBackend, waitForJob } from '../backend-helpers'

const TOY = path.resolve(__dirname, '../core/models/fixtures/toy-bundle')

beforeAll(() => {
  process.env.MICROLAD_ENABLE_TEST_JOBS = '1'
})

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

function setup() {
  const t = tempDir()
  const b = makeTestBackend(t.dir)
  cleanups.push(() => {
    b.app.closeProject()
    t.cleanup()
  })
  return { b, dir: t.dir }
}

describe('job logs in the project database', () => {
  it('stores the lines of a job, serves them after a reopen, and pages with `after`', async () => {
    const { b, dir } = setup()
    const proj = path.join(dir, 'proj')
    await b.invoke('projects.create', { dir: proj, name: 'P' })
    const job = await b.invoke('jobs.start', { kind: 'test', params: { steps: 3, delayMs: 10 } })
    expect((await waitForJob(b, job.id)).status).toBe('succeeded')
    const lines = await b.invoke('jobs.logs', { id: job.id })
    expect(lines.map((l) => l.line)).toEqual(['started test job', 'test job finished', 'succeeded'])
    expect(lines.map((l) => l.seq)).toEqual([0, 1, 2])
    expect(Date.parse(lines[0].time)).not.toBeNaN()
    // a new session (window reload, app restart) reads the same lines from the database
    b.app.closeProject()
    await b.invoke('projects.open', { dir: proj })
    expect((await b.invoke('jobs.logs', { id: job.id })).map((l) => l.line)).toHaveLength(3)
    expect((await b.invoke('jobs.logs', { id: job.id, after: 0 })).map((l) => l.seq)).toEqual([1, 2])
    const missing = await b.dispatch('jobs.logs', { id: 999 })
    expect(missing.ok).toBe(false)
  })

  it('keeps the last 2000 lines of a job and drops them with the job', () => {
    const t = tempDir()
    cleanups.push(t.cleanup)
    const p = Project.create(path.join(t.dir, 'p'), 'P')
    const j = p.insertJob('test', {})
    const other = p.insertJob('test', {})
    p.appendJobLog(other.id, 0, 'other job')
    for (let i = 0; i < 2100; i++) p.appendJobLog(j.id, i, `line ${i}`)
    const lines = p.jobLogs(j.id)
    expect(lines).toHaveLength(2000)
    expect(lines[0]).toMatchObject({ seq: 100, line: 'line 100' })
    expect(lines.at(-1)).toMatchObject({ seq: 2099, line: 'line 2099' })
    expect(p.nextLogSeq(j.id)).toBe(2100)
    p.appendJobLog(j.id, 2100, 'x'.repeat(10_000))
    expect(p.jobLogs(j.id, 2099)[0].line.length).toBeLessThan(4100)
    p.db.prepare('DELETE FROM jobs WHERE id = ?').run(j.id)
    const left = p.db.prepare('SELECT job_id FROM job_logs').all() as { job_id: number }[]
    expect(left).toEqual([{ job_id: other.id }])
    p.close()
  })

  it('a cancelled (killed) job leaves a consistent database with its log', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const job = await b.invoke('jobs.start', { kind: 'test', params: { steps: 200, delayMs: 50 } })
    for (let i = 0; i < 100 && (await b.invoke('jobs.get', { id: job.id })).progress === 0; i++)
      await new Promise((r) => setTimeout(r, 50))
    await b.invoke('jobs.cancel', { id: job.id })
    expect((await waitForJob(b, job.id)).status).toBe('cancelled')
    const lines = (await b.invoke('jobs.logs', { id: job.id })).map((l) => l.line)
    expect(lines[0]).toBe('started test job')
    expect(lines.at(-1)).toBe('cancelled')
    const db = b.app.requireProject().db
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.pragma('foreign_key_check')).toEqual([])
    // a job killed together with the app: the next open marks it failed, its log stays readable
    const p = b.app.requireProject()
    const stale = p.insertJob('test', {})
    p.updateJob(stale.id, { status: 'running' })
    p.appendJobLog(stale.id, 0, 'half-way')
    const proj = p.dir
    b.app.closeProject()
    await b.invoke('projects.open', { dir: proj })
    expect((await b.invoke('jobs.get', { id: stale.id })).status).toBe('failed')
    expect((await b.invoke('jobs.logs', { id: stale.id })).map((l) => l.line)).toEqual(['half-way'])
  })
})

describe('app settings', () => {
  it('has defaults, validates and persists changes in userData/settings.json', async () => {
    const { b, dir } = setup()
    expect(await b.invoke('settings.get', {})).toEqual({ provider: 'auto', threads: 0, pythonPath: '' })
    const s = await b.invoke('settings.set', { provider: 'cpu', threads: 2 })
    expect(s).toEqual({ provider: 'cpu', threads: 2, pythonPath: '' })
    const file = path.join(dir, 'user', 'settings.json')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(s)
    for (const bad of [{ threads: -1 }, { provider: 'tpu' }, { colour: 'red' }, { pythonPath: 'a\nb' }]) {
      const r = await b.dispatch('settings.set', bad)
      expect(r.ok, JSON.stringify(bad)).toBe(false)
    }
    expect(await b.invoke('settings.get', {})).toEqual(s)
    // a second backend on the same userData (app restart) sees them; a bad file gives the defaults
    const again = makeTestBackend(dir)
    expect(await again.invoke('settings.get', {})).toEqual(s)
    writeFileSync(file, '{ not json')
    expect(await again.invoke('settings.get', {})).toEqual(AppSettings.parse({}))
  })

  it('keeps the valid values of a partly invalid file and reads the legacy provider name', () => {
    expect(parseSettings({ provider: 'dml', threads: 'many', pythonPath: '/usr/bin/python3' })).toEqual({
      provider: 'directml',
      threads: 0,
      pythonPath: '/usr/bin/python3',
    })
    expect(parseSettings(null)).toEqual(AppSettings.parse({}))
  })

  it('gives jobs the settings unless their parameters say otherwise', () => {
    const s = AppSettings.parse({ provider: 'directml', threads: 3 })
    expect(jobSettings(s, {})).toEqual({ provider: 'dml', threads: 3 })
    expect(jobSettings(s, { threads: 1, provider: 'cpu' })).toEqual({ provider: 'cpu', threads: 1 })
    expect(jobSettings(AppSettings.parse({}), {})).toEqual({})
  })

  it('the runner passes provider and threads to the job process', async () => {
    const { b, dir } = setup()
    await b.invoke('settings.set', { provider: 'cpu', threads: 2 })
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const job = await b.invoke('jobs.start', { kind: 'test', params: { steps: 1 } })
    await waitForJob(b, job.id)
    const withParams = await b.invoke('jobs.start', { kind: 'test', params: { steps: 1, threads: 1 } })
    await waitForJob(b, withParams.id)
    expect((await b.invoke('jobs.logs', { id: job.id }))[0].line).toBe(
      'started test job (provider cpu, threads 2)',
    )
    expect((await b.invoke('jobs.logs', { id: withParams.id }))[0].line).toBe(
      'started test job (provider cpu, threads 1)',
    )
  })

  it('uses the configured Python for trainer detection and says what to install', async () => {
    const { b } = setup()
    await b.invoke('settings.set', { pythonPath: '/nonexistent/python-for-test' })
    const status = await b.invoke('models.trainer', {})
    expect(status.ok).toBe(false)
    expect(status.error).toMatch(/no Python found \(tried \/nonexistent\/python-for-test\)/)
    expect(status.install).toMatch(/^python3 -m pip install torch==2\.13\.0 .*onnx/)
  })
})

describe('demo project', () => {
  it('is created on the first start with the shipped excerpt, and not again', async () => {
    const { b, dir } = setup()
    const spec = readDemoSpec()
    expect(await b.app.openDemoOnFirstStart()).toBe(true)
    const current = await b.invoke('projects.current', {})
    expect(current).toMatchObject({ name: spec.project, dir: path.join(dir, 'user', DEMO_FOLDER) })
    const [dataset] = await b.invoke('datasets.list', {})
    expect(dataset.name).toBe(spec.dataset.name)
    expect(dataset.images).toHaveLength(1)
    const [vol] = await b.invoke('volumes.list', {})
    expect(vol.shape).toEqual([1, 256, 256])
    expect(vol.phases.map((p) => p.name)).toEqual(['pore', 'solid'])
    const bytes = await b.volumeBytes(vol.id)
    const solid = bytes.reduce((n, v) => n + v, 0) / bytes.length
    expect(solid).toBeGreaterThan(0.7)
    expect(solid).toBeLessThan(0.85)
    // the shipped bundle the demo suggests is there
    expect((await b.invoke('models.list', {})).some((m) => m.id === spec.model && m.ok)).toBe(true)
    // a later start has a recent project: nothing new; projects.demo reopens the same project
    b.app.closeProject()
    expect(await b.app.openDemoOnFirstStart()).toBe(false)
    expect(await b.invoke('projects.current', {})).toBeNull()
    const reopened = await b.invoke('projects.demo', {})
    expect(reopened.counts).toMatchObject({ datasets: 1, volumes: 1 })
  })
})

describe('model import', () => {
  function projectModels(b: Backend): string[] {
    return readdirSync(path.join(b.app.requireProject().dir, 'models'))
  }

  it('imports a bundle folder and a .zip into the project, recorded as imported', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const info = await b.invoke('models.import', { path: TOY })
    expect(info).toMatchObject({ id: 'toy-bundle', source: 'project', ok: true })
    const files: Record<string, Uint8Array> = {}
    for (const f of readdirSync(TOY)) files[`toy/${f}`] = readFileSync(path.join(TOY, f))
    const zip = path.join(dir, 'toy-bundle.zip')
    writeFileSync(zip, zipSync(files))
    const zipped = await b.invoke('models.import', { path: zip })
    expect(zipped).toMatchObject({ id: 'toy-bundle-2', ok: true })
    expect(projectModels(b).sort()).toEqual(['toy-bundle', 'toy-bundle-2'])
    const details = await b.invoke('models.get', { id: 'toy-bundle-2', source: 'project' })
    expect(details.origin).toBe('imported')
    expect(details.manifest).toMatchObject({ format: 'microlad-bundle' })
    expect(details.statistics?.find((s) => s.plane === 'all' && s.phase === 0)).toBeTruthy()
    expect((await b.invoke('projects.current', {}))?.counts.models).toBe(2)
    const shipped = await b.invoke('models.get', { id: 'berea-sandstone', source: 'shipped' })
    expect(shipped.origin).toBeNull()
    expect(shipped.manifest).toHaveProperty('training.dataSource')
  })

  it('refuses a corrupt bundle naming the file and the problem, and leaves nothing behind', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const bad = path.join(dir, 'bad-bundle')
    cpSync(TOY, bad, { recursive: true })
    const enc = readFileSync(path.join(bad, 'encoder.onnx'))
    enc[enc.length - 1] ^= 0xff
    writeFileSync(path.join(bad, 'encoder.onnx'), enc)
    const r = await b.dispatch('models.import', { path: bad })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.userError).toBe(true)
      expect(r.error.message).toMatch(/bad-bundle: encoder\.onnx does not match its sha256/)
    }
    const notZip = path.join(dir, 'broken.zip')
    writeFileSync(notZip, 'PK not really a zip')
    const z = await b.dispatch('models.import', { path: notZip })
    expect(!z.ok && z.error.message).toMatch(/broken\.zip: not a readable zip/)
    const empty = path.join(dir, 'empty.zip')
    writeFileSync(empty, zipSync({ 'readme.txt': new TextEncoder().encode('hi') }))
    const e = await b.dispatch('models.import', { path: empty })
    expect(!e.ok && e.error.message).toMatch(/empty\.zip: no manifest\.json/)
    expect(projectModels(b)).toEqual([])
    expect((await b.invoke('models.list', {})).filter((m) => m.source === 'project')).toEqual([])
    expect(existsSync(path.join(dir, 'proj', 'models'))).toBe(true)
  })
})
