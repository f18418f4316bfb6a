/**
 * NumPy .npy format (version 1.0/2.0/3.0): magic "\x93NUMPY", version, header length, a Python dict
 * literal header {'descr', 'fortran_order', 'shape'}, then the raw array in C order.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { UserError } from '../errors'
import { makeVolume, type Shape3, type Volume } from '../volume/volume'
import { checkVoxelCount } from './files'
import { samplesToLabels } from './labels'
import type { ReadOptions } from './options'
import { decodeSamples, SAMPLE_BYTES, type SampleType } from './samples'

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]

/** NumPy dtype codes (without byte-order mark) → sample types; bool is stored as one byte 0/1. */
const NPY_TYPES: Record<string, SampleType> = {
  u1: 'uint8',
  b1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
  f4: 'float32',
  f8: 'float64',
}

export function parseNpy(bytes: Uint8Array, file: string, opts: ReadOptions = {}): Volume {
  const fail = (why: string): never => {
    throw new UserError(`${file}: ${why}`)
  }
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) fail('not a NumPy .npy file (bad magic)')
  const major = bytes[6]
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}`)
  if (bytes.length < (major === 1 ? 10 : 12)) fail('truncated .npy header')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  const headerStart = major === 1 ? 10 : 12
  if (headerStart + headerLen > bytes.length) fail('truncated .npy header')
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLen))
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1] ?? fail('.npy header has no descr')
  const fortran =
    /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? fail('.npy header has no fortran_order')
  if (fortran === 'True') fail('Fortran-ordered .npy arrays are not supported; save with C order')
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail('.npy header has no shape')
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number)
  if (dims.some((d) => !Number.isInteger(d) || d < 1)) fail(`bad .npy shape (${shapeText})`)
  if (dims.length < 2 || dims.length > 3)
    fail(`expected a 2D or 3D array, got ${dims.length}D shape (${shapeText})`)
  const shape: Shape3 = dims.length === 2 ? [1, dims[0], dims[1]] : [dims[0], dims[1], dims[2]]
  const n = checkVoxelCount(file, shape)
  const dataStart = headerStart + headerLen
  const kind = descr.replace(/^[<>|=]/, '')
  if (!(kind in NPY_TYPES)) fail(`unsupported .npy dtype '${descr}' (use uint8, uint16, float32 or bool)`)
  const size = SAMPLE_BYTES[NPY_TYPES[kind]]
  if (descr.startsWith('>') && size > 1) fail(`big-endian .npy dtype '${descr}' is not supported`)
  const need = n * size
  if (bytes.length - dataStart < need) {
    fail(
      `truncated .npy data: shape (${dims.join(', ')}) needs ${need} bytes, file has ${bytes.length - dataStart}`,
    )
  }
  const samples = decodeSamples(bytes.subarray(dataStart, dataStart + need), NPY_TYPES[kind], n, true, file)
  return makeVolume(shape, samplesToLabels(samples, file, 'labels', opts.thresholds))
}

/** Serialise labels as a uint8 .npy array of shape (nz, ny, nx), or (ny, nx) when `as2D` and nz = 1. */
export function encodeNpy(vol: Volume, as2D = false): Uint8Array[] {
  const dims = as2D && vol.shape[0] === 1 ? [vol.shape[1], vol.shape[2]] : vol.shape
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`
  const total = 10 + header.length + 1
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n'
  const pre = new Uint8Array(10)
  pre.set(MAGIC)
  pre[6] = 1
  pre[7] = 0
  new DataView(pre.buffer).setUint16(8, header.length, true)
  return [pre, new TextEncoder().encode(header), vol.data]
}
