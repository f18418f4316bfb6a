import { createRandom } from '../../../src/core/synth/random'
import { makeVolume, type Volume } from '../../../src/core/volume/volume'

/** Deterministic uniform generator (the project's mulberry32) so fixtures are the same on every run. */
export function seededRandom(seed: number): () => number {
  return createRandom(seed).uniform
}

/** Random labels 0..phases-1, shape [nz, ny, nx], spacing [2, 3, 4] um unless given. */
export function randomVolume(shape: [number, number, number], phases = 3, seed = 1): Volume {
  const rand = seededRandom(seed)
  const vol = makeVolume(shape, undefined, [2, 3, 4], 'um')
  for (let i = 0; i < vol.data.length; i++) vol.data[i] = Math.floor(rand() * phases)
  return vol
}

/** A ball of the given radius (voxels) centred in an n^3 volume: label 1 inside, 0 outside. */
export function ballVolume(n: number, radius: number): Volume {
  const vol = makeVolume([n, n, n])
  const c = (n - 1) / 2
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++)
        vol.data[i] = (x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 <= radius ** 2 ? 1 : 0
  return vol
}

export function countLabel(vol: Volume, label: number): number {
  let n = 0
  for (let i = 0; i < vol.data.length; i++) if (vol.data[i] === label) n++
  return n
}
