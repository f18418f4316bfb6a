/**
 * Damaged project and bundle files (issue 22, item 5): a truncated or future-version project database, a
 * bundle with a wrong hash or shape, and a read-only project folder are each refused with one line that
 * names the file and the problem, and leave every file on disk byte-identical (no journal, no migration,
 * no half-imported bundle, no volume).
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createBackend, type Backend } from '../../src/main/backend'
import { forkLauncher } from '../../src/main/jobs/launcher'
import { waitForJob } from '../backend-helpers'
import { tempDir } from '../helpers'
import { bundleEntry, fastJobEntry } from './harness'

const SHIPPED = path.resolve(__dirname, '..', '..', 'resources', 'models', 'berea-sandstone')

/** Every file under `dir` with its sha256 (and every folder), to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name)
      const rel = path.relative(dir, p)
      if (statSync(p).isDirectory()) {
        out[rel + '/'] = 'dir'
        walk(p)
      } else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex')
    }
  }
  walk(dir)
  return out
}

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

function setup(): { dir: string; b: Backend } {
  const t = tempDir('microlad-files-')
  const b = createBackend({
    userDataDir: path.join(t.dir, 'user'),
    transport: 'in-process',
    launcher: forkLauncher(fastJobEntry()),
    volumeUrl: (id) => `/vox/volumes/${id}`,
  })
  cleanups.push(() => {
    b.app.closeProject()
    t.cleanup()
  })
  return { dir: t.dir, b }
}

/** A closed project with one volume, at dir/project. */
async function makeProject(dir: string, b: Backend): Promise<string> {
  const p = path.join(dir, 'project')
  await b.invoke('projects.create', { dir: p, name: 'files' })
  const j = await b.invoke('jobs.start', { kind: 'synth', params: { kind: 'spheres', size: 8, seed: 1 } })
  expect((await waitForJob(b, j.id)).status).toBe('succeeded')
  await b.invoke('projects.close', {})
  return p
}

async function refusal(
  b: Backend,
  method: 'projects.open' | 'models.import',
  input: object,
): Promise<string> {
  const r = await b.dispatch(method, input)
  expect(r.ok).toBe(false)
  if (r.ok) return ''
  expect(r.error.userError).toBe(true)
  expect(r.error.message).not.toContain('\n')
  messages.push(r.error.message)
  return r.error.message
}

/** The refusals, for docs/reliability.md (test-artifacts/project-files.json). */
const messages: string[] = []
afterAll(() => {
  const dir = path.resolve(__dirname, '..', '..', 'test-artifacts')
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'project-files.json'), JSON.stringify(messages, null, 2))
})

describe('project database', () => {
  for (const [what, cut] of [
    ['emptied', () => 0],
    ['cut inside its header', () => 60],
    ['cut to half', (n: number) => Math.floor(n / 2)],
    ['missing its last page', (n: number) => n - 4096],
  ] as const) {
    it(`a database ${what} is refused naming the file, and nothing changes on disk`, async () => {
      const { dir, b } = setup()
      const p = await makeProject(dir, b)
      const file = path.join(p, 'project.sqlite')
      truncateSync(file, cut(statSync(file).size))
      const before = snapshot(p)
      const message = await refusal(b, 'projects.open', { dir: p })
      expect(message).toContain(file)
      expect(message).toMatch(/damaged|truncated/)
      expect(snapshot(p)).toEqual(before)
      expect((await b.dispatch('projects.current', {})).ok).toBe(true)
    })
  }

  it('a database of a newer schema version is refused naming the file and both versions', async () => {
    const { dir, b } = setup()
    const p = await makeProject(dir, b)
    const file = path.join(p, 'project.sqlite')
    const db = new Database(file)
    db.pragma('user_version = 99')
    db.close()
    const before = snapshot(p)
    const message = await refusal(b, 'projects.open', { dir: p })
    expect(message).toContain(file)
    expect(message).toMatch(
      /schema version 99 is newer than this app supports \(\d+\); update MicroLad Studio/,
    )
    expect(snapshot(p)).toEqual(before)
  })
})

