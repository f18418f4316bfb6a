import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'microlad.cjs')

function microlad(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('microlad CLI', () => {
  it('lists the nine commands of DESIGN §7', () => {
    const r = microlad('--help')
    expect(r.code).toBe(0)
    for (const c of [
      'synth',
      'describe',
      'property',
      'compare',
      'convert',
      'models',
      'reconstruct',
      'design',
      'train',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'))
    }
  })

  it('fails with one short line on a missing file', () => {
    const r = microlad('describe', '/no/such/file')
    expect(r.code).not.toBe(0)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('/no/such/file')
  })

  it('fails with one line on a missing argument and on an unknown command', () => {
    for (const args of [['describe'], ['frobnicate']]) {
      const r = microlad(...args)
      expect(r.code).not.toBe(0)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('every command has --help', () => {
    for (const c of [
      'synth',
      'describe',
      'property',
      'compare',
      'convert',
      'models',
      'reconstruct',
      'design',
      'train',
    ]) {
      const r = microlad(c, '--help')
      expect(r.code, c).toBe(0)
      expect(r.stdout, c).toContain('--json')
    }
  })
})
