import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeVolume } from '../../../src/core/io'
import { UserError } from '../../../src/core/errors'
import { TRIANGLE_TABLE } from '../../../src/core/io/marchingCubes'
import type { Volume } from '../../../src/core/volume/volume'
import { tempDir } from '../../helpers'
import { ballVolume, countLabel, randomVolume } from './volumes'

const tmp = tempDir('microlad-stl-')
afterAll(() => tmp.cleanup())

/** Read a binary STL: triangle vertices, and the enclosed volume by the divergence theorem. */
function readStl(file: string): { count: number; tris: Float32Array; volume: number } {
  const b = readFileSync(file)
  const count = b.readUInt32LE(80)
  expect(b.length).toBe(84 + 50 * count)
  const tris = new Float32Array(count * 9)
  let volume = 0
  for (let t = 0; t < count; t++) {
    const o = 84 + 50 * t + 12
    for (let k = 0; k < 9; k++) tris[9 * t + k] = b.readFloatLE(o + 4 * k)
    const [ax, ay, az, bx, by, bz, cx, cy, cz] = tris.subarray(9 * t, 9 * t + 9)
    volume += (ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx)) / 6
  }
  return { count, tris, volume }
}

/** Every directed edge must be matched by the reverse edge of a neighbour: a closed, consistently wound surface. */
function openEdges(tris: Float32Array): number {
  const key = (i: number) => `${tris[i]},${tris[i + 1]},${tris[i + 2]}`
  const edges = new Map<string, number>()
  for (let t = 0; t < tris.length; t += 9) {
    const v = [key(t), key(t + 3), key(t + 6)]
    for (let e = 0; e < 3; e++) {
      const fwd = `${v[e]}|${v[(e + 1) % 3]}`
      edges.set(fwd, (edges.get(fwd) ?? 0) + 1)
    }
  }
  let open = 0
  for (const [k, n] of edges) {
    const [a, b] = k.split('|')
    if ((edges.get(`${b}|${a}`) ?? 0) !== n) open++
  }
  return open
}

async function stlOf(vol: Volume, name: string, phase: number, opts = {}) {
  const file = path.join(tmp.dir, name)
  await writeVolume(file, vol, { phase, ...opts })
  return readStl(file)
}

describe('STL surface of a phase', () => {
  it('the generated marching-cubes table has the classic case sizes', () => {
    expect(TRIANGLE_TABLE[0].length).toBe(0)
    expect(TRIANGLE_TABLE[1].length / 3).toBe(1)
    expect(TRIANGLE_TABLE[3].length / 3).toBe(2)
    expect(Math.max(...TRIANGLE_TABLE.map((t) => t.length / 3))).toBe(5)
  })

  it('a ball touching the box is closed, outward and encloses its voxel volume within 2 %', async () => {
    const ball = ballVolume(24, 13) // radius larger than half the box: the surface is cut by the box
    ball.spacing = [0.5, 0.5, 0.5]
    for (const refine of [1, 2]) {
      const stl = await stlOf(ball, `ball${refine}.stl`, 1, { refine })
      const voxels = countLabel(ball, 1) * 0.125
      expect(openEdges(stl.tris)).toBe(0)
      expect(stl.volume).toBeGreaterThan(0)
      expect(Math.abs(stl.volume / voxels - 1)).toBeLessThan(0.02)
    }
  })

  it('each phase of a random 3-phase volume: closed, volume within 15 % by default, exact with voxel faces', async () => {
    const vol = randomVolume([20, 30, 40], 3, 2)
    for (const phase of [0, 1, 2]) {
      const voxels = countLabel(vol, phase) * 24
      const mc = await stlOf(vol, `r${phase}.stl`, phase)
      if (phase === 1) expect(openEdges(mc.tris)).toBe(0)
      expect(Math.abs(mc.volume / voxels - 1)).toBeLessThan(0.15)
      const faces = await stlOf(vol, `f${phase}.stl`, phase, { surface: 'voxel-faces' })
      expect(faces.volume / voxels).toBeCloseTo(1, 5)
    }
  })

  it('refuses a missing or absent phase', async () => {
    const vol = randomVolume([4, 4, 4], 2, 1)
    await expect(writeVolume(path.join(tmp.dir, 'x.stl'), vol)).rejects.toThrow(UserError)
    await expect(writeVolume(path.join(tmp.dir, 'x.stl'), vol, { phase: 7 })).rejects.toThrow(/no voxels/)
  })
})
