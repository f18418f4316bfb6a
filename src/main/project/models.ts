/**
 * Model bundles seen from the app: the list the Models view shows, one bundle's manifest and statistics,
 * and importing a bundle folder or .zip into a project's models/ folder. An import is checked by the core
 * bundle validator (manifest schema, every file's sha256, statistics) in a temporary folder inside
 * models/ and renamed into place only when it passed, so a refused or interrupted import leaves nothing.
 */
import { existsSync, mkdirSync, promises as fs, readdirSync, renameSync, rmSync } from 'node:fs'
import path from 'node:path'
import { unzipSync } from 'fflate'
import { UserError, errorMessage } from '../../core/errors'
import {
  discoverBundles,
  loadBundle,
  type DiscoveredBundle,
  type ModelBundle,
} from '../../core/models/bundle'
import type { ModelDetails, ModelInfo } from '../../shared/dto'
import type { Project } from './project'

export function modelInfo(b: DiscoveredBundle): ModelInfo {
  if (!b.ok) {
    return {
      id: b.id,
      source: b.source,
      dir: b.dir,
      ok: false,
      error: b.error,
      name: null,
      description: null,
      material: null,
      phases: [],
      imageSize: null,
      conditioning: null,
      licence: null,
      training: null,
    }
  }
  const m = b.bundle.manifest
  return {
    id: b.id,
    source: b.source,
    dir: b.dir,
    ok: true,
    error: null,
    name: m.name,
    description: m.description,
    material: m.material,
    phases: m.phases.map((p) => ({ id: p.id, name: p.name, color: p.color })),
    imageSize: m.imageSize,
    conditioning: m.conditioning.kind,
    licence: m.licence,
    training: m.training,
  }
}

function statistics(bundle: ModelBundle): ModelDetails['statistics'] {
  const rows: NonNullable<ModelDetails['statistics']> = []
  for (const [plane, entry] of Object.entries(bundle.stats.planes)) {
    for (const p of entry.phases) {
      rows.push({
        plane,
        phase: p.id,
        volumeFraction: { mean: p.volumeFraction.mean, std: p.volumeFraction.std },
        surfaceArea: p.surfaceArea ? { mean: p.surfaceArea.mean, std: p.surfaceArea.std } : null,
      })
    }
  }
  return rows
}

export async function modelDetails(
  id: string,
  source: ModelInfo['source'],
  project: Project | null,
): Promise<ModelDetails> {
  const found = (await discoverBundles({ projectDir: project?.dir })).find(
    (b) => b.id === id && b.source === source,
  )
  if (!found) throw new UserError(`no ${source} model bundle '${id}'`)
  const origin = found.source === 'project' && project ? project.modelOrigin(found.dir) : null
  if (!found.ok)
    return { info: modelInfo(found), manifest: null, statistics: null, origin, manifestSha256: null }
  return {
    info: modelInfo(found),
    manifest: found.bundle.manifest as Record<string, unknown>,
    statistics: statistics(found.bundle),
    origin,
    manifestSha256: found.bundle.manifestSha256,
  }
}

/** Unpack a zip into `dest` (created), refusing entries that would leave it. */
async function unzipInto(zipFile: string, dest: string): Promise<void> {
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(new Uint8Array(await fs.readFile(zipFile)))
  } catch (err) {
    throw new UserError(`${zipFile}: not a readable zip (${errorMessage(err)})`)
  }
  const root = path.resolve(dest)
  for (const [name, data] of Object.entries(entries)) {
    if (name.endsWith('/')) continue
    const target = path.resolve(root, name)
    if (!target.startsWith(root + path.sep))
      throw new UserError(`${zipFile}: entry '${name}' leaves the bundle folder`)
    mkdirSync(path.dirname(target), { recursive: true })
    await fs.writeFile(target, data)
  }
}

/** The folder holding manifest.json: the folder itself or its single sub-folder. */
async function bundleRoot(dir: string, what: string): Promise<string> {
  if (existsSync(path.join(dir, 'manifest.json'))) return dir
  const subs = (await fs.readdir(dir, { withFileTypes: true })).filter(
    (e) => e.isDirectory() && !e.name.startsWith('__MACOSX'),
  )
  if (subs.length === 1 && existsSync(path.join(dir, subs[0].name, 'manifest.json')))
    return path.join(dir, subs[0].name)
  throw new UserError(`${what}: no manifest.json at its top or in its single folder (not a model bundle)`)
}

/** A folder name for the bundle inside models/: its id, with -2, -3 … when taken. */
function freeName(modelsDir: string, base: string): string {
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'model'
  let name = safe
  for (
    let i = 2;
    existsSync(path.join(modelsDir, name)) || existsSync(path.join(modelsDir, `${name}.zip`));
    i++
  )
    name = `${safe}-${i}`
  return name
}

/**
 * Copy a bundle folder or .zip into PROJECT/models/<id>/ and record it in the models table. The copy is
 * made in a hidden temporary folder, checked there, and renamed into place; on any failure it is removed.
 */
export async function importBundle(project: Project, ref: string): Promise<{ id: string; dir: string }> {
  const src = path.resolve(ref)
  if (!existsSync(src)) throw new UserError(`${src}: no such file or folder`)
  const isZip = /\.zip$/i.test(src)
  const stat = await fs.stat(src)
  if (!isZip && !stat.isDirectory())
    throw new UserError(`${src}: a model bundle is a folder or a .zip of one`)
  const modelsDir = path.join(project.dir, 'models')
  mkdirSync(modelsDir, { recursive: true })
  const tmp = path.join(modelsDir, `.import-${process.pid}-${Date.now().toString(36)}`)
  try {
    mkdirSync(tmp)
    let root: string
    let base: string
    if (isZip) {
      await unzipInto(src, tmp)
      root = await bundleRoot(tmp, src)
      base = path.basename(src).replace(/\.zip$/i, '')
    } else {
      const srcRoot = await bundleRoot(src, src)
      base = path.basename(srcRoot)
      root = path.join(tmp, 'bundle')
      await fs.cp(srcRoot, root, { recursive: true })
    }
    let bundle: ModelBundle
    try {
      bundle = await loadBundle(root, 'project')
    } catch (err) {
      // The validator names the temporary folder; the user knows the file they picked.
      const msg = errorMessage(err).split(root).join(src)
      throw new UserError(`cannot import ${src}: ${msg.replace(/^bundle [^:]+: /, '')}`)
    }
    const id = freeName(modelsDir, base || bundle.manifest.name)
    const dest = path.join(modelsDir, id)
    renameSync(root, dest)
    project.addModel(id, dest, bundle.manifest, 'imported')
    return { id, dir: dest }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Remove the temporary import and training folders a crash left in models/ (called when a project opens). */
export function removeStaleImports(project: Project): void {
  const modelsDir = path.join(project.dir, 'models')
  let names: string[]
  try {
    names = readdirSync(modelsDir)
  } catch {
    return
  }
  for (const n of names)
    if (n.startsWith('.import-') || n.startsWith('.train-'))
      rmSync(path.join(modelsDir, n), { recursive: true, force: true })
}
