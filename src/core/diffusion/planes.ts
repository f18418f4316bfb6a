/**
 * Viewing a channel-first 3D array [C, D0, D1, D2] (a latent grid [C, Lz, Ly, Lx] or phase probabilities
 * [P, Z, Y, X]) as a batch of 2D planes along one spatial axis, in the layout the 2D networks take,
 * [B, C, H, W]:
 * - axis 0 (z): plane i is [C, D1, D2] (rows y, columns x), the xy plane;
 * - axis 1 (y): plane i is [C, D0, D2] (rows z, columns x), the xz plane;
 * - axis 2 (x): plane i is [C, D0, D1] (rows z, columns y), the yz plane.
 * These are the slices vol[i], vol[:, i] and vol[:, :, i] of NumPy, so they match the trainer's plane tags.
 */
export type GridDims = [channels: number, d0: number, d1: number, d2: number]
export type AxisIndex = 0 | 1 | 2

/** The (rows, columns) of a plane perpendicular to `axis`. */
export function planeSize(dims: GridDims, axis: AxisIndex): [number, number] {
  const [, d0, d1, d2] = dims
  return axis === 0 ? [d1, d2] : axis === 1 ? [d0, d2] : [d0, d1]
}

export function planeCount(dims: GridDims, axis: AxisIndex): number {
  return dims[axis + 1]
}

/**
 * Strides (in elements of the grid) of the plane's row index, column index and plane index. Element
 * (c, plane p, row r, column q) of the view is grid[c·cs + p·ps + r·rs + q·qs].
 */
function viewStrides(dims: GridDims, axis: AxisIndex): { cs: number; ps: number; rs: number; qs: number } {
  const [, d0, d1, d2] = dims
  const s0 = d1 * d2
  const s1 = d2
  const cs = d0 * s0
  if (axis === 0) return { cs, ps: s0, rs: s1, qs: 1 }
  if (axis === 1) return { cs, ps: s1, rs: s0, qs: 1 }
  return { cs, ps: 1, rs: s0, qs: s1 }
}

/** Copy planes start … start+count−1 along `axis` into a new batch [count, C, H, W]. */
export function extractPlanes(
  grid: Float32Array,
  dims: GridDims,
  axis: AxisIndex,
  start = 0,
  count = planeCount(dims, axis),
): Float32Array {
  const [h, w] = planeSize(dims, axis)
  const C = dims[0]
  const { cs, ps, rs, qs } = viewStrides(dims, axis)
  const out = new Float32Array(count * C * h * w)
  let o = 0
  for (let p = start; p < start + count; p++) {
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < h; r++) {
        const base = c * cs + p * ps + r * rs
        for (let q = 0; q < w; q++) out[o++] = grid[base + q * qs]
      }
    }
  }
  return out
}

/** Write a batch [count, C, H, W] back as planes start … start+count−1 along `axis` (overwriting). */
export function insertPlanes(
  grid: Float32Array,
  dims: GridDims,
  axis: AxisIndex,
  batch: Float32Array,
  start = 0,
  count = planeCount(dims, axis),
): void {
  const [h, w] = planeSize(dims, axis)
  const C = dims[0]
  const { cs, ps, rs, qs } = viewStrides(dims, axis)
  let o = 0
  for (let p = start; p < start + count; p++) {
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < h; r++) {
        const base = c * cs + p * ps + r * rs
        for (let q = 0; q < w; q++) grid[base + q * qs] = batch[o++]
      }
    }
  }
}

/**
 * Add `weight` × a batch of planes into the grid. Plane b of the batch goes to grid planes
 * (start + b)·slab … (start + b)·slab + slab − 1 along `axis`: with slab = f this spreads each decoded
 * latent plane over the f-voxel slab it covers.
 */
export function accumulatePlanes(
  grid: Float32Array,
  dims: GridDims,
  axis: AxisIndex,
  batch: Float32Array,
  start: number,
  count: number,
  slab = 1,
  weight = 1,
): void {
  const [h, w] = planeSize(dims, axis)
  const C = dims[0]
  const { cs, ps, rs, qs } = viewStrides(dims, axis)
  const planeLen = C * h * w
  for (let b = 0; b < count; b++) {
    for (let k = 0; k < slab; k++) {
      const p = (start + b) * slab + k
      let o = b * planeLen
      for (let c = 0; c < C; c++) {
        for (let r = 0; r < h; r++) {
          const base = c * cs + p * ps + r * rs
          for (let q = 0; q < w; q++) grid[base + q * qs] += weight * batch[o++]
        }
      }
    }
  }
}
