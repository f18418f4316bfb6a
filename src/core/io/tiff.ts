/**
 * TIFF images and multi-page stacks (one page per z slice).
 *
 * Reading uses geotiff (8/16/32-bit integer and float samples; uncompressed, LZW, Deflate, PackBits;
 * strips or tiles). Voxel spacing comes from ImageJ's ImageDescription ("spacing=dz", "unit=um") and the
 * X/YResolution tags (pixels per unit, so dx = 1 / XResolution).
 *
 * Writing is done here by hand because geotiff writes single images only: a classic little-endian TIFF
 * with one uncompressed 8-bit grey page per slice, each page an IFD followed by its single strip, written
 * slice by slice through a file handle. The first page carries ImageJ's description so that ImageJ,
 * Fiji and tifffile see a z stack with its spacing and unit. Classic TIFF offsets are 32-bit, so files
 * past 4 GiB are refused with a hint to use .npy or .raw.
 * Spec: TIFF 6.0 (Adobe, 1992), sections 2 (structure) and 8 (baseline fields).
 */
import { fromArrayBuffer } from 'geotiff'
import { UserError, errorMessage } from '../errors'
import { makeVolume, type Volume } from '../volume/volume'
import { checkVoxelCount, progressReporter, writeStreamAtomic } from './files'
import { samplesToLabels } from './labels'
import type { ReadOptions, WriteOptions } from './options'

const UNIT_ALIASES: Record<string, string> = { micron: 'um', µm: 'um', '\\u00B5m': 'um', microns: 'um' }

function parseImageJ(description: string): { spacing?: number; unit?: string } {
  if (!description.startsWith('ImageJ=')) return {}
  const get = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(description)?.[1]?.trim()
  const spacing = Number(get('spacing'))
  const unit = get('unit')
  return {
    spacing: Number.isFinite(spacing) && spacing > 0 ? spacing : undefined,
    unit: unit ? (UNIT_ALIASES[unit] ?? unit) : undefined,
  }
}

/** A TIFF RATIONAL as geotiff returns it (a number, or [numerator, denominator] in an array). */
function rationalValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v
  const pair = ArrayBuffer.isView(v) || Array.isArray(v) ? Array.from(v as ArrayLike<number>) : []
  if (pair.length >= 2 && pair[1] !== 0) return pair[0] / pair[1]
  return undefined
}

export async function parseTiff(bytes: Uint8Array, file: string, opts: ReadOptions = {}): Promise<Volume> {
  const fail = (why: string): never => {
    throw new UserError(`${file}: ${why}`)
  }
  if (bytes.length < 8) fail('not a TIFF file (too short)')
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  try {
    const tiff = await fromArrayBuffer(ab)
    const pages = await tiff.getImageCount()
    const first = await tiff.getImage(0)
    const nx = first.getWidth()
    const ny = first.getHeight()
    const n = checkVoxelCount(file, [pages, ny, nx])
    if (first.getSamplesPerPixel() !== 1)
      fail(`colour TIFF (${first.getSamplesPerPixel()} samples per pixel) is not supported; save it as grey`)
    const dir = first.getFileDirectory()
    const description = String((await dir.loadValue('ImageDescription')) ?? '')
    const xres = rationalValue(await dir.loadValue('XResolution'))
    const yres = rationalValue(await dir.loadValue('YResolution'))
    const bits = Number((await dir.loadValue('BitsPerSample'))?.[0] ?? 8)
    const sampleFormat = Number((await dir.loadValue('SampleFormat'))?.[0] ?? 1)
    const samples =
      sampleFormat === 3 ? new Float64Array(n) : bits <= 8 ? new Uint8Array(n) : new Float64Array(n)
    const report = progressReporter(opts.onProgress, pages)
    for (let z = 0; z < pages; z++) {
      const page = z === 0 ? first : await tiff.getImage(z)
      if (page.getWidth() !== nx || page.getHeight() !== ny) {
        fail(
          `page ${z} is ${page.getWidth()}x${page.getHeight()}, page 0 is ${nx}x${ny}; all pages of a stack must match`,
        )
      }
      const raster = (await page.readRasters({ interleave: true })) as unknown as ArrayLike<number>
      if (raster.length < nx * ny) fail(`page ${z} holds ${raster.length} samples, expected ${nx * ny}`)
      samples.set(
        raster instanceof Uint8Array || !(samples instanceof Uint8Array) ? raster : Uint8Array.from(raster),
        z * nx * ny,
      )
      report(z + 1)
    }
    const vol = makeVolume([pages, ny, nx], samplesToLabels(samples, file, 'image', opts.thresholds))
    const ij = parseImageJ(description)
    // Rationals hold about nine digits; round the reciprocal so 1/3 um comes back as 3, not 3.000000003.
    const dx = xres && xres > 0 ? Number((1 / xres).toPrecision(8)) : 1
    const dy = yres && yres > 0 ? Number((1 / yres).toPrecision(8)) : dx
    vol.spacing = [ij.spacing ?? dx, dy, dx]
    if (ij.unit) vol.unit = ij.unit
    return vol
  } catch (err) {
    if (err instanceof UserError) throw err
    throw new UserError(`${file}: not a readable TIFF (${errorMessage(err).split('\n')[0]})`)
  }
}

