/**
 * Binary STL surface of one phase: an 80-byte header (not starting with "solid"), a uint32 triangle
 * count, then per triangle a float32 normal, three float32 vertices and a uint16 attribute (0), all
 * little-endian. Coordinates are in the volume's unit: voxel (x, y, z) spans [x dx, (x+1) dx] etc.
 *
 * The mask is padded with one layer of "outside" all round, so the surface is closed where the phase
 * meets the box. Two surfaces are offered:
 * - 'marching-cubes' (default): smooth, through edge midpoints (marchingCubes.ts), on the mask refined
 *   `refine` times per axis (default 2). Marching cubes cuts voxel corners, so its enclosed volume is
 *   below the voxel volume for thin or noisy phases: on voxel-scale noise (a random 3-phase 20x30x40
 *   volume, phase 1) it encloses 61 % of the voxel volume with refine 1, 88 % with 2 and 94 % with 3;
 *   a lone voxel keeps 1/6 with refine 1. Each step of refinement multiplies the triangles by about f^2.
 * - 'voxel-faces': the exact boundary faces of the voxels, two triangles per face; encloses exactly the
 *   voxel volume (edges where two voxels touch only along a line are shared by four triangles).
 * Triangles are produced slab by slab and streamed to the file; the count is patched in at the end.
 */
import { UserError } from '../errors'
import type { Volume } from '../volume/volume'
import { type ChunkedWriter, writeStreamAtomic } from './files'
import { CUBE_EDGES, TRIANGLE_TABLE } from './marchingCubes'
import type { WriteOptions } from './options'

/** Default refinement of the marching-cubes grid (see the module comment for the measured volumes). */
export const DEFAULT_REFINE = 2
const TRIANGLE_BYTES = 50
const BATCH = 20000

/** Collects triangles into a 1 MB buffer and writes it when full. */
class TriangleSink {
  private buf = new ArrayBuffer(BATCH * TRIANGLE_BYTES)
  private view = new DataView(this.buf)
  private used = 0
  count = 0
  constructor(private readonly out: ChunkedWriter) {}

  async add(a: number[], b: number[], c: number[]): Promise<void> {
    const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
    const v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]]
    const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]
    const len = Math.hypot(n[0], n[1], n[2]) || 1
    let o = this.used * TRIANGLE_BYTES
    for (const x of [n[0] / len, n[1] / len, n[2] / len, ...a, ...b, ...c]) {
      this.view.setFloat32(o, x, true)
      o += 4
    }
    this.view.setUint16(o, 0, true)
    this.used++
    this.count++
    if (this.used === BATCH) await this.flush()
  }

  async flush(): Promise<void> {
    if (this.used > 0) await this.out.bytes(new Uint8Array(this.buf, 0, this.used * TRIANGLE_BYTES))
    this.buf = new ArrayBuffer(BATCH * TRIANGLE_BYTES)
    this.view = new DataView(this.buf)
    this.used = 0
  }
}

/**
 * Inside-mask of refined z layer k (voxel layer floor(k / f)), each voxel repeated f times along x and y,
 * padded by one outside sample on every side ((f nx + 2) x (f ny + 2)); k may be -1 or f nz.
 */
function paddedLayer<T extends Uint8Array>(vol: Volume, phase: number, f: number, k: number, into: T): T {
  const [nz, ny, nx] = vol.shape
  const w = f * nx + 2
  into.fill(0)
  if (k < 0 || k >= f * nz) return into
  const z = Math.floor(k / f)
  for (let j = 0; j < f * ny; j++) {
    const src = (z * ny + Math.floor(j / f)) * nx
    const dst = (j + 1) * w + 1
    for (let i = 0; i < f * nx; i++) into[dst + i] = vol.data[src + Math.floor(i / f)] === phase ? 1 : 0
  }
  return into
}

/**
 * Marching cubes over the mask refined f times per axis (f = 1: cubes between voxel centres). Refining
 * shrinks the corners that marching cubes cuts off, so the enclosed volume approaches the voxel volume.
 */
