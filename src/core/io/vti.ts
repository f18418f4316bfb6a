/**
 * VTK XML ImageData (.vti), the format ParaView, VTK, pyvista and DAMASK read.
 *
 * File layout (https://docs.vtk.org/en/latest/vtk_file_formats/vtkxml_file_format.html):
 *   <VTKFile type="ImageData" byte_order="LittleEndian|BigEndian" header_type="UInt32|UInt64"
 *            compressor="vtkZLibDataCompressor"?>
 *     <ImageData WholeExtent="x0 x1 y0 y1 z0 z1" Origin="ox oy oz" Spacing="dx dy dz">
 *       <FieldData>?  <Piece Extent=...> <PointData>  <CellData>  <DataArray type Name format offset?>
 *     <AppendedData encoding="raw|base64"> _ ... bytes ...
 * A binary array is [header][data]: uncompressed, the header is one integer (the byte count);
 * compressed, it is [blocks, block size, last block size, compressed size of each block] followed by the
 * zlib blocks. Inline binary and appended base64 encode it in base64 (the compressed header separately).
 * Cells are voxels: a volume of nx*ny*nz labels has WholeExtent 0 nx 0 ny 0 nz. Point data of an
 * extent with n points per axis is read as n voxels per axis. Axes are x fastest, like our [z, y, x].
 *
 * The reader is a small scanner rather than an XML parser because appended raw data is not XML.
 * The writer streams one appended raw array: cell data "phase" (uint8) for ParaView, or "material"
 * (int32) for DAMASK's grid solver (damask.GeomGrid.load reads cell data 'material'); the unit goes in a
 * FieldData string array "unit".
 */
import { unzlibSync } from 'fflate'
import { UserError, errorMessage } from '../errors'
import { makeVolume, phaseCount, type Volume } from '../volume/volume'
import { checkVoxelCount, progressReporter, writeStreamAtomic } from './files'
import { samplesToLabels } from './labels'
import type { ReadOptions, WriteOptions } from './options'
import { decodeSamples, type SampleType } from './samples'

const VTK_TYPES: Record<string, SampleType> = {
  Int8: 'int8',
  UInt8: 'uint8',
  Int16: 'int16',
  UInt16: 'uint16',
  Int32: 'int32',
  UInt32: 'uint32',
  Int64: 'int64',
  UInt64: 'uint64',
  Float32: 'float32',
  Float64: 'float64',
}

type Attrs = Map<string, string>

function attrs(tag: string): Attrs {
  const out: Attrs = new Map()
  for (const m of tag.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*"([^"]*)"/g)) out.set(m[1], m[2])
  return out
}

interface Context {
  file: string
  littleEndian: boolean
  headerBytes: 4 | 8
  compressed: boolean
}

function fail(file: string, why: string): never {
  throw new UserError(`${file}: ${why}`)
}

function readHeaderInt(bytes: Uint8Array, at: number, ctx: Context): number {
  if (at + ctx.headerBytes > bytes.length) fail(ctx.file, 'truncated binary data header')
  const dv = new DataView(bytes.buffer, bytes.byteOffset + at, ctx.headerBytes)
  const v =
    ctx.headerBytes === 4 ? dv.getUint32(0, ctx.littleEndian) : Number(dv.getBigUint64(0, ctx.littleEndian))
  if (!Number.isSafeInteger(v)) fail(ctx.file, 'binary data header out of range')
  return v
}

