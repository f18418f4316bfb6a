/**
 * Crash consistency (issue 22, item 2): SIGKILL the job process, and separately the whole backend, at
 * seeded random moments during import, reconstruct, design and export, then check the project: SQLite
 * integrity, every volume row has its file and every job-written file its row, no job left queued or
 * running (interrupted ones are failed), no temporary or partial file visible, no job process left.
 *
 * MICROLAD_KILL_TRIALS (default 12) trials per job kind and per mode; MICROLAD_KILL_SEED (default 22).
 * The figures in docs/reliability.md come from MICROLAD_KILL_TRIALS=50. Each run writes its tallies to
 * test-artifacts/kill-trials.json.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readVolume } from '../../src/core/io'
import { createBackend, type Backend } from '../../src/main/backend'
import { forkLauncher, type JobProcessHandle } from '../../src/main/jobs/launcher'
import { Project } from '../../src/main/project/project'
import type { JobKind } from '../../src/shared/dto'
import { waitForJob } from '../backend-helpers'
import { tempDir } from '../helpers'
import { bundleEntry, fastJobEntry, projectProblems, seededRandom, waitForExit } from './harness'

const TRIALS = Number(process.env.MICROLAD_KILL_TRIALS ?? 12)
const SEED = Number(process.env.MICROLAD_KILL_SEED ?? 22)
const ROOT = path.resolve(__dirname, '..', '..')

interface KindSpec {
  name: 'import' | 'reconstruct' | 'design' | 'export'
  kind: JobKind
  params(trial: number): Record<string, unknown>
}

interface Tally {
  trials: number
  succeededBeforeKill: number
  failed: number
  killedWhileRunning: number
  problems: string[]
  leftoverProcesses: number
  partialExports: number
}

const report: Record<string, Record<string, Tally>> = { job: {}, backend: {} }

let t: { dir: string; cleanup: () => void }
let projectDir: string
let outDir: string
let sourceVolumeId: number
let sourceData: Uint8Array
let b: Backend
let lastHandle: JobProcessHandle | null = null
const calibration = new Map<string, number>()

const specs: KindSpec[] = [
  {
    name: 'import',
    kind: 'import',
    params: (i) => ({ path: path.join(t.dir, 'tiny.png'), name: `png${i}` }),
  },
  {
    name: 'reconstruct',
    kind: 'reconstruct',
    params: (i) => ({ model: 'berea-sandstone', size: 16, seed: i }),
  },
  {
    name: 'design',
    kind: 'design',
    params: (i) => ({ model: 'berea-sandstone', size: 16, seed: i, steps: 3, targets: ['vf:pore=0.3'] }),
  },
  {
    name: 'export',
    kind: 'convert',
    params: (i) => ({
      volumeId: sourceVolumeId,
      output: path.join(outDir, `t${i}${i % 2 ? '.vti' : '.npy'}`),
    }),
  },
]

function tally(): Tally {
  return {
    trials: 0,
    succeededBeforeKill: 0,
    failed: 0,
    killedWhileRunning: 0,
    problems: [],
    leftoverProcesses: 0,
    partialExports: 0,
  }
}

/** An export's output is absent or complete (the same labels as its source), never partial. */
async function checkExport(spec: KindSpec, params: Record<string, unknown>, tl: Tally): Promise<void> {
  if (spec.name !== 'export') return
  const out = params.output as string
  try {
    const v = await readVolume(out)
    if (Buffer.compare(Buffer.from(v.data), Buffer.from(sourceData)) !== 0) tl.partialExports++
  } catch (err) {
    if (
      (err as Error).message.includes('no such file') ||
      /ENOENT|not found|does not exist/.test(String(err))
    )
      return
    tl.partialExports++
    tl.problems.push(`export ${out}: ${String(err)}`)
  }
}

