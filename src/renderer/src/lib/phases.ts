/** Phase colours and 2D label slices, shared by every view that draws phase labels. */
import type { PhaseInfo } from '../../../shared/dto'

export type Rgb = [number, number, number]
export type SliceAxis = 'z' | 'y' | 'x'
export type Shape3 = [number, number, number]

/** Used for a label no phase entry names. */
export const UNKNOWN_PHASE_RGB: Rgb = [255, 0, 255]

export function hexToRgb(hex: string): Rgb {
  const h = hex.replace('#', '')
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h
  const n = parseInt(full, 16)
  if (!Number.isFinite(n)) return UNKNOWN_PHASE_RGB
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/** Colour of every label 0..255, indexed by label. */
export function phasePalette(phases: readonly PhaseInfo[]): Rgb[] {
  const palette: Rgb[] = Array.from({ length: 256 }, () => UNKNOWN_PHASE_RGB)
  for (const p of phases) palette[p.id] = hexToRgb(p.color)
  return palette
}

/** Width and height of a slice normal to `axis` of a [z, y, x] volume. */
export function sliceSize(shape: Shape3, axis: SliceAxis): [number, number] {
  const [nz, ny, nx] = shape
  if (axis === 'z') return [nx, ny]
  if (axis === 'y') return [nx, nz]
  return [ny, nz]
}

/** Labels of one slice, row-major (rows top to bottom). z: rows y, cols x; y: rows z, cols x; x: rows z, cols y. */
export function extractSlice(labels: Uint8Array, shape: Shape3, axis: SliceAxis, index: number): Uint8Array {
  const [nz, ny, nx] = shape
  const [w, h] = sliceSize(shape, axis)
  const out = new Uint8Array(w * h)
  if (axis === 'z') {
    const k = Math.min(Math.max(index, 0), nz - 1)
    out.set(labels.subarray(k * ny * nx, (k + 1) * ny * nx))
    return out
  }
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      out[r * w + c] =
        axis === 'y'
          ? labels[(r * ny + Math.min(Math.max(index, 0), ny - 1)) * nx + c]
          : labels[(r * ny + c) * nx + Math.min(Math.max(index, 0), nx - 1)]
    }
  }
  return out
}

/** RGBA pixels of a label slice in the phase colours. */
export function colorizeSlice(slice: Uint8Array, palette: readonly Rgb[]): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(slice.length * 4)
  for (let i = 0; i < slice.length; i++) {
    const [r, g, b] = palette[slice[i]]
    rgba[i * 4] = r
    rgba[i * 4 + 1] = g
    rgba[i * 4 + 2] = b
    rgba[i * 4 + 3] = 255
  }
  return rgba
}

/** Largest axis the 3D view uploads; bigger volumes are shown subsampled (GPU textures, 2048 caps). */
export const DISPLAY_MAX_AXIS = 512

/**
 * Every `stride`-th voxel along each axis (nearest, so labels stay labels), with the spacing scaled to
 * match, so that no axis exceeds `maxAxis`. Returns the input itself when it already fits.
 */
export function subsampleForDisplay(
  labels: Uint8Array,
  shape: Shape3,
  spacing: [number, number, number],
  maxAxis = DISPLAY_MAX_AXIS,
): { labels: Uint8Array; shape: Shape3; spacing: [number, number, number]; stride: number } {
  const stride = Math.max(1, Math.ceil(Math.max(...shape) / maxAxis))
  if (stride === 1) return { labels, shape, spacing, stride }
  const [nz, ny, nx] = shape
  const out: Shape3 = [Math.ceil(nz / stride), Math.ceil(ny / stride), Math.ceil(nx / stride)]
  const values = new Uint8Array(out[0] * out[1] * out[2])
  let i = 0
  for (let z = 0; z < nz; z += stride)
    for (let y = 0; y < ny; y += stride)
      for (let x = 0; x < nx; x += stride) values[i++] = labels[(z * ny + y) * nx + x]
  return {
    labels: values,
    shape: out,
    spacing: [spacing[0] * stride, spacing[1] * stride, spacing[2] * stride],
    stride,
  }
}
