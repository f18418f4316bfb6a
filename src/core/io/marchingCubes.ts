/**
 * Marching cubes on a binary mask (Lorensen & Cline 1987), with the case table built at load time from
 * a rule instead of typed in: on each cube face, the cut edges are joined by segments that cut off the
 * inside corners (a face with two diagonal inside corners gets two segments, one around each, i.e. the
 * inside phase is taken as face-connected). The segments of the six faces chain into closed loops through
 * the cube's cut edges, and each loop is fanned into triangles. Because the rule on a face depends only on
 * that face's four corners, two cubes sharing a face cut it the same way and the surface is watertight.
 * Vertices sit at edge midpoints (iso-value 0.5 between a voxel inside and one outside).
 *
 * Corner c of a cube has offset (c & 1, (c >> 1) & 1, c >> 2) in (x, y, z). Triangles are wound so that
 * their normals (right-hand rule) point from the inside phase to the outside.
 */

/** The 12 cube edges as corner pairs (a < b, differing in one bit). */
export const CUBE_EDGES: readonly [number, number][] = (() => {
  const edges: [number, number][] = []
  for (let a = 0; a < 8; a++) for (const bit of [1, 2, 4]) if (!(a & bit)) edges.push([a, a | bit])
  return edges
})()

const edgeIndex = (a: number, b: number) =>
  CUBE_EDGES.findIndex(([p, q]) => (p === a && q === b) || (p === b && q === a))

/** The six faces, each as four corners in counter-clockwise order seen from outside the cube. */
const FACES: readonly number[][] = (() => {
  const faces: number[][] = []
  for (let axis = 0; axis < 3; axis++) {
    const u = 1 << ((axis + 1) % 3)
    const v = 1 << ((axis + 2) % 3)
    for (const side of [0, 1]) {
      const base = side << axis
      // (u, v, axis) is right-handed, so base, +u, +u+v, +v runs counter-clockwise seen from +axis.
      const ring = [base, base | u, base | u | v, base | v]
      faces.push(side === 1 ? ring : ring.reverse())
    }
  }
  return faces
})()

/** Triangles (as edge-index triples) for one of the 256 corner configurations (bit c = corner c inside). */
function trianglesFor(mask: number): number[] {
  const inside = (c: number) => (mask >> c) & 1
  const next = new Map<number, number>()
  for (const ring of FACES) {
    for (let s = 0; s < 4; s++) {
      const c = ring[s]
      if (!inside(c)) continue
      // Walk backwards to where this run of inside corners starts and forwards to where it ends.
      const prev = ring[(s + 3) % 4]
      if (inside(prev) && ring.some((r) => !inside(r))) continue // not the first corner of its run
      if (ring.every(inside)) continue
      let end = s
      while (inside(ring[(end + 1) % 4])) end = (end + 1) % 4
      const entry = edgeIndex(ring[(s + 3) % 4], c)
      const exit = edgeIndex(ring[end], ring[(end + 1) % 4])
      next.set(exit, entry)
    }
  }
  const tris: number[] = []
  const seen = new Set<number>()
  for (const start of next.keys()) {
    if (seen.has(start)) continue
    const loop: number[] = []
    for (let e = start; !seen.has(e); e = next.get(e) as number) {
      seen.add(e)
      loop.push(e)
    }
    // The face rule walks each loop with the inside on its right; reversing it makes normals point outwards.
    for (let t = 1; t + 1 < loop.length; t++) tris.push(loop[0], loop[t + 1], loop[t])
  }
  return tris
}

/** Edge-index triangle lists for all 256 configurations. */
export const TRIANGLE_TABLE: readonly (readonly number[])[] = Array.from({ length: 256 }, (_, m) =>
  trianglesFor(m),
)
