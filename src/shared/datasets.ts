/**
 * Data shapes of the Datasets side of the API (segmentation preview, label maps, patches, export), kept
 * apart from dto.ts. See core/segmentation for what the numbers mean.
 */
import { z } from 'zod'
import { Shape3 } from './dto'

/** Which phase each grey class becomes, and the phases' names (core/segmentation/labelmap.ts). */
export const LabelMapSchema = z.object({
  classToPhase: z.array(z.number().int().min(0).max(255)).min(1).max(256),
  phases: z.array(z.object({ id: z.number().int().min(0).max(255), name: z.string().max(200) })).max(256),
})
export type LabelMapInput = z.infer<typeof LabelMapSchema>

/**
 * A greyscale preview of an image file for live segmentation: one slice (the middle one of a stack) shrunk
 * to at most 512 px a side, as 256-bin indices (base64, one byte per pixel, row-major), with the 256-bin
 * histogram of the whole file. A threshold picked as bin index k is the grey value lo + k·width.
 */
export const GreyPreviewInfo = z.object({
  path: z.string(),
  shape: Shape3,
  slice: z.number().int().min(0),
  width: z.number().int().positive().max(512),
  height: z.number().int().positive().max(512),
  scale: z.number().int().positive(),
  bins: z.string(),
  histogram: z.object({
    counts: z.array(z.number().min(0)).length(256),
    lo: z.number(),
    width: z.number().positive(),
    integer8: z.boolean(),
  }),
  /** Distinct grey values (capped at 257); ≤ 16 small integers means it already is a label image. */
  distinct: z.number().int().min(0),
})
export type GreyPreviewInfo = z.infer<typeof GreyPreviewInfo>

export const CropRequest = z
  .object({
    volumeId: z.number().int().positive(),
    size: z.number().int().min(4).max(4096),
    stride: z.number().int().min(1).max(4096).optional(),
    /** Dataset the patches join (default: the source's dataset). */
    datasetId: z.number().int().positive().optional(),
  })
  .strict()

export const ExportDatasetRequest = z
  .object({ id: z.number().int().positive(), dir: z.string().min(1).max(4096) })
  .strict()
