/** `npm run web -- --help` prints the web host's usage and exits 0; an unknown option exits 2 with the usage. */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(__dirname, '..', '..')
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')

function web(...args: string[]) {
  return spawnSync(process.execPath, [TSX, 'src/host/index.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  })
}

describe('web host command line', () => {
  it('--help prints the usage and exits 0 without serving', () => {
    for (const flag of ['--help', '-h']) {
      const r = web(flag)
      expect(r.status, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/^Usage: npm run web -- \[options\]/)
      for (const opt of ['--port', '--project', '--user-data', '--demo', '--help'])
        expect(r.stdout).toContain(opt)
      expect(r.stdout).not.toMatch(/web host on/)
    }
  })

  it('an unknown option fails with the usage and exit code 2', () => {
    const r = web('--bogus')
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/Unknown option '--bogus'/)
    expect(r.stderr).toContain('Usage: npm run web')
  })
})
