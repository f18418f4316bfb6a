/**
 * NumPy .npy format (version 1.0/2.0/3.0): magic "\x93NUMPY", version, header length, a Python dict
 * literal header {'descr', 'fortran_order', 'shape'}, then the raw array in C order.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { UserError } from '../errors'
import { makeVolume, type Shape3, type Volume } from '../volume/volume'

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]

export function parseNpy(bytes: Uint8Array, file: string): Volume {
  const fail = (why: string): never => {
    throw new UserError(`${file}: ${why}`)
  }
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) fail('not a NumPy .npy file (bad magic)')
  const major = bytes[6]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  const headerStart = major === 1 ? 10 : 12
  if (headerStart + headerLen > bytes.length) fail('truncated .npy header')
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLen))
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1] ?? fail('.npy header has no descr')
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? fail('.npy header has no fortran_order')
  if (fortran === 'True') fail('Fortran-ordered .npy arrays are not supported; save with C order')
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail('.npy header has no shape')
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number)
  if (dims.some((d) => !Number.isInteger(d) || d < 1)) fail(`bad .npy shape (${shapeText})`)
  if (dims.length < 2 || dims.length > 3) fail(`expected a 2D or 3D array, got ${dims.length}D shape (${shapeText})`)
  const shape: Shape3 = dims.length === 2 ? [1, dims[0], dims[1]] : [dims[0], dims[1], dims[2]]
  const n = shape[0] * shape[1] * shape[2]
  const dataStart = headerStart + headerLen
  const kind = descr.replace(/^[<>|=]/, '')
  const itemSize: Record<string, number> = { u1: 1, b1: 1, i1: 1, u2: 2, i2: 2, f4: 4, f8: 8, i4: 4, u4: 4, i8: 8 }
  const size = itemSize[kind] ?? fail(`unsupported .npy dtype '${descr}' (use uint8, uint16, float32 or bool)`)
  if (descr.startsWith('>') && size > 1) fail(`big-endian .npy dtype '${descr}' is not supported`)
  const need = n * size
  if (bytes.length - dataStart < need) {
    fail(`truncated .npy data: shape (${dims.join(', ')}) needs ${need} bytes, file has ${bytes.length - dataStart}`)
  }
  const raw = bytes.subarray(dataStart, dataStart + need)
  const labels = new Uint8Array(n)
  if (size === 1) {
    labels.set(raw)
  } else {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    for (let i = 0; i < n; i++) {
      const o = i * size
      const v =
        kind === 'u2' ? dv.getUint16(o, true)
        : kind === 'i2' ? dv.getInt16(o, true)
        : kind === 'u4' ? dv.getUint32(o, true)
        : kind === 'i4' ? dv.getInt32(o, true)
        : kind === 'i8' ? Number(dv.getBigInt64(o, true))
        : kind === 'f4' ? dv.getFloat32(o, true)
        : dv.getFloat64(o, true)
      if (!Number.isInteger(v) || v < 0 || v > 255) {
        fail(`value ${v} at index ${i} is not a phase label (labels must be integers 0..255)`)
      }
      labels[i] = v
    }
  }
  return makeVolume(shape, labels)
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
