import path from 'node:path'
import { UserError } from '../../core/errors'
import { writeVolume } from '../../core/io'
import { defaultPhases, phaseCount, type Volume } from '../../core/volume/volume'
import type { DesignHistoryEntry } from '../../shared/dto'
import type { JobOutcome, ProducedVolume } from './protocol'

export interface JobContext {
  jobId: number
  projectDir: string
  signal: AbortSignal
  settings: { threads?: number; provider?: string }
  progress(fraction: number, message?: string): void
  log(line: string): void
  /** Report new loss-history entries of a design job (forwarded live as the `job.history` event). */
  history(entries: DesignHistoryEntry[]): void
}

export type JobHandler = (params: Record<string, unknown>, ctx: JobContext) => Promise<JobOutcome>

/** A required string job parameter. */
export function str(params: Record<string, unknown>, key: string): string {
  const v = params[key]
  if (typeof v !== 'string' || v.length === 0)
    throw new UserError(`job parameter '${key}' must be a non-empty string`)
  return v
}

/** Write a volume into the project's volumes/ folder as .npy and describe it for the runner. */
export async function saveProjectVolume(
  ctx: JobContext,
  vol: Volume,
  name: string,
  source: ProducedVolume['source'],
  extra: Partial<ProducedVolume> = {},
): Promise<ProducedVolume> {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'volume'
  const file = path.join(ctx.projectDir, 'volumes', `${safe}-job${ctx.jobId}-${Date.now().toString(36)}.npy`)
  await writeVolume(file, vol)
  return {
    path: file,
    name,
    shape: vol.shape,
    spacing: vol.spacing,
    unit: vol.unit,
    phases: vol.phases ?? defaultPhases(phaseCount(vol)),
    source,
    datasetId: null,
    plane: null,
    sourcePath: null,
    ...extra,
  }
}