function base64Bytes(text: string): Uint8Array {
  const b = Buffer.from(text.replace(/\s+/g, ''), 'base64')
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

/** Inflate zlib blocks given the compressed header at `bytes[0..]` and the blocks in `blocks`. */
function inflateBlocks(header: Uint8Array, blocks: Uint8Array, need: number, ctx: Context): Uint8Array {
  const count = readHeaderInt(header, 0, ctx)
  const blockSize = readHeaderInt(header, ctx.headerBytes, ctx)
  const lastSize = readHeaderInt(header, 2 * ctx.headerBytes, ctx)
  const total = count === 0 ? 0 : (count - 1) * blockSize + (lastSize || blockSize)
  if (total < need) fail(ctx.file, `compressed array holds ${total} bytes, ${need} needed`)
  const out = new Uint8Array(total)
  let src = 0
  let dst = 0
  for (let b = 0; b < count; b++) {
    const size = readHeaderInt(header, (3 + b) * ctx.headerBytes, ctx)
    if (src + size > blocks.length) fail(ctx.file, 'truncated compressed block')
    let raw: Uint8Array
    try {
      raw = unzlibSync(blocks.subarray(src, src + size))
    } catch (err) {
      fail(ctx.file, `corrupt compressed block (${errorMessage(err)})`)
    }
    if (dst + raw.length > total) fail(ctx.file, 'compressed block larger than declared')
    out.set(raw, dst)
    src += size
    dst += raw.length
  }
  if (dst < need) fail(ctx.file, `compressed array inflates to ${dst} bytes, ${need} needed`)
  return out
}

/** Binary array bytes ([header][data]) that start at `bytes[at]`. */
function binaryArray(bytes: Uint8Array, at: number, need: number, ctx: Context): Uint8Array {
  if (ctx.compressed) {
    const count = readHeaderInt(bytes, at, ctx)
    const headerLen = (3 + count) * ctx.headerBytes
    if (at + headerLen > bytes.length) fail(ctx.file, 'truncated compressed array header')
    return inflateBlocks(bytes.subarray(at, at + headerLen), bytes.subarray(at + headerLen), need, ctx)
  }
  const size = readHeaderInt(bytes, at, ctx)
  if (size < need) fail(ctx.file, `array holds ${size} bytes, ${need} needed`)
  if (at + ctx.headerBytes + need > bytes.length) fail(ctx.file, `truncated data: array needs ${need} bytes`)
  return bytes.subarray(at + ctx.headerBytes, at + ctx.headerBytes + need)
}

/** A base64 array: VTK encodes the header on its own when compressed, header and data together otherwise. */
function base64Array(text: string, need: number, ctx: Context): Uint8Array {
  const clean = text.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/=]*$/.test(clean)) fail(ctx.file, 'invalid base64 data')
  const chars = (n: number) => Math.ceil(n / 3) * 4
  if (ctx.compressed) {
    const count = readHeaderInt(base64Bytes(clean.slice(0, chars(ctx.headerBytes))), 0, ctx)
    const headerChars = chars((3 + count) * ctx.headerBytes)
    if (headerChars > clean.length) fail(ctx.file, 'truncated compressed array header')
    return inflateBlocks(
      base64Bytes(clean.slice(0, headerChars)),
      base64Bytes(clean.slice(headerChars)),
      need,
      ctx,
    )
  }
  const headerChars = chars(ctx.headerBytes)
  if (clean[headerChars - 1] === '=') {
    const size = readHeaderInt(base64Bytes(clean.slice(0, headerChars)), 0, ctx)
    const data = base64Bytes(clean.slice(headerChars))
    if (size < need || data.length < need) fail(ctx.file, `truncated data: array needs ${need} bytes`)
    return data.subarray(0, need)
  }
  return binaryArray(base64Bytes(clean), 0, need, ctx)
}

function findBytes(hay: Uint8Array, needle: string, from = 0): number {
  const n = Buffer.from(needle, 'latin1')
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(n, from)
}

function decodeUnitField(xml: string): string | undefined {
  const m = /<FieldData[^>]*>([\s\S]*?)<\/FieldData>/.exec(xml)
  if (!m) return undefined
  const arr = /<DataArray([^>]*)>([^<]*)<\/DataArray>/g
  for (const a of m[1].matchAll(arr)) {
    const at = attrs(a[1])
    if (at.get('Name') !== 'unit' || at.get('type') !== 'String' || at.get('format') !== 'ascii') continue
    const codes = a[2].trim().split(/\s+/).map(Number)
    const end = codes.indexOf(0)
    return String.fromCharCode(...codes.slice(0, end < 0 ? codes.length : end))
  }
  return undefined
}

