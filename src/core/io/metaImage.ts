/**
 * MetaImage (ITK / ParaView / 3D Slicer): a text header of "Key = Value" lines (.mhd) with the samples
 * in a separate file named by ElementDataFile, or after the header in the same file (.mha,
 * ElementDataFile = LOCAL). Keys used: NDims, DimSize (x y z), ElementType (MET_UCHAR ... MET_DOUBLE),
 * ElementSpacing or ElementSize (x y z), Offset, BinaryDataByteOrderMSB / ElementByteOrderMSB,
 * CompressedData (zlib), HeaderSize, ElementNumberOfChannels. MetaImage has no unit field.
 * Spec: https://itk.org/Wiki/ITK/MetaIO/Documentation
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { unzlibSync } from 'fflate'
import { UserError, errorMessage } from '../errors'
import { makeVolume, type Volume } from '../volume/volume'
import { writeFileAtomic } from './atomic'
import { checkVoxelCount, readBytes, writeStreamAtomic } from './files'
import { samplesToLabels } from './labels'
import type { ReadOptions, WriteOptions } from './options'
import { SAMPLE_BYTES, decodeSamples, type SampleType } from './samples'

const MET_TYPES: Record<string, SampleType> = {
  MET_UCHAR: 'uint8',
  MET_CHAR: 'int8',
  MET_USHORT: 'uint16',
  MET_SHORT: 'int16',
  MET_UINT: 'uint32',
  MET_INT: 'int32',
  MET_ULONG_LONG: 'uint64',
  MET_LONG_LONG: 'int64',
  MET_FLOAT: 'float32',
  MET_DOUBLE: 'float64',
}

/** Split a MetaImage file into its header fields and the byte offset just after ElementDataFile's line. */
function parseHeader(bytes: Uint8Array, file: string): { fields: Map<string, string>; end: number } {
  const fields = new Map<string, string>()
  let pos = 0
  const limit = Math.min(bytes.length, 1 << 16)
  while (pos < limit) {
    let eol = pos
    while (eol < bytes.length && bytes[eol] !== 0x0a) eol++
    const line = new TextDecoder('latin1').decode(bytes.subarray(pos, eol)).trim()
    pos = Math.min(bytes.length, eol + 1)
    if (line.length === 0) continue
    const m = /^([A-Za-z_]\w*)\s*=\s*(.*)$/.exec(line)
    if (!m) throw new UserError(`${file}: not a MetaImage header (bad line '${line.slice(0, 40)}')`)
    fields.set(m[1], m[2].trim())
    if (m[1] === 'ElementDataFile') return { fields, end: pos }
  }
  throw new UserError(`${file}: MetaImage header has no ElementDataFile line`)
}

const truthy = (v: string | undefined) => v !== undefined && /^(true|1)$/i.test(v)

function numbers(
  fields: Map<string, string>,
  key: string,
  file: string,
  count: number,
): number[] | undefined {
  const v = fields.get(key)
  if (v === undefined) return undefined
  const parts = v.split(/\s+/).map(Number)
  if (parts.length < count || parts.slice(0, count).some((p) => !Number.isFinite(p))) {
    throw new UserError(`${file}: ${key} must hold ${count} numbers, got '${v}'`)
  }
  return parts.slice(0, count)
}

