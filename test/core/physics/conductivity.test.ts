import { describe, expect, it } from 'vitest'
import { UserError } from '../../../src/core/errors'
import { effectiveConductivity, solveConduction } from '../../../src/core/physics'
import { makeVolume, type Axis, type Shape3 } from '../../../src/core/volume/volume'
import { denseEffectiveConductivity, mulberry32, sorEffectiveConductivity } from './dense-reference'

const SIGMA = [1, 0.05, 3.5, 0]

function layered(shape: Shape3, layerAxis: 0 | 1 | 2, labelOfLayer: (k: number) => number) {
  const vol = makeVolume(shape)
  const [nz, ny, nx] = shape
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) vol.data[(z * ny + y) * nx + x] = labelOfLayer([z, y, x][layerAxis])
    }
  }
  return vol
}

describe('effectiveConductivity: laminates', () => {
  const labels = [0, 1, 2, 2, 0, 1, 2]
  const sigmas = labels.map((l) => SIGMA[l])

  it('layers across the axis conduct in series: the harmonic mean', () => {
    const harmonic = labels.length / sigmas.reduce((s, v) => s + 1 / v, 0)
    for (const [axis, d] of [
      ['z', 0],
      ['y', 1],
      ['x', 2],
    ] as [Axis, 0 | 1 | 2][]) {
      const shape = [4, 5, 3].map((e, k) => (k === d ? labels.length : e)) as Shape3
      const r = effectiveConductivity(
        layered(shape, d, (k) => labels[k]),
        SIGMA,
        axis,
        { tol: 1e-9 },
      )
      expect(Math.abs(r.effectiveConductivity / harmonic - 1), axis).toBeLessThan(1e-6)
    }
  })

  it('layers along the axis conduct in parallel: the arithmetic mean, zero-conductivity layers included', () => {
    const withInsulator = [...labels, 3]
    const arithmetic = withInsulator.reduce((s, l) => s + SIGMA[l], 0) / withInsulator.length
    const vol = layered([6, withInsulator.length, 4], 1, (k) => withInsulator[k])
    for (const axis of ['z', 'x'] as Axis[]) {
      const r = effectiveConductivity(vol, SIGMA, axis)
      expect(r.effectiveConductivity, axis).toBeCloseTo(arithmetic, 6)
      expect(r.connectedFraction).toBeCloseTo(labels.length / withInsulator.length, 12)
    }
  })

  it('an insulating layer across the axis gives zero and says it does not percolate', () => {
    const r = effectiveConductivity(
      layered([5, 3, 3], 0, (k) => (k === 2 ? 3 : 0)),
      SIGMA,
      'z',
    )
    expect(r).toMatchObject({ effectiveConductivity: 0, percolating: false })
  })
})

describe('effectiveConductivity: against a dense direct solve', () => {
  // Float32 conductances and search directions bound the agreement to about 1e-6 relative
  it('matches on random three-phase volumes, with and without periodic sides, in 3D and 2D', () => {
    const rand = mulberry32(11)
    const shapes: Shape3[] = [
      [5, 4, 6],
      [1, 9, 7],
    ]
    for (const shape of shapes) {
      const vol = makeVolume(shape)
      for (let i = 0; i < vol.data.length; i++) vol.data[i] = Math.floor(rand() * 4)
      const sigma = Float64Array.from(vol.data, (l) => SIGMA[l])
      for (const axis of (shape[0] === 1 ? ['y', 'x'] : ['z', 'y', 'x']) as Axis[]) {
        for (const periodic of [false, true]) {
          const ours = solveConduction(shape, sigma, { axis, periodic, tol: 1e-10 })
          const dense = denseEffectiveConductivity(shape, sigma, axis, periodic)
          expect(Math.abs(ours.effectiveConductivity - dense), `${shape} ${axis} ${periodic}`).toBeLessThan(
            1e-5 * Math.max(dense, 1e-3),
          )
        }
      }
    }
  })
})

describe('effectiveConductivity: input checks', () => {
  const vol = layered([3, 3, 3], 0, (k) => k)

  it('needs one conductivity per label, finite and non-negative', () => {
    expect(() => effectiveConductivity(vol, [1, 2], 'z')).toThrow(UserError)
    expect(() => effectiveConductivity(vol, [1, -2, 1], 'z')).toThrow(/>= 0/)
    expect(() => effectiveConductivity(vol, [1, NaN, 1], 'z')).toThrow(UserError)
  })
})

describe('effectiveConductivity: multigrid hierarchy against over-relaxation in Float64', () => {
  // large enough for two or three multigrid levels, small enough for SOR to converge
  it('matches on a random 2D image and a random periodic 3D volume', () => {
    const rand = mulberry32(23)
    const cases: [Shape3, Axis, boolean][] = [
      [[1, 40, 44], 'x', false],
      [[12, 11, 13], 'z', true],
    ]
    for (const [shape, axis, periodic] of cases) {
      const n = shape[0] * shape[1] * shape[2]
      const sigma = Float64Array.from({ length: n }, () => SIGMA[Math.floor(rand() * 3)])
      const ours = solveConduction(shape, sigma, { axis, periodic, tol: 1e-9 })
      const sor = sorEffectiveConductivity(shape, sigma, axis, periodic)
      expect(ours.iterations, `${shape}`).toBeGreaterThan(1)
      expect(Math.abs(ours.effectiveConductivity / sor - 1), `${shape}`).toBeLessThan(1e-6)
    }
  })
})
