/**
 * Entry point of a job process: an Electron utilityProcess in the app, a Node child process under the web
 * host and the CLI. It receives one `run` message, runs the handler, streams progress and exits. Heavy
 * native work (ONNX Runtime sessions, solvers) blocks only this process, never the UI or the main process.
 */
import { CancelledError, UserError, appErrorMessage } from '../../core/errors'
import { jobHandlers } from './handlers'
import type { JobContext } from './job-context'
import { RunJobMessage, type JobMessage } from './protocol'

interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(msg: unknown): void
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort

function send(msg: JobMessage): void {
  if (parentPort) parentPort.postMessage(msg)
  // After the backend died the channel is gone: the 'disconnect' handler below ends this process.
  else if (process.connected) process.send?.(msg, (err: Error | null) => err && process.exit(1))
}

function onMessage(listener: (msg: unknown) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data))
  else process.on('message', listener)
}

let lastProgressSent = 0

async function run(raw: unknown): Promise<void> {
  const msg = RunJobMessage.parse(raw)
  const handler = jobHandlers()[msg.kind]
  if (!handler) throw new UserError(`job kind '${msg.kind}' is not available in this build`)
  const controller = new AbortController()
  const ctx: JobContext = {
    jobId: msg.jobId,
    projectDir: msg.projectDir,
    settings: msg.settings,
    signal: controller.signal,
    progress(fraction, message) {
      const now = Date.now()
      if (now - lastProgressSent < 100 && fraction < 1) return
      lastProgressSent = now
      send({ type: 'progress', fraction: Math.min(1, Math.max(0, fraction)), message })
    },
    log(line) {
      send({ type: 'log', line })
    },
    history(entries) {
      if (entries.length > 0) send({ type: 'history', entries })
    },
  }
  const outcome = await handler(msg.params, ctx)
  send({ type: 'done', outcome })
}

// A child process whose parent died (the backend was killed) has no one to report to: stop at once rather
// than finish the job and write files into a project that was reopened without it. (An Electron
// utilityProcess dies with the app.)
if (!parentPort) process.on('disconnect', () => process.exit(1))

onMessage((raw) => {
  run(raw).then(
    () => setTimeout(() => process.exit(0), 50),
    (err) => {
      send({
        type: 'error',
        message: appErrorMessage(err).split('\n')[0],
        userError: err instanceof UserError || err instanceof CancelledError,
      })
      setTimeout(() => process.exit(1), 50)
    },
  )
})
