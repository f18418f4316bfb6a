/**
 * From stored sample values (grey levels, integers, floats) to phase labels 0..P-1.
 *
 * - With thresholds t1 < t2 < ... a voxel's label is the number of thresholds its value reaches (v >= t).
 * - 'labels' mode (data formats: npy, raw, mhd, vti): the values must already be integers 0..255.
 * - 'image' mode (png, jpeg, tiff): values that are already small integers 0..MAX_DIRECT_LABEL are kept
 *   as labels (label images such as ../shared/data/2d-*); otherwise the sorted distinct values are
 *   numbered 0..P-1 (so a 0/255 mask becomes 0/1). More than 256 distinct values need thresholds.
 */
import { UserError } from '../errors'

export type Samples = ArrayLike<number>
export type LabelMode = 'labels' | 'image'

/** Largest grey value still read as a label as it is. */
export const MAX_DIRECT_LABEL = 15

export function parseThresholds(text: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()))
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) {
    throw new UserError(`--threshold must be comma-separated numbers, got '${text}'`)
  }
  for (let i = 1; i < values.length; i++) {
    if (values[i] <= values[i - 1]) throw new UserError(`--threshold values must increase, got '${text}'`)
  }
  return values
}

function applyThresholds(samples: Samples, thresholds: number[]): Uint8Array {
  if (thresholds.length > 255) throw new UserError(`at most 255 thresholds, got ${thresholds.length}`)
  const out = new Uint8Array(samples.length)
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]
    let l = 0
    while (l < thresholds.length && v >= thresholds[l]) l++
    out[i] = l
  }
  return out
}

export function samplesToLabels(
  samples: Samples,
  file: string,
  mode: LabelMode,
  thresholds?: number[],
): Uint8Array {
  if (thresholds && thresholds.length > 0) return applyThresholds(samples, thresholds)
  if (samples instanceof Uint8Array && mode === 'labels') return samples
  let max = 0
  let integral = true
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]
    if (!(v >= 0) || !Number.isInteger(v)) integral = false
    if (v > max) max = v
  }
  if (mode === 'labels' || (integral && max <= MAX_DIRECT_LABEL)) {
    if (!integral || max > 255) {
      throw new UserError(
        `${file}: values are not phase labels (integers 0..255); give --threshold to segment them`,
        {
          app: `${file}: values are not phase labels (integers 0..255); segment them first (Preview & segment)`,
        },
      )
    }
    return Uint8Array.from(samples)
  }
  const distinct = distinctValues(samples, integral && max < 65536 ? max : -1)
  if (distinct.length > 256) {
    throw new UserError(
      `${file}: ${distinct.length} distinct grey values is not a label image; give --threshold to segment it`,
      {
        app: `${file}: ${distinct.length} distinct grey values is not a label image; segment it first (Preview & segment)`,
      },
    )
  }
  const rank = new Map(distinct.map((v, i) => [v, i]))
  const out = new Uint8Array(samples.length)
  for (let i = 0; i < samples.length; i++) out[i] = rank.get(samples[i]) as number
  return out
}

/** Sorted distinct values; `intMax` >= 0 means all values are integers 0..intMax (counted in a table). */
function distinctValues(samples: Samples, intMax: number): number[] {
  if (intMax >= 0) {
    const seen = new Uint8Array(intMax + 1)
    for (let i = 0; i < samples.length; i++) seen[samples[i]] = 1
    const out: number[] = []
    for (let v = 0; v <= intMax; v++) if (seen[v]) out.push(v)
    return out
  }
  const set = new Set<number>()
  for (let i = 0; i < samples.length && set.size <= 256; i++) set.add(samples[i])
  return [...set].sort((a, b) => a - b)
}
