import { describe, expect, it } from 'vitest'
import { CancelledError, UserError } from '../../../src/core/errors'
import { computeTransport } from '../../../src/core/physics'
import { makeVolume, type Axis, type Shape3 } from '../../../src/core/volume/volume'
import { mulberry32 } from './dense-reference'

/** Volume whose label is `fn(z, y, x)`. */
function volumeOf(shape: Shape3, fn: (z: number, y: number, x: number) => number) {
  const vol = makeVolume(shape)
  const [nz, ny, nx] = shape
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) vol.data[(z * ny + y) * nx + x] = fn(z, y, x)
  return vol
}

function randomPorous(n: number, porosity: number, seed: number) {
  const rand = mulberry32(seed)
  return volumeOf([n, n, n], () => (rand() < porosity ? 0 : 1))
}

describe('computeTransport: analytic cases', () => {
  it('a uniform volume has D_rel = 1 and tau = 1 along every axis', () => {
    const vol = volumeOf([6, 5, 4], () => 2)
    for (const axis of ['z', 'y', 'x'] as Axis[]) {
      const r = computeTransport(vol, { phase: 2, axis })
      expect(r.relativeDiffusivity).toBeCloseTo(1, 6)
      expect(r.tortuosityFactor).toBeCloseTo(1, 6)
      expect(r.percolating).toBe(true)
      expect(r.volumeFraction).toBe(1)
    }
  })

  it('straight channels of any cross-section give D_rel = area fraction and tau = 1', () => {
    const rand = mulberry32(7)
    const section = Array.from({ length: 7 * 9 }, () => (rand() < 0.4 ? 0 : 1))
    const cases: [Axis, Shape3, (z: number, y: number, x: number) => number][] = [
      ['z', [11, 7, 9], (_z, y, x) => section[y * 9 + x]],
      ['y', [7, 11, 9], (z, _y, x) => section[z * 9 + x]],
      ['x', [7, 9, 11], (z, y) => section[z * 9 + y]],
    ]
    const area = section.filter((s) => s === 0).length / section.length
    for (const [axis, shape, fn] of cases) {
      const r = computeTransport(volumeOf(shape, fn), { phase: 0, axis })
      expect(r.relativeDiffusivity, axis).toBeCloseTo(area, 6)
      expect(r.tortuosityFactor, axis).toBeCloseTo(1, 6)
    }
  })

  it('a closed wall across the axis stops transport: D_rel = 0, tau null, not percolating', () => {
    const vol = volumeOf([8, 6, 6], (z) => (z === 4 ? 1 : 0))
    const r = computeTransport(vol, { phase: 0, axis: 'z' })
    expect(r).toMatchObject({
      relativeDiffusivity: 0,
      tortuosityFactor: null,
      percolating: false,
      connectedFraction: 0,
    })
    expect(r.volumeFraction).toBeCloseTo(7 / 8, 12)
    // the same wall is no obstacle along x
    expect(computeTransport(vol, { phase: 0, axis: 'x' }).relativeDiffusivity).toBeCloseTo(7 / 8, 6)
  })

  it('an absent phase does not percolate', () => {
    const r = computeTransport(
      volumeOf([4, 4, 4], () => 1),
      { phase: 0, axis: 'y' },
    )
    expect(r).toMatchObject({
      volumeFraction: 0,
      relativeDiffusivity: 0,
      tortuosityFactor: null,
      percolating: false,
    })
  })

  it('isolated clusters and clusters touching one end only are removed and carry no flux', () => {
    // one straight channel at (y, x) = (0, 0); a floating blob, an inlet-only stub and an outlet-only stub
    const shape: Shape3 = [10, 6, 6]
    const vol = volumeOf(shape, (z, y, x) => {
      if (y === 0 && x === 0) return 0
      if (z >= 3 && z <= 6 && y >= 3 && x >= 3) return 0
      if (z <= 2 && y === 5 && x === 0) return 0
      if (z >= 7 && y === 0 && x === 5) return 0
      return 1
    })
    const r = computeTransport(vol, { phase: 0, axis: 'z' })
    expect(r.relativeDiffusivity).toBeCloseTo(1 / 36, 7)
    expect(r.connectedFraction).toBeCloseTo(10 / 360, 12)
    expect(r.volumeFraction).toBeCloseTo((10 + 4 * 9 + 3 + 3) / 360, 12)
    expect(r.tortuosityFactor).toBeCloseTo(r.volumeFraction / (1 / 36), 6)
  })

  it('a dead-end branch on a channel keeps the channel value', () => {
    const vol = volumeOf([9, 3, 3], (z, y, x) => ((y === 0 && x === 0) || (z === 4 && y === 0) ? 0 : 1))
    const r = computeTransport(vol, { phase: 0, axis: 'z' })
    expect(r.relativeDiffusivity).toBeCloseTo(1 / 9, 6)
    expect(r.connectedFraction).toBeCloseTo(11 / 81, 12)
  })

  it('a serpentine path has the resistance of its length', () => {
    // 2D image: inlet at y = 0, a path of 5 cells in x along row 2, exit at y = 4; 9 unit resistances in all
    const vol = volumeOf([1, 5, 5], (_z, y, x) =>
      (x === 0 && y <= 2) || y === 2 || (x === 4 && y >= 2) ? 0 : 1,
    )
    const r = computeTransport(vol, { phase: 0, axis: 'y' })
    // half + 2 + 4 + 2 + half = 9 resistances in series; D = flux L / A = (1/9) * 5 / 5
    expect(r.relativeDiffusivity).toBeCloseTo(1 / 9, 6)
  })
})

