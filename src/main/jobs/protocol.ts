/**
 * Messages between the job runner (main process) and a job process. Both directions are validated: a job
 * process is separate code that may crash or misbehave, and a bad message must not corrupt the project.
 */
import { z } from 'zod'
import { DesignHistoryEntry, JobKind, VolumeInfo } from '../../shared/dto'

export const RunJobMessage = z.object({
  type: z.literal('run'),
  jobId: z.number().int(),
  kind: JobKind,
  params: z.record(z.string(), z.unknown()),
  projectDir: z.string(),
  settings: z
    .object({ threads: z.number().int().positive().optional(), provider: z.string().optional() })
    .default({}),
})
export type RunJobMessage = z.infer<typeof RunJobMessage>

/** A volume file a job wrote into the project; the runner records it in the database. */
export const ProducedVolume = VolumeInfo.pick({
  name: true,
  shape: true,
  spacing: true,
  unit: true,
  phases: true,
  source: true,
}).extend({
  path: z.string(),
  datasetId: z.number().int().nullable().default(null),
  plane: z.enum(['xy', 'xz', 'yz']).nullable().default(null),
  sourcePath: z.string().nullable().default(null),
})
export type ProducedVolume = z.infer<typeof ProducedVolume>

export const JobOutcome = z.object({
  /** Small JSON result shown to the user (numbers, paths, timings). */
  result: z.unknown(),
  volumes: z.array(ProducedVolume).default([]),
  /** Measurements of an existing volume (volumeId) or of the i-th produced volume (volumeIndex). */
  measurements: z
    .array(
      z.object({
        volumeId: z.number().int().nullable().default(null),
        volumeIndex: z.number().int().nullable().default(null),
        kind: z.string(),
        params: z.unknown(),
        result: z.unknown(),
      }),
    )
    .default([]),
  /** Model bundles the job wrote into the project's models/ folder (train jobs); recorded in the models table. */
  models: z
    .array(
      z.object({
        bundleName: z.string(),
        path: z.string(),
        manifest: z.unknown(),
        source: z.enum(['imported', 'trained']),
      }),
    )
    .default([]),
  /** Validation reports of a model (validate jobs); recorded in the validations table. */
  validations: z
    .array(
      z.object({
        modelId: z.string(),
        modelSource: z.string(),
        modelSha256: z.string().nullable(),
        params: z.record(z.string(), z.unknown()),
        report: z.unknown(),
      }),
    )
    .default([]),
  run: z
    .object({
      model: z.string().nullable(),
      modelSha256: z.string().nullable(),
      params: z.unknown(),
      seed: z.number().int().nullable(),
      targets: z.unknown().optional(),
      timings: z.unknown().optional(),
    })
    .nullable()
    .default(null),
})
export type JobOutcome = z.input<typeof JobOutcome>

export const JobMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    fraction: z.number().min(0).max(1),
    message: z.string().optional(),
  }),
  z.object({ type: z.literal('log'), line: z.string() }),
  /** New entries of a design job's per-term loss history, sent as they are logged (live loss curves). */
  z.object({ type: z.literal('history'), entries: z.array(DesignHistoryEntry).max(1000) }),
  z.object({ type: z.literal('done'), outcome: JobOutcome }),
  z.object({ type: z.literal('error'), message: z.string(), userError: z.boolean() }),
])
export type JobMessage = z.input<typeof JobMessage>
