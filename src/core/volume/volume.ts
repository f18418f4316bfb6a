/**
 * A voxel volume of phase labels. Axes are ordered [z, y, x] (C order, x fastest), matching NumPy's
 * default layout and the files in ../shared/data. A 2D image is a volume with nz = 1.
 */
export type Shape3 = [nz: number, ny: number, nx: number]
export type Axis = 'z' | 'y' | 'x'
export const AXES: readonly Axis[] = ['z', 'y', 'x']

export interface Phase {
  id: number
  name: string
  /** CSS hex colour, e.g. "#1f77b4". */
  color: string
}

export interface Volume {
  shape: Shape3
  /** Phase labels 0..P-1, length nz*ny*nx. */
  data: Uint8Array
  /** Voxel spacing [dz, dy, dx] in `unit`. */
  spacing: [number, number, number]
  unit: string
  phases?: Phase[]
}

export const DEFAULT_SPACING: [number, number, number] = [1, 1, 1]

export function axisIndex(axis: Axis): 0 | 1 | 2 {
  return axis === 'z' ? 0 : axis === 'y' ? 1 : 2
}

export function voxelCount(shape: Shape3): number {
  return shape[0] * shape[1] * shape[2]
}

export function makeVolume(
  shape: Shape3,
  data?: Uint8Array,
  spacing: [number, number, number] = DEFAULT_SPACING,
  unit = 'voxel',
): Volume {
  const n = voxelCount(shape)
  if (data && data.length !== n) {
    throw new Error(`volume data has ${data.length} voxels, shape ${shape.join('x')} needs ${n}`)
  }
  return { shape, data: data ?? new Uint8Array(n), spacing: [...spacing], unit }
}

/**
 * The box of `shape` whose corner is `origin` [z, y, x], copied out of a volume; it keeps the source's
 * spacing, unit and phases. The box must lie inside the source.
 */
export function cropVolume(vol: Volume, origin: readonly [number, number, number], shape: Shape3): Volume {
  const [z0, y0, x0] = origin
  const [, ny, nx] = vol.shape
  if (origin.some((o, i) => o < 0 || o + shape[i] > vol.shape[i]))
    throw new Error(
      `box ${shape.join('x')} at ${origin.join(',')} is outside the ${vol.shape.join('x')} volume`,
    )
  const data = new Uint8Array(voxelCount(shape))
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) {
      const src = ((z0 + z) * ny + y0 + y) * nx + x0
      data.set(vol.data.subarray(src, src + shape[2]), (z * shape[1] + y) * shape[2])
    }
  const out = makeVolume(shape, data, vol.spacing, vol.unit)
  if (vol.phases) out.phases = vol.phases.map((p) => ({ ...p }))
  return out
}

/** Number of phases: one more than the largest label present. */
export function phaseCount(vol: Volume): number {
  let max = 0
  const d = vol.data
  for (let i = 0; i < d.length; i++) if (d[i] > max) max = d[i]
  return Math.max(max + 1, vol.phases?.length ?? 0)
}

/** Is the volume a 2D image (a single z slice)? */
export function is2D(vol: Volume): boolean {
  return vol.shape[0] === 1
}

const PALETTE = ['#2b2d42', '#e0c068', '#3a86ff', '#ef476f', '#06d6a0', '#8338ec', '#ff7f11', '#8d99ae']

export function defaultPhases(count: number): Phase[] {
  return Array.from({ length: count }, (_, id) => ({
    id,
    name: `phase ${id}`,
    color: PALETTE[id % PALETTE.length],
  }))
}
