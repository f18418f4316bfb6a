/**
 * The greyscale preview the Datasets view segments live: one slice of a grey image, shrunk to at most
 * 512 pixels a side (block mean), its pixels stored as histogram bin indices (one byte each) together with
 * the 256-bin histogram of the whole image and the binning, so thresholds picked on the preview are bin
 * indices that map back to grey values exactly (histogram.ts).
 */
import { BINS, binIndices, binning, binOf, type Histogram } from './histogram'

export const PREVIEW_MAX = 512

export interface GreyImage {
  /** [nz, ny, nx]; a 2D image has nz = 1. */
  shape: [number, number, number]
  /** Grey value per voxel, C order (z, y, x). */
  samples: ArrayLike<number>
}

export interface GreyPreview {
  shape: [number, number, number]
  /** The z slice shown (the middle one of a stack). */
  slice: number
  width: number
  height: number
  /** Source pixels per preview pixel along each in-plane axis (1 when not shrunk). */
  scale: number
  /** Bin index (0..255) per preview pixel, row-major. */
  bins: Uint8Array
  histogram: Histogram
  /** Number of distinct grey values (capped at 257): ≤ 16 small integers is already a label image. */
  distinct: number
}

/** Preview of a grey image: middle slice, block-mean shrunk to ≤ maxSize, histogram of all samples. */
export function greyPreview(img: GreyImage, maxSize = PREVIEW_MAX): GreyPreview {
  const [nz, ny, nx] = img.shape
  const { lo, width, integer8 } = binning(img.samples)
  const counts = new Array<number>(BINS).fill(0)
  const seen = new Set<number>()
  for (let i = 0; i < img.samples.length; i++) {
    const v = img.samples[i]
    if (!Number.isFinite(v)) continue
    counts[binOf(v, lo, width)]++
    if (seen.size <= 256) seen.add(v)
  }
  const slice = Math.floor(nz / 2)
  const scale = Math.max(1, Math.ceil(Math.max(ny, nx) / maxSize))
  const h = Math.ceil(ny / scale)
  const w = Math.ceil(nx / scale)
  const off = slice * ny * nx
  let pixels: ArrayLike<number>
  if (scale === 1) {
    pixels = Array.prototype.slice.call(img.samples, off, off + ny * nx) as number[]
  } else {
    const mean = new Float64Array(h * w)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let sum = 0
        let n = 0
        for (let yy = y * scale; yy < Math.min(ny, (y + 1) * scale); yy++)
          for (let xx = x * scale; xx < Math.min(nx, (x + 1) * scale); xx++) {
            const v = img.samples[off + yy * nx + xx]
            if (Number.isFinite(v)) {
              sum += v
              n++
            }
          }
        mean[y * w + x] = n ? sum / n : lo
      }
    pixels = mean
  }
  return {
    shape: [nz, ny, nx],
    slice,
    width: w,
    height: h,
    scale,
    bins: binIndices(pixels, lo, width),
    histogram: { counts, lo, width, integer8 },
    distinct: seen.size,
  }
}
