/**
 * Euler characteristic χ of one phase (DESIGN §10): χ = components − tunnels (handles) + cavities in 3D,
 * components − holes in 2D. Voxels outside the volume are taken as not in the phase (the volume sits in
 * an empty frame, as scikit-image's `euler_number`, which zero-pads its input).
 *
 * connectivity 26 (default): the phase is the union of its voxels as CLOSED unit cubes, so voxels that
 * share a face, an edge or a corner are connected (26-connectivity; the complement is then 6-connected).
 * χ = V − E + F − C counted over the cubical complex: the lattice vertices, edges and square faces that
 * touch at least one voxel of the phase, and the voxels (cubes) of the phase.
 *
 * connectivity 6: the phase is the INTERIOR of that union: an open cube per voxel plus the lattice cells
 * all of whose surrounding voxels are in the phase (a face between two phase voxels, an edge inside four,
 * a vertex inside eight), so only face neighbours connect (6-connectivity; the complement is
 * 26-connected). For an open subset of R³ the alternating count of its open cells gives −χ, so
 * χ₆ = C − F + E − V over those interior cells. Equivalently, splitting the closed padded box B (the
 * volume plus a one-voxel empty frame) into that interior and the closed cubes of the rest, B \ X:
 * χ₆(X) = χ₂₆(B \ X) − 1 (the complement, frame included, taken 26-connected).
 *
 * 2D images (nz = 1) go through the same code: a one-voxel slab has the topology of its 2D section, with
 * 26 acting as 8-connectivity in the plane and 6 as 4-connectivity, and χ = components − holes.
 * (skimage.measure.euler_number connectivity 3 / 1 in 3D, 2 / 1 in 2D.)
 *
 * Computation: one pass over the (nz+1)(ny+1)(nx+1) lattice vertices of the padded grid. Each cell of
 * the complex is charged to its lowest corner p: the vertex p, the three edges p→p+e, the three faces
 * spanned from p and the cube whose lowest corner is p. Which of those are in the complex depends only
 * on the 2×2×2 voxels around p, so a 256-entry table of each configuration's contribution (derived below
 * from the rule, not typed in) gives χ as a sum over vertices: O(N), no labelling.
 * perVoxel = χ / (number of voxels of the volume), so that volumes of different sizes compare.
 */
import { checkPhase } from './indicator'
import type { Volume } from '../volume/volume'

export type EulerConnectivity = 26 | 6

export interface EulerCharacteristic {
  chi: number
  /** χ divided by the number of voxels of the volume. */
  perVoxel: number
  /** 26: closed cubes (corner-connected phase); 6: open cubes (face-connected phase). In 2D: 8 / 4. */
  connectivity: EulerConnectivity
}

/**
 * Bit b of a configuration = voxel at offset (dz, dy, dx) − 1 from the vertex p, b = 4 dz + 2 dy + dx;
 * so offset 1 along an axis is the voxel on the far side of p (the one whose lowest corner is p).
 */
function bit(dz: number, dy: number, dx: number): number {
  return 1 << (4 * dz + 2 * dy + dx)
}

/**
 * Contribution V − E + F − C of the cells charged to a vertex, for each 2×2×2 configuration. A cell is in
 * the complex when `test` holds for the set of voxels around it: "any" (closed cubes) or "all" (interior).
 */
function buildTable(all: boolean): Int8Array {
  // The voxels around each cell charged to p, as bit masks.
  const vertex = 0xff

  const edges: number[] = []
  const faces: number[] = []
  // Edge p→p+e_x: the four voxels with dx = 1 (x in [p, p+1]) and dy, dz ∈ {0, 1}; same for y and z.
  for (let axis = 0; axis < 3; axis++) {
    let mask = 0
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 2; b++) {
        const o = axis === 0 ? [1, a, b] : axis === 1 ? [a, 1, b] : [a, b, 1]
        mask |= bit(o[0], o[1], o[2])
      }
    edges.push(mask)
  }
  // Face spanned from p normal to an axis: the two voxels with offset 1 along both in-plane axes.
  for (let normal = 0; normal < 3; normal++) {
    let mask = 0
    for (let a = 0; a < 2; a++) {
      const o = normal === 0 ? [a, 1, 1] : normal === 1 ? [1, a, 1] : [1, 1, a]
      mask |= bit(o[0], o[1], o[2])
    }
    faces.push(mask)
  }
  const cube = bit(1, 1, 1)
  const table = new Int8Array(256)
  for (let c = 0; c < 256; c++) {
    const has = (mask: number) => (all ? (c & mask) === mask : (c & mask) !== 0)
    let v = has(vertex) ? 1 : 0
    for (const m of edges) v -= has(m) ? 1 : 0
    for (const m of faces) v += has(m) ? 1 : 0
    v -= has(cube) ? 1 : 0
    // Interior cells: the alternating sum of open cells of a 3-manifold is −χ.
    table[c] = all ? -v : v
  }
  return table
}

const TABLE_26 = buildTable(false)
const TABLE_6 = buildTable(true)

export function eulerCharacteristic(
  vol: Volume,
  phase: number,
  opts: { connectivity?: EulerConnectivity } = {},
): EulerCharacteristic {
  checkPhase(phase)
  const connectivity = opts.connectivity ?? 26
  if (connectivity !== 26 && connectivity !== 6) {
    throw new Error(`connectivity must be 26 or 6, got ${String(connectivity)}`)
  }
  const table = connectivity === 26 ? TABLE_26 : TABLE_6
  const [nz, ny, nx] = vol.shape
  const d = vol.data
  // Column bits of the four voxels (z−1|z, y−1|y) at one x, at their dx = 0 positions.
  const rowStart = [0, 0, 0, 0]
  const rowIn = [false, false, false, false]
  const shifts = [bit(0, 0, 0), bit(0, 1, 0), bit(1, 0, 0), bit(1, 1, 0)]
  let chi = 0
  for (let pz = 0; pz <= nz; pz++) {
    for (let py = 0; py <= ny; py++) {
      let any = false
      for (let r = 0; r < 4; r++) {
        const z = pz - 1 + (r >> 1)
        const y = py - 1 + (r & 1)
        rowIn[r] = z >= 0 && z < nz && y >= 0 && y < ny
        rowStart[r] = rowIn[r] ? (z * ny + y) * nx : 0
        any ||= rowIn[r]
      }
      if (!any) continue
      const [s0, s1, s2, s3] = rowStart
      const [i0, i1, i2, i3] = rowIn
      const [b0, b1, b2, b3] = shifts
      let prev = 0 // column at x − 1
      for (let px = 0; px <= nx; px++) {
        let col = 0
        if (px < nx) {
          if (i0 && d[s0 + px] === phase) col |= b0
          if (i1 && d[s1 + px] === phase) col |= b1
          if (i2 && d[s2 + px] === phase) col |= b2
          if (i3 && d[s3 + px] === phase) col |= b3
        }
        chi += table[prev | (col << 1)]
        prev = col
      }
    }
  }
  const n = nz * ny * nx
  return { chi, perVoxel: n > 0 ? chi / n : 0, connectivity }
}
