/**
 * Shared by the crash-consistency, fuzz and soak tests and the soak benchmark: a bundled job-process entry
 * (starts in a third of the time tsx needs, so hundreds of killed jobs stay cheap), a seeded random
 * generator, live process and file-handle counts, and the consistency check of a project on disk.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { buildSync } from 'esbuild'
import type { Project } from '../../src/main/project/project'

const ROOT = path.resolve(__dirname, '..', '..')
/** Inside the repository so that the bundle's bare imports (onnxruntime-node, better-sqlite3) resolve. */
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'microlad-reliability')

const built = new Map<string, string>()

/**
 * Bundle a TypeScript entry of this repository (dependencies stay external) into a .cjs file that plain
 * Node runs. Rebuilt once per test process, so it always reflects the sources under test.
 */
export function bundleEntry(entry: string, name: string): string {
  const cached = built.get(entry)
  if (cached) return cached
  mkdirSync(CACHE, { recursive: true })
  // Test workers are often ended without an 'exit' event: remove bundles older than an hour here too.
  for (const old of readdirSync(CACHE)) {
    const f = path.join(CACHE, old)
    if (Date.now() - statSync(f).mtimeMs > 3_600_000) rmSync(f, { force: true })
  }
  const outfile = path.join(CACHE, `${name}-${process.pid}.cjs`)
  buildSync({
    entryPoints: [path.resolve(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    packages: 'external',
    outfile,
    logLevel: 'error',
  })
  built.set(entry, outfile)
  process.once('exit', () => rmSync(outfile, { force: true }))
  return outfile
}

/** The job-process entry, bundled (see bundleEntry). */
export function fastJobEntry(): string {
  process.env.MICROLAD_MODELS_DIR ??= path.join(ROOT, 'resources', 'models')
  return bundleEntry('src/main/jobs/job-process.ts', 'job-process')
}

/** mulberry32: a small seeded generator, so every trial's kill delay can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Wait until none of `pids` runs; returns those still running after `timeoutMs`. */
export async function waitForExit(pids: number[], timeoutMs: number): Promise<number[]> {
  const t0 = Date.now()
  for (;;) {
    const alive = pids.filter(isAlive)
    if (alive.length === 0 || Date.now() - t0 > timeoutMs) return alive
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Children of a process (Linux /proc; an empty list elsewhere), zombies excluded. */
export function childPids(pid = process.pid): number[] {
  if (!existsSync('/proc')) return []
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[1]) === pid && fields[0] !== 'Z') out.push(Number(name))
    } catch {
      // the process ended while we looked
    }
  }
  return out
}

/** Open file descriptors of this process that name files (sockets, pipes and anonymous handles excluded). */
export function openFiles(): string[] {
  const dir = '/proc/self/fd'
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const fd of readdirSync(dir)) {
    try {
      const target = readlinkSync(path.join(dir, fd))
      if (target.startsWith('/') && !target.startsWith('/dev/')) out.push(target)
    } catch {
      // closed meanwhile
    }
  }
  return out
}

export function residentMb(): number {
  return process.memoryUsage().rss / 2 ** 20
}

/**
 * What is wrong with a project on disk: its database's integrity, jobs still queued or running, volume
 * rows without their file, job-written files without their row, temporary files left visible in its
 * folders (and in `extraDirs`). An empty list means consistent.
 */
export function projectProblems(project: Project, extraDirs: string[] = []): string[] {
  const problems: string[] = []
  const integrity = project.db.pragma('integrity_check', { simple: true })
  if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`)
  const fk = project.db.pragma('foreign_key_check') as unknown[]
  if (fk.length > 0) problems.push(`foreign_key_check: ${fk.length} rows`)
  const stuck = project.db
    .prepare(`SELECT id, kind, status FROM jobs WHERE status IN ('queued', 'running')`)
    .all() as { id: number; kind: string; status: string }[]
  for (const j of stuck) problems.push(`job ${j.id} (${j.kind}) still ${j.status}`)
  const recorded = new Set<string>()
  for (const v of project.listVolumes()) {
    recorded.add(path.resolve(v.path))
    if (!existsSync(v.path)) problems.push(`volume ${v.id} has no file (${v.path})`)
  }
  const images = project.db
    .prepare('SELECT i.id FROM images i LEFT JOIN volumes v ON v.id = i.volume_id WHERE v.id IS NULL')
    .all() as { id: number }[]
  for (const i of images) problems.push(`dataset image ${i.id} has no volume`)
  const models = project.db.prepare('SELECT id, path FROM models').all() as { id: number; path: string }[]
  for (const m of models)
    if (!existsSync(path.join(project.resolve(m.path), 'manifest.json')))
      problems.push(`model ${m.id} has no bundle (${m.path})`)
  for (const sub of ['volumes', 'datasets', 'models', 'exports']) {
    const dir = path.join(project.dir, sub)
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      const file = path.resolve(dir, name)
      if (name.endsWith('.tmp') || name.startsWith('.import-') || name.startsWith('.train-'))
        problems.push(`temporary file left: ${sub}/${name}`)
      else if (sub === 'volumes' && !recorded.has(file)) problems.push(`file without a row: ${sub}/${name}`)
    }
  }
  for (const dir of extraDirs)
    for (const name of existsSync(dir) ? readdirSync(dir) : [])
      if (name.endsWith('.tmp')) problems.push(`temporary file left: ${path.join(dir, name)}`)
  return problems
}
