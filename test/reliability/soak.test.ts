/**
 * Soak (issue 22, item 4): small jobs queued through the API all complete, the backend's resident memory
 * grows by less than 50 MB, and no child process or file handle is left behind. MICROLAD_SOAK_JOBS jobs
 * (default 100; `npm run bench -- soak` runs 1000, the figures in docs/reliability.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { runSoak } from '../../bench/soak'

const JOBS = Number(process.env.MICROLAD_SOAK_JOBS ?? 100)

it(`${JOBS} small jobs queued at once complete without growing memory or leaking handles and processes`, async () => {
  const r = await runSoak(JOBS)
  const dir = path.resolve(__dirname, '..', '..', 'test-artifacts')
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'soak.json'), JSON.stringify(r, null, 2))
  expect(r.failed).toEqual([])
  expect(r.succeeded).toBe(JOBS)
  expect(r.rssMiB.growth).toBeLessThan(50)
  expect(r.openFiles.leaked).toEqual([])
  expect(r.childProcesses.after).toBe(0)
  // Jobs run one at a time: never more than one job process (and one exiting) at once.
  expect(r.childProcesses.duringRun).toBeLessThanOrEqual(2)
}, 600_000)
