/**
 * The implementation of the API contract (src/shared/api.ts), once, for every transport.
 */
import os from 'node:os'
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

    'measurements.list': ({ volumeId }) => app.requireProject().listMeasurements(volumeId),

    'jobs.list': () => app.requireProject().listJobs(),
    'jobs.get': ({ id }) => app.requireRunner().info(id),
    'jobs.start': ({ kind, params }) => app.requireRunner().start(kind, params),
    'jobs.cancel': ({ id }) => app.requireRunner().cancel(id),
  }
}
