/**
 * Issue 19 (the app as a working scientist uses it), backend side: every bad import fails with one line in
 * the app's words, exports offer only what fits and fail fast with the reason, typed paths are relative to
 * the project folder, projects are never made where the user did not ask, Recent prunes itself, the last
 * project reopens, and Settings refuses a provider this machine cannot run.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeNpy } from '../../src/core/io/npy'
import { makeVolume } from '../../src/core/volume/volume'
import { providerStatuses } from '../../src/core/models/providers'
import { tempDir } from '../helpers'
import { makeTestBackend, waitForJob } from '../backend-helpers'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

function setup() {
  const t = tempDir()
  const b = makeTestBackend(t.dir)
  cleanups.push(() => {
    b.app.closeProject()
    t.cleanup()
  })
  return { b, dir: t.dir }
}

function npyBytes(shape: [number, number, number], data: Uint8Array): Buffer {
  return Buffer.concat(encodeNpy(makeVolume(shape, data)))
}

/** An .npy header + body for any dtype and shape (what numpy.save writes), for files our writer never makes. */
function rawNpy(descr: string, shape: number[], body: Buffer): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`
  const pad = 64 - ((10 + dict.length + 1) % 64)
  const header = dict + ' '.repeat(pad % 64) + '\n'
  const pre = Buffer.from([
    0x93,
    0x4e,
    0x55,
    0x4d,
    0x50,
    0x59,
    1,
    0,
    header.length & 0xff,
    header.length >> 8,
  ])
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body])
}

describe('imports report their failure in one line, in the app’s words', () => {
  it('refuses random bytes, an empty PNG, text named .tif, zero-size shapes, float .npy, missing files', async () => {
    const { b, dir } = setup()
    const proj = path.join(dir, 'proj')
    await b.invoke('projects.create', { dir: proj, name: 'P' })
    const bad = path.join(dir, 'bad')
    mkdirSync(bad)
    const f = (name: string, bytes: Buffer | string) => {
      writeFileSync(path.join(bad, name), bytes)
      return path.join(bad, name)
    }
    const floats = Buffer.alloc(4 * 27)
    for (let i = 0; i < 27; i++) floats.writeFloatLE(i / 27 + 0.01, i * 4)
    const cases: [string, RegExp][] = [
      [
        f('random.png', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 97 + 13) % 256))),
        /random\.png: not a readable PNG/,
      ],
      [f('empty.png', Buffer.alloc(0)), /empty\.png: the file is empty/],
      [f('text.tif', 'these are not TIFF bytes\n'), /text\.tif: not a (readable )?TIFF/],
      [f('zero.npy', rawNpy('|u1', [0, 4, 4], Buffer.alloc(0))), /zero\.npy: .*shape/],
      [f('float.npy', rawNpy('<f4', [3, 3, 3], floats)), /float\.npy: .*not phase labels.*Preview & segment/],
      [path.join(bad, 'missing.png'), /missing\.png: no such file/],
      // A relative path means a file in the project folder, not in the app's working directory.
      [
        'nowhere/x.npy',
        new RegExp(`${path.join(proj, 'nowhere', 'x.npy').replace(/[.]/g, '\\.')}: no such file`),
      ],
    ]
    const ds = await b.invoke('datasets.create', { name: 'D', anisotropic: false })
    for (const [file, message] of cases) {
      const job = await b.invoke('jobs.start', { kind: 'import', params: { path: file, datasetId: ds.id } })
      const done = await waitForJob(b, job.id)
      expect(done.status, file).toBe('failed')
      expect(done.error, file).toMatch(message)
      expect(done.error, file).not.toMatch(/--[a-z]/)
      expect(done.error, file).not.toMatch(/\n/)
    }
    expect(await b.invoke('volumes.list', {})).toHaveLength(0)
  }, 90_000)

  it('imports a relative path from the project folder', async () => {
    const { b, dir } = setup()
    const proj = path.join(dir, 'proj')
    await b.invoke('projects.create', { dir: proj, name: 'P' })
    mkdirSync(path.join(proj, 'incoming'))
    writeFileSync(path.join(proj, 'incoming', 'a.npy'), npyBytes([1, 2, 2], Uint8Array.from([0, 1, 1, 0])))
    const job = await b.invoke('jobs.start', { kind: 'import', params: { path: 'incoming/a.npy' } })
    expect(job.params.path).toBe(path.join(proj, 'incoming', 'a.npy'))
    expect((await waitForJob(b, job.id)).status).toBe('succeeded')
  })

  it('refuses a blank dataset name with a message', async () => {
    const { b, dir } = setup()
    await b.invoke('projects.create', { dir: path.join(dir, 'proj'), name: 'P' })
    await expect(b.invoke('datasets.create', { name: '   ', anisotropic: false })).rejects.toThrow(
      /dataset needs a name/,
    )
    expect(await b.invoke('datasets.list', {})).toHaveLength(0)
    expect((await b.invoke('datasets.create', { name: '  Berea ', anisotropic: false })).name).toBe('Berea')
  })
})

describe('export offers what fits the volume and fails fast with the reason', () => {
  async function withVolume(shape: [number, number, number]) {
    const { b, dir } = setup()
    const proj = path.join(dir, 'proj')
    await b.invoke('projects.create', { dir: proj, name: 'P' })
    const n = shape[0] * shape[1] * shape[2]
    const file = path.join(dir, 'in.npy')
    writeFileSync(
      file,
      npyBytes(
        shape,
        Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1)),
      ),
    )
    const imp = await waitForJob(
      b,
      (await b.invoke('jobs.start', { kind: 'import', params: { path: file } })).id,
    )
    expect(imp.status, imp.error ?? '').toBe('succeeded')
    const [v] = await b.invoke('volumes.list', {})
    return { b, dir, proj, v }
  }

  it('refuses .png for a 3D volume, an .stl without a phase, omitting every phase', async () => {
    const { b, v } = await withVolume([4, 4, 4])
    const start = (params: Record<string, unknown>) =>
      b.invoke('jobs.start', { kind: 'convert', params: { volumeId: v.id, ...params } })
    await expect(start({ output: 'v.png' })).rejects.toThrow(/3D volume.*\.tif/)
    await expect(start({ output: 'v.stl' })).rejects.toThrow(/choose the phase/)
    await expect(start({ output: 'v.stl', phase: 7 })).rejects.toThrow(/no phase 7/)
    await expect(start({ output: 'v.inp', omitPhases: [0, 1] })).rejects.toThrow(/keep at least one/)
    await expect(start({ output: 'v.vti', omitPhases: [0] })).rejects.toThrow(/only an Abaqus \.inp/)
  })

  it('passes the STL phase and the omitted .inp phases; relative outputs land in the project folder', async () => {
    const { b, proj, v } = await withVolume([4, 4, 4])
    const stl = await b.invoke('jobs.start', {
      kind: 'convert',
      params: { volumeId: v.id, output: 'exports/v.stl', phase: 1 },
    })
    const stlDone = await waitForJob(b, stl.id)
    expect(stlDone.status, stlDone.error ?? '').toBe('succeeded')
    expect(existsSync(path.join(proj, 'exports', 'v.stl'))).toBe(true)
    expect((stlDone.result as { triangles: number }).triangles).toBeGreaterThan(0)
    const inp = await b.invoke('jobs.start', {
      kind: 'convert',
      params: { volumeId: v.id, output: 'exports/v.inp', omitPhases: [0] },
    })
    const inpDone = await waitForJob(b, inp.id)
    expect(inpDone.status, inpDone.error ?? '').toBe('succeeded')
    const text = readFileSync(path.join(proj, 'exports', 'v.inp'), 'utf8')
    expect(text).toMatch(/ELSET=PHASE_1/)
    expect(text).not.toMatch(/ELSET=PHASE_0/)
    // Writes go to a temporary file renamed at the end: nothing else is left in the folder.
    expect(readdirSync(path.join(proj, 'exports')).sort()).toEqual(['v.inp', 'v.stl'])
  }, 60_000)

  it('an export to an unwritable place fails within seconds, naming the reason, and leaves no file', async () => {
    const { b, v } = await withVolume([2, 3, 3])
    const t0 = Date.now()
    const job = await b.invoke('jobs.start', {
      kind: 'convert',
      params: { volumeId: v.id, output: '/proc/nope/x.vti' },
    })
    const done = await waitForJob(b, job.id, 10_000)
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(done.status).toBe('failed')
    expect(done.error).toMatch(/cannot (create the folder|write) '\/proc\/nope.*': .+/)
    expect(existsSync('/proc/nope')).toBe(false)
  })
})

describe('project folders', () => {
  it('refuses a relative project folder, a missing parent and opening a folder that does not exist', async () => {
    const { b, dir } = setup()
    await expect(b.invoke('projects.create', { dir: 'relative/proj', name: 'P' })).rejects.toThrow(
      /relative folder; give the project folder as a full path/,
    )
    const deep = path.join(dir, 'no', 'such', 'parent', 'proj')
    await expect(b.invoke('projects.create', { dir: deep, name: 'P' })).rejects.toThrow(
      /does not exist; create it first/,
    )
    expect(existsSync(path.join(dir, 'no'))).toBe(false)
    const absent = path.join(dir, 'absent')
    await expect(b.invoke('projects.open', { dir: absent })).rejects.toThrow(/does not exist; .*New project/)
    expect(existsSync(absent)).toBe(false)
    // New project makes the chosen folder itself when its parent exists.
    expect((await b.invoke('projects.create', { dir: path.join(dir, 'fresh'), name: 'P' })).dir).toBe(
      path.join(dir, 'fresh'),
    )
  })

  it('prunes Recent of folders that are gone and reopens the last project on start', async () => {
    const t = tempDir()
    cleanups.push(t.cleanup)
    const first = makeTestBackend(t.dir)
    await first.invoke('projects.create', { dir: path.join(t.dir, 'a'), name: 'A' })
    await first.invoke('projects.create', { dir: path.join(t.dir, 'b'), name: 'B' })
    first.app.closeProject()
    const recentFile = path.join(t.dir, 'user', 'recent-projects.json')
    const list = JSON.parse(readFileSync(recentFile, 'utf8')) as { dir: string }[]
    list.push({ dir: path.join(t.dir, 'gone'), name: 'Gone', openedAt: '2026-01-01T00:00:00Z' } as never)
    writeFileSync(recentFile, JSON.stringify(list))

    const second = makeTestBackend(t.dir)
    cleanups.push(() => second.app.closeProject())
    expect(second.app.reopenLastProject()).toBe(true)
    expect((await second.invoke('projects.current', {}))?.name).toBe('B')
    const recent = await second.invoke('projects.recent', {})
    expect(recent.map((r) => r.name)).toEqual(['B', 'A'])
    expect((JSON.parse(readFileSync(recentFile, 'utf8')) as unknown[]).length).toBe(2)
  })
})

describe('settings', () => {
  it('lists providers as available or not, and refuses one this machine cannot run', async () => {
    const { b } = setup()
    const providers = await b.invoke('settings.providers', {})
    expect(providers.map((p) => p.id)).toEqual(['auto', 'cuda', 'directml', 'coreml', 'cpu'])
    expect(providers.find((p) => p.id === 'cpu')).toEqual({ id: 'cpu', available: true, reason: null })
    const missing = providers.find((p) => !p.available)
    expect(missing, 'some provider is unavailable on any one platform').toBeDefined()
    expect(missing!.reason).toMatch(/\w/)
    await expect(b.invoke('settings.set', { provider: missing!.id })).rejects.toThrow(
      new RegExp(`'${missing!.id}' cannot run on this machine: `),
    )
    expect((await b.invoke('settings.get', {})).provider).toBe('auto')
    expect((await b.invoke('settings.set', { provider: 'cpu' })).provider).toBe('cpu')
  })

  it('says why a provider is unavailable: not in the build, or its library not installed', () => {
    const s = providerStatuses(
      [
        { name: 'cpu', bundled: true },
        { name: 'cuda', bundled: false },
      ],
      () => false,
    )
    expect(s.find((p) => p.name === 'cuda')).toMatchObject({
      available: false,
      reason: /library is not installed/,
    })
    expect(s.find((p) => p.name === 'coreml')).toMatchObject({ available: false, reason: /not part of this/ })
    const withLib = providerStatuses([{ name: 'cuda', bundled: false }], () => true)
    expect(withLib.find((p) => p.name === 'cuda')?.available).toBe(true)
  })

  it('checks the Python path typed in Settings, not the saved one', async () => {
    const { b, dir } = setup()
    const typed = path.join(dir, 'no-such-python')
    const status = await b.invoke('models.trainer', { pythonPath: typed })
    expect(status.ok).toBe(false)
    expect(`${status.error} ${status.install}`).toContain(typed)
    expect((await b.invoke('settings.get', {})).pythonPath).toBe('')
  })
})