/** A positive number as a TIFF RATIONAL (two uint32) with as many significant digits as fit. */
function toRational(x: number): [number, number] {
  let den = 1
  while (den < 1e9 && Math.abs(x * den * 10) < 2 ** 32 - 1 && Math.round(x * den) !== x * den) den *= 10
  return [Math.min(2 ** 32 - 1, Math.max(1, Math.round(x * den))), den]
}

function imageJDescription(vol: Volume): string {
  const nz = vol.shape[0]
  const lines = ['ImageJ=1.11a', `images=${nz}`, `slices=${nz}`]
  if (vol.unit && vol.unit !== 'voxel') lines.push(`unit=${vol.unit}`)
  lines.push(`spacing=${vol.spacing[0]}`, 'loop=false')
  return lines.join('\n') + '\n\0'
}

const SHORT = 3
const LONG = 4
const RATIONAL = 5
const ASCII = 2

/** Encode one IFD (entries sorted by tag) followed by its out-of-line values, starting at `offset`. */
function encodeIfd(
  offset: number,
  entries: { tag: number; type: number; count: number; value: number | Uint8Array }[],
  nextIfd: number,
): Uint8Array {
  const fixed = 2 + 12 * entries.length + 4
  const extra = entries.reduce(
    (s, e) => s + (e.value instanceof Uint8Array ? e.value.length + (e.value.length % 2) : 0),
    0,
  )
  const out = new Uint8Array(fixed + extra)
  const dv = new DataView(out.buffer)
  dv.setUint16(0, entries.length, true)
  let extraAt = fixed
  entries.forEach((e, i) => {
    const p = 2 + 12 * i
    dv.setUint16(p, e.tag, true)
    dv.setUint16(p + 2, e.type, true)
    dv.setUint32(p + 4, e.count, true)
    if (e.value instanceof Uint8Array) {
      dv.setUint32(p + 8, offset + extraAt, true)
      out.set(e.value, extraAt)
      extraAt += e.value.length + (e.value.length % 2)
    } else if (e.type === SHORT) dv.setUint16(p + 8, e.value, true)
    else dv.setUint32(p + 8, e.value, true)
  })
  dv.setUint32(fixed - 4, nextIfd, true)
  return out
}

function rationalBytes(x: number): Uint8Array {
  const [num, den] = toRational(x)
  const b = new Uint8Array(8)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, num, true)
  dv.setUint32(4, den, true)
  return b
}

export async function writeTiff(file: string, vol: Volume, opts: WriteOptions = {}): Promise<void> {
  const [nz, ny, nx] = vol.shape
  const plane = nx * ny
  const description = new TextEncoder().encode(imageJDescription(vol))
  const xres = rationalBytes(1 / vol.spacing[2])
  const yres = rationalBytes(1 / vol.spacing[1])
  const ifdFor = (z: number, at: number, withNext: boolean): Uint8Array => {
    const entries = (stripOffset: number) => [
      { tag: 256, type: LONG, count: 1, value: nx },
      { tag: 257, type: LONG, count: 1, value: ny },
      { tag: 258, type: SHORT, count: 1, value: 8 },
      { tag: 259, type: SHORT, count: 1, value: 1 },
      { tag: 262, type: SHORT, count: 1, value: 1 },
      ...(z === 0 ? [{ tag: 270, type: ASCII, count: description.length, value: description }] : []),
      { tag: 273, type: LONG, count: 1, value: stripOffset },
      { tag: 277, type: SHORT, count: 1, value: 1 },
      { tag: 278, type: LONG, count: 1, value: ny },
      { tag: 279, type: LONG, count: 1, value: plane },
      { tag: 282, type: RATIONAL, count: 1, value: xres },
      { tag: 283, type: RATIONAL, count: 1, value: yres },
      { tag: 296, type: SHORT, count: 1, value: 1 },
    ]
    const size = encodeIfd(at, entries(0), 0).length
    const stripOffset = at + size
    const next = withNext ? stripOffset + plane + (plane % 2) : 0
    return encodeIfd(at, entries(stripOffset), next)
  }
  const estimate = 8 + nz * (plane + 1 + 200) + description.length
  if (estimate >= 2 ** 32) {
    throw new UserError(
      `${file}: ${nz}x${ny}x${nx} is too big for a classic TIFF (4 GiB); write .npy or .raw instead`,
    )
  }
  const report = progressReporter(opts.onProgress, nz)
  await writeStreamAtomic(file, async (out) => {
    const header = new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0])
    await out.bytes(header)
    for (let z = 0; z < nz; z++) {
      await out.bytes(ifdFor(z, out.position, z < nz - 1))
      await out.bytes(vol.data.subarray(z * plane, (z + 1) * plane))
      if (plane % 2) await out.bytes(new Uint8Array(1))
      report(z + 1)
    }
  })
}
