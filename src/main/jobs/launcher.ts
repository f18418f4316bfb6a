import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

/** A running job process, whatever started it (child_process.fork or Electron's utilityProcess). */
export interface JobProcessHandle {
  readonly pid: number | undefined
  send(msg: unknown): void
  onMessage(listener: (msg: unknown) => void): void
  onExit(listener: (code: number | null) => void): void
  kill(): void
}

export type JobLauncher = () => JobProcessHandle

/** The job-process entry: the built .js next to the main bundle, else the TypeScript source (run with tsx). */
export function jobProcessEntry(): string {
  const candidates = [path.join(__dirname, 'job-process.js'), path.join(__dirname, 'job-process.ts')]
  const found = candidates.find((p) => existsSync(p))
  if (!found) throw new Error(`job process entry not found next to ${__dirname}`)
  return found
}

/** Launch job processes as Node child processes (web host, CLI, tests). */
export function forkLauncher(entry = jobProcessEntry()): JobLauncher {
  return () => {
    const child = fork(entry, [], {
      execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: process.env,
    })
    return {
      pid: child.pid,
      send: (msg) => child.send(msg as object),
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.on('exit', (code) => l(code)),
      kill: () => child.kill('SIGKILL'),
    }
  }
}
