/**
 * Sliced-Wasserstein distance between the local-pattern distributions of two images or volumes, the
 * descriptor of the SWNN reconstruction method (statistically controllable reconstruction with the
 * sliced-Wasserstein metric).
 *
 * A local pattern is a k × k window of a 2D section, flattened to a vector of k² values (the phase indicator
 * when `phase` is given, the raw values otherwise, e.g. 0/1 labels or probabilities). For a 3D volume the
 * windows are taken from the sections perpendicular to each axis with more than k voxels in both in-plane
 * directions, as SWNN does with its three orthogonal section families. The distance between the two
 * pattern sets is
 *   SW₂ = √( (1/D) Σ_θ W₂²(θ·P_A, θ·P_B) ),
 * with D random unit directions θ in ℝ^{k²}, and W₂ between two 1D samples of equal size m taken by sorting:
 * W₂² = (1/m) Σ_i (a_(i) − b_(i))². When more than `maxPatches` windows exist (or the two counts differ),
 * m = min(counts, maxPatches) windows are drawn uniformly at random (with replacement) from each. Directions and draws use `seed`.
 */
import { createRandom, type Random } from '../synth/random'
import type { Shape3 } from '../volume/volume'

export interface PatternImage {
  data: ArrayLike<number>
  shape: Shape3
}

export interface SlicedWassersteinOptions {
  /** Window side k (default 5). */
  patchSize?: number
  /** Number of random projection directions (default 64). */
  projections?: number
  /** Most windows used per image (default 20000). */
  maxPatches?: number
  /** Use the indicator of this label instead of the raw values. */
  phase?: number
  seed?: number
}

interface PatchIndex {
  /** flat index of the window's first voxel */
  origin: number
  /** strides of the window's two in-plane directions */
  s1: number
  s2: number
}

/** The windows of an image, numbered 0..count−1 plane family by plane family, without listing them. */
interface WindowSet {
  count: number
  at(index: number): PatchIndex
}

function windowSet(shape: Shape3, k: number): WindowSet {
  const [nz, ny, nx] = shape
  const stride = [ny * nx, nx, 1]
  // The sections perpendicular to axis a span the two other axes (b, c).
  const planes: Array<[number, number, number]> =
    nz === 1
      ? [[0, 1, 2]]
      : [
          [0, 1, 2],
          [1, 0, 2],
          [2, 0, 1],
        ]
  const families = planes
    .filter(([, b, c]) => shape[b] >= k && shape[c] >= k)
    .map(([a, b, c]) => {
      const nb = shape[b] - k + 1
      const nc = shape[c] - k + 1
      return { a, b, c, nb, nc, count: shape[a] * nb * nc }
    })
  const count = families.reduce((s, f) => s + f.count, 0)
  const at = (index: number): PatchIndex => {
    let f = 0
    while (index >= families[f].count) index -= families[f++].count
    const { a, b, c, nb, nc } = families[f]
    const l = index % nc
    const j = Math.floor(index / nc) % nb
    const i = Math.floor(index / (nc * nb))
    return { origin: i * stride[a] + j * stride[b] + l * stride[c], s1: stride[b], s2: stride[c] }
  }
  return { count, at }
}

/** All windows when there are at most m, else m drawn uniformly at random (with replacement). */
function drawWindows(set: WindowSet, m: number, rng: Random): PatchIndex[] {
  if (set.count <= m) return Array.from({ length: set.count }, (_, i) => set.at(i))
  return Array.from({ length: m }, () => set.at(rng.integer(set.count)))
}

function projectAll(
  img: PatternImage,
  patches: PatchIndex[],
  k: number,
  dir: Float64Array,
  phase: number | undefined,
): Float64Array {
  const out = new Float64Array(patches.length)
  const d = img.data
  for (let p = 0; p < patches.length; p++) {
    const { origin, s1, s2 } = patches[p]
    let acc = 0
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const v = d[origin + i * s1 + j * s2]
        acc += dir[i * k + j] * (phase === undefined ? v : v === phase ? 1 : 0)
      }
    }
    out[p] = acc
  }
  return out.sort()
}

export function slicedWassersteinDistance(
  imageA: PatternImage,
  imageB: PatternImage,
  opts: SlicedWassersteinOptions = {},
): number {
  const k = opts.patchSize ?? 5
  const projections = opts.projections ?? 64
  const rng = createRandom(opts.seed ?? 0)
  const setA = windowSet(imageA.shape, k)
  const setB = windowSet(imageB.shape, k)
  if (setA.count === 0 || setB.count === 0)
    throw new RangeError(`images are smaller than the ${k}×${k} window`)
  const m = Math.min(setA.count, setB.count, opts.maxPatches ?? 20000)
  const subA = drawWindows(setA, m, rng)
  const subB = drawWindows(setB, m, rng)
  const dir = new Float64Array(k * k)
  let total = 0
  for (let t = 0; t < projections; t++) {
    let norm = 0
    for (let i = 0; i < dir.length; i++) {
      dir[i] = rng.normal()
      norm += dir[i] * dir[i]
    }
    norm = Math.sqrt(norm)
    for (let i = 0; i < dir.length; i++) dir[i] /= norm
    const a = projectAll(imageA, subA, k, dir, opts.phase)
    const b = projectAll(imageB, subB, k, dir, opts.phase)
    let w2 = 0
    for (let i = 0; i < m; i++) w2 += (a[i] - b[i]) ** 2
    total += w2 / m
  }
  return Math.sqrt(total / projections)
}