export async function readMetaImage(file: string, opts: ReadOptions = {}): Promise<Volume> {
  const bytes = await readBytes(file)
  const { fields, end } = parseHeader(bytes, file)
  if (fields.has('ObjectType') && fields.get('ObjectType') !== 'Image') {
    throw new UserError(`${file}: MetaImage ObjectType is '${fields.get('ObjectType')}', expected Image`)
  }
  const ndims = Number(fields.get('NDims'))
  if (ndims !== 2 && ndims !== 3)
    throw new UserError(`${file}: NDims must be 2 or 3, got '${fields.get('NDims')}'`)
  const dims = numbers(fields, 'DimSize', file, ndims) ?? []
  const [nx, ny, nz] = [dims[0], dims[1], ndims === 3 ? dims[2] : 1]
  const n = checkVoxelCount(file, [nz, ny, nx])
  const channels = Number(fields.get('ElementNumberOfChannels') ?? 1)
  if (channels !== 1)
    throw new UserError(`${file}: ${channels} channels per voxel; only single-channel images are supported`)
  const typeName = fields.get('ElementType') ?? ''
  const type = MET_TYPES[typeName] ?? null
  if (!type) throw new UserError(`${file}: unsupported ElementType '${typeName}'`)
  const msb = truthy(fields.get('BinaryDataByteOrderMSB') ?? fields.get('ElementByteOrderMSB'))
  const dataName = fields.get('ElementDataFile') ?? ''
  if (/^LIST/i.test(dataName) || dataName.includes('%')) {
    throw new UserError(`${file}: ElementDataFile '${dataName}' (file lists) is not supported`)
  }
  let data: Uint8Array
  if (dataName.toUpperCase() === 'LOCAL') data = bytes.subarray(end)
  else {
    data = await readBytes(path.resolve(path.dirname(file), dataName)).catch((err: unknown) => {
      throw new UserError(`${file}: ElementDataFile ${dataName}: ${errorMessage(err).replace(/^.*?: /, '')}`)
    })
  }
  const dataFile = dataName.toUpperCase() === 'LOCAL' ? file : path.resolve(path.dirname(file), dataName)
  const need = n * SAMPLE_BYTES[type]
  if (truthy(fields.get('CompressedData'))) {
    try {
      data = unzlibSync(data)
    } catch (err) {
      throw new UserError(`${dataFile}: compressed MetaImage data cannot be inflated (${errorMessage(err)})`)
    }
  } else {
    const headerSize = Number(fields.get('HeaderSize') ?? 0)
    if (headerSize === -1) data = data.subarray(Math.max(0, data.length - need))
    else if (headerSize > 0) data = data.subarray(headerSize)
  }
  if (data.length < need) {
    throw new UserError(
      `${dataFile}: ${nx}x${ny}x${nz} ${typeName} needs ${need} bytes, file has ${data.length}`,
    )
  }
  const labels = samplesToLabels(
    decodeSamples(data, type, n, !msb, dataFile),
    dataFile,
    'labels',
    opts.thresholds,
  )
  const vol = makeVolume([nz, ny, nx], labels)
  const spacing =
    numbers(fields, 'ElementSpacing', file, ndims) ?? numbers(fields, 'ElementSize', file, ndims)
  if (spacing) vol.spacing = [ndims === 3 ? spacing[2] : 1, spacing[1], spacing[0]]
  return vol
}

function header(vol: Volume, dataFile: string): string {
  const [nz, ny, nx] = vol.shape
  const [dz, dy, dx] = vol.spacing
  return [
    'ObjectType = Image',
    'NDims = 3',
    'BinaryData = True',
    'BinaryDataByteOrderMSB = False',
    'CompressedData = False',
    'Offset = 0 0 0',
    `ElementSpacing = ${dx} ${dy} ${dz}`,
    `DimSize = ${nx} ${ny} ${nz}`,
    'ElementNumberOfChannels = 1',
    'ElementType = MET_UCHAR',
    `ElementDataFile = ${dataFile}`,
    '',
  ].join('\n')
}

/** Write `name.mhd` and its samples `name.raw` beside it (the header names the raw file). */
export async function writeMetaImage(file: string, vol: Volume, opts: WriteOptions = {}): Promise<void> {
  const rawFile = file.replace(/\.mhd$/i, '') + '.raw'
  await writeRawSamples(rawFile, vol, opts)
  await writeFileAtomic(file, (tmp) => fs.writeFile(tmp, header(vol, path.basename(rawFile))))
}

/** Just the label bytes, C order (x fastest): the .raw part of .raw + .mhd / .json. */
export async function writeRawSamples(file: string, vol: Volume, opts: WriteOptions = {}): Promise<void> {
  const step = 1 << 24
  await writeStreamAtomic(file, async (out) => {
    for (let i = 0; i < vol.data.length; i += step) {
      await out.bytes(vol.data.subarray(i, i + step))
      opts.onProgress?.(Math.min(1, (i + step) / vol.data.length))
    }
  })
}

/** The MetaImage header for an existing .raw file (written beside it by writeVolume for .raw). */
export function metaImageHeader(vol: Volume, rawFile: string): string {
  return header(vol, path.basename(rawFile))
}
