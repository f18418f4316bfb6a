/**
 * Abaqus input file (.inp) voxel mesh: one 8-node brick (C3D8) per voxel.
 *
 * Geometry: grid node (i, j, k), 0 <= i <= nx, 0 <= j <= ny, 0 <= k <= nz, sits at (i dx, j dy, k dz)
 * and has id 1 + i + (nx+1) (j + (ny+1) k); voxel (x, y, z) is element 1 + x + nx (y + ny z). Ids are
 * not renumbered when phases are left out, so an element's id always says where its voxel is.
 * Element nodes follow Abaqus' C3D8 convention: 1-4 counter-clockwise on the bottom face (z = k) seen
 * from +z, then 5-8 above them, which gives a positive Jacobian (volume dx dy dz).
 * Sets: ELSET PHASE_<id> per phase present, one *SOLID SECTION and one placeholder *MATERIAL
 * (MAT_<id>, *ELASTIC 1.0, 0.3: replace with real properties) per phase; NSETs XMIN XMAX YMIN YMAX ZMIN
 * ZMAX with the nodes on each face of the box; ALLNODES, ALLELEMENTS.
 * Periodic option: node-pair sets PERIODIC_<A>_MINUS / _PLUS (UNSORTED, the n-th node of one is paired
 * with the n-th of the other) for each axis A, three reference nodes REF_X, REF_Y, REF_Z carrying the
 * displacement jump across the box, and one *EQUATION per degree of freedom and boundary node:
 *   u(slave) - u(master) - sum_A [slave on the + face of A] u(REF_A) = 0,
 * where the master is the node with every index n_A wrapped to 0. Masters are never slaves, so edges and
 * corners are constrained once and no equation depends on another (no over-constraint).
 * Everything is streamed through a file handle; memory beyond the volume is one bit per node.
 * Reference: Abaqus Analysis User's Guide, "*NODE", "*ELEMENT", "*EQUATION", "Three-dimensional solid
 * element library" (C3D8 node ordering).
 */
import { UserError } from '../errors'
import type { Volume } from '../volume/volume'
import { type ChunkedWriter, writeStreamAtomic } from './files'
import type { WriteOptions } from './options'

const IDS_PER_LINE = 16

/** Writes "id, id, ..." lines of 16 ids under a keyword line. */
class IdLines {
  private line: number[] = []
  constructor(private readonly out: ChunkedWriter) {}
  async add(id: number): Promise<void> {
    this.line.push(id)
    if (this.line.length === IDS_PER_LINE) await this.flush()
  }
  async flush(): Promise<void> {
    if (this.line.length > 0) await this.out.text(this.line.join(', ') + '\n')
    this.line = []
  }
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(12)))
}

export interface InpSummary {
  nodes: number
  elements: number
  elementsPerPhase: Record<number, number>
  periodicEquations: number
}

