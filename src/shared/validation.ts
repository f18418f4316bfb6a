/**
 * Model validation at equal sample size (DESIGN §10): the parameters of a 'validate' job, the report the
 * core computes (src/core/validation) and the stored record (one row of the project's `validations` table,
 * linked to the model by its id, source and manifest hash). The report's numbers are defined in
 * src/core/validation/verdicts.ts and docs/validation.md.
 */
import { z } from 'zod'

export const ValidateRegion = z.tuple([z.number().int().min(0), z.number().int().positive()])

/** Parameters of a 'validate' job (jobs.start with kind 'validate'). */
export const ValidateJobParams = z
  .object({
    /** Bundle id (project first, then shipped) or bundle folder. */
    model: z.string().min(1).max(4096),
    modelSource: z.enum(['shipped', 'project', 'path']).optional(),
    /** The reference: a project volume (or dataset image) ... */
    referenceVolumeId: z.number().int().positive().optional(),
    /** ... or a volume/image file. */
    referencePath: z.string().min(1).max(4096).optional(),
    /** Restrict a 3D reference to z slices [z0, z1). */
    region: ValidateRegion.nullable().optional(),
    size: z.number().int().min(4).max(512).default(64),
    count: z.number().int().min(2).max(256).default(8),
    draws: z.number().int().min(2).max(1000).default(25),
    seed: z.number().int().min(0).default(0),
  })
  .strict()
  .refine((p) => (p.referenceVolumeId === undefined) !== (p.referencePath === undefined), {
    message: 'give exactly one of referenceVolumeId and referencePath',
  })
export type ValidateJobParams = z.infer<typeof ValidateJobParams>

export type Verdict = 'within' | 'outside' | 'n/a'

/** One test of a row: `value` must lie in [low, high]; a null bound is no bound (JSON has no ∞). */
export interface VerdictCheck {
  name: string
  value: number
  low: number | null
  high: number | null
  pass: boolean
}

export type ScalarKey = 'vf' | 'drel' | 'drel-z' | 'drel-y' | 'drel-x' | 'euler' | 'percolating'
export type CurveKey = 's2' | 'lineal' | 'chord' | 'poreSize'

export interface ValidationRow {
  phase: number
  phaseName: string
  key: ScalarKey | CurveKey
  label: string
  kind: 'scalar' | 'curve'
  /** Scalars: ensemble mean of the K generated volumes. Curves: error % of the generated ensemble. */
  generated: number
  /** Scalars: SD over the K generated volumes; null for curves. */
  generatedSd: number | null
  /** Scalars: mean over all real volumes. Curves: mean over draws of the real ensembles' error %. */
  realMean: number
  /** Scalars: real per-volume SD (mean over draws of the SD within each real ensemble); null for curves. */
  realSd: number | null
  /** Min and max over the draws of the real ensemble means (scalars) or errors % (curves). */
  realMin: number
  realMax: number
  checks: VerdictCheck[]
  verdict: Verdict
  /** The rule in words. */
  rule: string
}

/** Per-volume values of a scalar (the histograms). */
export interface ScalarSamples {
  phase: number
  key: ScalarKey
  label: string
  generated: number[]
  /** All real volumes, draw by draw (draws × K values). */
  real: number[]
}

/** A curve (mean over the axes) with the real band. */
export interface CurveBand {
  phase: number
  key: CurveKey
  label: string
  xLabel: string
  /** The curve the errors are measured against (whole reference region, or pooled real volumes). */
  reference: number[]
  generated: number[]
  realMean: number[]
  /** Pointwise min and max over the draws of the real ensemble-mean curve. */
  realMin: number[]
  realMax: number[]
}

export interface ValidationReport {
  version: 1
  /** '3d': generated volumes vs real subvolumes. '2d': generated slices vs real 2D patches (per plane). */
  mode: '3d' | '2d'
  /** Plain-language notes (e.g. that 3D transport needs a 3D reference). */
  notes: string[]
  reference: {
    name: string
    shape: [number, number, number]
    region: [number, number] | null
    regionShape: [number, number, number]
  }
  model: { id: string; name: string; manifestSha256: string } | null
  settings: {
    size: number
    count: number
    draws: number
    seed: number
    generatedShape: [number, number, number]
    sampleShape: [number, number, number]
    transportAxes: ('z' | 'y' | 'x')[]
    solverTolerance: number
    generatedSeeds: number[]
  }
  phases: { id: number; name: string }[]
  rows: ValidationRow[]
  samples: ScalarSamples[]
  curves: CurveBand[]
  summary: { within: number; outside: number; notApplicable: number; total: number }
  /** Descriptors that could not be computed in this build (a missing analysis module). */
  pending: string[]
  timings: { generate: number; real: number; reference: number; total: number }
  createdAt: string
}

/** A stored validation report (validations.list). */
export const ValidationInfo = z.object({
  id: z.number().int(),
  modelId: z.string(),
  modelSource: z.string(),
  modelSha256: z.string().nullable(),
  jobId: z.number().int().nullable(),
  params: z.record(z.string(), z.unknown()),
  /** The ValidationReport (checked loosely; its shape is the type above). */
  report: z.unknown(),
  createdAt: z.string(),
})
export type ValidationInfo = z.infer<typeof ValidationInfo>
