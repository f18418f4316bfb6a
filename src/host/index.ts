/**
 * `npm run web -- --port N [--project DIR] [--user-data DIR] [--demo]`: serve the app on http://127.0.0.1:N/
 * and print the page URL with this launch's access token (http://127.0.0.1:N/?token=…), the one to open.
 * --demo (or MICROLAD_DEMO=1) opens the demo project on a first start, as the desktop app does.
 */
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createBackend } from '../main/backend'
import { forkLauncher } from '../main/jobs/launcher'
import { startWebHost } from './server'

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5173' },
      project: { type: 'string' },
      'user-data': { type: 'string' },
      renderer: { type: 'string' },
      /** Open the demo project when no project is given and none was opened before (like the app's first start). */
      demo: { type: 'boolean', default: process.env.MICROLAD_DEMO === '1' },
    },
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`microlad web: error: --port must be 0..65535, got '${values.port}'\n`)
    process.exit(2)
  }
  const backend = createBackend({
    userDataDir: values['user-data'] ?? path.join(os.homedir(), '.microlad-studio'),
    transport: 'web',
    launcher: forkLauncher(),
    volumeUrl: (id) => `/vox/volumes/${id}`,
  })
  if (values.project) backend.app.openProject(values.project)
  else if (values.demo) await backend.app.openDemoOnFirstStart()
  const rendererDir = values.renderer ?? path.resolve(__dirname, '..', '..', 'out', 'renderer')
  const host = await startWebHost(backend, { port, rendererDir })
  process.stdout.write(
    `MicroLad Studio web host on ${host.origin} (loopback only); open this URL, it carries the access token:\n` +
      `  ${host.url}\n`,
  )
  const stop = async () => {
    backend.app.closeProject()
    await host.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((err) => {
  process.stderr.write(`microlad web: error: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
