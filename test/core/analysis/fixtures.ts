/** Small volumes and brute-force reference estimators shared by the analysis tests. */
import { createRandom } from '../../../src/core/synth/random'
import { makeVolume, type Shape3, type Volume } from '../../../src/core/volume/volume'

export function randomLabels(shape: Shape3, phases: number, seed: number, p1 = 0.4): Volume {
  const rng = createRandom(seed)
  const vol = makeVolume(shape)
  for (let i = 0; i < vol.data.length; i++) {
    const u = rng.uniform()
    vol.data[i] = phases === 2 ? (u < p1 ? 1 : 0) : Math.floor(u * phases)
  }
  return vol
}

/** Volume from a function of (z, y, x). */
export function volumeFrom(shape: Shape3, label: (z: number, y: number, x: number) => number): Volume {
  const vol = makeVolume(shape)
  let i = 0
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[2]; x++) vol.data[i++] = label(z, y, x)
  return vol
}

/** Direct double loop over all voxel pairs at lag r along an axis (0 = z, 1 = y, 2 = x). */
export function bruteForceS2(
  vol: Volume,
  phase: number,
  axis: 0 | 1 | 2,
  r: number,
  periodic: boolean,
): number {
  const [nz, ny, nx] = vol.shape
  const n = vol.shape[axis]
  let hits = 0
  let pairs = 0
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const p = [z, y, x]
        p[axis] += r
        if (p[axis] >= n) {
          if (!periodic) continue
          p[axis] -= n
        }
        pairs++
        const a = vol.data[(z * ny + y) * nx + x] === phase
        const b = vol.data[(p[0] * ny + p[1]) * nx + p[2]] === phase
        if (a && b) hits++
      }
    }
  }
  return hits / pairs
}
