/**
 * The shapes of the measurement results the renderer reads (written by the describe and property jobs,
 * see core/analysis/describe.ts and core/physics/transport.ts), and picking the latest of each kind.
 */
import type { MeasurementInfo } from '../../../shared/dto'
import type { SliceAxis } from './phases'

export type AxisCurves = Record<SliceAxis, number[]>

export interface PhaseDescription {
  id: number
  name?: string
  volumeFraction: number
  s2: AxisCurves & { radial?: number[] }
  linealPath: AxisCurves
  specificSurfaceArea?: { faceCount: number; smoothed: number; unit: string }
  percolatingFraction?: Record<SliceAxis, number | null>
  /** χ of the phase at 26-connectivity (8 in 2D), total and per voxel (core/analysis/euler.ts). */
  eulerCharacteristic?: { chi: number; perVoxel: number; connectivity: number }
  /** Local-thickness (pore-size) distribution (core/analysis/local-thickness.ts); null when undefined. */
  localThickness?: {
    histogram: { edges: number[]; fraction: number[] }
    mean: number
    median: number
    max: number
    meanLength: number | null
    medianLength: number | null
    unit: string
  } | null
}

export interface VolumeDescription {
  shape: [number, number, number]
  periodic: boolean
  phases: PhaseDescription[]
  triplePhaseBoundaryDensity?: { value: number; unit: string }
}

export interface PropertyResult {
  phase: number
  axis: SliceAxis
  volumeFraction: number
  relativeDiffusivity: number
  tortuosityFactor: number | null
  percolating: boolean
}

function isDescription(r: unknown): r is VolumeDescription {
  return typeof r === 'object' && r !== null && Array.isArray((r as VolumeDescription).phases)
}

function isProperty(r: unknown): r is PropertyResult {
  return typeof r === 'object' && r !== null && typeof (r as PropertyResult).relativeDiffusivity === 'number'
}

function newestFirst(list: readonly MeasurementInfo[]): MeasurementInfo[] {
  return [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
}

/** The newest describe result of a volume, or null. */
export function latestDescription(list: readonly MeasurementInfo[]): VolumeDescription | null {
  const m = newestFirst(list).find((m) => m.kind === 'describe' && isDescription(m.result))
  return m ? (m.result as VolumeDescription) : null
}

/** The newest property result per (phase, axis), ordered by phase then axis. */
export function latestProperties(list: readonly MeasurementInfo[]): PropertyResult[] {
  const seen = new Map<string, PropertyResult>()
  for (const m of newestFirst(list)) {
    if (m.kind !== 'property' || !isProperty(m.result)) continue
    const key = `${m.result.phase}:${m.result.axis}`
    if (!seen.has(key)) seen.set(key, m.result)
  }
  return [...seen.values()].sort((a, b) => a.phase - b.phase || a.axis.localeCompare(b.axis))
}

/** Axes along which a curve has more than its r = 0 point (a 2D image has no z curve). */
export function curveAxes(curves: AxisCurves): SliceAxis[] {
  return (['z', 'y', 'x'] as const).filter((a) => (curves[a]?.length ?? 0) > 1)
}

/** A thickness histogram as a curve: bin centres (voxels) and the phase-volume fraction in each bin. */
export function thicknessCurve(p: PhaseDescription): { xs: number[]; values: number[] } | null {
  const h = p.localThickness?.histogram
  if (!h || h.fraction.length === 0) return null
  return { xs: h.fraction.map((_, i) => (h.edges[i] + h.edges[i + 1]) / 2), values: h.fraction }
}
