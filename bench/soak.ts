/**
 * Soak: `npm run bench -- soak [N]` (default 1000). N small jobs (8³ synthetic volumes and descriptor
 * measurements of one volume, alternating) are queued through the API at once and run one after another,
 * each in its own job process. Reports the backend's resident memory after a warm-up, at the end and at
 * its peak, the open file handles and child processes before and after, and the jobs' outcomes.
 * test/reliability/soak.test.ts runs the same with a smaller N.
 */
import path from 'node:path'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { createBackend } from '../src/main/backend'
import { forkLauncher } from '../src/main/jobs/launcher'
import { childPids, fastJobEntry, openFiles, residentMb, waitForExit } from '../test/reliability/harness'
import type { BenchContext } from './index'

export interface SoakResult {
  jobs: number
  succeeded: number
  failed: string[]
  seconds: number
  jobsPerSecond: number
  rssMiB: { afterWarmup: number; end: number; peak: number; growth: number }
  heapUsedMiB: { afterWarmup: number; end: number }
  openFiles: { before: number; after: number; leaked: string[] }
  /** Child processes besides those the backend had before (esbuild's service under tsx, for one). */
  childProcesses: { duringRun: number; after: number; left: string[] }
}

const WARMUP = 20

export async function runSoak(count: number, log: (msg: string) => void = () => {}): Promise<SoakResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'microlad-soak-'))
  const entry = fastJobEntry()
  const b = createBackend({
    userDataDir: path.join(dir, 'user'),
    transport: 'in-process',
    launcher: forkLauncher(entry),
    volumeUrl: (id) => `/vox/volumes/${id}`,
  })
  try {
    await b.invoke('projects.create', { dir: path.join(dir, 'project'), name: 'soak' })
    const runner = b.app.requireRunner()
    const first = await b.invoke('jobs.start', {
      kind: 'synth',
      params: { kind: 'spheres', size: 8, seed: 0 },
    })
    await runner.whenIdle()
    const volumeId = ((await b.invoke('jobs.get', { id: first.id })).result as { volumeIds: number[] })
      .volumeIds[0]
    const params = (i: number) =>
      i % 2 === 0
        ? { kind: 'synth' as const, params: { kind: 'spheres', size: 8, seed: i } }
        : { kind: 'describe' as const, params: { volumeId } }
    // Warm-up: the modules and the database's caches every job touches are loaded before measuring.
    for (let i = 0; i < WARMUP; i++) await b.invoke('jobs.start', params(i))
    await runner.whenIdle()
    const filesBefore = openFiles()
    const childrenBefore = new Set(childPids())
    const newChildren = () => childPids().filter((p) => !childrenBefore.has(p))
    const rss0 = residentMb()
    const heap0 = process.memoryUsage().heapUsed / 2 ** 20
    let peak = rss0
    let children = 0
    const sampler = setInterval(() => {
      peak = Math.max(peak, residentMb())
      children = Math.max(children, newChildren().length)
    }, 200)
    const t0 = Date.now()
    const ids: number[] = []
    for (let i = 0; i < count; i++) ids.push((await b.invoke('jobs.start', params(i))).id)
    log(`${count} jobs queued`)
    const finished = () =>
      (
        b.app
          .requireProject()
          .db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled')`)
          .get() as { n: number }
      ).n
    const progress = setInterval(() => log(`${finished()} jobs finished`), 30_000)
    await runner.whenIdle()
    clearInterval(progress)
    const seconds = (Date.now() - t0) / 1000
    clearInterval(sampler)
    const project = b.app.requireProject()
    const statuses = ids.map((id) => project.getJob(id))
    const failed = statuses
      .filter((j) => j.status !== 'succeeded')
      .map((j) => `job ${j.id}: ${j.status} ${j.error}`)
    // Let exiting job processes finish, then count what is left.
    await new Promise((r) => setTimeout(r, 300))
    await waitForExit(newChildren(), 5000)
    const rss1 = residentMb()
    const filesAfter = openFiles()
    const leaked = filesAfter.filter((f) => !filesBefore.includes(f))
    return {
      jobs: count,
      succeeded: statuses.length - failed.length,
      failed: failed.slice(0, 10),
      seconds,
      jobsPerSecond: count / seconds,
      rssMiB: { afterWarmup: rss0, end: rss1, peak, growth: rss1 - rss0 },
      heapUsedMiB: { afterWarmup: heap0, end: process.memoryUsage().heapUsed / 2 ** 20 },
      openFiles: { before: filesBefore.length, after: filesAfter.length, leaked },
      childProcesses: {
        duringRun: children,
        after: newChildren().length,
        left: newChildren().map((p) => commandLine(p)),
      },
    }
  } finally {
    b.app.closeProject()
    rmSync(dir, { recursive: true, force: true })
  }
}

function commandLine(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`
  } catch {
    return String(pid)
  }
}

export default async function soak(ctx: BenchContext): Promise<SoakResult> {
  const count = Number(ctx.args[0] ?? 1000)
  return runSoak(count, ctx.log)
}