async function marchingCubes(
  vol: Volume,
  phase: number,
  f: number,
  sink: TriangleSink,
  progress: (k: number) => void,
): Promise<void> {
  const [nz, ny, nx] = vol.shape
  const [dz, dy, dx] = vol.spacing.map((d) => d / f)
  const [mx, my, mz] = [f * nx, f * ny, f * nz]
  const w = mx + 2
  let lower = paddedLayer(vol, phase, f, -1, new Uint8Array(w * (my + 2)))
  let upper = new Uint8Array(w * (my + 2))
  const corners = [0, 0, 0, 0, 0, 0, 0, 0]
  // Sample s (padded index p = s + 1) sits at (s + 0.5) d; a cube's base sample is p in 0..m.
  for (let k = -1; k < mz; k++) {
    upper = paddedLayer(vol, phase, f, k + 1, upper)
    for (let j = 0; j <= my; j++)
      for (let i = 0; i <= mx; i++) {
        const p = j * w + i
        corners[0] = lower[p]
        corners[1] = lower[p + 1]
        corners[2] = lower[p + w]
        corners[3] = lower[p + w + 1]
        corners[4] = upper[p]
        corners[5] = upper[p + 1]
        corners[6] = upper[p + w]
        corners[7] = upper[p + w + 1]
        let mask = 0
        for (let c = 0; c < 8; c++) mask |= corners[c] << c
        if (mask === 0 || mask === 255) continue
        const tris = TRIANGLE_TABLE[mask]
        const vertex = (e: number) => {
          const [a, b] = CUBE_EDGES[e]
          return [
            (i - 0.5 + ((a & 1) + (b & 1)) / 2) * dx,
            (j - 0.5 + (((a >> 1) & 1) + ((b >> 1) & 1)) / 2) * dy,
            (k + 0.5 + ((a >> 2) + (b >> 2)) / 2) * dz,
          ]
        }
        for (let t = 0; t < tris.length; t += 3)
          await sink.add(vertex(tris[t]), vertex(tris[t + 1]), vertex(tris[t + 2]))
      }
    ;[lower, upper] = [upper, lower]
    progress((k + 1) / f)
  }
}

async function voxelFaces(
  vol: Volume,
  phase: number,
  sink: TriangleSink,
  progress: (k: number) => void,
): Promise<void> {
  const [nz, ny, nx] = vol.shape
  const d = [vol.spacing[2], vol.spacing[1], vol.spacing[0]]
  const n = [nx, ny, nz]
  const inside = (x: number, y: number, z: number) =>
    x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz && vol.data[(z * ny + y) * nx + x] === phase
  const quad = async (axis: number, at: number[], outward: 1 | -1) => {
    const u = (axis + 1) % 3
    const v = (axis + 2) % 3
    const corner = (du: number, dv: number) => {
      const p = [0, 0, 0]
      p[axis] = at[axis] * d[axis]
      p[u] = (at[u] + du) * d[u]
      p[v] = (at[v] + dv) * d[v]
      return p
    }
    const ring = [corner(0, 0), corner(1, 0), corner(1, 1), corner(0, 1)]
    if (outward < 0) ring.reverse()
    await sink.add(ring[0], ring[1], ring[2])
    await sink.add(ring[0], ring[2], ring[3])
  }
  for (let z = -1; z < nz; z++) {
    for (let y = -1; y < ny; y++)
      for (let x = -1; x < nx; x++) {
        const here = inside(x, y, z)
        const cell = [x, y, z]
        for (let axis = 0; axis < 3; axis++) {
          const nb = [x, y, z]
          nb[axis]++
          if (nb[axis] > n[axis]) continue
          const there = inside(nb[0], nb[1], nb[2])
          if (here === there) continue
          // The face between cell and nb lies at index cell[axis] + 1 along the axis.
          const at = [...cell]
          at[axis] = cell[axis] + 1
          await quad(axis, at, here ? 1 : -1)
        }
      }
    progress(z + 1)
  }
}

export async function writeStl(
  file: string,
  vol: Volume,
  opts: WriteOptions = {},
): Promise<{ triangles: number }> {
  const phase = opts.phase
  if (phase === undefined)
    throw new UserError(`${file}: an STL holds the surface of one phase; choose it with --phase P`, {
      app: `${file}: an STL holds the surface of one phase; choose the phase to export`,
    })
  let present = false
  for (let i = 0; i < vol.data.length && !present; i++) present = vol.data[i] === phase
  if (!present)
    throw new UserError(`${file}: phase ${phase} has no voxels in this volume; its surface is empty`)
  const refine = opts.refine ?? DEFAULT_REFINE
  if (!Number.isInteger(refine) || refine < 1 || refine > 8)
    throw new UserError(`refine must be an integer 1..8, got ${refine}`)
  const nz = vol.shape[0]
  const progress = (k: number) => opts.onProgress?.(Math.min(1, k / (nz + 1)))
  let triangles = 0
  await writeStreamAtomic(file, async (out) => {
    const header = new Uint8Array(84)
    const label = `MicroLad Studio binary STL, phase ${phase}, unit ${vol.unit}`.slice(0, 80)
    header.set(new TextEncoder().encode(label))
    await out.bytes(header)
    const sink = new TriangleSink(out)
    if (opts.surface === 'voxel-faces') await voxelFaces(vol, phase, sink, progress)
    else await marchingCubes(vol, phase, refine, sink, progress)
    await sink.flush()
    const count = new Uint8Array(4)
    new DataView(count.buffer).setUint32(0, sink.count, true)
    await out.writeAt(80, count)
    triangles = sink.count
  })
  return { triangles }
}
