import { utilityProcess } from 'electron'
import type { JobLauncher } from '../jobs/launcher'

/** Launch job processes as Electron utility processes (their own OS process, Node environment). */
export function utilityProcessLauncher(entry: string): JobLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'MicroLad job', stdio: 'inherit' })
    return {
      get pid() {
        return child.pid
      },
      send: (msg) => child.postMessage(msg),
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.on('exit', (code) => l(code)),
      kill: () => {
        child.kill()
      },
    }
  }
}
