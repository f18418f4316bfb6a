/**
 * The `train` job: runs the Python trainer (training/microlad_train) on a project dataset and registers the
 * exported bundle as a project model. It runs in a job process like every job; the trainer is a Python child
 * of that process.
 *
 * Parameters: `datasetId` (the runner adds `dataset`: name, anisotropic flag and the image files), or
 * `datasetDir` (a folder already in the trainer's format, e.g. an exported dataset); optional `name`,
 * `steps`, `size`, `preset` ('default' | 'tiny'), `device` ('cpu' | 'cuda'); `pythonPath` (from the
 * settings, added by the runner).
 *
 * Everything is written under PROJECT/models/.train-job<ID>/ (dataset.json, checkpoints, the bundle) and the
 * checked bundle is renamed to PROJECT/models/<name>/ at the end; a failed or cancelled run removes the
 * folder. The trainer exits when the job process goes away (killed on cancel; see runTrainer), so no
 * orphaned training keeps running.
 */
import { existsSync, mkdirSync, promises as fs, renameSync, rmSync } from 'node:fs'
import path from 'node:path'
import { UserError } from '../../core/errors'
import { loadBundle } from '../../core/models/bundle'
import { findPython, runTrainer } from '../../core/models/python'
import type { PhaseInfo } from '../../shared/dto'
import type { JobHandler } from './job-context'

interface DatasetParam {
  name: string
  anisotropic: boolean
  images: { path: string; plane: 'xy' | 'xz' | 'yz' | null; phases: PhaseInfo[]; shape: number[] }[]
}

function optionalInt(params: Record<string, unknown>, key: string): number | undefined {
  const v = params[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw new UserError(`job parameter '${key}' must be a positive integer`)
  return v
}

/** Write dataset.json for the trainer: the project's image files by absolute path, with plane tags. */
async function writeDatasetSpec(dir: string, d: DatasetParam): Promise<void> {
  if (d.images.length === 0)
    throw new UserError(`dataset '${d.name}' has no images: import images into it before training`)
  const phases = d.images.reduce<PhaseInfo[]>(
    (best, i) => (i.phases.length > best.length ? i.phases : best),
    [],
  )
  const spec = {
    name: d.name,
    description: `Trained in MicroLad Studio on the project dataset '${d.name}' (${d.images.length} image(s))`,
    material: d.name,
    source: `MicroLad Studio project dataset '${d.name}'`,
    licence: 'as the images of the dataset',
    phases,
    anisotropic: d.anisotropic,
    conditioning: d.anisotropic ? 'plane' : 'none',
    files: d.images.map((i) => ({ file: i.path, ...(i.plane ? { plane: i.plane } : {}) })),
  }
  await fs.writeFile(path.join(dir, 'dataset.json'), JSON.stringify(spec, null, 2))
}

function safeName(s: string): string {
  return (
    s
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 60) || 'trained-model'
  )
}

function freeFolder(modelsDir: string, base: string): string {
  let name = base
  for (
    let i = 2;
    existsSync(path.join(modelsDir, name)) || existsSync(path.join(modelsDir, `${name}.zip`));
    i++
  )
    name = `${base}-${i}`
  return name
}

export const trainJob: JobHandler = async (params, ctx) => {
  const modelsDir = path.join(ctx.projectDir, 'models')
  const work = path.join(modelsDir, `.train-job${ctx.jobId}`)
  const preset = params.preset === 'tiny' ? 'tiny' : params.preset === undefined ? undefined : 'default'
  const device = params.device === 'cpu' || params.device === 'cuda' ? params.device : undefined
  const steps = optionalInt(params, 'steps')
  const size = optionalInt(params, 'size')
  if (size !== undefined && size % 16 !== 0) throw new UserError(`size must be a multiple of 16, got ${size}`)
  const env =
    typeof params.pythonPath === 'string' && params.pythonPath
      ? { ...process.env, MICROLAD_PYTHON: params.pythonPath }
      : process.env
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  try {
    let datasetDir: string
    let baseName: string
    if (params.dataset && typeof params.dataset === 'object') {
      const d = params.dataset as DatasetParam
      await writeDatasetSpec(work, d)
      datasetDir = work
      baseName = d.name
    } else if (typeof params.datasetDir === 'string' && params.datasetDir) {
      datasetDir = params.datasetDir
      if (!existsSync(datasetDir)) throw new UserError(`dataset folder not found: ${datasetDir}`)
      baseName = path.basename(path.resolve(datasetDir))
    } else {
      throw new UserError(`job parameter 'datasetId' (a project dataset) or 'datasetDir' is required`)
    }
    const name = freeFolder(
      modelsDir,
      safeName(typeof params.name === 'string' && params.name ? params.name : baseName),
    )
    const out = path.join(work, 'bundle')
    ctx.progress(0.01, 'starting the trainer')
    let lastLogged = 0
    const python = await findPython(env)
    ctx.log(`Python ${python.pythonVersion} (${python.executable}), torch ${python.torchVersion}`)
    const done = await runTrainer(
      { dataset: datasetDir, out, work: path.join(work, 'run'), steps, size, preset, device },
      (e) => {
        if (e.type === 'progress') {
          const fraction = e.total > 0 ? e.step / e.total : 0
          const loss = Number.isFinite(e.loss) ? e.loss.toFixed(4) : String(e.loss)
          ctx.progress(0.02 + 0.9 * fraction, `${e.stage} ${e.step}/${e.total} loss ${loss}`)
          const now = Date.now()
          if (now - lastLogged > 2000 || e.step === e.total) {
            lastLogged = now
            ctx.log(`${e.stage} step ${e.step}/${e.total} loss ${loss}`)
          }
        } else if (e.type === 'log') ctx.log(e.message)
        else if (e.type === 'error') ctx.log(`trainer error: ${e.message}`)
      },
      ctx.signal,
      env,
      python,
    )
    ctx.progress(0.95, 'checking the exported bundle')
    const bundle = await loadBundle(out, 'project')
    const dest = path.join(modelsDir, name)
    renameSync(out, dest)
    ctx.log(`bundle '${name}' written to ${dest}`)
    return {
      result: { bundle: name, dir: dest, wallTimeS: done.wallTimeS ?? null, timings: done.timings ?? null },
      models: [{ bundleName: name, path: dest, manifest: bundle.manifest, source: 'trained' }],
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
