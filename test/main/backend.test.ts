import path from 'node:path'
import { readFileSync, writeFileSync } from 'node:fs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { schemaVersion } from '../../src/main/db/database'
import { MIGRATIONS } from '../../src/main/db/migrations'
import { Project } from '../../src/main/project/project'
import { encodeNpy, parseNpy } from '../../src/core/io/npy'
import { makeVolume } from '../../src/core/volume/volume'
import type { JobInfo } from '../../src/shared/dto'
import { tempDir } from '../helpers'
import { makeTestBackend, waitForJob } from '../backend-helpers'

beforeAll(() => {
  process.env.MICROLAD_ENABLE_TEST_JOBS = '1'
})

describe('project database', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => cleanups.splice(0).forEach((c) => c()))

  it('creates the schema by user_version in WAL mode and reopens', () => {
    const t = tempDir()
    cleanups.push(t.cleanup)
    const p = Project.create(path.join(t.dir, 'p'), 'Test')
    expect(schemaVersion(p.db)).toBe(MIGRATIONS.length)
    expect(p.db.pragma('journal_mode', { simple: true })).toBe('wal')
    const tables = (
      p.db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]
    ).map((r) => r.name)
    for (const t of ['project', 'datasets', 'images', 'models', 'runs', 'volumes', 'measurements', 'jobs'])
      expect(tables).toContain(t)
    p.close()
    const q = Project.open(path.join(t.dir, 'p'))
    expect(q.summary().name).toBe('Test')
    q.close()
  })

  it('marks jobs left running by a killed session as failed on open', () => {
    const t = tempDir()
    cleanups.push(t.cleanup)
    const p = Project.create(t.dir + '/p', 'Test')
    const j = p.insertJob('test', {})
    p.updateJob(j.id, { status: 'running' })
    p.close()
    const q = Project.open(t.dir + '/p')
    const after = q.getJob(j.id)
    expect(after.status).toBe('failed')
    expect(after.error).toMatch(/interrupted/)
    q.close()
  })

  it('refuses a folder that is not a project with one line', () => {
    const t = tempDir()
    cleanups.push(t.cleanup)
    expect(() => Project.open(t.dir)).toThrow(/not a MicroLad project/)
  })
})