export async function writeAbaqusInp(
  file: string,
  vol: Volume,
  opts: WriteOptions = {},
): Promise<InpSummary> {
  const [nz, ny, nx] = vol.shape
  const [dz, dy, dx] = vol.spacing
  const data = vol.data
  const omit = new Set(opts.omitPhases ?? [])
  const px = nx + 1
  const py = ny + 1
  const nodeCount = px * py * (nz + 1)
  const nodeId = (i: number, j: number, k: number) => 1 + i + px * (j + py * k)
  if (nodeCount + 3 > 2 ** 31 - 1)
    throw new UserError(`${file}: ${nx}x${ny}x${nz} voxels exceed Abaqus' node id range`)

  const counts = new Array<number>(256).fill(0)
  for (let i = 0; i < data.length; i++) counts[data[i]]++
  const phases = counts.flatMap((c, p) => (c > 0 && !omit.has(p) ? [p] : []))
  if (phases.length === 0)
    throw new UserError(`${file}: every voxel belongs to an omitted phase; nothing to mesh`)

  // One bit per grid node: is it a corner of a kept voxel?
  const used = new Uint8Array((nodeCount + 8) >> 3)
  const mark = (id: number) => (used[id >> 3] |= 1 << (id & 7))
  const isUsed = (id: number) => (used[id >> 3] >> (id & 7)) & 1
  for (let z = 0, v = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++, v++) {
        if (omit.has(data[v])) continue
        for (let c = 0; c < 8; c++) mark(nodeId(x + (c & 1), y + ((c >> 1) & 1), z + (c >> 2)))
      }
  let usedNodes = 0
  for (let id = 1; id <= nodeCount; id++) usedNodes += isUsed(id)

  const totalSteps = (nz + 1) * 2 + phases.length * nz
  let steps = 0
  const tick = () => opts.onProgress?.(Math.min(1, ++steps / totalSteps))
  const summary: InpSummary = {
    nodes: usedNodes + (opts.periodic ? 3 : 0),
    elements: 0,
    elementsPerPhase: {},
    periodicEquations: 0,
  }

  await writeStreamAtomic(file, async (out) => {
    await out.text('*HEADING\n')
    await out.text(
      `MicroLad Studio voxel mesh ${nx}x${ny}x${nz} (x,y,z), spacing ${dx} ${dy} ${dz} ${vol.unit}\n`,
    )
    await out.text(
      `** lengths in ${vol.unit}; one C3D8 element per voxel; element id = 1 + x + nx*(y + ny*z)\n`,
    )
    await out.text('*NODE\n')
    for (let k = 0; k <= nz; k++) {
      for (let j = 0; j <= ny; j++)
        for (let i = 0; i <= nx; i++) {
          const id = nodeId(i, j, k)
          if (isUsed(id)) await out.text(`${id}, ${fmt(i * dx)}, ${fmt(j * dy)}, ${fmt(k * dz)}\n`)
        }
      tick()
    }
    // Reference nodes go in the same *NODE block: some readers (meshio) keep only the last block.
    if (opts.periodic) await writeReferenceNodes(out, vol, nodeCount)
    await out.text('*ELEMENT, TYPE=C3D8, ELSET=ALLELEMENTS\n')
    for (let z = 0, v = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++, v++) {
          if (omit.has(data[v])) continue
          const n1 = nodeId(x, y, z)
          const n5 = nodeId(x, y, z + 1)
          await out.text(
            `${v + 1}, ${n1}, ${n1 + 1}, ${n1 + 1 + px}, ${n1 + px}, ${n5}, ${n5 + 1}, ${n5 + 1 + px}, ${n5 + px}\n`,
          )
          summary.elements++
        }
      tick()
    }
    for (const p of phases) {
      await out.text(`*ELSET, ELSET=PHASE_${p}\n`)
      const ids = new IdLines(out)
      for (let z = 0, v = 0; z < nz; z++) {
        for (let r = 0; r < nx * ny; r++, v++) if (data[v] === p) await ids.add(v + 1)
        tick()
      }
      await ids.flush()
      summary.elementsPerPhase[p] = counts[p]
    }
    const faces: [string, (i: number, j: number, k: number) => boolean][] = [
      ['XMIN', (i) => i === 0],
      ['XMAX', (i) => i === nx],
      ['YMIN', (_i, j) => j === 0],
      ['YMAX', (_i, j) => j === ny],
      ['ZMIN', (_i, _j, k) => k === 0],
      ['ZMAX', (_i, _j, k) => k === nz],
    ]
    for (const [name, onFace] of faces) {
      await out.text(`*NSET, NSET=${name}\n`)
      const ids = new IdLines(out)
      await forEachBoundaryNode(nx, ny, nz, async (i, j, k) => {
        const id = nodeId(i, j, k)
        if (onFace(i, j, k) && isUsed(id)) await ids.add(id)
      })
      await ids.flush()
    }
    if (opts.periodic) summary.periodicEquations = await writePeriodic(out, vol, nodeId, isUsed, nodeCount)
    for (const p of phases) {
      await out.text(`*SOLID SECTION, ELSET=PHASE_${p}, MATERIAL=MAT_${p}\n,\n`)
    }
    for (const p of phases) {
      const name = vol.phases?.find((ph) => ph.id === p)?.name ?? `phase ${p}`
      await out.text(
        `** placeholder material for ${name.replace(/[\r\n]/g, ' ')}: replace with real properties\n`,
      )
      await out.text(`*MATERIAL, NAME=MAT_${p}\n*ELASTIC\n1.0, 0.3\n`)
    }
    tick()
  })
  return summary
}

