/**
 * Open a project through the API in a process of its own (the read-only folder test runs it as an
 * unprivileged user when the tests run as root) and print the reply as JSON. Arguments: DIR USERDATA.
 */
import { createBackend } from '../../src/main/backend'

const [dir, userDataDir] = process.argv.slice(2)
const backend = createBackend({
  userDataDir,
  transport: 'in-process',
  launcher: () => {
    throw new Error('no jobs here')
  },
  volumeUrl: (id) => `/vox/volumes/${id}`,
})
backend.dispatch('projects.open', { dir }).then((reply) => {
  process.stdout.write(JSON.stringify(reply))
  backend.app.closeProject()
})
