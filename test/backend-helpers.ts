/**
 * A real backend for tests: in-process (or web) transport, job processes forked from the TypeScript job
 * entry, and a wait for a job's terminal status. Shared by the main-process tests and the browser suites.
 */
import path from 'node:path'
import { createBackend, type Backend } from '../src/main/backend'
import { forkLauncher, type JobLauncher } from '../src/main/jobs/launcher'
import type { JobInfo } from '../src/shared/dto'

export const JOB_ENTRY = path.resolve(__dirname, '../src/main/jobs/job-process.ts')

export function makeTestBackend(
  dir: string,
  options: { transport?: 'in-process' | 'web'; launcher?: JobLauncher } = {},
): Backend {
  return createBackend({
    userDataDir: path.join(dir, 'user'),
    transport: options.transport ?? 'in-process',
    launcher: options.launcher ?? forkLauncher(JOB_ENTRY),
    volumeUrl: (id) => `/vox/volumes/${id}`,
  })
}

const TERMINAL = ['succeeded', 'failed', 'cancelled']

/** Poll a job until it succeeded, failed or was cancelled; throws after `timeoutMs`. */
export async function waitForJob(b: Backend, id: number, timeoutMs = 30_000): Promise<JobInfo> {
  const t0 = Date.now()
  for (;;) {
    const j = await b.invoke('jobs.get', { id })
    if (TERMINAL.includes(j.status)) return j
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${id} still ${j.status}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
