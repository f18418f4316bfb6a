import { describe, expect, it } from 'vitest'
import { UserError } from '../../../src/core/errors'
import { conductionSensitivity, transportSensitivity } from '../../../src/core/physics'
import { makeVolume, type Axis, type Shape3 } from '../../../src/core/volume/volume'
import { denseEffectiveConductivity, mulberry32 } from './dense-reference'

const SIGMA = [1, 0.2, 2.5, 0]
const TOL = 1e-10

function randomField(shape: Shape3, seed: number) {
  const rand = mulberry32(seed)
  const n = shape[0] * shape[1] * shape[2]
  const labels = Uint8Array.from({ length: n }, () => Math.floor(rand() * SIGMA.length))
  return { labels, sigma: Float64Array.from(labels, (l) => SIGMA[l]) }
}

/** Finite differences need more digits than the Float32-steered solver gives: use the dense Float64 solve. */
function sigmaEff(shape: Shape3, sigma: Float64Array, axis: Axis, periodic: boolean) {
  return denseEffectiveConductivity(shape, sigma, axis, periodic)
}

/** Central difference for conducting voxels; forward difference from 0 for insulating ones. */
function finiteDifference(shape: Shape3, sigma: Float64Array, v: number, axis: Axis, periodic: boolean) {
  const h = sigma[v] > 0 ? 1e-3 * sigma[v] : 1e-6
  const plus = Float64Array.from(sigma)
  plus[v] += h
  if (sigma[v] === 0)
    return (sigmaEff(shape, plus, axis, periodic) - sigmaEff(shape, sigma, axis, periodic)) / h
  const minus = Float64Array.from(sigma)
  minus[v] -= h
  return (sigmaEff(shape, plus, axis, periodic) - sigmaEff(shape, minus, axis, periodic)) / (2 * h)
}

describe('transportSensitivity: against finite differences', () => {
  const cases: [Shape3, Axis, boolean][] = [
    [[6, 5, 5], 'z', false],
    [[5, 6, 5], 'x', true],
    [[1, 8, 9], 'y', false],
  ]
  for (const [shape, axis, periodic] of cases) {
    it(`matches on a random four-phase ${shape.join('x')} volume along ${axis}${periodic ? ', periodic' : ''}`, () => {
      const { sigma } = randomField(shape, 5)
      const result = conductionSensitivity(shape, sigma, { axis, periodic, tol: TOL })
      expect(result.percolating).toBe(true)
      const rand = mulberry32(17)
      let conducting = 0
      let insulating = 0
      const differences: string[] = []
      for (let tries = 0; tries < 400 && (conducting < 6 || insulating < 4); tries++) {
        const v = Math.floor(rand() * sigma.length)
        const analytic = result.sensitivity[v]
        if (sigma[v] > 0 ? conducting >= 6 : insulating >= 4 || analytic === 0) continue
        if (sigma[v] > 0) conducting++
        else insulating++
        const fd = finiteDifference(shape, sigma, v, axis, periodic)
        differences.push(`${v}: ${analytic.toExponential(4)} vs ${fd.toExponential(4)}`)
        expect(Math.abs(analytic - fd), differences.join('; ')).toBeLessThan(2e-4 * Math.abs(fd) + 1e-7)
      }
      expect(conducting + insulating).toBe(10)
    })
  }

  it('is zero for voxels of clusters that touch one end only and large on a bottleneck', () => {
    // a straight channel with a one-voxel neck of low conductivity, and a stub hanging from the inlet
    const shape: Shape3 = [8, 3, 3]
    const sigma = new Float64Array(72)
    for (let z = 0; z < 8; z++) sigma[z * 9] = z === 4 ? 0.1 : 1
    for (let z = 0; z < 3; z++) sigma[z * 9 + 8] = 1
    const { sensitivity } = conductionSensitivity(shape, sigma, { axis: 'z', tol: TOL })
    for (let z = 0; z < 3; z++) expect(sensitivity[z * 9 + 8]).toBe(0)
    const channel = Array.from({ length: 8 }, (_, z) => sensitivity[z * 9])
    expect(Math.max(...channel)).toBe(channel[4])
    expect(channel[4] / finiteDifference(shape, sigma, 36, 'z', false)).toBeCloseTo(1, 4)
  })

  it('uses potential 1 for an insulating voxel that would join an inlet-only cluster to the network', () => {
    // channel at (y, x) = (0, 0); an inlet-only stub at x = 2 whose tip is one insulating voxel from the channel
    const shape: Shape3 = [6, 1, 3]
    const sigma = new Float64Array(18)
    for (let z = 0; z < 6; z++) sigma[z * 3] = 1
    for (let z = 0; z < 4; z++) sigma[z * 3 + 2] = 1
    const v = 3 * 3 + 1
    const { sensitivity } = conductionSensitivity(shape, sigma, { axis: 'z', tol: TOL })
    expect(sensitivity[v]).toBeGreaterThan(0)
    expect(sensitivity[v] / finiteDifference(shape, sigma, v, 'z', false)).toBeCloseTo(1, 4)
  })
})

describe('transportSensitivity: labelled volumes', () => {
  it('with a phase gives dD_rel/dsigma and the same D_rel as the per-phase form', () => {
    const shape: Shape3 = [6, 6, 6]
    const { labels } = randomField(shape, 9)
    const vol = makeVolume(shape, labels)
    const byPhase = transportSensitivity(vol, { phase: 0, axis: 'y' })
    const byTable = transportSensitivity(vol, { conductivities: [1, 0, 0, 0], axis: 'y' })
    expect(byPhase.effectiveConductivity).toBeCloseTo(byTable.effectiveConductivity, 12)
    expect(Array.from(byPhase.sensitivity)).toEqual(Array.from(byTable.sensitivity))
    expect(() => transportSensitivity(vol, { axis: 'y' })).toThrow(UserError)
  })
})
