/**
 * The Electron audit (scripts/audit-electron.cjs, electronegativity): the app's sources pass it, and a
 * window without context isolation fails it, so the CI stage would catch a regression.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers'

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'audit-electron.cjs')

function audit(dir: string) {
  const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8', timeout: 120_000 })
  return { status: r.status, out: `${r.stdout}${r.stderr}` }
}

describe('electron audit', () => {
  const t = tempDir('microlad-audit-')
  afterAll(() => t.cleanup())

  it('passes on the app sources: no HIGH finding, every MEDIUM one justified', () => {
    const r = audit('src')
    expect(r.out).toMatch(/electronegativity: 0 CRITICAL, 0 HIGH, \d+ MEDIUM/)
    expect(r.out).not.toContain('FAILED')
    expect(r.status).toBe(0)
  })

  it('fails on a window with Node integration and no context isolation', () => {
    writeFileSync(
      path.join(t.dir, 'main.js'),
      "const { BrowserWindow } = require('electron')\n" +
        'new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } })\n',
    )
    const r = audit(t.dir)
    expect(r.out).toMatch(/HIGH +\w+ +CONTEXT_ISOLATION_JS_CHECK/)
    expect(r.out).toContain('FAILED')
    expect(r.status).toBe(1)
  })
})