describe('computeTransport: 2D images and periodic sides', () => {
  it('2D channels along y and x; axis z of an image is refused', () => {
    const img = volumeOf([1, 6, 8], (_z, y, x) => (x < 3 ? 0 : 1))
    expect(computeTransport(img, { phase: 0, axis: 'y' }).relativeDiffusivity).toBeCloseTo(3 / 8, 6)
    expect(computeTransport(img, { phase: 0, axis: 'x' }).percolating).toBe(false)
    expect(() => computeTransport(img, { phase: 0, axis: 'z' })).toThrow(UserError)
  })

  it('periodic sides connect paths that leave one side and enter the opposite one', () => {
    const open = new Set(['0,0', '1,0', '1,3', '2,3'])
    const img = volumeOf([1, 3, 4], (_z, y, x) => (open.has(`${y},${x}`) ? 0 : 1))
    expect(computeTransport(img, { phase: 0, axis: 'y' }).percolating).toBe(false)
    const r = computeTransport(img, { phase: 0, axis: 'y', periodic: true })
    // 0.5 + 1 + 1 (across the wrap) + 1 + 0.5 = 4 unit resistances; D = (1/4) * 3 / 4
    expect(r.relativeDiffusivity).toBeCloseTo(3 / 16, 6)
  })
})

describe('computeTransport: solver behaviour', () => {
  const vol = randomPorous(24, 0.45, 3)

  // uncorrelated noise is the hard case for block aggregation (a block often holds unconnected voxels)
  it('converges to the requested residual with few multigrid-CG iterations and reports progress', () => {
    const seen: number[] = []
    const r = computeTransport(vol, {
      phase: 0,
      axis: 'x',
      tol: 1e-7,
      onProgress: (p) => seen.push(p.residual),
    })
    expect(r.percolating).toBe(true)
    expect(r.residual).toBeLessThan(2e-7)
    expect(r.iterations).toBe(seen.length)
    expect(r.iterations).toBeLessThan(45)
    expect(seen[seen.length - 1]).toBeLessThan(seen[0])
    expect(r.tortuosityFactor).toBeGreaterThan(1)
    expect(r.timeMs).toBeGreaterThan(0)
  })

  it('a residual of 1e-5 already fixes D_rel to 3e-4', () => {
    const tight = computeTransport(vol, { phase: 0, axis: 'z', tol: 1e-8 })
    const loose = computeTransport(vol, { phase: 0, axis: 'z', tol: 1e-5 })
    expect(Math.abs(loose.relativeDiffusivity / tight.relativeDiffusivity - 1)).toBeLessThan(3e-4)
    expect(loose.iterations).toBeLessThan(tight.iterations)
  })

  it('reports D_eff when the bulk diffusivity is given', () => {
    const r = computeTransport(vol, { phase: 0, axis: 'z', bulkDiffusivity: 2.5e-9 })
    expect(r.effectiveDiffusivity).toBeCloseTo(r.relativeDiffusivity * 2.5e-9, 20)
  })

  it('throws CancelledError when the signal is aborted during the solve', () => {
    const controller = new AbortController()
    const run = () =>
      computeTransport(vol, {
        phase: 0,
        axis: 'z',
        tol: 1e-12,
        signal: controller.signal,
        onProgress: (p) => p.iteration === 2 && controller.abort(),
      })
    expect(run).toThrow(CancelledError)
  })

  it('rejects a bad phase with a one-line user error', () => {
    expect(() => computeTransport(vol, { phase: -1, axis: 'z' })).toThrow(UserError)
    expect(() => computeTransport(vol, { phase: 1.5, axis: 'z' })).toThrow(/phase must be an integer/)
  })
})
