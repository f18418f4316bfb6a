/**
 * 2D images: PNG (pngjs) and JPEG (jpeg-js), grey or colour, read as a volume with nz = 1.
 * Grey images give their grey value per pixel; colour images are turned into one sample per pixel that
 * orders colours by luminance (0.299 R + 0.587 G + 0.114 B), so distinct colours become distinct labels
 * and thresholds act on luminance. Alpha is ignored. Labels then follow labels.ts ('image' mode).
 * PNG writing stores labels as an 8-bit grey image (pixel value = label), the layout of ../shared/data.
 */
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { UserError, errorMessage } from '../errors'
import { makeVolume, type Volume } from '../volume/volume'
import { samplesToLabels } from './labels'
import type { ReadOptions } from './options'

interface Rgba {
  width: number
  height: number
  data: Uint8Array
}

function luminance(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b
}

/** One sample per pixel from RGBA bytes (see the module comment). */
function rgbaToSamples(img: Rgba, forThresholds: boolean): ArrayLike<number> {
  const n = img.width * img.height
  const d = img.data
  let grey = true
  for (let i = 0; i < n && grey; i++) grey = d[4 * i] === d[4 * i + 1] && d[4 * i] === d[4 * i + 2]
  if (grey) {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = d[4 * i]
    return out
  }
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const r = d[4 * i]
    const g = d[4 * i + 1]
    const b = d[4 * i + 2]
    const lum = luminance(r, g, b)
    // Luminance first, then the colour itself, so two colours of equal luminance stay apart.
    out[i] = forThresholds ? lum : Math.round(lum * 1000) * 2 ** 24 + ((r << 16) | (g << 8) | b)
  }
  return out
}

function imageToVolume(img: Rgba, file: string, opts: ReadOptions): Volume {
  const thresholds = opts.thresholds && opts.thresholds.length > 0 ? opts.thresholds : undefined
  const labels = samplesToLabels(rgbaToSamples(img, thresholds !== undefined), file, 'image', thresholds)
  return makeVolume([1, img.height, img.width], labels)
}

export function parsePng(bytes: Uint8Array, file: string, opts: ReadOptions = {}): Volume {
  let png: PNG
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  } catch (err) {
    throw new UserError(`${file}: not a readable PNG image (${errorMessage(err)})`)
  }
  return imageToVolume(png, file, opts)
}

export function parseJpeg(bytes: Uint8Array, file: string, opts: ReadOptions = {}): Volume {
  let img: Rgba
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 })
  } catch (err) {
    throw new UserError(`${file}: not a readable JPEG image (${errorMessage(err)})`)
  }
  if (!(img.width > 0 && img.height > 0)) throw new UserError(`${file}: JPEG image has no pixels`)
  return imageToVolume(img, file, opts)
}

export function encodePng(vol: Volume, file: string): Uint8Array {
  if (vol.shape[0] !== 1) {
    throw new UserError(
      `${file}: PNG holds one 2D image, the volume has ${vol.shape[0]} slices (use .tif for a stack)`,
    )
  }
  const [, ny, nx] = vol.shape
  const png = new PNG({
    width: nx,
    height: ny,
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
    bitDepth: 8,
  })
  png.data = Buffer.from(vol.data.buffer, vol.data.byteOffset, vol.data.byteLength)
  return new Uint8Array(
    PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 }),
  )
}
