/**
 * Grey-level histograms on 256 bins, the common ground of the thresholding methods and the live preview.
 *
 * Bin i covers [lo + i·w, lo + (i + 1)·w). For 8-bit integer images lo = 0 and w = 1, so a bin is a grey
 * level. Otherwise the bins span [min, max] of the samples evenly (w = (max − min) / 256, the maximum going
 * into the last bin). A threshold is given as a bin index k ("the upper class starts at bin k"); its grey
 * value is lo + k·w, and a sample v reaches it when v ≥ lo + k·w ⇔ bin(v) ≥ k — the same rule
 * (value ≥ threshold) the image readers in core/io apply, so the preview and the import agree.
 */

export const BINS = 256

export interface Histogram {
  /** counts[i]: number of samples in bin i (length 256). */
  counts: number[]
  /** Grey value of the lower edge of bin 0. */
  lo: number
  /** Bin width in grey units. */
  width: number
  /** True when the samples are integers 0..255 (lo = 0, width = 1: one bin per grey level). */
  integer8: boolean
}

/** Smallest and largest finite sample, and whether all are integers in 0..255. */
export function greyRange(samples: ArrayLike<number>): { min: number; max: number; integer8: boolean } {
  let min = Infinity
  let max = -Infinity
  let integer8 = true
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]
    if (!Number.isFinite(v)) continue
    if (v < min) min = v
    if (v > max) max = v
    if (integer8 && (v < 0 || v > 255 || !Number.isInteger(v))) integer8 = false
  }
  if (min === Infinity) return { min: 0, max: 0, integer8: true }
  return { min, max, integer8 }
}

/** The binning (lo, width) histogram() uses for these samples. */
export function binning(samples: ArrayLike<number>): { lo: number; width: number; integer8: boolean } {
  const r = greyRange(samples)
  if (r.integer8) return { lo: 0, width: 1, integer8: true }
  const span = r.max - r.min
  return { lo: r.min, width: span > 0 ? span / BINS : 1, integer8: false }
}

/** Bin index of a grey value (clamped to 0..255). */
export function binOf(v: number, lo: number, width: number): number {
  const b = Math.floor((v - lo) / width)
  return b < 0 ? 0 : b > BINS - 1 ? BINS - 1 : b
}

/** Bin index of every sample (the preview keeps these, one byte per pixel). */
export function binIndices(samples: ArrayLike<number>, lo: number, width: number): Uint8Array {
  const out = new Uint8Array(samples.length)
  for (let i = 0; i < samples.length; i++)
    out[i] = Number.isFinite(samples[i]) ? binOf(samples[i], lo, width) : 0
  return out
}

/** 256-bin histogram of the samples (non-finite samples are left out). */
export function histogram(samples: ArrayLike<number>): Histogram {
  const { lo, width, integer8 } = binning(samples)
  const counts = new Array<number>(BINS).fill(0)
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]
    if (Number.isFinite(v)) counts[binOf(v, lo, width)]++
  }
  return { counts, lo, width, integer8 }
}

/** Histogram of bin indices that are already computed (the renderer's preview pixels). */
export function histogramOfBins(bins: ArrayLike<number>): number[] {
  const counts = new Array<number>(BINS).fill(0)
  for (let i = 0; i < bins.length; i++) counts[bins[i]]++
  return counts
}

/** Grey value of a bin-index threshold (the lower edge of bin k). */
export function thresholdValue(k: number, h: Pick<Histogram, 'lo' | 'width'>): number {
  return h.lo + k * h.width
}