/** Visit every node on the surface of the (nx+1) x (ny+1) x (nz+1) node grid once, in id order. */
async function forEachBoundaryNode(
  nx: number,
  ny: number,
  nz: number,
  visit: (i: number, j: number, k: number) => Promise<void>,
): Promise<void> {
  for (let k = 0; k <= nz; k++)
    for (let j = 0; j <= ny; j++) {
      const interiorRow = k > 0 && k < nz && j > 0 && j < ny
      if (interiorRow) {
        await visit(0, j, k)
        if (nx > 0) await visit(nx, j, k)
      } else for (let i = 0; i <= nx; i++) await visit(i, j, k)
    }
}

/**
 * Three reference nodes after the grid nodes, ids nodeCount + 1..3, placed beyond the box along x, y, z
 * (their position does not matter to the equations): the displacement jump across the box per axis.
 */
async function writeReferenceNodes(out: ChunkedWriter, vol: Volume, nodeCount: number): Promise<void> {
  const [nz, ny, nx] = vol.shape
  const [dz, dy, dx] = vol.spacing
  const box = [nx * dx, ny * dy, nz * dz]
  for (let a = 0; a < 3; a++) {
    const at = [0, 0, 0]
    at[a] = box[a] * 1.5
    await out.text(`${nodeCount + 1 + a}, ${fmt(at[0])}, ${fmt(at[1])}, ${fmt(at[2])}\n`)
  }
}

async function writePeriodic(
  out: ChunkedWriter,
  vol: Volume,
  nodeId: (i: number, j: number, k: number) => number,
  isUsed: (id: number) => number,
  nodeCount: number,
): Promise<number> {
  const [nz, ny, nx] = vol.shape
  const n = [nx, ny, nz]
  const refs = [nodeCount + 1, nodeCount + 2, nodeCount + 3]
  for (let a = 0; a < 3; a++) await out.text(`*NSET, NSET=REF_${'XYZ'[a]}\n${refs[a]}\n`)

  // Node-pair sets: the n-th node of _PLUS (index n_A) pairs with the n-th node of _MINUS (index 0).
  for (let a = 0; a < 3; a++) {
    const plus: number[] = []
    const minus: number[] = []
    await forEachBoundaryNode(nx, ny, nz, async (i, j, k) => {
      const idx = [i, j, k]
      if (idx[a] !== n[a]) return
      idx[a] = 0
      const p = nodeId(i, j, k)
      const m = nodeId(idx[0], idx[1], idx[2])
      if (isUsed(p) && isUsed(m)) {
        plus.push(p)
        minus.push(m)
      }
    })
    for (const [suffix, list] of [
      ['PLUS', plus],
      ['MINUS', minus],
    ] as const) {
      await out.text(`*NSET, NSET=PERIODIC_${'XYZ'[a]}_${suffix}, UNSORTED\n`)
      for (let s = 0; s < list.length; s += IDS_PER_LINE)
        await out.text(list.slice(s, s + IDS_PER_LINE).join(', ') + '\n')
    }
  }

  let equations = 0
  let skipped = 0
  await forEachBoundaryNode(nx, ny, nz, async (i, j, k) => {
    const idx = [i, j, k]
    const onPlus = [0, 1, 2].filter((a) => idx[a] === n[a])
    if (onPlus.length === 0) return
    const slave = nodeId(i, j, k)
    const master = nodeId(i % nx, j % ny, k % nz)
    if (!isUsed(slave)) return
    if (!isUsed(master)) {
      skipped++
      return
    }
    for (let dof = 1; dof <= 3; dof++) {
      const terms = [
        `${slave}, ${dof}, 1.0`,
        `${master}, ${dof}, -1.0`,
        ...onPlus.map((a) => `${refs[a]}, ${dof}, -1.0`),
      ]
      let text = `*EQUATION\n${terms.length}\n`
      for (let t = 0; t < terms.length; t += 4) text += terms.slice(t, t + 4).join(', ') + '\n'
      await out.text(text)
      equations++
    }
  })
  if (skipped > 0)
    await out.text(
      `** ${skipped} boundary nodes have no partner on the opposite face (omitted phase); left unconstrained\n`,
    )
  return equations
}
