/**
 * What each job kind does, inside the job process. Handlers are plain async functions over core; they
 * write bulk files into the project folder and describe them in their outcome; the runner in the main
 * process records them in the database (the job process never writes the database).
 */
import path from 'node:path'
import { UserError } from '../../core/errors'
import { readVolume, writeVolume } from '../../core/io'
import type { JobKind } from '../../shared/dto'
import { saveProjectVolume, str, type JobHandler } from './job-context'
import { cropJob, exportDatasetJob, readImportVolume } from './dataset-jobs'
import { describeJob, designJob, propertyJob, reconstructJob, synthJob } from './science-jobs'
import { trainJob } from './train-job'
import { validateJob } from './validate-job'

const importVolume: JobHandler = async (params, ctx) => {
  const file = str(params, 'path')
  ctx.progress(0.05, `reading ${path.basename(file)}`)
  const vol = await readImportVolume(file, params)
  ctx.progress(0.6, 'saving into the project')
  const name =
    typeof params.name === 'string' && params.name ? params.name : path.basename(file).replace(/\.[^.]+$/, '')
  const datasetId = typeof params.datasetId === 'number' ? params.datasetId : null
  const plane = params.plane === 'xy' || params.plane === 'xz' || params.plane === 'yz' ? params.plane : null
  const produced = await saveProjectVolume(ctx, vol, name, datasetId === null ? 'import' : 'dataset', {
    datasetId,
    plane,
    sourcePath: path.resolve(file),
  })
  return { result: { shape: vol.shape, phases: produced.phases.length }, volumes: [produced] }
}

/** The phase ids of a job parameter (e.g. omitPhases), checked. */
function phaseIds(params: Record<string, unknown>, key: string): number[] | undefined {
  const v = params[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || !v.every((p) => Number.isInteger(p) && p >= 0 && p <= 255))
    throw new UserError(`job parameter '${key}' must list phase ids`)
  return v as number[]
}

/**
 * Convert a file ({input, output}) or export a project volume ({volumeId, output}; the runner adds
 * volumePath), with the writer's options: `phase` (.stl), `omitPhases` and `periodic` (.inp).
 */
const convert: JobHandler = async (params, ctx) => {
  const input = params.volumeId !== undefined ? str(params, 'volumePath') : str(params, 'input')
  const output = str(params, 'output')
  const phase = params.phase
  if (phase !== undefined && phase !== null && !(Number.isInteger(phase) && (phase as number) >= 0))
    throw new UserError(`job parameter 'phase' must be a phase id`)
  ctx.progress(0.1, `reading ${path.basename(input)}`)
  const vol = await readVolume(input)
  ctx.progress(0.5, `writing ${path.basename(output)}`)
  const written = await writeVolume(output, vol, {
    phase: typeof phase === 'number' ? phase : undefined,
    omitPhases: phaseIds(params, 'omitPhases'),
    periodic: params.periodic === true,
  })
  return { result: { input, output, shape: vol.shape, files: written.files, ...(written.details ?? {}) } }
}

/**
 * Jobs used by the tests of the runner itself (progress, cancellation, crash, failure). Registered only when
 * MICROLAD_ENABLE_TEST_JOBS=1, never in a user's app.
 */
const testJob: JobHandler = async (params, ctx) => {
  const mode = params.mode
  if (mode === 'crash') process.exit(3)
  if (mode === 'fail') throw new UserError('the test job failed on purpose')
  const steps = typeof params.steps === 'number' ? params.steps : 10
  const delayMs = typeof params.delayMs === 'number' ? params.delayMs : 20
  for (let i = 0; i < steps; i++) {
    if (ctx.signal.aborted) throw new UserError('aborted')
    await new Promise((r) => setTimeout(r, delayMs))
    ctx.progress((i + 1) / steps, `step ${i + 1}/${steps}`)
  }
  ctx.log('test job finished')
  return { result: { steps, pid: process.pid } }
}

export function jobHandlers(): Partial<Record<JobKind, JobHandler>> {
  const handlers: Partial<Record<JobKind, JobHandler>> = {
    import: importVolume,
    convert,
    synth: synthJob,
    describe: describeJob,
    property: propertyJob,
    reconstruct: reconstructJob,
    design: designJob,
    train: trainJob,
    crop: cropJob,
    'export-dataset': exportDatasetJob,
    validate: validateJob,
  }
  if (process.env.MICROLAD_ENABLE_TEST_JOBS === '1') handlers.test = testJob
  return handlers
}
