import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeVolume } from '../../../src/core/io'
import { tempDir } from '../../helpers'
import { countLabel, randomVolume } from './volumes'

const tmp = tempDir('microlad-inp-')
afterAll(() => tmp.cleanup())

interface Inp {
  nodes: Map<number, number[]>
  elements: Map<number, number[]>
  sets: Map<string, number[]>
  equations: number[][][]
}

/** A small reader for the keywords our writer emits, independent of the writer's code. */
function parseInp(text: string): Inp {
  const inp: Inp = { nodes: new Map(), elements: new Map(), sets: new Map(), equations: [] }
  let block = ''
  let setName = ''
  let eqTerms = 0
  let eq: number[][] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('**')) continue
    if (line.startsWith('*')) {
      const kw = line.toUpperCase()
      block = kw.split(',')[0]
      setName = /(?:NSET|ELSET)=(\w+)/.exec(kw)?.[1] ?? ''
      if (block === '*NSET' || block === '*ELSET') inp.sets.set(`${block.slice(1)}:${setName}`, [])
      eqTerms = 0
      continue
    }
    const nums = line
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map(Number)
    if (block === '*NODE') inp.nodes.set(nums[0], nums.slice(1))
    else if (block === '*ELEMENT') inp.elements.set(nums[0], nums.slice(1))
    else if (block === '*NSET' || block === '*ELSET')
      inp.sets.get(`${block.slice(1)}:${setName}`)!.push(...nums)
    else if (block === '*EQUATION') {
      if (eqTerms === 0) {
        eqTerms = nums[0]
        eq = []
        continue
      }
      for (let t = 0; t < nums.length; t += 3) eq.push(nums.slice(t, t + 3))
      if (eq.length === eqTerms) {
        inp.equations.push(eq)
        eqTerms = 0
      }
    }
  }
  return inp
}

function jacobianVolume(inp: Inp, el: number[]): number {
  const p = el.map((n) => inp.nodes.get(n)!)
  const a = p[1].map((v, i) => v - p[0][i])
  const b = p[3].map((v, i) => v - p[0][i])
  const c = p[4].map((v, i) => v - p[0][i])
  return (
    a[0] * (b[1] * c[2] - b[2] * c[1]) -
    a[1] * (b[0] * c[2] - b[2] * c[0]) +
    a[2] * (b[0] * c[1] - b[1] * c[0])
  )
}

describe('Abaqus .inp voxel mesh', () => {
  const vol = randomVolume([20, 30, 40], 3, 11)

  it('one positively oriented C3D8 per voxel, scaled nodes, one set per phase, six face sets', async () => {
    const file = path.join(tmp.dir, 'm.inp')
    const result = await writeVolume(file, vol)
    const text = readFileSync(file, 'latin1')
    const inp = parseInp(text)
    expect(inp.elements.size).toBe(24000)
    expect(inp.nodes.size).toBe(41 * 31 * 21)
    expect(result.details).toMatchObject({ elements: 24000, nodes: 41 * 31 * 21 })
    for (const el of inp.elements.values()) expect(jacobianVolume(inp, el)).toBeCloseTo(4 * 3 * 2, 9)
    // Nodes span the box in physical units (x = 40 voxels * 4 um, y = 30 * 3, z = 20 * 2).
    const coords = [...inp.nodes.values()]
    expect(Math.max(...coords.map((c) => c[0]))).toBe(160)
    expect(Math.max(...coords.map((c) => c[1]))).toBe(90)
    expect(Math.max(...coords.map((c) => c[2]))).toBe(40)
    for (const p of [0, 1, 2]) {
      const ids = inp.sets.get(`ELSET:PHASE_${p}`)!
      expect(ids.length).toBe(countLabel(vol, p))
      // Element id = 1 + voxel index, so every listed element is a voxel of that phase.
      expect(ids.every((id) => vol.data[id - 1] === p)).toBe(true)
    }
    expect(inp.sets.get('NSET:XMIN')!.length).toBe(31 * 21)
    expect(inp.sets.get('NSET:ZMAX')!.length).toBe(41 * 31)
    expect(inp.sets.get('NSET:XMAX')!.every((n) => inp.nodes.get(n)![0] === 160)).toBe(true)
    for (const p of [0, 1, 2]) {
      expect(text).toContain(`*SOLID SECTION, ELSET=PHASE_${p}, MATERIAL=MAT_${p}`)
      expect(text).toContain(`*MATERIAL, NAME=MAT_${p}`)
    }
  })

  it('leaves an omitted phase out, with only the nodes the rest uses', async () => {
    const file = path.join(tmp.dir, 'pores.inp')
    await writeVolume(file, vol, { omitPhases: [0] })
    const inp = parseInp(readFileSync(file, 'latin1'))
    expect(inp.elements.size).toBe(24000 - countLabel(vol, 0))
    expect(inp.sets.has('ELSET:PHASE_0')).toBe(false)
    const used = new Set([...inp.elements.values()].flat())
    expect(used.size).toBe(inp.nodes.size)
  })

  it('periodic equations tie every + face node to its wrapped master through the reference nodes', async () => {
    const small = randomVolume([3, 4, 5], 2, 5)
    const file = path.join(tmp.dir, 'periodic.inp')
    await writeVolume(file, small, { periodic: true })
    const inp = parseInp(readFileSync(file, 'latin1'))
    const box = [5 * 4, 4 * 3, 3 * 2]
    const refs = ['X', 'Y', 'Z'].map((a) => inp.sets.get(`NSET:REF_${a}`)![0])
    const boundary = 6 * 5 * 4 - 5 * 4 * 3 // nodes with some index at its maximum
    expect(inp.equations.length).toBe(3 * boundary)
    const slaves = new Set<number>()
    for (const eq of inp.equations) {
      const [[slave, dof, c1], [master, dof2, c2], ...rest] = eq
      expect([c1, c2, dof2]).toEqual([1, -1, dof])
      slaves.add(slave)
      const s = inp.nodes.get(slave)!
      const m = inp.nodes.get(master)!
      const jump = [0, 0, 0]
      for (const [ref, d, c] of rest) {
        expect([d, c]).toEqual([dof, -1])
        jump[refs.indexOf(ref)] = box[refs.indexOf(ref)]
      }
      expect(s.map((v, i) => v - m[i])).toEqual(jump)
      expect(m.every((v, i) => v < box[i])).toBe(true)
    }
    expect(slaves.size).toBe(boundary)
    // Node-pair sets: the n-th node of _PLUS sits one box length from the n-th of _MINUS.
    for (const [a, name] of ['X', 'Y', 'Z'].entries()) {
      const plus = inp.sets.get(`NSET:PERIODIC_${name}_PLUS`)!
      const minus = inp.sets.get(`NSET:PERIODIC_${name}_MINUS`)!
      expect(plus.length).toBe(minus.length)
      plus.forEach((p, i) => expect(inp.nodes.get(p)![a] - inp.nodes.get(minus[i])![a]).toBe(box[a]))
    }
  })
})
