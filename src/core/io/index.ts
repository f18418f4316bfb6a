/**
 * Volume files by extension. Readers return phase labels with shape [z, y, x]; writers are atomic (a
 * temporary file renamed on success) and stream big volumes through a file handle.
 * This module is the one entry point the CLI, the main process and the job processes use.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { UserError } from '../errors'
import type { Volume } from '../volume/volume'
import { writeAbaqusInp } from './abaqus'
import { writeBytesAtomic } from './atomic'
import { readBytes } from './files'
import { encodePng, parseJpeg, parsePng } from './image2d'
import { readMetaImage, writeMetaImage } from './metaImage'
import { encodeNpy, parseNpy } from './npy'
import type { ReadOptions, WriteOptions } from './options'
import { readRaw, writeRaw } from './raw'
import { writeStl } from './stl'
import { parseTiff, writeTiff } from './tiff'
import { parseVti, writeVti } from './vti'

export type { ProgressCallback, ReadOptions, WriteOptions } from './options'

export interface SupportedFormat {
  /** Short name, also the value of `convert --format`. */
  id: string
  /** File name endings, lower case with the dot. */
  extensions: string[]
  read: boolean
  write: boolean
  description: string
}

/** What the app's open/save dialogs offer, and what `microlad convert` accepts. */
export const SUPPORTED_FORMATS: readonly SupportedFormat[] = [
  {
    id: 'npy',
    extensions: ['.npy'],
    read: true,
    write: true,
    description: 'NumPy array (uint8/uint16/float32/bool read; uint8 written), C order z,y,x',
  },
  {
    id: 'raw',
    extensions: ['.raw'],
    read: true,
    write: true,
    description: 'Headerless uint8 voxels with a .json and .mhd sidecar (or explicit --shape)',
  },
  {
    id: 'mhd',
    extensions: ['.mhd', '.mha'],
    read: true,
    write: true,
    description: 'MetaImage header (ITK, ParaView, 3D Slicer); .mhd written with its .raw',
  },
  {
    id: 'tiff',
    extensions: ['.tif', '.tiff'],
    read: true,
    write: true,
    description:
      'TIFF image or multi-page stack (8/16-bit, LZW/Deflate read; uncompressed 8-bit written, ImageJ spacing)',
  },
  {
    id: 'png',
    extensions: ['.png'],
    read: true,
    write: true,
    description: 'PNG 2D image (grey or colour read; 8-bit grey labels written)',
  },
  {
    id: 'jpeg',
    extensions: ['.jpg', '.jpeg'],
    read: true,
    write: false,
    description: 'JPEG 2D image (grey or colour), labelled by distinct values or --threshold',
  },
  {
    id: 'vti',
    extensions: ['.vti'],
    read: true,
    write: true,
    description: 'VTK XML ImageData for ParaView: cell data "phase", spacing, origin',
  },
  {
    id: 'damask',
    extensions: ['.vti'],
    read: true,
    write: true,
    description: 'DAMASK grid (.vti with int32 cell data "material"); write with --format damask',
  },
  {
    id: 'inp',
    extensions: ['.inp'],
    read: false,
    write: true,
    description:
      'Abaqus input: C3D8 voxel mesh, PHASE_<id> sets, face node sets, optional periodic equations',
  },
  {
    id: 'stl',
    extensions: ['.stl'],
    read: false,
    write: true,
    description: 'Binary STL surface of one phase (--phase P), closed at the box',
  },
]

export const READ_EXTENSIONS = [
  ...new Set(SUPPORTED_FORMATS.filter((f) => f.read).flatMap((f) => f.extensions)),
]
export const WRITE_EXTENSIONS = [
  ...new Set(SUPPORTED_FORMATS.filter((f) => f.write).flatMap((f) => f.extensions)),
]

function extensionOf(file: string): string {
  return path.extname(file).toLowerCase()
}

async function readByFormat(file: string, ext: string, opts: ReadOptions): Promise<Volume> {
  switch (ext) {
    case '.npy':
      return parseNpy(await readBytes(file), file, opts)
    case '.raw':
      return readRaw(file, opts)
    case '.mhd':
    case '.mha':
      return readMetaImage(file, opts)
    case '.tif':
    case '.tiff':
      return parseTiff(await readBytes(file), file, opts)
    case '.png':
      return parsePng(await readBytes(file), file, opts)
    case '.jpg':
    case '.jpeg':
      return parseJpeg(await readBytes(file), file, opts)
    case '.vti':
      return parseVti(await readBytes(file), file, opts)
  }
  if (!existsSync(file)) throw new UserError(`${file}: no such file`)
  throw new UserError(
    `${file}: cannot read format '${ext || '(none)'}' (readable: ${READ_EXTENSIONS.join(' ')})`,
  )
}

/**
 * Read a volume or image as phase labels. `opts.spacing` / `opts.unit` override what the file says;
 * `opts.thresholds` segments grey values; `opts.shape` gives a bare .raw file its dimensions.
 */
export async function readVolume(
  file: string,
  opts: ReadOptions & { spacing?: [number, number, number]; unit?: string } = {},
): Promise<Volume> {
  const vol = await readByFormat(file, extensionOf(file), opts)
  if (opts.spacing) vol.spacing = [...opts.spacing]
  if (opts.unit) vol.unit = opts.unit
  opts.onProgress?.(1)
  return vol
}

export interface WriteResult {
  /** Every file written (a .raw comes with its sidecars). */
  files: string[]
  /** Format-specific counts: nodes/elements for .inp, triangles for .stl. */
  details?: Record<string, unknown>
}

/** Write a volume in the format its extension names (`opts.vtiFlavor: 'damask'` for a DAMASK grid). */
export async function writeVolume(file: string, vol: Volume, opts: WriteOptions = {}): Promise<WriteResult> {
  const ext = extensionOf(file)
  const base = file.slice(0, file.length - ext.length)
  switch (ext) {
    case '.npy':
      await writeBytesAtomic(file, encodeNpy(vol))
      return { files: [file] }
    case '.raw':
      await writeRaw(file, vol, opts)
      return { files: [file, `${base}.json`, `${base}.mhd`] }
    case '.mhd':
      await writeMetaImage(file, vol, opts)
      return { files: [file, `${base}.raw`] }
    case '.tif':
    case '.tiff':
      await writeTiff(file, vol, opts)
      return { files: [file] }
    case '.png':
      await writeBytesAtomic(file, encodePng(vol, file))
      return { files: [file] }
    case '.vti':
      await writeVti(file, vol, opts)
      return { files: [file] }
    case '.inp': {
      const summary = await writeAbaqusInp(file, vol, opts)
      return { files: [file], details: { ...summary } }
    }
    case '.stl':
      return { files: [file], details: await writeStl(file, vol, opts) }
  }
  throw new UserError(
    `${file}: cannot write format '${ext || '(none)'}' (writable: ${WRITE_EXTENSIONS.join(' ')})`,
  )
}
