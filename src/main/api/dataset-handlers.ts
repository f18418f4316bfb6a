/**
 * The Datasets side of the API: the greyscale preview that segmentation works on, cutting patches and
 * exporting a dataset for the trainer (both as jobs). Spread into createApiHandlers.
 */
import { UserError } from '../../core/errors'
import { greyPreview, readGreyImage } from '../../core/segmentation'
import type { AppContext } from '../app-context'
import { resolveInProject } from '../project/paths'
import type { ApiHandlers } from './handlers'

type DatasetMethods = 'datasets.previewImage' | 'datasets.crop' | 'datasets.export'

export function datasetHandlers(app: AppContext): Pick<ApiHandlers, DatasetMethods> {
  return {
    'datasets.previewImage': async ({ path: typed }) => {
      const path = resolveInProject(app.requireProject().dir, typed)
      const p = greyPreview(await readGreyImage(path))
      return {
        path,
        shape: p.shape,
        slice: p.slice,
        width: p.width,
        height: p.height,
        scale: p.scale,
        bins: Buffer.from(p.bins.buffer, p.bins.byteOffset, p.bins.byteLength).toString('base64'),
        histogram: p.histogram,
        distinct: p.distinct,
      }
    },

    'datasets.crop': ({ volumeId, size, stride, datasetId }) => {
      const project = app.requireProject()
      const v = project.getVolume(volumeId)
      const target = datasetId ?? v.datasetId ?? null
      if (target !== null) project.getDataset(target)
      const image =
        v.datasetId !== null ? project.getDataset(v.datasetId).images.find((i) => i.volumeId === v.id) : null
      return app.requireRunner().start('crop', {
        volumeId,
        size,
        stride: stride ?? size,
        datasetId: target,
        plane: image?.plane ?? null,
        name: v.name,
        phases: v.phases,
      })
    },

    'datasets.export': ({ id, dir }) => {
      const project = app.requireProject()
      const d = project.getDataset(id)
      if (d.images.length === 0) throw new UserError(`dataset '${d.name}' has no images to export`)
      const vols = d.images.map((img) => project.getVolume(img.volumeId))
      return app.requireRunner().start('export-dataset', {
        dir: resolveInProject(project.dir, dir),
        name: d.name,
        anisotropic: d.anisotropic,
        phases: vols[0].phases,
        files: d.images.map((img, i) => ({
          volumePath: vols[i].path,
          name: vols[i].name,
          plane: img.plane,
          classLabel: img.classLabel,
        })),
      })
    },
  }
}
