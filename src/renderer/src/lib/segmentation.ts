/**
 * The Datasets view's segmentation state and the pixels of its live preview. Thresholds are histogram bin
 * indices here (core/segmentation/histogram.ts); toImportParams turns them into the grey values the import
 * job applies, so the preview and the stored labels agree.
 */
import { multiOtsu, otsu } from '../../../core/segmentation/otsu'
import { phaseList, segmentBins, type LabelMap } from '../../../core/segmentation/labelmap'
import { defaultPhases } from '../../../core/volume/volume'
import type { GreyPreviewInfo } from '../../../shared/datasets'
import type { PhaseInfo } from '../../../shared/dto'

export type SegmentationMethod = 'none' | 'otsu' | 'multi' | 'manual'

export interface SegmentationState {
  method: SegmentationMethod
  /** Number of grey classes (thresholds + 1); unused for 'none'. */
  classes: number
  /** Increasing bin indices 1..255 (the first bin of each upper class). */
  thresholds: number[]
  /** Phase id of each class. */
  classToPhase: number[]
  /** Name of each phase id (index = id). */
  names: string[]
}

export const MAX_CLASSES = 5

/** Bin indices of the preview pixels. */
export function decodeBins(b64: string): Uint8Array {
  const s = atob(b64)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** Is the image already a label image (small integers 0..15), to import as it is? */
export function isLabelImage(p: GreyPreviewInfo): boolean {
  if (!p.histogram.integer8) return false
  return p.histogram.counts.every((c, b) => c === 0 || b <= 15)
}

/** Evenly spaced thresholds over the occupied bins (the starting point of manual thresholds). */
export function evenThresholds(counts: readonly number[], classes: number): number[] {
  const first = Math.max(
    0,
    counts.findIndex((c) => c > 0),
  )
  const last = Math.max(first, 255 - [...counts].reverse().findIndex((c) => c > 0))
  const out: number[] = []
  for (let i = 1; i < classes; i++) {
    const t = Math.round(first + ((last + 1 - first) * i) / classes)
    out.push(Math.min(255, Math.max(out.length ? out[out.length - 1] + 1 : 1, t)))
  }
  return out
}

/** The thresholds a method gives on this histogram (manual keeps `current` when it has the right count). */
export function methodThresholds(
  method: SegmentationMethod,
  counts: readonly number[],
  classes: number,
  current: readonly number[] = [],
): number[] {
  if (method === 'none') return []
  if (method === 'otsu') return [otsu(counts)]
  if (method === 'multi') return multiOtsu(counts, classes)
  return current.length === classes - 1 ? [...current] : evenThresholds(counts, classes)
}

/** Set threshold i to `value`, kept between its neighbours (thresholds stay strictly increasing). */
export function setThreshold(thresholds: readonly number[], i: number, value: number): number[] {
  const lo = i > 0 ? thresholds[i - 1] + 1 : 1
  const hi = i < thresholds.length - 1 ? thresholds[i + 1] - 1 : 255
  const out = [...thresholds]
  out[i] = Math.min(hi, Math.max(lo, Math.round(value)))
  return out
}

/** A fresh state for a preview: a label image is imported as it is, a grey image starts with Otsu. */
export function initialState(p: GreyPreviewInfo): SegmentationState {
  const method: SegmentationMethod = isLabelImage(p) ? 'none' : 'otsu'
  return withClasses(
    { method, classes: 2, thresholds: [], classToPhase: [], names: [] },
    2,
    p.histogram.counts,
  )
}

/** The state with `classes` classes: thresholds from its method, identity label map, default names. */
export function withClasses(
  s: SegmentationState,
  classes: number,
  counts: readonly number[],
): SegmentationState {
  const k = s.method === 'otsu' ? 2 : Math.min(MAX_CLASSES, Math.max(2, classes))
  return {
    ...s,
    classes: k,
    thresholds: methodThresholds(s.method, counts, k, s.thresholds),
    classToPhase: Array.from({ length: k }, (_, c) => c),
    names: Array.from({ length: k }, (_, c) => s.names[c] ?? `phase ${c}`),
  }
}

export function labelMapOf(s: SegmentationState): LabelMap {
  return { classToPhase: [...s.classToPhase], phases: s.names.map((name, id) => ({ id, name })) }
}

/** Labels of the preview pixels under the state ('none': the bins are the labels). */
export function previewLabels(bins: Uint8Array, s: SegmentationState): Uint8Array {
  return s.method === 'none' ? bins : segmentBins(bins, s.thresholds, labelMapOf(s))
}

/** The phases (id, name, colour) the preview draws and the import stores. */
export function previewPhases(s: SegmentationState, labels: Uint8Array): PhaseInfo[] {
  if (s.method === 'none') {
    let max = 0
    for (const l of labels) if (l > max) max = l
    return defaultPhases(max + 1)
  }
  const list = phaseList(labelMapOf(s))
  const colours = defaultPhases(list.length)
  return list.map((p, i) => ({ ...p, color: colours[i].color }))
}

/** Grey value of a bin-index threshold. */
export function greyValue(p: GreyPreviewInfo, bin: number): number {
  return p.histogram.lo + bin * p.histogram.width
}

/** Grey range [from, to) of class c, as text. */
export function classRange(p: GreyPreviewInfo, s: SegmentationState, c: number): string {
  const fmt = (v: number) => (p.histogram.integer8 ? String(Math.round(v)) : v.toPrecision(4))
  const from = c === 0 ? '−∞' : fmt(greyValue(p, s.thresholds[c - 1]))
  const to = c === s.thresholds.length ? '∞' : fmt(greyValue(p, s.thresholds[c]))
  return `[${from}, ${to})`
}

/** What the import job needs: grey-value thresholds and the label map; {} imports the file as it is. */
export function toImportParams(
  p: GreyPreviewInfo,
  s: SegmentationState,
): { thresholds?: number[]; labelMap?: LabelMap } {
  if (s.method === 'none') return {}
  return { thresholds: s.thresholds.map((k) => greyValue(p, k)), labelMap: labelMapOf(s) }
}

/** RGBA of the grey preview, stretched between the first and last occupied bin. */
export function greyRgba(bins: Uint8Array, counts: readonly number[]): Uint8ClampedArray<ArrayBuffer> {
  const first = Math.max(
    0,
    counts.findIndex((c) => c > 0),
  )
  const last = Math.max(first + 1, 255 - [...counts].reverse().findIndex((c) => c > 0))
  const out = new Uint8ClampedArray(bins.length * 4)
  for (let i = 0; i < bins.length; i++) {
    const g = Math.round((255 * (bins[i] - first)) / (last - first))
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = g
    out[4 * i + 3] = 255
  }
  return out
}
