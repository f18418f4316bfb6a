/**
 * Which conducting voxels are face-connected (6-neighbourhood) to the inlet and outlet layers, the
 * first and last layers along the transport axis. Connectivity wraps across the sides that are periodic.
 * Only voxels reached from both ends (the percolating network, dead ends included) carry flux; the rest
 * is removed before the solve so that the linear system stays non-singular.
 */
import type { Shape3 } from '../volume/volume'

export const REACHED_FROM_INLET = 1
export const REACHED_FROM_OUTLET = 2
export const PERCOLATING = REACHED_FROM_INLET | REACHED_FROM_OUTLET

/**
 * Per voxel, a bit set of REACHED_FROM_INLET and REACHED_FROM_OUTLET (0 for non-conducting voxels and
 * for clusters touching neither end).
 */
export function reachability(
  conducting: Uint8Array,
  shape: Shape3,
  axis: 0 | 1 | 2,
  periodic: [boolean, boolean, boolean],
): Uint8Array {
  const labels = new Uint8Array(conducting.length)
  const queue = new Int32Array(conducting.length)
  flood(conducting, shape, axis, periodic, 0, REACHED_FROM_INLET, labels, queue)
  flood(conducting, shape, axis, periodic, shape[axis] - 1, REACHED_FROM_OUTLET, labels, queue)
  return labels
}

function flood(
  conducting: Uint8Array,
  shape: Shape3,
  axis: 0 | 1 | 2,
  periodic: [boolean, boolean, boolean],
  layer: number,
  bit: number,
  labels: Uint8Array,
  queue: Int32Array,
): void {
  const [nz, ny, nx] = shape
  const plane = nx * ny
  let tail = 0
  const visit = (j: number) => {
    if (conducting[j] && !(labels[j] & bit)) {
      labels[j] |= bit
      queue[tail++] = j
    }
  }
  for (let iz = 0; iz < nz; iz++) {
    for (let iy = 0; iy < ny; iy++) {
      for (let ix = 0; ix < nx; ix++) {
        const coord = axis === 0 ? iz : axis === 1 ? iy : ix
        if (coord === layer) visit((iz * ny + iy) * nx + ix)
      }
    }
  }
  const [pz, py, px] = periodic
  for (let head = 0; head < tail; head++) {
    const i = queue[head]
    const ix = i % nx
    const iy = ((i - ix) / nx) % ny
    const iz = (i - ix - iy * nx) / plane
    if (ix > 0) visit(i - 1)
    else if (px && nx > 1) visit(i + nx - 1)
    if (ix < nx - 1) visit(i + 1)
    else if (px && nx > 1) visit(i - nx + 1)
    if (iy > 0) visit(i - nx)
    else if (py && ny > 1) visit(i + (ny - 1) * nx)
    if (iy < ny - 1) visit(i + nx)
    else if (py && ny > 1) visit(i - (ny - 1) * nx)
    if (iz > 0) visit(i - plane)
    else if (pz && nz > 1) visit(i + (nz - 1) * plane)
    if (iz < nz - 1) visit(i + plane)
    else if (pz && nz > 1) visit(i - (nz - 1) * plane)
  }
}