export function parseVti(bytes: Uint8Array, file: string, opts: ReadOptions = {}): Volume {
  const appendedAt = findBytes(bytes, '<AppendedData')
  const xml = new TextDecoder('latin1').decode(bytes.subarray(0, appendedAt < 0 ? bytes.length : appendedAt))
  const vtkTag = /<VTKFile\b([^>]*)>/.exec(xml) ?? fail(file, 'not a VTK XML file (no <VTKFile>)')
  const top = attrs(vtkTag[1])
  if (top.get('type') !== 'ImageData')
    fail(file, `VTK file type '${top.get('type') ?? '?'}' is not ImageData`)
  const compressor = top.get('compressor')
  if (compressor && compressor !== 'vtkZLibDataCompressor')
    fail(file, `unsupported compression '${compressor}' (zlib only)`)
  const ctx: Context = {
    file,
    littleEndian: (top.get('byte_order') ?? 'LittleEndian') === 'LittleEndian',
    headerBytes: top.get('header_type') === 'UInt64' ? 8 : 4,
    compressed: compressor !== undefined,
  }
  const image = attrs((/<ImageData\b([^>]*)>/.exec(xml) ?? fail(file, 'no <ImageData> element'))[1])
  const nums = (v: string | undefined, count: number, what: string): number[] => {
    const parts = (v ?? '').trim().split(/\s+/).map(Number)
    if (parts.length !== count || parts.some((p) => !Number.isFinite(p)))
      fail(file, `bad ${what} '${v ?? ''}'`)
    return parts
  }
  const extent = nums(image.get('WholeExtent'), 6, 'WholeExtent')
  const spacing = image.has('Spacing') ? nums(image.get('Spacing'), 3, 'Spacing') : [1, 1, 1]
  if ((xml.match(/<Piece\b/g) ?? []).length > 1) fail(file, 'multi-piece ImageData is not supported')
  const cell = /<CellData\b([^>]*)>([\s\S]*?)<\/CellData>/.exec(xml)
  const point = /<PointData\b([^>]*)>([\s\S]*?)<\/PointData>/.exec(xml)
  const section =
    cell && /<DataArray\b/.test(cell[2]) ? cell : point && /<DataArray\b/.test(point[2]) ? point : null
  if (!section) fail(file, 'no cell or point data array')
  const isCell = section === cell
  const arrays = [...section[2].matchAll(/<DataArray\b([^>]*?)(\/>|>([\s\S]*?)<\/DataArray>)/g)]
  const wanted = attrs(section[1]).get('Scalars')
  const pick =
    arrays.find((a) => attrs(a[1]).get('Name') === wanted) ??
    arrays.find((a) => /^(phase|material|labels?)$/i.test(attrs(a[1]).get('Name') ?? '')) ??
    arrays[0]
  const arr = attrs(pick[1])
  const type = VTK_TYPES[arr.get('type') ?? ''] ?? fail(file, `unsupported data type '${arr.get('type')}'`)
  if (Number(arr.get('NumberOfComponents') ?? 1) !== 1)
    fail(file, `array '${arr.get('Name')}' has several components`)
  const dims = [0, 1, 2].map((a) => extent[2 * a + 1] - extent[2 * a] + (isCell ? 0 : 1))
  const [nx, ny, nz] = dims.map((d) => (isCell && d === 0 ? 1 : d))
  const n = checkVoxelCount(file, [nz, ny, nx])
  const size = {
    int8: 1,
    uint8: 1,
    int16: 2,
    uint16: 2,
    int32: 4,
    uint32: 4,
    int64: 8,
    uint64: 8,
    float32: 4,
    float64: 8,
  }[type]
  const need = n * size
  const format = arr.get('format') ?? 'ascii'
  let samples: ArrayLike<number>
  if (format === 'ascii') {
    const values = (pick[3] ?? '')
      .trim()
      .split(/\s+/)
      .filter((s) => s.length > 0)
      .map(Number)
    if (values.length < n) fail(file, `ascii array has ${values.length} values, ${n} needed`)
    samples = values.slice(0, n)
  } else if (format === 'binary') {
    samples = decodeSamples(base64Array(pick[3] ?? '', need, ctx), type, n, ctx.littleEndian, file)
  } else if (format === 'appended') {
    if (appendedAt < 0) fail(file, 'array is appended but the file has no <AppendedData>')
    const tagEnd = findBytes(bytes, '>', appendedAt)
    const appended = attrs(
      new TextDecoder('latin1').decode(bytes.subarray(appendedAt, Math.max(appendedAt, tagEnd))),
    )
    const underscore = findBytes(bytes, '_', tagEnd)
    if (tagEnd < 0 || underscore < 0) fail(file, 'malformed <AppendedData>')
    const offset = Number(arr.get('offset') ?? 0)
    if (!Number.isInteger(offset) || offset < 0) fail(file, `bad appended offset '${arr.get('offset')}'`)
    const start = underscore + 1
    let data: Uint8Array
    if (appended.get('encoding') === 'base64') {
      const end = findBytes(bytes, '</AppendedData>', start)
      const text = new TextDecoder('latin1').decode(bytes.subarray(start, end < 0 ? bytes.length : end))
      data = base64Array(text.slice(offset).split(/[^A-Za-z0-9+/=\s]/)[0], need, ctx)
    } else {
      data = binaryArray(bytes, start + offset, need, ctx)
    }
    samples = decodeSamples(data, type, n, ctx.littleEndian, file)
  } else {
    fail(file, `unsupported DataArray format '${format}'`)
  }
  const vol = makeVolume([nz, ny, nx], samplesToLabels(samples, file, 'labels', opts.thresholds))
  vol.spacing = [spacing[2], spacing[1], spacing[0]]
  const unit = decodeUnitField(xml)
  if (unit) vol.unit = unit
  return vol
}

