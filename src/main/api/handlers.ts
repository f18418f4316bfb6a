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
import type { VolumeInfo } from '../../shared/dto'
import { ValidateJobParams } from '../../shared/validation'
import { UserError } from '../../core/errors'
import type { AppContext } from '../app-context'
import { datasetHandlers } from './dataset-handlers'
import { importBundle, modelDetails, modelInfo } from '../project/models'
import { APP_VERSION, type VolumeRecord } from '../project/project'
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
      const d = app.requireProject().createDataset(name, anisotropic)
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
    'models.trainer': () => trainerStatus(app.settings()),

    'settings.get': () => app.settings(),
    'settings.set': (patch) => app.saveSettings(patch),

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
              : params,
        ),
    'validations.list': ({ modelId, source }) => app.requireProject().listValidations(modelId, source),
    'jobs.cancel': ({ id }) => app.requireRunner().cancel(id),
    'jobs.logs': ({ id, after }) => app.requireProject().jobLogs(id, after ?? -1),
  }
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
