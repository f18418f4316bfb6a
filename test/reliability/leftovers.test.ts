/**
 * What a killed session leaves on disk, removed when the project opens (the deterministic counterpart of the
 * crash-consistency trials): temporary files and unrecorded job-written volumes in volumes/, and the
 * temporary file beside an interrupted export's output — and nothing else.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { Project } from '../../src/main/project/project'
import { tempDir } from '../helpers'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

it('opening a project removes the files of interrupted jobs and keeps every recorded or foreign file', () => {
  const t = tempDir('microlad-leftovers-')
  cleanups.push(t.cleanup)
  const dir = path.join(t.dir, 'p')
  const out = path.join(t.dir, 'out')
  mkdirSync(out)
  const p = Project.create(dir, 'leftovers')
  const vols = path.join(dir, 'volumes')
  const recorded = path.join(vols, 'kept-job1-aaa.npy')
  writeFileSync(recorded, 'x')
  const done = p.insertJob('synth', {})
  p.addVolume({
    name: 'kept',
    path: recorded,
    shape: [1, 1, 1],
    spacing: [1, 1, 1],
    unit: 'px',
    phases: [],
    source: 'synth',
    jobId: done.id,
    datasetId: null,
  })
  p.updateJob(done.id, { status: 'succeeded' })
  const exportJob = p.insertJob('convert', { volumeId: 1, output: path.join(out, 'v.vti') })
  p.updateJob(exportJob.id, { status: 'running' })
  for (const name of ['orphan-job7-bbb.npy', '.orphan-job7-bbb.npy.123.456.tmp', 'mine.npy', 'notes.txt'])
    writeFileSync(path.join(vols, name), 'x')
  writeFileSync(path.join(out, '.v.vti.321.654.tmp'), 'partial')
  writeFileSync(path.join(out, '.other.vti.321.654.tmp'), 'not ours')
  p.close()

  const q = Project.open(dir)
  cleanups.push(() => q.close())
  expect(readdirSync(vols).sort()).toEqual(['kept-job1-aaa.npy', 'mine.npy', 'notes.txt'])
  expect(readdirSync(out)).toEqual(['.other.vti.321.654.tmp'])
  expect(q.getJob(exportJob.id).status).toBe('failed')
  expect(q.getJob(exportJob.id).error).toMatch(/interrupted/)
  expect(existsSync(recorded)).toBe(true)
})
