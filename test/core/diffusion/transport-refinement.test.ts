import { describe, expect, it } from 'vitest'
import { refineTransport } from '../../../src/core/diffusion/transport-refinement'
import { computeTransport } from '../../../src/core/physics'
import { makeVolume, type Shape3 } from '../../../src/core/volume/volume'

const N = 16
const shape: Shape3 = [N, N, N]
const at = (z: number, y: number, x: number) => (z * N + y) * N + x
const inChannel = (y: number, x: number) => y >= 6 && y < 10 && x >= 6 && x < 10

/**
 * Phase 0 ("pore"): a 4×4 channel along z, pinched to one voxel in layers 7 and 8, plus a few isolated
 * blobs; label 1 elsewhere. The decoder found the whole channel plausible (p = 0.9), the blobs less so.
 */
function pinchedChannel() {
  const labels = new Uint8Array(N ** 3).fill(1)
  const p = new Float32Array(N ** 3).fill(0.05)
  for (let z = 0; z < N; z++)
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++) {
        if (!inChannel(y, x)) continue
        p[at(z, y, x)] = 0.9
        const pinched = z === 7 || z === 8
        if (!pinched || (y === 7 && x === 7)) labels[at(z, y, x)] = 0
      }
  for (const [z, y, x] of [
    [2, 2, 2],
    [12, 3, 12],
    [4, 13, 3],
    [13, 12, 13],
    [9, 2, 12],
  ])
    for (let d = 0; d < 2; d++) {
      labels[at(z + d, y, x)] = 0
      p[at(z + d, y, x)] = 0.3
    }
  return { labels, p }
}

const dRelZ = (labels: Uint8Array) =>
  computeTransport(makeVolume(shape, labels), { phase: 0, axis: 'z' }).relativeDiffusivity
const count0 = (labels: Uint8Array) => labels.reduce((s, l) => s + (l === 0 ? 1 : 0), 0)

describe('transport refinement', () => {
  it('opens the pinch of a channel, keeps the fraction and takes the voxels from stagnant blobs', () => {
    const { labels, p } = pinchedChannel()
    const before = dRelZ(labels)
    // the channel does not percolate along y and x, so the mean over axes is a third of D_z
    const out = refineTransport(
      labels,
      shape,
      p,
      { phase: 0, relativeDiffusivity: 0.6 * (0.0625 / 3) },
      { swapFraction: 0.05 },
    )
    expect(count0(out.labels)).toBe(count0(labels))
    expect(out.swapped).toBeGreaterThan(0)
    expect(out.before).toBeCloseTo(before / 3, 6) // only z percolates before the pinch opens
    const after = dRelZ(out.labels)
    expect(after).toBeGreaterThan(2 * before)
    expect(out.relativeDiffusivity).toBeGreaterThanOrEqual(0.6 * (0.0625 / 3))
    let opened = 0
    for (const z of [7, 8])
      for (let y = 6; y < 10; y++) for (let x = 6; x < 10; x++) if (out.labels[at(z, y, x)] === 0) opened++
    expect(opened).toBeGreaterThan(2)
    expect(out.labels[at(2, 2, 2)] + out.labels[at(12, 3, 12)]).toBeGreaterThan(0) // a blob voxel went
  })

  it('leaves a volume that already reaches its target unchanged', () => {
    const { labels, p } = pinchedChannel()
    const out = refineTransport(labels, shape, p, { phase: 0, relativeDiffusivity: 1e-6 })
    expect(out.swapped).toBe(0)
    expect(out.labels).toEqual(labels)
    expect(out.history).toHaveLength(3)
  })
})
