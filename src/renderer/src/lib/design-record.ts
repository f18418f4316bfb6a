/** What a design job recorded for the volume it produced (a measurement of kind 'design'; science-jobs.ts). */
import type { MeasurementInfo } from '../../../shared/dto'

export interface DesignOutcome {
  key: string
  target: number
  before: number
  after: number
  error: number
  reached: boolean
  note?: string
}

export interface PhaseCurves {
  phase: number
  y: number[]
  x: number[]
}

export interface DesignRecord {
  targets: string[]
  weights: string[]
  outcomes: DesignOutcome[]
  fractionsBefore: number[]
  fractionsAfter: number[]
  /** The S2 curves aimed at (training or a reference volume), null without an s2 target. */
  s2Target: PhaseCurves[] | null
  /** The bundle's training S2 curves. */
  trainingS2: PhaseCurves[]
}

/** The latest design record among a volume's measurements, or null. */
export function latestDesign(ms: readonly MeasurementInfo[]): DesignRecord | null {
  const m = [...ms]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
    .find((x) => x.kind === 'design')
  const r = m?.result as Partial<DesignRecord> | undefined
  if (!r || !Array.isArray(r.outcomes)) return null
  return {
    targets: r.targets ?? [],
    weights: r.weights ?? [],
    outcomes: r.outcomes,
    fractionsBefore: r.fractionsBefore ?? [],
    fractionsAfter: r.fractionsAfter ?? [],
    s2Target: r.s2Target ?? null,
    trainingS2: r.trainingS2 ?? [],
  }
}

/** The outcomes a design job keeps in its result (`targets`), or null. */
export function resultOutcomes(result: unknown): DesignOutcome[] | null {
  const t = (result as { targets?: unknown } | null)?.targets
  return Array.isArray(t) && t.every((o) => typeof o === 'object' && o !== null && 'key' in o)
    ? (t as DesignOutcome[])
    : null
}

/** One curve of a phase: the mean of its row (y) and column (x) curves. */
export function meanCurve(c: PhaseCurves): number[] {
  const n = Math.min(c.y.length, c.x.length)
  return Array.from({ length: n }, (_, r) => 0.5 * (c.y[r] + c.x[r]))
}