beforeAll(async () => {
  t = tempDir('microlad-kill-')
  projectDir = path.join(t.dir, 'project')
  outDir = path.join(t.dir, 'out')
  mkdirSync(outDir)
  const png = new PNG({ width: 24, height: 24, colorType: 0 })
  const rnd = seededRandom(SEED)
  for (let i = 0; i < 24 * 24; i++) {
    const v = rnd() < 0.4 ? 0 : 255
    png.data.set([v, v, v, 255], i * 4)
  }
  writeFileSync(path.join(t.dir, 'tiny.png'), PNG.sync.write(png))
  const fork = forkLauncher(fastJobEntry())
  b = createBackend({
    userDataDir: path.join(t.dir, 'user'),
    transport: 'in-process',
    launcher: () => (lastHandle = fork()),
    volumeUrl: (id) => `/vox/volumes/${id}`,
  })
  await b.invoke('projects.create', { dir: projectDir, name: 'kill trials' })
  const synth = await b.invoke('jobs.start', {
    kind: 'synth',
    params: { kind: 'spheres', size: 16, seed: 1 },
  })
  const done = await waitForJob(b, synth.id, 60_000)
  sourceVolumeId = (done.result as { volumeIds: number[] }).volumeIds[0]
  sourceData = (await readVolume(b.app.requireProject().getVolume(sourceVolumeId).path)).data
  // Calibration: one run of each kind, not killed, gives the span the kill delays are drawn from.
  for (const spec of specs) {
    const t0 = Date.now()
    const j = await b.invoke('jobs.start', { kind: spec.kind, params: spec.params(9999) })
    const r = await waitForJob(b, j.id, 120_000)
    expect(r.status, `${spec.name}: ${r.error}`).toBe('succeeded')
    calibration.set(spec.name, Date.now() - t0)
  }
}, 300_000)

afterAll(() => {
  b?.app.closeProject()
  mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true })
  writeFileSync(
    path.join(ROOT, 'test-artifacts', 'kill-trials.json'),
    JSON.stringify(
      { seed: SEED, trialsPerKind: TRIALS, calibrationMs: Object.fromEntries(calibration), report },
      null,
      2,
    ),
  )
  t?.cleanup()
})

describe('SIGKILL of the job process (backend alive; one restart per kind)', () => {
  for (const spec of specs) {
    it(`${spec.name}: ${TRIALS} seeded kills leave the project consistent`, async () => {
      const tl = (report.job[spec.name] = tally())
      const rnd = seededRandom(SEED * 1000 + specs.indexOf(spec))
      const span = calibration.get(spec.name)! * 1.2
      for (let i = 0; i < TRIALS; i++) {
        const params = spec.params(i)
        const delay = rnd() * span
        const job = await b.invoke('jobs.start', { kind: spec.kind, params })
        const handle = lastHandle!
        await new Promise((r) => setTimeout(r, delay))
        const before = await b.invoke('jobs.get', { id: job.id })
        if (before.status === 'running') tl.killedWhileRunning++
        handle.kill()
        const end = await waitForJob(b, job.id, 60_000)
        tl.trials++
        if (end.status === 'succeeded') tl.succeededBeforeKill++
        else if (end.status === 'failed') {
          tl.failed++
          if (!/stopped unexpectedly/.test(end.error ?? ''))
            tl.problems.push(`trial ${i}: job failed with '${end.error}'`)
        } else tl.problems.push(`trial ${i}: job ${end.status}`)
        if (handle.pid && (await waitForExit([handle.pid], 5000)).length > 0) tl.leftoverProcesses++
        tl.problems.push(...projectProblems(b.app.requireProject(), [outDir]).map((p) => `trial ${i}: ${p}`))
        await checkExport(spec, params, tl)
      }
      // Restart: close and reopen the project, then check again.
      b.app.closeProject()
      await b.invoke('projects.open', { dir: projectDir })
      tl.problems.push(...projectProblems(b.app.requireProject(), [outDir]).map((p) => `after restart: ${p}`))
      expect(tl.problems).toEqual([])
      expect(tl.partialExports).toBe(0)
      expect(tl.leftoverProcesses).toBe(0)
      expect(tl.trials).toBe(TRIALS)
    }, 600_000)
  }
})

