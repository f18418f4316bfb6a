/**
 * Decoding packed binary samples (uint8 ... float64, either byte order) into a typed array, shared by the
 * headerless formats (raw, MetaImage, VTK appended/binary data).
 */
import { UserError } from '../errors'

export type SampleType =
  'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'int64' | 'uint64' | 'float32' | 'float64'

export const SAMPLE_BYTES: Record<SampleType, number> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
}

/** Decode `count` samples of `type` from `bytes`; uint8 is returned as a view without copying. */
export function decodeSamples(
  bytes: Uint8Array,
  type: SampleType,
  count: number,
  littleEndian: boolean,
  file: string,
): ArrayLike<number> {
  const size = SAMPLE_BYTES[type]
  if (bytes.length < count * size) {
    throw new UserError(
      `${file}: data holds ${bytes.length} bytes, ${count} ${type} samples need ${count * size}`,
    )
  }
  if (type === 'uint8') return bytes.subarray(0, count)
  if (type === 'int8') return new Int8Array(bytes.buffer, bytes.byteOffset, count)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, count * size)
  const out = new Float64Array(count)
  const le = littleEndian
  for (let i = 0, o = 0; i < count; i++, o += size) {
    out[i] =
      type === 'uint16'
        ? dv.getUint16(o, le)
        : type === 'int16'
          ? dv.getInt16(o, le)
          : type === 'uint32'
            ? dv.getUint32(o, le)
            : type === 'int32'
              ? dv.getInt32(o, le)
              : type === 'int64'
                ? Number(dv.getBigInt64(o, le))
                : type === 'uint64'
                  ? Number(dv.getBigUint64(o, le))
                  : type === 'float32'
                    ? dv.getFloat32(o, le)
                    : dv.getFloat64(o, le)
  }
  return out
}
