/**
 * From thresholds to phase labels: k − 1 increasing thresholds cut the grey range into k classes
 * (class c = number of thresholds the value reaches, value ≥ t), and a label map says which phase id each
 * class becomes. Two classes may map to the same phase (e.g. two grey bands that are both pore).
 */

export interface PhaseName {
  id: number
  name: string
}

/** Which phase each grey class becomes (classToPhase[c]) and the phases' names. */
export interface LabelMap {
  classToPhase: number[]
  phases: PhaseName[]
}

/** Identity label map for k classes: class c → phase c, named "phase c". */
export function identityLabelMap(classes: number): LabelMap {
  return {
    classToPhase: Array.from({ length: classes }, (_, c) => c),
    phases: Array.from({ length: classes }, (_, c) => ({ id: c, name: `phase ${c}` })),
  }
}

/** Why a threshold list or label map is unusable, or null when it is fine. */
export function checkSegmentation(thresholds: readonly number[], map?: LabelMap): string | null {
  if (thresholds.length === 0) return 'give at least one threshold'
  if (thresholds.length > 255) return `at most 255 thresholds, got ${thresholds.length}`
  for (let i = 0; i < thresholds.length; i++) {
    if (!Number.isFinite(thresholds[i])) return `threshold ${i + 1} is not a number`
    if (i > 0 && !(thresholds[i] > thresholds[i - 1])) return 'thresholds must increase'
  }
  if (map) {
    if (map.classToPhase.length !== thresholds.length + 1)
      return `${thresholds.length} thresholds make ${thresholds.length + 1} classes, the label map has ${map.classToPhase.length}`
    if (map.classToPhase.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
      return 'phase ids must be integers 0..255'
  }
  return null
}

/** Class of a value: the number of thresholds it reaches (value ≥ t). */
export function classOf(v: number, thresholds: readonly number[]): number {
  let c = 0
  while (c < thresholds.length && v >= thresholds[c]) c++
  return c
}

/**
 * Phase labels of samples: class by thresholds, then the label map (identity when absent). A lookup table
 * over the 256 bins makes the renderer's live preview a single pass when samples are bin indices.
 */
export function applySegmentation(
  samples: ArrayLike<number>,
  thresholds: readonly number[],
  map?: LabelMap,
): Uint8Array {
  const toPhase = map?.classToPhase
  const out = new Uint8Array(samples.length)
  for (let i = 0; i < samples.length; i++) {
    const c = classOf(samples[i], thresholds)
    out[i] = toPhase ? toPhase[c] : c
  }
  return out
}

/** Labels of bin-index samples (0..255) through a 256-entry table: thresholds are bin indices here. */
export function segmentBins(
  bins: ArrayLike<number>,
  thresholds: readonly number[],
  map?: LabelMap,
): Uint8Array {
  const table = applySegmentation(
    Array.from({ length: 256 }, (_, b) => b),
    thresholds,
    map,
  )
  const out = new Uint8Array(bins.length)
  for (let i = 0; i < bins.length; i++) out[i] = table[bins[i]]
  return out
}

/** Fraction of samples per phase id 0..max. */
export function phaseFractions(labels: ArrayLike<number>): number[] {
  let max = 0
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i]
  const counts = new Array<number>(max + 1).fill(0)
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++
  return counts.map((c) => (labels.length ? c / labels.length : 0))
}

/** Names of phases 0..max id the map uses ("phase i" where the map names none). */
export function phaseList(map: LabelMap): PhaseName[] {
  const max = Math.max(0, ...map.classToPhase)
  return Array.from({ length: max + 1 }, (_, id) => ({
    id,
    name: map.phases.find((p) => p.id === id)?.name || `phase ${id}`,
  }))
}
