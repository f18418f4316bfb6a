/**
 * The implementation of the API contract (src/shared/api.ts), once, for every transport.
 */
import os from 'node:os'
import { SUPPORTED_FORMATS } from '../../core/io'
import { DEFAULT_SDS_PARAMS } from '../../core/design/sds'
import { DEFAULT_PARAMS } from '../../core/diffusion/pipeline'
import { discoverBundles } from '../../core/models/bundle'
import { trainingFractions } from '../../core/models/stats'
import type { MethodName, MethodOutput, MethodParsedInput } from '../../shared/api'
import type { VolumeInfo } from '../../shared/dto'
import type { AppContext } from '../app-context'
import { APP_VERSION, type VolumeRecord } from '../project/project'

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

    'datasets.list': () => app.requireProject().listDatasets(),
    'datasets.create': ({ name, anisotropic }) => {
      const d = app.requireProject().createDataset(name, anisotropic)
      app.options.emit('project.changed', { what: 'datasets' })
      return d
    },

    'volumes.list': () => app.requireProject().listVolumes().map(volumeInfo),
    'volumes.get': ({ id }) => volumeInfo(app.requireProject().getVolume(id)),
    'volumes.delete': async ({ id }) => {
      await app.requireProject().deleteVolume(id)
      app.options.emit('project.changed', { what: 'volumes' })
      return null
    },

    'models.list': async () =>
      (await discoverBundles({ projectDir: app.project?.dir })).map((b) =>
        b.ok
          ? {
              id: b.id,
              source: b.source,
              dir: b.dir,
              ok: true,
              error: null,
              name: b.bundle.manifest.name,
              description: b.bundle.manifest.description,
              material: b.bundle.manifest.material,
              phases: b.bundle.manifest.phases.map((p) => ({ id: p.id, name: p.name, color: p.color })),
              imageSize: b.bundle.manifest.imageSize,
              conditioning: b.bundle.manifest.conditioning.kind,
              licence: b.bundle.manifest.licence,
              training: b.bundle.manifest.training,
              conditioningLabels: b.bundle.manifest.conditioning.labels.map(String),
              latentFactor: b.bundle.manifest.latent.factor,
              diffusionSteps: b.bundle.manifest.schedule.T,
              trainingFractions: trainingFractions(b.bundle.stats),
            }
          : {
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
            },
      ),

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
      app.requireRunner().start(kind, kind === 'design' ? resolveVolumeTargets(app, params) : params),
    'jobs.cancel': ({ id }) => app.requireRunner().cancel(id),
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
