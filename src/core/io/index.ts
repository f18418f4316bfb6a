/**
 * Volume files by extension. Readers return phase labels with shape [z, y, x]; writers are atomic.
 * This module is the one entry point the CLI, the main process and the job processes use.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { UserError } from '../errors'
import { makeVolume, type Shape3, type Volume } from '../volume/volume'
import { writeBytesAtomic } from './atomic'
import { encodeNpy, parseNpy } from './npy'

export const READ_EXTENSIONS = ['.npy', '.raw'] as const
export const WRITE_EXTENSIONS = ['.npy', '.raw'] as const

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new UserError(`${file}: no such file`)
    if (code === 'EISDIR') throw new UserError(`${file}: is a folder, not a volume file`)
    throw new UserError(`${file}: cannot read (${code ?? (err as Error).message})`)
  }
}

/** Read a raw uint8 volume whose shape comes from a JSON sidecar (`name.json` beside `name.raw`). */
async function readRaw(file: string): Promise<Volume> {
  const sidecar = file.replace(/\.raw$/i, '.json')
  let meta: { shape?: unknown; voxel_size?: unknown; voxel_size_unit?: unknown; spacing?: unknown; unit?: unknown }
  try {
    meta = JSON.parse(await fs.readFile(sidecar, 'utf8'))
  } catch {
    throw new UserError(`${file}: raw volume needs a JSON sidecar ${path.basename(sidecar)} with "shape": [nz, ny, nx]`)
  }
  const shape = meta.shape
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UserError(`${sidecar}: "shape" must be [nz, ny, nx] positive integers`)
  }
  const bytes = await readBytes(file)
  const n = shape[0] * shape[1] * shape[2]
  if (bytes.length !== n) {
    throw new UserError(`${file}: shape ${shape.join('x')} needs ${n} bytes, file has ${bytes.length}`)
  }
  const vol = makeVolume(shape as Shape3, bytes)
  if (Array.isArray(meta.spacing) && meta.spacing.length === 3) vol.spacing = meta.spacing as [number, number, number]
  else if (typeof meta.voxel_size === 'number') vol.spacing = [meta.voxel_size, meta.voxel_size, meta.voxel_size]
  if (typeof meta.unit === 'string') vol.unit = meta.unit
  else if (typeof meta.voxel_size_unit === 'string' && typeof meta.voxel_size === 'number') vol.unit = meta.voxel_size_unit
  return vol
}

export async function readVolume(file: string): Promise<Volume> {
  const ext = path.extname(file).toLowerCase()
  if (ext === '.npy') return parseNpy(await readBytes(file), file)
  if (ext === '.raw') return readRaw(file)
  try {
    await fs.access(file)
  } catch {
    throw new UserError(`${file}: no such file`)
  }
  throw new UserError(`${file}: unsupported volume format '${ext || '(none)'}' (supported: ${READ_EXTENSIONS.join(' ')})`)
}

export async function writeVolume(file: string, vol: Volume): Promise<void> {
  const ext = path.extname(file).toLowerCase()
  if (ext === '.npy') return writeBytesAtomic(file, encodeNpy(vol))
  if (ext === '.raw') {
    await writeBytesAtomic(file, vol.data)
    const meta = { shape: vol.shape, dtype: 'uint8', order: 'C (z, y, x)', spacing: vol.spacing, unit: vol.unit }
    await writeBytesAtomic(file.replace(/\.raw$/i, '.json'), new TextEncoder().encode(JSON.stringify(meta, null, 2)))
    return
  }
  throw new UserError(`${file}: cannot write format '${ext || '(none)'}' (supported: ${WRITE_EXTENSIONS.join(' ')})`)
}
