/**
 * The implementation of the API contract (src/shared/api.ts), once, for every transport.
 */
import os from 'node:os'
import { SUPPORTED_FORMATS } from '../../core/io'
import { DEFAULT_SDS_PARAMS } from '../../core/design/sds'
import { DEFAULT_PARAMS } from '../../core/diffusion/pipeline'
import { discoverBundles, type DiscoveredBundle } from '../../core/models/bundle'
import { trainingFractions } from '../../core/models/stats'
import type { MethodName, MethodOutput, MethodParsedInput } from '../../shared/api'
import type { AppSettings, ExecutionProviderSetting, VolumeInfo } from '../../shared/dto'
import { ValidateJobParams } from '../../shared/validation'
import { UserError } from '../../core/errors'
import type { AppContext } from '../app-context'
import { datasetHandlers } from './dataset-handlers'
import { importBundle, modelDetails, modelInfo } from '../project/models'
import { APP_VERSION, type VolumeRecord } from '../project/project'
import { resolveJobPaths } from '../project/paths'
import { trainerStatus } from '../settings/trainer-status'

export type ApiHandlers = {
  [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>
}

export function createApiHandlers(app: AppContext): ApiHandlers {
  const volumeInfo = (v: VolumeRecord): VolumeInfo => ({
    id: v.id,
    name: v.name,
    shape: v.shape,
    spacing: v.spacing,
    unit: v.unit,
    phases: v.phases,
    source: v.source,
    jobId: v.jobId,
    datasetId: v.datasetId,
    createdAt: v.createdAt,
    url: app.options.volumeUrl(v.id),
  })

  return {
    'app.info': () => ({
      name: 'MicroLad Studio',
      version: APP_VERSION,
      transport: app.options.transport,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      cpus: os.cpus().length,
      project: app.project?.dir ?? null,
    }),

    'projects.recent': () => app.recent(),
    'projects.create': ({ dir, name }) => app.createProject(dir, name).summary(),
    'projects.open': ({ dir }) => app.openProject(dir).summary(),
    'projects.current': () => app.project?.summary() ?? null,
    'projects.close': () => {
      app.closeProject()
      return null
    },
    'projects.demo': async () => (await app.openDemoProject()).summary(),

    'datasets.list': () => app.requireProject().listDatasets(),
    'datasets.create': ({ name, anisotropic }) => {
      if (!name.trim()) throw new UserError('a dataset needs a name: type one (blank names are not kept)')
      const d = app.requireProject().createDataset(name.trim(), anisotropic)
      app.options.emit('project.changed', { what: 'datasets' })
      return d
    },
    ...datasetHandlers(app),

    'volumes.list': () => app.requireProject().listVolumes().map(volumeInfo),
    'volumes.get': ({ id }) => volumeInfo(app.requireProject().getVolume(id)),
    'volumes.delete': async ({ id }) => {
      await app.requireProject().deleteVolume(id)
      app.options.emit('project.changed', { what: 'volumes' })
      return null
    },

    'models.list': async () =>
      (await discoverBundles({ projectDir: app.project?.dir })).map((b) => ({
        ...modelInfo(b),
        ...generateFacts(b),
      })),
    'models.get': ({ id, source }) => modelDetails(id, source, app.project),
    'models.import': async ({ path: ref }) => {
      const project = app.requireProject()
      const { id } = await importBundle(project, ref)
      app.options.emit('project.changed', { what: 'models' })
      return (await modelDetails(id, 'project', project)).info
    },
    'models.trainer': ({ pythonPath }) =>
      trainerStatus(
        pythonPath === undefined ? app.settings() : { ...app.settings(), pythonPath: pythonPath.trim() },
      ),

    'settings.get': () => app.settings(),
    'settings.set': async (patch) => {
      if (patch.provider !== undefined) {
        const status = (await providerSettings()).find((p) => p.id === patch.provider)
        if (status && !status.available)
          throw new UserError(
            `the execution provider '${patch.provider}' cannot run on this machine: ${status.reason}`,
          )
      }
      return app.saveSettings(patch)
    },
    'settings.providers': () => providerSettings(),

    'models.defaults': () => ({
      reconstruct: {
        seed: DEFAULT_PARAMS.seed,
        sampler: DEFAULT_PARAMS.sampler,
        steps: DEFAULT_PARAMS.steps ?? 50,
        harmonize: DEFAULT_PARAMS.harmonize,
        gamma: DEFAULT_PARAMS.gamma,
        refine: DEFAULT_PARAMS.refine,
        guidanceWeight: DEFAULT_PARAMS.guidanceWeight,
      },
      design: { steps: DEFAULT_SDS_PARAMS.steps, batch: DEFAULT_SDS_PARAMS.batch },
    }),

    'measurements.list': ({ volumeId }) => app.requireProject().listMeasurements(volumeId),

    'io.formats': () => SUPPORTED_FORMATS.map((f) => ({ ...f, extensions: [...f.extensions] })),

    'jobs.list': () => app.requireProject().listJobs(),
    'jobs.get': ({ id }) => app.requireRunner().info(id),
    'jobs.start': ({ kind, params }) =>
      app
        .requireRunner()
        .start(
          kind,
          kind === 'design'
            ? resolveVolumeTargets(app, params)
            : kind === 'validate'
              ? validateParams(app, params)
              : kind === 'convert'
                ? exportParams(app, resolveJobPaths(app.requireProject().dir, kind, params))
                : resolveJobPaths(app.requireProject().dir, kind, params),
        ),
    'validations.list': ({ modelId, source }) => app.requireProject().listValidations(modelId, source),
    'jobs.cancel': ({ id }) => app.requireRunner().cancel(id),
    'jobs.logs': ({ id, after }) => app.requireProject().jobLogs(id, after ?? -1),
  }
}

/** Settings' provider names with whether this machine can use each ('auto' always can: it falls back to the CPU). */
async function providerSettings(): Promise<
  { id: ExecutionProviderSetting; available: boolean; reason: string | null }[]
> {
  // ONNX Runtime loads only when Settings asks, not with the main process.
  const { providerStatuses } = await import('../../core/models/providers')
  const statuses = providerStatuses()
  const settingOf = (name: string): AppSettings['provider'] => (name === 'dml' ? 'directml' : (name as never))
  return [
    { id: 'auto', available: true, reason: null },
    ...statuses.map((s) => ({ id: settingOf(s.name), available: s.available, reason: s.reason })),
  ]
}

/**
 * Exporting a project volume (a convert job with `volumeId`): refuse at once, in the app's words, what the
 * chosen format cannot hold — a 3D volume as .png, an .stl without its phase, a phase the volume lacks.
 */
function exportParams(app: AppContext, params: Record<string, unknown>): Record<string, unknown> {
  if (typeof params.volumeId !== 'number' || typeof params.output !== 'string') return params
  const v = app.requireProject().getVolume(params.volumeId)
  const ext = /\.[^./\\]+$/.exec(params.output)?.[0].toLowerCase() ?? ''
  if (ext === '.png' && v.shape[0] > 1)
    throw new UserError(
      `a .png holds one 2D image and '${v.name}' is a 3D volume (${v.shape.join('×')}); export it as .tif (a stack), .npy or .vti`,
    )
  const phaseName = (id: unknown) => v.phases.find((p) => p.id === id)?.name
  if (ext === '.stl') {
    if (typeof params.phase !== 'number')
      throw new UserError('an STL holds the surface of one phase: choose the phase')
    if (phaseName(params.phase) === undefined)
      throw new UserError(`'${v.name}' has no phase ${params.phase}: choose one of its phases`)
  }
  if (params.omitPhases !== undefined) {
    if (ext !== '.inp') throw new UserError('only an Abaqus .inp can leave phases out')
    const omit = params.omitPhases
    if (!Array.isArray(omit) || !omit.every((p) => typeof p === 'number' && phaseName(p) !== undefined))
      throw new UserError(`the phases to leave out must be phases of '${v.name}'`)
    if (v.phases.every((p) => omit.includes(p.id)))
      throw new UserError('leaving every phase out would leave nothing to mesh: keep at least one phase')
  }
  return params
}

/**
 * A design job's `s2=volume:ID` target (the S2 of a project volume or dataset image) becomes `s2=FILE` with
 * the volume's path: the job process never reads the database, and the recorded parameters say which file.
 */
function resolveVolumeTargets(app: AppContext, params: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(params.targets)) return params
  const targets = params.targets.map((t: unknown) => {
    const m = typeof t === 'string' ? /^s2=volume:(\d+)$/.exec(t.trim()) : null
    return m ? `s2=${app.requireProject().getVolume(Number(m[1])).path}` : t
  })
  return { ...params, targets }
}

/** A validate job's parameters, checked and with their defaults (size 64, count 8, draws 25, seed 0). */
function validateParams(app: AppContext, params: Record<string, unknown>): Record<string, unknown> {
  const parsed = ValidateJobParams.safeParse(params)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UserError(`validate job: ${issue.path.join('.') || 'parameters'}: ${issue.message}`)
  }
  if (parsed.data.referenceVolumeId !== undefined)
    app.requireProject().getVolume(parsed.data.referenceVolumeId)
  return parsed.data
}

/** What the Generate form needs to know of a valid bundle: conditioning labels, latent factor, T, training fractions. */
function generateFacts(b: DiscoveredBundle) {
  if (!b.ok) return {}
  const m = b.bundle.manifest
  return {
    conditioningLabels: m.conditioning.labels.map(String),
    latentFactor: m.latent.factor,
    diffusionSteps: m.schedule.T,
    trainingFractions: trainingFractions(b.bundle.stats),
  }
}
