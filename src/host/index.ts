/**
 * `npm run web -- --port N [--project DIR] [--user-data DIR] [--demo]`: serve the app on http://127.0.0.1:N/
 * and print the page URL with this launch's access token (http://127.0.0.1:N/?token=…), the one to open.
 * Without --project the last project reopens; --demo (or MICROLAD_DEMO=1) opens the demo project on a
 * first start, as the desktop app does. --help prints the usage.
 */
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createBackend } from '../main/backend'
import { forkLauncher } from '../main/jobs/launcher'
import { startWebHost } from './server'

export const USAGE = `Usage: npm run web -- [options]

Serve MicroLad Studio to a browser on this computer (loopback only) and print the URL to open;
the URL carries a new access token each launch.

Options:
  --port N          port on 127.0.0.1 (default 5173; 0 picks a free one)
  --project DIR     open this project folder (default: the last project opened)
  --user-data DIR   the app's data folder: settings, recent projects, demo project
                    (default ~/.microlad-studio)
  --demo            open the demo project on a first start (also MICROLAD_DEMO=1)
  --renderer DIR    serve the renderer from DIR (default out/renderer, built by npm run build)
  -h, --help        print this help and exit
`

async function main() {
  let parsed
  try {
    parsed = parseArgs({
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        port: { type: 'string', default: '5173' },
        project: { type: 'string' },
        'user-data': { type: 'string' },
        renderer: { type: 'string' },
        /** Open the demo project when no project is given and none was opened before (like the app's first start). */
        demo: { type: 'boolean', default: process.env.MICROLAD_DEMO === '1' },
      },
    })
  } catch (err) {
    process.stderr.write(`microlad web: error: ${(err as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  const { values } = parsed
  if (values.help) {
    process.stdout.write(USAGE)
    process.exit(0)
  }
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
  // A --project given on the command line is relative to the shell's folder, as any command's argument.
  if (values.project) backend.app.openProject(path.resolve(values.project))
  else if (!backend.app.reopenLastProject() && values.demo) await backend.app.openDemoOnFirstStart()
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
