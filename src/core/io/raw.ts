/**
 * Headerless .raw volumes: samples in C order (x fastest) with the shape found, in this order, in
 * - a MetaImage header `name.mhd` beside it (see metaImage.ts);
 * - a JSON sidecar `name.json`, or the `meta.json` of its folder when that names this file
 *   ({"shape": [nz, ny, nx], "dtype": "uint8", "spacing": [dz, dy, dx] | "voxel_size": d, "unit" | "voxel_size_unit"},
 *   the layout of ../shared/data);
 * - explicit dimensions passed by the caller (ReadOptions.shape and rawType).
 */
import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import { UserError } from '../errors'
import { makeVolume, type Shape3, type Volume } from '../volume/volume'
import { writeFileAtomic } from './atomic'
import { checkVoxelCount, readBytes } from './files'
import { samplesToLabels } from './labels'
import { metaImageHeader, readMetaImage, writeRawSamples } from './metaImage'
import type { ReadOptions, WriteOptions } from './options'
import { decodeSamples, SAMPLE_BYTES, type SampleType } from './samples'

interface RawSidecar {
  shape?: unknown
  dtype?: unknown
  file?: unknown
  spacing?: unknown
  unit?: unknown
  voxel_size?: unknown
  voxel_size_unit?: unknown
}

async function findSidecar(file: string): Promise<{ path: string; meta: RawSidecar } | null> {
  const own = file.replace(/\.raw$/i, '.json')
  const folderMeta = path.join(path.dirname(file), 'meta.json')
  for (const candidate of [own, folderMeta]) {
    if (!existsSync(candidate)) continue
    let meta: RawSidecar
    try {
      meta = JSON.parse(await fs.readFile(candidate, 'utf8')) as RawSidecar
    } catch {
      throw new UserError(`${candidate}: sidecar is not valid JSON`)
    }
    if (candidate === folderMeta && typeof meta.file === 'string' && meta.file !== path.basename(file))
      continue
    return { path: candidate, meta }
  }
  return null
}

function sidecarShape(meta: RawSidecar, where: string): Shape3 {
  const s = meta.shape
  if (
    !Array.isArray(s) ||
    (s.length !== 3 && s.length !== 2) ||
    !s.every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw new UserError(`${where}: "shape" must be [nz, ny, nx] positive integers`)
  }
  return (s.length === 2 ? [1, s[0], s[1]] : s) as Shape3
}

export async function readRaw(file: string, opts: ReadOptions = {}): Promise<Volume> {
  const mhd = file.replace(/\.raw$/i, '.mhd')
  const ownJson = file.replace(/\.raw$/i, '.json')
  // The .json sidecar wins over .mhd because it also holds the unit.
  if (!opts.shape && existsSync(mhd) && !existsSync(ownJson)) return readMetaImage(mhd, opts)
  const sidecar = opts.shape ? null : await findSidecar(file)
  if (!opts.shape && !sidecar) {
    throw new UserError(
      `${file}: raw volume needs its shape: a sidecar ${path.basename(mhd)} or ${path.basename(file.replace(/\.raw$/i, '.json'))}, or explicit dimensions`,
    )
  }
  const shape = opts.shape ?? sidecarShape(sidecar!.meta, sidecar!.path)
  const dtype = opts.rawType ?? (typeof sidecar?.meta.dtype === 'string' ? sidecar.meta.dtype : 'uint8')
  if (!(dtype in SAMPLE_BYTES))
    throw new UserError(`${sidecar?.path ?? file}: unsupported raw dtype '${dtype}'`)
  const n = checkVoxelCount(file, shape)
  const bytes = await readBytes(file)
  const need = n * SAMPLE_BYTES[dtype as SampleType]
  if (bytes.length !== need) {
    throw new UserError(
      `${file}: shape ${shape.join('x')} ${dtype} needs ${need} bytes, file has ${bytes.length}`,
    )
  }
  const labels = samplesToLabels(
    decodeSamples(bytes, dtype as SampleType, n, true, file),
    file,
    'labels',
    opts.thresholds,
  )
  const vol = makeVolume(shape, labels)
  const meta = sidecar?.meta
  if (meta) {
    if (
      Array.isArray(meta.spacing) &&
      meta.spacing.length === 3 &&
      meta.spacing.every((v) => typeof v === 'number' && v > 0)
    ) {
      vol.spacing = meta.spacing as [number, number, number]
    } else if (typeof meta.voxel_size === 'number' && meta.voxel_size > 0) {
      vol.spacing = [meta.voxel_size, meta.voxel_size, meta.voxel_size]
    }
    if (typeof meta.unit === 'string') vol.unit = meta.unit
    else if (typeof meta.voxel_size_unit === 'string') vol.unit = meta.voxel_size_unit
  }
  return vol
}

/** Write `name.raw` with two sidecars: `name.json` (shape, spacing, unit) and `name.mhd` (ITK, ParaView). */
export async function writeRaw(file: string, vol: Volume, opts: WriteOptions = {}): Promise<void> {
  await writeRawSamples(file, vol, opts)
  const meta = {
    shape: vol.shape,
    dtype: 'uint8',
    order: 'C (z, y, x)',
    spacing: vol.spacing,
    unit: vol.unit,
  }
  await writeFileAtomic(file.replace(/\.raw$/i, '.json'), (tmp) =>
    fs.writeFile(tmp, JSON.stringify(meta, null, 2) + '\n'),
  )
  await writeFileAtomic(file.replace(/\.raw$/i, '.mhd'), (tmp) =>
    fs.writeFile(tmp, metaImageHeader(vol, file)),
  )
}
