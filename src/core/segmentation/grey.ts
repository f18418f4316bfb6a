/**
 * Reading an image as grey values (before any segmentation), for the preview and the thresholding
 * methods. Node only (reads files); the rest of core/segmentation is pure and also runs in the renderer.
 *
 * - PNG / JPEG: the grey value of each pixel; colour pixels give their luminance 0.299 R + 0.587 G + 0.114 B
 *   (the value core/io's readers threshold). 16-bit PNGs come scaled to 8 bits by pngjs.
 * - TIFF (one page or a stack): the stored samples, 8/16/32-bit or float.
 * - .npy .raw .mhd .vti: read through core/io with the thresholds 1..255, i.e. as 8-bit grey levels
 *   (values above 255 count as 255, fractions are floored). Segment wider data with explicit thresholds.
 */
import path from 'node:path'
import { fromArrayBuffer } from 'geotiff'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import { UserError, errorMessage } from '../errors'
import { readVolume } from '../io'
import { readBytes } from '../io/files'
import type { GreyImage } from './preview'

function rgbaToGrey(width: number, height: number, d: ArrayLike<number>): GreyImage {
  const n = width * height
  let grey = true
  for (let i = 0; i < n && grey; i++) grey = d[4 * i] === d[4 * i + 1] && d[4 * i] === d[4 * i + 2]
  const out = grey ? new Uint8Array(n) : new Float64Array(n)
  for (let i = 0; i < n; i++)
    out[i] = grey ? d[4 * i] : 0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]
  return { shape: [1, height, width], samples: out }
}

async function readTiffGrey(bytes: Uint8Array, file: string): Promise<GreyImage> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const tiff = await fromArrayBuffer(ab)
  const pages = await tiff.getImageCount()
  const first = await tiff.getImage(0)
  const nx = first.getWidth()
  const ny = first.getHeight()
  if (first.getSamplesPerPixel() !== 1)
    throw new UserError(`${file}: colour TIFF is not supported for segmentation; save it as grey`)
  const out = new Float64Array(pages * ny * nx)
  for (let z = 0; z < pages; z++) {
    const page = z === 0 ? first : await tiff.getImage(z)
    if (page.getWidth() !== nx || page.getHeight() !== ny)
      throw new UserError(`${file}: page ${z} differs in size from page 0`)
    const raster = (await page.readRasters({ interleave: true })) as unknown as ArrayLike<number>
    for (let i = 0; i < nx * ny; i++) out[z * nx * ny + i] = raster[i]
  }
  return { shape: [pages, ny, nx], samples: out }
}

const EIGHT_BIT = Array.from({ length: 255 }, (_, i) => i + 1)

/** The grey values of an image or volume file (see the module comment for what each format gives). */
export async function readGreyImage(file: string): Promise<GreyImage> {
  const ext = path.extname(file).toLowerCase()
  try {
    if (ext === '.png') {
      const png = PNG.sync.read(Buffer.from(await readBytes(file)))
      return rgbaToGrey(png.width, png.height, png.data)
    }
    if (ext === '.jpg' || ext === '.jpeg') {
      const img = jpeg.decode(await readBytes(file), { useTArray: true, formatAsRGBA: true })
      return rgbaToGrey(img.width, img.height, img.data)
    }
    if (ext === '.tif' || ext === '.tiff') return await readTiffGrey(await readBytes(file), file)
  } catch (err) {
    if (err instanceof UserError) throw err
    throw new UserError(`${file}: not a readable image (${errorMessage(err).split('\n')[0]})`)
  }
  const vol = await readVolume(file, { thresholds: EIGHT_BIT })
  return { shape: vol.shape, samples: vol.data }
}
