import { describe, expect, it } from 'vitest'
import type { LatentDenoiser, PlaneBatch } from '../../../src/core/diffusion/networks'
import { SeededRandom } from '../../../src/core/diffusion/random'
import { tiledDenoiser, tileStarts } from '../../../src/core/diffusion/tiled-denoiser'
import { DEFAULT_PARAMS, tileSize, type ModelDescription } from '../../../src/core/diffusion/pipeline'

function batch(B: number, C: number, H: number, W: number, seed = 1): PlaneBatch {
  const rng = new SeededRandom(seed)
  return { data: rng.fillNormal(new Float32Array(B * C * H * W)), dims: [B, C, H, W] }
}

describe('tiled denoiser (overlapping tiles of the training size)', () => {
  it('places tiles at the stride, the last flush with the end', () => {
    expect(tileStarts(32, 16, 8)).toEqual([0, 8, 16])
    expect(tileStarts(20, 16, 8)).toEqual([0, 4])
    expect(tileStarts(16, 16, 8)).toEqual([0])
    expect(tileStarts(12, 16, 8)).toEqual([0])
  })

  it('equals the whole-plane result for a pointwise network, and calls it once per tile position', async () => {
    const shapes: number[][] = []
    const plain: LatentDenoiser = {
      predictNoise: async (zt, t) => {
        shapes.push([...zt.dims])
        return { data: zt.data.map((v) => 2 * v + t), dims: zt.dims }
      },
    }
    const z = batch(3, 4, 32, 24)
    const whole = await plain.predictNoise(z, 7, new Int32Array(3))
    shapes.length = 0
    const tiled = await tiledDenoiser(plain, 16, 8).predictNoise(z, 7, new Int32Array(3))
    expect(shapes).toHaveLength(3 * 2)
    expect(shapes.every((s) => s[0] === 3 && s[1] === 4 && s[2] === 16 && s[3] === 16)).toBe(true)
    expect(tiled.dims).toEqual([3, 4, 32, 24])
    for (let i = 0; i < whole.data.length; i++) expect(tiled.data[i]).toBeCloseTo(whole.data[i], 5)
  })

  it('averages the tiles where they overlap', async () => {
    // The input holds each cell's column index; every call answers, everywhere in its tile, the tile's first
    // column (its x offset). Columns 0–7 lie in the tile at 0 only, 8–15 in those at 0 and 8, 16–23 in those at
    // 8 and 16, 24–31 in the one at 16.
    const firstColumn: LatentDenoiser = {
      predictNoise: async (zt) => ({
        data: new Float32Array(zt.data.length).fill(zt.data[0]),
        dims: zt.dims,
      }),
    }
    const z: PlaneBatch = { data: new Float32Array(16 * 32).map((_, i) => i % 32), dims: [1, 1, 16, 32] }
    const tiled = await tiledDenoiser(firstColumn, 16, 8).predictNoise(z, 0, new Int32Array(1))
    const row = Array.from(tiled.data.subarray(5 * 32, 6 * 32))
    expect(row.slice(0, 8).every((v) => v === 0)).toBe(true)
    expect(row.slice(8, 16).every((v) => v === 4)).toBe(true)
    expect(row.slice(16, 24).every((v) => v === 12)).toBe(true)
    expect(row.slice(24).every((v) => v === 16)).toBe(true)
    const off = await tiledDenoiser(firstColumn, 0, 8).predictNoise(z, 0, new Int32Array(1))
    expect(off.data[40]).toBe(0)
  })

  it('by default tiles planes larger than the training size, and only when that size is known', () => {
    const desc: ModelDescription = {
      schedule: { kind: 'linear', T: 10, betaStart: 1e-4, betaEnd: 0.02 },
      conditioning: { kind: 'none', labels: [], nullId: 0 },
    }
    expect(DEFAULT_PARAMS.tile).toBe(-1)
    expect(tileSize(DEFAULT_PARAMS, { ...desc, trainingLatentSize: 16 })).toBe(16)
    expect(tileSize(DEFAULT_PARAMS, desc)).toBe(0)
    expect(tileSize({ tile: 0 }, { ...desc, trainingLatentSize: 16 })).toBe(0)
    expect(tileSize({ tile: 12 }, { ...desc, trainingLatentSize: 16 })).toBe(12)
  })
})