describe('model bundles', () => {
  let bundles: string
  beforeAll(() => {
    const t = tempDir('microlad-bundles-')
    cleanups.push(t.cleanup)
    bundles = t.dir
  })

  /** A copy of the shipped bundle, changed by `edit`. */
  function badBundle(name: string, edit: (dir: string) => void): string {
    const d = path.join(bundles, name)
    cpSync(SHIPPED, d, { recursive: true })
    edit(d)
    return d
  }

  const manifestOf = (d: string) => JSON.parse(readFileSync(path.join(d, 'manifest.json'), 'utf8'))
  const writeManifest = (d: string, m: unknown) =>
    writeFileSync(path.join(d, 'manifest.json'), JSON.stringify(m))

  it('a bundle whose file does not match its sha256 is refused on import; project and bundle unchanged', async () => {
    const { dir, b } = setup()
    const p = await makeProject(dir, b)
    await b.invoke('projects.open', { dir: p })
    const bundle = badBundle('wrong-hash', (d) => {
      const f = path.join(d, 'decoder.onnx')
      const bytes = readFileSync(f)
      bytes[bytes.length - 1] ^= 0xff
      writeFileSync(f, bytes)
    })
    const before = { project: snapshot(p), bundle: snapshot(bundle) }
    const message = await refusal(b, 'models.import', { path: bundle })
    expect(message).toContain(bundle)
    expect(message).toMatch(/decoder\.onnx does not match its sha256/)
    expect({ project: snapshot(p), bundle: snapshot(bundle) }).toEqual(before)
  })

  it('a bundle whose manifest shapes disagree, or whose statistics have the wrong phase count, is refused on import', async () => {
    const { dir, b } = setup()
    const p = await makeProject(dir, b)
    await b.invoke('projects.open', { dir: p })
    const shape = badBundle('wrong-shape', (d) => writeManifest(d, { ...manifestOf(d), imageSize: 48 }))
    const stats = badBundle('wrong-stats', (d) => {
      const m = manifestOf(d)
      writeManifest(d, { ...m, phases: [...m.phases, { id: 2, name: 'extra', color: '#ff0000' }] })
    })
    const before = { project: snapshot(p), shape: snapshot(shape), stats: snapshot(stats) }
    const m1 = await refusal(b, 'models.import', { path: shape })
    expect(m1).toContain(path.join(shape, 'manifest.json'))
    expect(m1).toMatch(/imageSize 48 is not latent.size × latent.factor/)
    const m2 = await refusal(b, 'models.import', { path: stats })
    expect(m2).toContain(stats)
    expect(m2).toMatch(/stats\.json|phase/)
    expect({ project: snapshot(p), shape: snapshot(shape), stats: snapshot(stats) }).toEqual(before)
  })

  it('a bundle whose graph has the wrong inputs fails its reconstruct job naming the graph; nothing is written', async () => {
    const { dir, b } = setup()
    const p = await makeProject(dir, b)
    await b.invoke('projects.open', { dir: p })
    // The denoiser replaced by the decoder graph, with a manifest hash that matches: only the contract check sees it.
    const bundle = badBundle('wrong-graph', (d) => {
      cpSync(path.join(d, 'decoder.onnx'), path.join(d, 'denoiser.onnx'))
      const m = manifestOf(d)
      m.files['denoiser.onnx'] = createHash('sha256')
        .update(readFileSync(path.join(d, 'denoiser.onnx')))
        .digest('hex')
      writeManifest(d, m)
    })
    const before = { project: snapshot(p), bundle: snapshot(bundle) }
    const j = await b.invoke('jobs.start', { kind: 'reconstruct', params: { model: bundle, size: 16 } })
    const end = await waitForJob(b, j.id, 60_000)
    expect(end.status).toBe('failed')
    expect(end.error).toMatch(/denoiser\.onnx/)
    expect(end.error).not.toContain('\n')
    messages.push(end.error!)
    const after = snapshot(p)
    // The database records the failed job; every other file is unchanged.
    for (const k of Object.keys(before.project).filter((k) => !k.startsWith('project.sqlite')))
      expect(after[k], k).toBe(before.project[k])
    expect(Object.keys(after).filter((k) => !k.startsWith('project.sqlite'))).toEqual(
      Object.keys(before.project).filter((k) => !k.startsWith('project.sqlite')),
    )
    expect(snapshot(bundle)).toEqual(before.bundle)
  })
})

describe('read-only project folder', () => {
  it('is refused naming the folder, and nothing changes on disk', async () => {
    const { dir, b } = setup()
    const p = await makeProject(dir, b)
    const asRoot = process.getuid?.() === 0
    const user = 65534
    if (asRoot) {
      // root writes anywhere: open the project as an unprivileged user that owns it.
      for (const f of [dir, p, ...readdirSync(p, { recursive: true }).map((n) => path.join(p, String(n)))])
        chownSync(f, user, user)
    }
    chmodSync(p, 0o555)
    cleanups.unshift(() => chmodSync(p, 0o755))
    const before = snapshot(p)
    let message: string
    if (asRoot) {
      const script = bundleEntry('test/reliability/open-project.ts', 'open-project')
      const r = spawnSync(process.execPath, [script, p, path.join(dir, 'user2')], {
        uid: user,
        gid: user,
        encoding: 'utf8',
        cwd: dir,
      })
      expect(r.status, r.stderr).toBe(0)
      const reply = JSON.parse(r.stdout) as { ok: boolean; error?: { message: string; userError: boolean } }
      expect(reply.ok).toBe(false)
      expect(reply.error?.userError).toBe(true)
      message = reply.error!.message
      messages.push(message)
    } else message = await refusal(b, 'projects.open', { dir: p })
    expect(message).toContain(p)
    expect(message).toMatch(/read-only/)
    expect(snapshot(p)).toEqual(before)
    expect(existsSync(path.join(p, 'project.sqlite-wal'))).toBe(false)
  })
})
