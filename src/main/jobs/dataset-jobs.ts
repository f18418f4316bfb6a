/**
 * Dataset jobs: the segmentation an import applies (thresholds + label map), cutting an image or volume into
 * patches, and writing a dataset as a folder the trainer reads (training/microlad_train/dataset.py).
 */
import { existsSync, readdirSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { UserError } from '../../core/errors'
import { readVolume, writeVolume } from '../../core/io'
import { ensureDir, writeFileAtomic } from '../../core/io/atomic'
import { checkSegmentation, cropPatches, phaseList, type LabelMap } from '../../core/segmentation'
import { defaultPhases, type Phase, type Volume } from '../../core/volume/volume'
import { LabelMapSchema } from '../../shared/datasets'
import { saveProjectVolume, str, type JobHandler } from './job-context'

function thresholdsParam(params: Record<string, unknown>): number[] | undefined {
  const t = params.thresholds
  if (t === undefined || t === null) return undefined
  if (!Array.isArray(t) || !t.every((v) => typeof v === 'number'))
    throw new UserError(`job parameter 'thresholds' must be a list of numbers`)
  return t
}

function labelMapParam(params: Record<string, unknown>): LabelMap | undefined {
  if (params.labelMap === undefined || params.labelMap === null) return undefined
  const r = LabelMapSchema.safeParse(params.labelMap)
  if (!r.success) throw new UserError(`job parameter 'labelMap' is malformed: ${r.error.issues[0]?.message}`)
  return r.data
}

/** Phases of a label map with the default colours. */
function mappedPhases(map: LabelMap): Phase[] {
  const list = phaseList(map)
  const colours = defaultPhases(list.length)
  return list.map((p, i) => ({ ...p, color: colours[i].color }))
}

/**
 * Read a file for import: as it is, or segmented by params.thresholds (grey values, value ≥ t) and mapped
 * to phases by params.labelMap ({classToPhase, phases}).
 */
export async function readImportVolume(file: string, params: Record<string, unknown>): Promise<Volume> {
  const thresholds = thresholdsParam(params)
  const map = labelMapParam(params)
  if (map && !thresholds) throw new UserError(`a label map needs thresholds`)
  if (!thresholds) return readVolume(file)
  const problem = checkSegmentation(thresholds, map)
  if (problem) throw new UserError(`segmentation: ${problem}`)
  const vol = await readVolume(file, { thresholds })
  if (map) {
    const d = vol.data
    for (let i = 0; i < d.length; i++) d[i] = map.classToPhase[d[i]]
    vol.phases = mappedPhases(map)
  } else {
    vol.phases = defaultPhases(thresholds.length + 1)
  }
  return vol
}

function positiveInt(params: Record<string, unknown>, key: string): number {
  const v = params[key]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new UserError(`job parameter '${key}' must be a positive integer`)
  return v
}

/**
 * Cut a project volume (params.volumeId; the runner adds volumePath) into patches of params.size with
 * params.stride, each saved as a volume of params.datasetId (with params.plane and params.phases kept).
 */
export const cropJob: JobHandler = async (params, ctx) => {
  const size = positiveInt(params, 'size')
  const stride = params.stride === undefined || params.stride === null ? size : positiveInt(params, 'stride')
  const file = str(params, 'volumePath')
  const datasetId = typeof params.datasetId === 'number' ? params.datasetId : null
  const plane = params.plane === 'xy' || params.plane === 'xz' || params.plane === 'yz' ? params.plane : null
  const base = typeof params.name === 'string' && params.name ? params.name : 'patch'
  ctx.progress(0.05, `reading ${path.basename(file)}`)
  const vol = await readVolume(file)
  if (Array.isArray(params.phases)) vol.phases = params.phases as Phase[]
  const patches = cropPatches(vol, size, stride, 2000)
  const produced = []
  for (let i = 0; i < patches.length; i++) {
    if (ctx.signal.aborted) throw new UserError('cancelled')
    const p = patches[i]
    produced.push(
      await saveProjectVolume(ctx, p.volume, `${base}-p${i}`, datasetId === null ? 'import' : 'dataset', {
        datasetId,
        plane,
        sourcePath: path.resolve(file),
      }),
    )
    ctx.progress(0.1 + (0.9 * (i + 1)) / patches.length, `patch ${i + 1}/${patches.length}`)
  }
  return {
    result: { size, stride, patches: patches.length, origins: patches.map((p) => p.origin) },
    volumes: produced,
  }
}

interface ExportFile {
  volumePath: string
  name: string
  plane: 'xy' | 'xz' | 'yz' | null
  classLabel: string | null
}

function exportFiles(params: Record<string, unknown>): ExportFile[] {
  const files = params.files
  if (!Array.isArray(files) || files.length === 0)
    throw new UserError(`job parameter 'files' must list the dataset's images`)
  return files.map((f, i) => {
    const o = f as Record<string, unknown>
    if (typeof o?.volumePath !== 'string') throw new UserError(`files[${i}].volumePath is missing`)
    return {
      volumePath: o.volumePath,
      name: typeof o.name === 'string' && o.name ? o.name : `image-${i}`,
      plane: o.plane === 'xy' || o.plane === 'xz' || o.plane === 'yz' ? o.plane : null,
      classLabel: typeof o.classLabel === 'string' ? o.classLabel : null,
    }
  })
}

/**
 * Write a dataset as a trainer folder (params.dir, which must be new or empty): each 2D image as an 8-bit
 * .png (pixel value = phase label), each volume as a uint8 .npy (z, y, x), and dataset.json with the name,
 * phases, anisotropy, conditioning and the file list with plane tags and class labels.
 */
export const exportDatasetJob: JobHandler = async (params, ctx) => {
  const dir = path.resolve(str(params, 'dir'))
  const files = exportFiles(params)
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new UserError(`${dir} is not empty; export a dataset into a new or empty folder`)
  await ensureDir(dir) // fails at once, naming the folder, where it cannot be made (no recursive-mkdir spin)
  const used = new Set<string>()
  const entries: Record<string, unknown>[] = []
  let phases: Phase[] = Array.isArray(params.phases) ? (params.phases as Phase[]) : []
  let maxLabel = 0
  for (let i = 0; i < files.length; i++) {
    const f = files[i]
    ctx.progress((0.9 * i) / files.length, `writing ${f.name}`)
    const vol = await readVolume(f.volumePath)
    for (const v of vol.data) if (v > maxLabel) maxLabel = v
    const stem = f.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || `image-${i}`
    let name = `${stem}.${vol.shape[0] === 1 ? 'png' : 'npy'}`
    for (let n = 2; used.has(name); n++) name = `${stem}-${n}.${vol.shape[0] === 1 ? 'png' : 'npy'}`
    used.add(name)
    await writeVolume(path.join(dir, name), vol)
    entries.push({
      file: name,
      ...(f.plane ? { plane: f.plane } : {}),
      ...(f.classLabel ? { class: f.classLabel } : {}),
    })
  }
  if (phases.length < maxLabel + 1) {
    const defaults = defaultPhases(maxLabel + 1)
    phases = defaults.map((d) => phases.find((p) => p.id === d.id) ?? d)
  }
  const anisotropic = params.anisotropic === true
  const conditioning = files.some((f) => f.classLabel)
    ? 'class'
    : anisotropic && files.some((f) => f.plane)
      ? 'plane'
      : 'none'
  const spec = {
    name: typeof params.name === 'string' ? params.name : path.basename(dir),
    description: `Exported from MicroLad Studio (${files.length} images)`,
    phases: phases.map((p) => ({ id: p.id, name: p.name, color: p.color })),
    anisotropic,
    conditioning,
    files: entries,
  }
  await writeFileAtomic(path.join(dir, 'dataset.json'), (tmp) =>
    writeFile(tmp, `${JSON.stringify(spec, null, 2)}\n`),
  )
  ctx.progress(1, 'done')
  return { result: { dir, files: entries.length, conditioning } }
}
