/**
 * Writing into a folder that cannot take the file fails at once with one line naming the path — never a
 * spin: Node's recursive mkdir retries forever when a folder answers ENOENT to every new entry (/proc on
 * Linux), which made an export there run at 100 % CPU for minutes.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { UserError } from '../../../src/core/errors'
import { ensureDir, writeBytesAtomic } from '../../../src/core/io/atomic'
import { writeVolume } from '../../../src/core/io'
import { makeVolume } from '../../../src/core/volume/volume'
import { exportDatasetJob } from '../../../src/main/jobs/dataset-jobs'
import type { JobContext } from '../../../src/main/jobs/job-context'
import { tempDir } from '../../helpers'

const vol = makeVolume([2, 2, 2], new Uint8Array([0, 1, 1, 0, 1, 0, 0, 1]))

/** Rejects within `ms`, or fails the test (instead of hanging until the test timeout). */
async function rejectsWithin(p: Promise<unknown>, ms: number): Promise<Error> {
  const t0 = Date.now()
  const outcome = await Promise.race([
    p.then(
      () => 'resolved' as const,
      (e: unknown) => e as Error,
    ),
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref()),
  ])
  if (outcome === 'timeout') throw new Error(`still running after ${ms} ms`)
  if (outcome === 'resolved') throw new Error('expected a failure')
  expect(Date.now() - t0).toBeLessThan(ms)
  return outcome
}

describe('atomic writes to a folder that cannot take the file', () => {
  const t = tempDir('microlad-atomic-')
  afterAll(() => {
    if (existsSync(path.join(t.dir, 'ro'))) chmodSync(path.join(t.dir, 'ro'), 0o755)
    t.cleanup()
  })

  it.runIf(process.platform === 'linux' && existsSync('/proc/self'))(
    'an export under /proc fails fast (was a 100 % CPU spin in mkdir)',
    async () => {
      for (const out of [
        '/proc/microlad-no-such-dir/volume.vti',
        '/proc/microlad-no-such-dir/a/b/volume.npy',
      ]) {
        const err = await rejectsWithin(writeVolume(out, vol), 2000)
        expect(err).toBeInstanceOf(UserError)
        expect(err.message).toContain("'/proc/microlad-no-such-dir'")
        expect(err.message).toMatch(/^cannot create the folder/)
      }
    },
  )

  it.runIf(process.platform === 'linux' && existsSync('/proc/self'))(
    'a dataset export under /proc fails fast too',
    async () => {
      const src = path.join(t.dir, 'image.npy')
      await writeVolume(src, vol)
      const ctx = {
        jobId: 1,
        projectDir: t.dir,
        signal: new AbortController().signal,
        settings: {},
        progress: () => {},
        log: () => {},
        history: () => {},
      } satisfies JobContext
      const job = exportDatasetJob(
        { dir: '/proc/microlad-no-such-dir/ds', files: [{ volumePath: src }] },
        ctx,
      )
      const err = await rejectsWithin(job, 2000)
      expect(err.message).toMatch(/^cannot create the folder '\/proc\/microlad-no-such-dir/)
    },
  )

  it('a file in the way of the folder: fails fast naming it', async () => {
    const file = path.join(t.dir, 'not-a-folder')
    writeFileSync(file, 'x')
    const err = await rejectsWithin(writeVolume(path.join(file, 'sub', 'v.npy'), vol), 2000)
    expect(err).toBeInstanceOf(UserError)
    expect(err.message).toContain(`'${file}' is a file, not a folder`)
  })

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)(
    'a read-only folder: fails fast naming the target, leaves nothing behind',
    async () => {
      const ro = path.join(t.dir, 'ro')
      mkdirSync(ro)
      chmodSync(ro, 0o555)
      const target = path.join(ro, 'v.npy')
      const err = await rejectsWithin(writeBytesAtomic(target, new Uint8Array([1, 2, 3])), 2000)
      expect(err).toBeInstanceOf(UserError)
      expect(err.message).toBe(`cannot write '${target}': permission denied (EACCES)`)
      const err2 = await rejectsWithin(writeVolume(path.join(ro, 'sub', 'v.npy'), vol), 2000)
      expect(err2.message).toContain(`'${path.join(ro, 'sub')}': permission denied`)
    },
  )

  it('still creates missing folders and writes the file', async () => {
    const target = path.join(t.dir, 'a', 'b', 'c', 'v.bin')
    await writeBytesAtomic(target, [new Uint8Array([1, 2]), new Uint8Array([3])])
    expect([...readFileSync(target)]).toEqual([1, 2, 3])
    await ensureDir(path.join(t.dir, 'a', 'b'))
    await ensureDir(path.join(t.dir, 'a', 'b', 'd'))
    expect(existsSync(path.join(t.dir, 'a', 'b', 'd'))).toBe(true)
  })
})