describe('API and job runner (in-process transport, child job processes)', () => {
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

  it('validates method names and inputs', async () => {
    const { b } = setup()
    expect((await b.dispatch('no.such', {})).ok).toBe(false)
    const bad = await b.dispatch('projects.create', { dir: 42 })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.message).toMatch(/invalid input for projects.create/)
    const noProject = await b.dispatch('volumes.list', {})
    expect(noProject.ok).toBe(false)
    if (!noProject.ok)
      expect(noProject.error).toEqual({
        message: expect.stringMatching(/no project is open/),
        userError: true,
      })
  })

  it('runs a job in a separate process with progress events and records it', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const events: JobInfo[] = []
    b.events.subscribe((e, p) => e === 'job' && events.push(p as JobInfo))
    const job = await b.invoke('jobs.start', { kind: 'test', params: { steps: 5, delayMs: 30 } })
    const done = await waitForJob(b, job.id)
    expect(done.status).toBe('succeeded')
    expect((done.result as { pid: number }).pid).not.toBe(process.pid)
    expect(events.some((e) => e.status === 'running' && e.progress > 0 && e.progress < 1)).toBe(true)
    expect(done.startedAt).not.toBeNull()
    expect(done.finishedAt).not.toBeNull()
  })

  it('cancels a running job and keeps working', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const job = await b.invoke('jobs.start', { kind: 'test', params: { steps: 200, delayMs: 50 } })
    for (let i = 0; i < 100 && (await b.invoke('jobs.get', { id: job.id })).progress === 0; i++)
      await new Promise((r) => setTimeout(r, 50))
    await b.invoke('jobs.cancel', { id: job.id })
    expect((await waitForJob(b, job.id)).status).toBe('cancelled')
    const next = await b.invoke('jobs.start', { kind: 'test', params: { steps: 2 } })
    expect((await waitForJob(b, next.id)).status).toBe('succeeded')
  })

  it('marks a crashed job process failed and a failing job with its message', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const crash = await b.invoke('jobs.start', { kind: 'test', params: { mode: 'crash' } })
    const fail = await b.invoke('jobs.start', { kind: 'test', params: { mode: 'fail' } })
    const c = await waitForJob(b, crash.id)
    expect(c.status).toBe('failed')
    expect(c.error).toMatch(/stopped unexpectedly \(exit code 3\)/)
    const f = await waitForJob(b, fail.id)
    expect(f.status).toBe('failed')
    expect(f.error).toBe('the test job failed on purpose')
    expect((await b.invoke('app.info', {})).project).toContain('proj')
  })

  it('imports a volume file through a job and serves its bytes', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const vol = makeVolume(
      [2, 3, 4],
      Uint8Array.from({ length: 24 }, (_, i) => i % 3),
    )
    const file = path.join(dir, 'in.npy')
    writeFileSync(file, Buffer.concat(encodeNpy(vol)))
    const ds = await b.invoke('datasets.create', { name: 'D', anisotropic: false })
    const job = await b.invoke('jobs.start', {
      kind: 'import',
      params: { path: file, datasetId: ds.id, plane: 'xy' },
    })
    const done = await waitForJob(b, job.id)
    expect(done.status, done.error ?? '').toBe('succeeded')
    const vols = await b.invoke('volumes.list', {})
    expect(vols).toHaveLength(1)
    expect(vols[0].shape).toEqual([2, 3, 4])
    expect(vols[0].phases).toHaveLength(3)
    expect(vols[0].url).toBe(`/vox/volumes/${vols[0].id}`)
    expect(Array.from(await b.volumeBytes(vols[0].id))).toEqual(Array.from(vol.data))
    const [dataset] = await b.invoke('datasets.list', {})
    expect(dataset.images).toEqual([expect.objectContaining({ volumeId: vols[0].id, plane: 'xy' })])
  })

  it('a failed import leaves no volume and says which file', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const job = await b.invoke('jobs.start', {
      kind: 'import',
      params: { path: path.join(dir, 'missing.npy') },
    })
    const done = await waitForJob(b, job.id)
    expect(done.status).toBe('failed')
    expect(done.error).toMatch(/missing\.npy: no such file/)
    expect(await b.invoke('volumes.list', {})).toHaveLength(0)
  })

  it('lists the file formats and exports a project volume by id through a convert job', async () => {
    const { b, dir } = setup()
    const formats = await b.invoke('io.formats', {})
    expect(formats.find((f) => f.id === 'vti')).toMatchObject({ extensions: ['.vti'], write: true })
    expect(formats.find((f) => f.id === 'inp')).toMatchObject({ read: false, write: true })
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    const vol = makeVolume(
      [2, 3, 4],
      Uint8Array.from({ length: 24 }, (_, i) => i % 2),
    )
    const file = path.join(dir, 'in.npy')
    writeFileSync(file, Buffer.concat(encodeNpy(vol)))
    const imported = await waitForJob(
      b,
      (await b.invoke('jobs.start', { kind: 'import', params: { path: file } })).id,
    )
    expect(imported.status, imported.error ?? '').toBe('succeeded')
    const [v] = await b.invoke('volumes.list', {})
    const output = path.join(dir, 'out', 'exported.npy')
    const job = await b.invoke('jobs.start', { kind: 'convert', params: { volumeId: v.id, output } })
    const done = await waitForJob(b, job.id)
    expect(done.status, done.error ?? '').toBe('succeeded')
    expect(Array.from(parseNpy(readFileSync(output), output).data)).toEqual(Array.from(vol.data))
    const missing = await b
      .invoke('jobs.start', { kind: 'convert', params: { volumeId: 9999, output } })
      .catch((e: Error) => e)
    expect(missing).toBeInstanceOf(Error)
  })
})

describe('science jobs through the runner', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => cleanups.splice(0).forEach((c) => c()))

  it('synthesises a volume, then measures its descriptors and diffusivity into the project', async () => {
    const t = tempDir()
    const b = makeTestBackend(t.dir)
    cleanups.push(() => {
      b.app.closeProject()
      t.cleanup()
    })
    await b.invoke('projects.create', { dir: path.join(t.dir, 'proj'), name: 'P' })
    const synth = await waitForJob(
      b,
      (
        await b.invoke('jobs.start', {
          kind: 'synth',
          params: { kind: 'spheres', size: 24, vf: 0.4, radius: 3, seed: 5 },
        })
      ).id,
    )
    expect(synth.status, synth.error ?? '').toBe('succeeded')
    const [vol] = await b.invoke('volumes.list', {})
    expect(vol.shape).toEqual([24, 24, 24])
    expect(vol.source).toBe('synth')
    const d = await waitForJob(
      b,
      (await b.invoke('jobs.start', { kind: 'describe', params: { volumeId: vol.id } })).id,
    )
    expect(d.status, d.error ?? '').toBe('succeeded')
    const p = await waitForJob(
      b,
      (await b.invoke('jobs.start', { kind: 'property', params: { volumeId: vol.id, phase: 0, axis: 'z' } }))
        .id,
    )
    expect(p.status, p.error ?? '').toBe('succeeded')
    const ms = await b.invoke('measurements.list', { volumeId: vol.id })
    expect(ms.map((m) => m.kind).sort()).toEqual(['describe', 'property'])
    const prop = ms.find((m) => m.kind === 'property')!.result as {
      relativeDiffusivity: number
      percolating: boolean
    }
    expect(prop.percolating).toBe(true)
    expect(prop.relativeDiffusivity).toBeGreaterThan(0)
    expect(prop.relativeDiffusivity).toBeLessThan(1)
    await expect(b.invoke('jobs.start', { kind: 'describe', params: { volumeId: 999 } })).rejects.toThrow(
      /volume 999 does not exist/,
    )
  })
})