describe('SIGKILL of the whole backend (restarted after each kill)', () => {
  let backendEntry: string
  beforeAll(() => {
    b.app.closeProject()
    backendEntry = bundleEntry('test/reliability/backend-process.ts', 'backend-process')
  })

  /** Run a backend process with one job; kill it after `killAfterMs` (never when undefined). */
  async function runBackend(
    spec: KindSpec,
    params: Record<string, unknown>,
    killAfterMs: number | undefined,
  ): Promise<{ ms: number; jobPids: number[]; state: 'before-start' | 'running' | 'done'; status?: string }> {
    const child = spawn(
      process.execPath,
      [
        backendEntry,
        JSON.stringify({
          userDir: path.join(t.dir, 'user'),
          projectDir,
          jobEntry: fastJobEntry(),
          kind: spec.kind,
          params,
        }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
    )
    const t0 = Date.now()
    const jobPids: number[] = []
    let state: 'before-start' | 'running' | 'done' = 'before-start'
    let status: string | undefined
    let buffered = ''
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      let nl
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        if (line.startsWith('job-pid ')) jobPids.push(Number(line.slice(8)))
        else if (line === 'started') state = 'running'
        else if (line.startsWith('done ')) {
          state = 'done'
          status = line.slice(5)
        }
      }
    })
    const exited = new Promise<void>((r) => child.on('exit', () => r()))
    if (killAfterMs !== undefined) {
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
      await exited
      clearTimeout(timer)
    } else await exited
    return { ms: Date.now() - t0, jobPids, state, status }
  }

  function jobIds(): number[] {
    const project = Project.open(projectDir)
    try {
      return project.listJobs(1).map((j) => j.id)
    } finally {
      project.close()
    }
  }

  for (const spec of specs) {
    it(`${spec.name}: ${TRIALS} seeded backend kills, each followed by a restart, leave the project consistent`, async () => {
      const tl = (report.backend[spec.name] = tally())
      const rnd = seededRandom(SEED * 2000 + specs.indexOf(spec))
      const calib = await runBackend(spec, spec.params(5000), undefined)
      expect(calib.status).toBe('succeeded')
      const span = calib.ms * 1.1
      let lastJobId = Math.max(0, ...jobIds())
      for (let i = 0; i < TRIALS; i++) {
        const params = spec.params(1000 + i)
        const r = await runBackend(spec, params, rnd() * span)
        tl.trials++
        if (r.state === 'running') tl.killedWhileRunning++
        // Orphaned job processes must stop by themselves (they exit when their parent's channel closes).
        const alive = await waitForExit(r.jobPids, 5000)
        tl.leftoverProcesses += alive.length
        for (const pid of alive) process.kill(pid, 'SIGKILL')
        // Restart: open the project as the app does, then check it.
        const project = Project.open(projectDir)
        try {
          tl.problems.push(...projectProblems(project, [outDir]).map((p) => `trial ${i}: ${p}`))
          const last = project.listJobs(1)[0]
          if (last && last.id > lastJobId) {
            lastJobId = last.id
            if (last.status === 'succeeded') tl.succeededBeforeKill++
            else if (last.status === 'failed') {
              tl.failed++
              if (!/interrupted|stopped unexpectedly/.test(last.error ?? ''))
                tl.problems.push(`trial ${i}: job failed with '${last.error}'`)
            } else tl.problems.push(`trial ${i}: job ${last.status}`)
          }
        } finally {
          project.close()
        }
        await checkExport(spec, params, tl)
      }
      expect(tl.problems).toEqual([])
      expect(tl.partialExports).toBe(0)
      expect(tl.leftoverProcesses).toBe(0)
    }, 600_000)
  }
})
