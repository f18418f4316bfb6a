/**
 * Model bundles on disk: a folder with manifest.json, the four ONNX graphs and stats.json (DESIGN §4).
 * Loading checks the manifest schema, that every file the manifest lists exists and has the listed sha256,
 * and the training statistics; the graphs' input/output contracts are checked when sessions are opened
 * (see onnx-model.ts). Every refusal is one UserError line that names the bundle and the problem.
 */
import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import { UserError, errorMessage } from '../errors'
import { parseManifest, type BundleManifest } from './manifest'
import { parseTrainingStats, type TrainingStats } from './stats'
import { sha256File } from './sha256'
import { unpackBundleZip } from './bundle-zip'

export type BundleSource = 'shipped' | 'project' | 'path'

export interface ModelBundle {
  /** The folder name; how `--model ID` refers to it. */
  id: string
  dir: string
  source: BundleSource
  manifest: BundleManifest
  /** sha256 of manifest.json, which pins every file's hash: the model's identity in run records. */
  manifestSha256: string
  stats: TrainingStats
}

export { sha256File }

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch {
    throw new UserError(`${file}: ${what} not found`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new UserError(`${file}: ${what} is not valid JSON (${errorMessage(err)})`)
  }
}

/** Load and check a bundle folder or .zip (schema, files, hashes, statistics). */
export async function loadBundle(ref: string, source: BundleSource = 'path'): Promise<ModelBundle> {
  const isZip = /\.zip$/i.test(ref)
  const id = path.basename(path.resolve(ref)).replace(/\.zip$/i, '')
  const dir = isZip ? await unpackBundleZip(ref) : ref
  const manifestFile = path.join(dir, 'manifest.json')
  if (!existsSync(dir)) throw new UserError(`model bundle ${dir}: no such folder`)
  const manifest = parseManifest(await readJson(manifestFile, 'bundle manifest'), manifestFile)
  for (const [name, expected] of Object.entries(manifest.files)) {
    if (name.includes('..') || path.isAbsolute(name))
      throw new UserError(`bundle ${id}: file name '${name}' leaves the bundle folder`)
    const file = path.join(dir, name)
    if (!existsSync(file)) throw new UserError(`bundle ${id}: ${name} is missing`)
    const actual = await sha256File(file)
    if (actual !== expected) {
      throw new UserError(
        `bundle ${id}: ${name} does not match its sha256 in manifest.json (file changed or corrupt)`,
      )
    }
  }
  const statsFile = path.join(dir, 'stats.json')
  const stats = parseTrainingStats(
    await readJson(statsFile, 'training statistics'),
    statsFile,
    manifest.phases.length,
  )
  const manifestSha256 = await sha256File(manifestFile)
  return { id, dir: path.resolve(dir), source, manifest, manifestSha256, stats }
}

/** A folder found while looking for bundles: the bundle, or why it was refused. */
export type DiscoveredBundle =
  | { ok: true; id: string; dir: string; source: BundleSource; bundle: ModelBundle }
  | { ok: false; id: string; dir: string; source: BundleSource; error: string }

/**
 * The shipped bundles folder: $MICROLAD_MODELS_DIR if set, else resources/models of the app (found from
 * this file's location in the source tree or the built app).
 */
export function shippedModelsDir(): string {
  if (process.env.MICROLAD_MODELS_DIR) return process.env.MICROLAD_MODELS_DIR
  const candidates = [
    path.resolve(__dirname, '..', '..', '..', 'resources', 'models'),
    path.resolve(__dirname, '..', '..', 'resources', 'models'),
    path.resolve(process.cwd(), 'resources', 'models'),
  ]
  return candidates.find((c) => existsSync(c)) ?? candidates[0]
}

/** A project's bundles live in PROJECT/models/<id>/; a folder without models/ is scanned itself. */
export function projectModelsDir(projectDir: string): string {
  const sub = path.join(projectDir, 'models')
  return existsSync(sub) ? sub : projectDir
}

async function scan(dir: string, source: BundleSource): Promise<DiscoveredBundle[]> {
  let entries: string[]
  try {
    entries = (await fs.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() || (e.isFile() && e.name.toLowerCase().endsWith('.zip')))
      .map((e) => e.name)
  } catch {
    return []
  }
  const found: DiscoveredBundle[] = []
  for (const entry of entries.sort()) {
    const folder = path.join(dir, entry)
    const name = entry.replace(/\.zip$/i, '')
    if (!entry.toLowerCase().endsWith('.zip') && !existsSync(path.join(folder, 'manifest.json'))) continue
    try {
      found.push({ ok: true, id: name, dir: folder, source, bundle: await loadBundle(folder, source) })
    } catch (err) {
      found.push({ ok: false, id: name, dir: folder, source, error: errorMessage(err) })
    }
  }
  return found
}

/** Every bundle (a folder with a manifest.json, or a .zip) among the shipped ones and, if given, the project's. */
export async function discoverBundles(
  opts: { projectDir?: string; shippedDir?: string } = {},
): Promise<DiscoveredBundle[]> {
  const shipped = await scan(opts.shippedDir ?? shippedModelsDir(), 'shipped')
  const project = opts.projectDir ? await scan(projectModelsDir(opts.projectDir), 'project') : []
  return [...project, ...shipped]
}

/**
 * `--model ID|PATH`: a folder path (anything with a path separator or that exists as a folder), else the id
 * of a project bundle, else of a shipped one.
 */
export async function resolveBundle(
  ref: string,
  opts: { projectDir?: string; shippedDir?: string } = {},
): Promise<ModelBundle> {
  if (
    ref.includes('/') ||
    ref.includes(path.sep) ||
    (existsSync(ref) && (await fs.stat(ref)).isDirectory())
  ) {
    return loadBundle(ref, 'path')
  }
  const dirs = [
    ...(opts.projectDir ? [[projectModelsDir(opts.projectDir), 'project'] as const] : []),
    [opts.shippedDir ?? shippedModelsDir(), 'shipped'] as const,
  ]
  for (const [dir, source] of dirs) {
    const folder = path.join(dir, ref)
    if (existsSync(path.join(folder, 'manifest.json'))) return loadBundle(folder, source)
    if (existsSync(`${folder}.zip`)) return loadBundle(`${folder}.zip`, source)
  }
  const known = (await discoverBundles(opts)).map((b) => b.id)
  throw new UserError(
    `no model bundle '${ref}' (known: ${known.length ? known.join(', ') : 'none installed'})`,
  )
}