function stringArrayAscii(name: string, value: string): string {
  const codes = [...Buffer.from(value, 'utf8')].join(' ')
  return `<DataArray type="String" Name="${name}" NumberOfTuples="1" format="ascii">${codes} 0</DataArray>`
}

export async function writeVti(file: string, vol: Volume, opts: WriteOptions = {}): Promise<void> {
  const [nz, ny, nx] = vol.shape
  const [dz, dy, dx] = vol.spacing
  const damask = opts.vtiFlavor === 'damask'
  const name = damask ? 'material' : 'phase'
  const type = damask ? 'Int32' : 'UInt8'
  const itemSize = damask ? 4 : 1
  const n = vol.data.length
  const extent = `0 ${nx} 0 ${ny} 0 ${nz}`
  const header = [
    '<?xml version="1.0"?>',
    '<VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" header_type="UInt64">',
    `  <ImageData WholeExtent="${extent}" Origin="0 0 0" Spacing="${dx} ${dy} ${dz}" Direction="1 0 0 0 1 0 0 0 1">`,
    '    <FieldData>',
    `      ${stringArrayAscii('unit', vol.unit)}`,
    '    </FieldData>',
    `    <Piece Extent="${extent}">`,
    '      <PointData>',
    '      </PointData>',
    `      <CellData Scalars="${name}">`,
    `        <DataArray type="${type}" Name="${name}" format="appended" RangeMin="0" RangeMax="${phaseCount(vol) - 1}" offset="0"/>`,
    '      </CellData>',
    '    </Piece>',
    '  </ImageData>',
    '  <AppendedData encoding="raw">',
    '   _',
  ].join('\n')
  const report = progressReporter(opts.onProgress, n)
  await writeStreamAtomic(file, async (out) => {
    await out.text(header)
    const count = new Uint8Array(8)
    new DataView(count.buffer).setBigUint64(0, BigInt(n * itemSize), true)
    await out.bytes(count)
    const step = 1 << 20
    for (let i = 0; i < n; i += step) {
      const part = vol.data.subarray(i, i + step)
      await out.bytes(damask ? new Uint8Array(Int32Array.from(part).buffer) : part)
      report(i + part.length)
    }
    await out.text('\n  </AppendedData>\n</VTKFile>\n')
  })
}
