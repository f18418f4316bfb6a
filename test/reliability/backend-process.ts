/**
 * A backend in its own process for the crash-consistency trials: opens a project, starts one job and
 * reports on stdout (`job-pid N` for each job process it forks, `started`, `done STATUS`), so that the
 * test can SIGKILL the whole backend at a chosen moment. Argument: JSON {userDir, projectDir, jobEntry,
 * kind, params}.
 */
import { createBackend } from '../../src/main/backend'
import { forkLauncher } from '../../src/main/jobs/launcher'
import type { JobKind } from '../../src/shared/dto'

const args = JSON.parse(process.argv[2]) as {
  userDir: string
  projectDir: string
  jobEntry: string
  kind: JobKind
  params: Record<string, unknown>
}

const fork = forkLauncher(args.jobEntry)
const backend = createBackend({
  userDataDir: args.userDir,
  transport: 'in-process',
  launcher: () => {
    const handle = fork()
    process.stdout.write(`job-pid ${handle.pid}\n`)
    return handle
  },
  volumeUrl: (id) => `/vox/volumes/${id}`,
})

async function main(): Promise<void> {
  await backend.invoke('projects.open', { dir: args.projectDir })
  const job = await backend.invoke('jobs.start', { kind: args.kind, params: args.params })
  process.stdout.write('started\n')
  await backend.app.requireRunner().whenIdle()
  const done = await backend.invoke('jobs.get', { id: job.id })
  process.stdout.write(`done ${done.status}\n`)
  backend.app.closeProject()
}

main().catch((err) => {
  process.stdout.write(`error ${String(err)}\n`)
  process.exit(1)
})
