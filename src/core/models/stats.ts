/**
 * stats.json of a bundle: statistics of the training patches (written by training/microlad_train/
 * statistics.py). Per plane tag ("all" always, "xy"/"xz"/"yz" for anisotropic data) and per phase: volume
 * fraction, non-periodic S2 and lineal path along the patch's x and y axes for r = 0 … S/2, surface area;
 * each as mean and standard deviation over the patches.
 */
import { z } from 'zod'
import { UserError } from '../errors'

const MeanStd = z.object({ mean: z.number(), std: z.number() })
const CurveMeanStd = z.object({ mean: z.array(z.number()), std: z.array(z.number()) })
const AlongAxes = z.looseObject({ x: CurveMeanStd, y: CurveMeanStd })

export const PhaseStatsSchema = z.looseObject({
  id: z.number().int().nonnegative(),
  volumeFraction: MeanStd,
  s2: AlongAxes,
  linealPath: AlongAxes,
  surfaceArea: MeanStd.optional(),
})

export const TrainingStatsSchema = z.looseObject({
  imageSize: z.number().int().positive(),
  r: z.array(z.number()),
  planes: z.record(z.string(), z.looseObject({ phases: z.array(PhaseStatsSchema) })),
})

export type TrainingStats = z.infer<typeof TrainingStatsSchema>
export type PhaseStats = z.infer<typeof PhaseStatsSchema>

export function parseTrainingStats(json: unknown, file: string, phases: number): TrainingStats {
  const result = TrainingStatsSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new UserError(
      `${file}: invalid training statistics: ${issue.path.join('.') || '(top level)'}: ${issue.message}`,
    )
  }
  const all = result.data.planes.all
  if (!all) throw new UserError(`${file}: invalid training statistics: planes.all is missing`)
  if (all.phases.length !== phases) {
    throw new UserError(
      `${file}: invalid training statistics: ${all.phases.length} phases, the manifest has ${phases}`,
    )
  }
  return result.data
}

/** Mean training volume fraction of each phase over all patches. */
export function trainingFractions(stats: TrainingStats): number[] {
  return stats.planes.all.phases.map((p) => p.volumeFraction.mean)
}

/** Mean training S2 curves of each phase along the patches' rows (y) and columns (x), over all patches. */
export function trainingS2(stats: TrainingStats): { y: number[]; x: number[] }[] {
  return stats.planes.all.phases.map((p) => ({ y: p.s2.y.mean, x: p.s2.x.mean }))
}

/** One phase's fit of stats.json "transport": log D_rel = intercept + slope · log f over real subvolumes. */
export interface TransportFit {
  phase: number
  intercept: number
  slope: number
}

const TransportSchema = z.looseObject({
  size: z.number(),
  phases: z.array(
    z.looseObject({
      id: z.number().int().nonnegative(),
      fit: z.object({ intercept: z.number(), slope: z.number() }).loose().optional(),
    }),
  ),
})

/**
 * The D_rel-versus-fraction fits of the phases the trainer measured on 3D training subvolumes
 * (training/microlad_train/statistics.py `transport_statistics`); empty for 2D-only or older bundles.
 */
export function trainingTransportFits(stats: TrainingStats): TransportFit[] {
  const parsed = TransportSchema.safeParse((stats as { transport?: unknown }).transport)
  if (!parsed.success) return []
  return parsed.data.phases.flatMap((p) =>
    p.fit ? [{ phase: p.id, intercept: p.fit.intercept, slope: p.fit.slope }] : [],
  )
}
