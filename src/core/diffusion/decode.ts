/**
 * From a latent grid to voxel phase probabilities, and the refinement that follows (DESIGN §5.2 steps 1–3).
 *
 * Three-axis decode: along each axis every latent plane [C, h, w] decodes to a phase image [P, f·h, f·w]
 * that is spread over the f-voxel slab the plane covers; the three axes' probabilities are averaged.
 * Refinement: K rounds in which every voxel slice along each axis is encoded and decoded (a projection onto
 * what the VAE can represent), the three axes reading the same volume and their results averaged.
 * Quantisation: argmax over phases.
 */
import { batchSizeFor, phaseSums, type LatentDiffusionModel, type PlaneBatch } from './networks'
import {
  accumulatePlanes,
  extractPlanes,
  planeCount,
  planeSize,
  type AxisIndex,
  type GridDims,
} from './planes'

const AXES: readonly AxisIndex[] = [0, 1, 2]

/** Phase probabilities [P, Z, Y, X] of a volume, with the volume fractions each axis's decode gave. */
export interface DecodedVolume {
  probs: Float32Array
  dims: GridDims
  /** Mean probability per phase of each axis's decode (z, y, x) before averaging: the per-axis drift. */
  axisFractions: number[][]
}

/** `onBatch` is called after every network batch (for progress and cancellation). */
export async function decodeThreeAxes(
  model: LatentDiffusionModel,
  latent: Float32Array,
  latentDims: GridDims,
  onBatch: (axis: AxisIndex) => void = () => {},
): Promise<DecodedVolume> {
  const f = model.factor
  const P = model.phases
  const dims: GridDims = [P, latentDims[1] * f, latentDims[2] * f, latentDims[3] * f]
  const probs = new Float32Array(P * dims[1] * dims[2] * dims[3])
  const axisFractions: number[][] = []
  const voxels = dims[1] * dims[2] * dims[3]
  for (const axis of AXES) {
    const [h, w] = planeSize(latentDims, axis)
    const n = planeCount(latentDims, axis)
    const C = latentDims[0]
    const sums = new Array<number>(P).fill(0)
    const batch = batchSizeFor(model, h * f, w * f)
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start)
      const z: PlaneBatch = {
        data: extractPlanes(latent, latentDims, axis, start, count),
        dims: [count, C, h, w],
      }
      const y = await model.decoder.decode(z)
      checkDecoded(y, count, P, h * f, w * f)
      accumulatePlanes(probs, dims, axis, y.data, start, count, f, 1 / 3)
      phaseSums(y).forEach((s, p) => (sums[p] += s * f))
      onBatch(axis)
    }
    axisFractions.push(sums.map((s) => s / voxels))
  }
  return { probs, dims, axisFractions }
}

function checkDecoded(y: PlaneBatch, B: number, P: number, H: number, W: number): void {
  const [b, p, h, w] = y.dims
  if (b !== B || p !== P || h !== H || w !== W) {
    throw new Error(`decoder returned [${y.dims.join(',')}], expected [${B},${P},${H},${W}]`)
  }
}

/** Number of network batches a pass over all planes of the three axes makes (for progress accounting). */
export function batchesPerRound(
  model: Pick<LatentDiffusionModel, 'maxBatch' | 'maxBatchPixels'>,
  dims: GridDims,
  scale = 1,
): number {
  let n = 0
  for (const axis of AXES) {
    const [h, w] = planeSize(dims, axis)
    n += Math.ceil(planeCount(dims, axis) / batchSizeFor(model, h * scale, w * scale))
  }
  return n
}

/** One encode→decode round over all voxel slices of all three axes, averaged; returns the new probabilities. */
export async function refineRound(
  model: LatentDiffusionModel,
  probs: Float32Array,
  dims: GridDims,
  onBatch: (axis: AxisIndex) => void = () => {},
): Promise<Float32Array> {
  const next = new Float32Array(probs.length)
  for (const axis of AXES) {
    const [h, w] = planeSize(dims, axis)
    const n = planeCount(dims, axis)
    const batch = batchSizeFor(model, h, w)
    for (let start = 0; start < n; start += batch) {
      const count = Math.min(batch, n - start)
      const x: PlaneBatch = {
        data: extractPlanes(probs, dims, axis, start, count),
        dims: [count, dims[0], h, w],
      }
      const z = await model.encoder.encode(x)
      const y = await model.decoder.decode(z)
      checkDecoded(y, count, dims[0], h, w)
      accumulatePlanes(next, dims, axis, y.data, start, count, 1, 1 / 3)
      onBatch(axis)
    }
  }
  return next
}

/** Labels = argmax over phases of probabilities [P, Z, Y, X] (ties go to the lower phase id). */
export function argmaxPhases(probs: Float32Array, phases: number): Uint8Array {
  const n = probs.length / phases
  const labels = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    let bestP = probs[i]
    for (let p = 1; p < phases; p++) {
      const v = probs[p * n + i]
      if (v > bestP) {
        bestP = v
        best = p
      }
    }
    labels[i] = best
  }
  return labels
}

/**
 * Labels whose phase fractions match `targets` (the training fractions), keeping the ranking of voxels by
 * probability and moving only the decision boundaries. A remedy for a fraction drift of the decoded
 * probabilities that costs no network call.
 * - Two phases: exactly round(target₀ · N) voxels, those with the highest p₀, get phase 0 (a quantile
 *   threshold; ties broken by voxel order).
 * - More phases: argmax of p_k · exp(b_k) with per-phase biases from repeated multiplicative correction
 *   b_k += log(target_k / fraction_k) (approximate).
 */
export function fractionMatchedLabels(
  probs: Float32Array,
  targets: readonly number[],
  iterations = 100,
): Uint8Array {
  const P = targets.length
  const n = probs.length / P
  if (P === 2) return quantileLabels(probs.subarray(0, n), Math.round(targets[0] * n))
  const logp = new Float32Array(probs.length)
  for (let i = 0; i < probs.length; i++) logp[i] = Math.log(Math.max(probs[i], 1e-12))
  const bias = new Float64Array(P)
  const labels = new Uint8Array(n)
  for (let it = 0; it <= iterations; it++) {
    const counts = new Float64Array(P)
    for (let i = 0; i < n; i++) {
      let best = 0
      let bestV = logp[i] + bias[0]
      for (let p = 1; p < P; p++) {
        const v = logp[p * n + i] + bias[p]
        if (v > bestV) {
          bestV = v
          best = p
        }
      }
      labels[i] = best
      counts[best]++
    }
    if (it === iterations) break
    let worst = 0
    for (let p = 0; p < P; p++) {
      const fraction = Math.max(counts[p], 0.5) / n
      worst = Math.max(worst, Math.abs(fraction - targets[p]))
      bias[p] += Math.log(Math.max(targets[p], 1e-6) / fraction)
    }
    if (worst < 0.5 / n + 1e-4) break
  }
  return labels
}

/**
 * Fraction-matched hysteresis quantisation of two phases (a connectivity-aware variant of
 * `fractionMatchedLabels`): the `seedFraction` · count voxels with the highest p₀ are seeds, and phase 0
 * grows from them, one face-neighbour at a time, always taking the frontier voxel of highest p₀, until it
 * has exactly round(target₀ · N) voxels (if the frontier runs out, the remaining voxels of highest p₀ are
 * taken wherever they are). This is hysteresis thresholding (Canny's two thresholds) with the low threshold
 * set by the volume fraction: a voxel of middling probability becomes phase 0 when it touches a confident
 * phase-0 region — a throat between two pores — rather than when it is an isolated blob. `seedFraction` = 1
 * gives the plain quantile threshold; smaller values trade isolated voxels for connected ones.
 */
export function hysteresisLabels(
  probs: Float32Array,
  dims: readonly [number, number, number],
  target: number,
  seedFraction: number,
): Uint8Array {
  const [Z, Y, X] = dims
  const n = Z * Y * X
  const p0 = probs.subarray(0, n)
  const count = Math.round(target * n)
  const seeds = Math.max(1, Math.round(Math.min(1, Math.max(0, seedFraction)) * count))
  if (count <= 0 || count >= n || seeds >= count) return quantileLabels(p0, count)
  const labels = quantileLabels(p0, seeds)
  // Max-heap of frontier voxels keyed by p0.
  const heap = new Int32Array(n)
  let size = 0
  const queued = new Uint8Array(n)
  const push = (i: number) => {
    queued[i] = 1
    let k = size++
    const v = p0[i]
    while (k > 0) {
      const parent = (k - 1) >> 1
      if (p0[heap[parent]] >= v) break
      heap[k] = heap[parent]
      k = parent
    }
    heap[k] = i
  }
  const pop = (): number => {
    const top = heap[0]
    const last = heap[--size]
    const v = p0[last]
    let k = 0
    for (;;) {
      let c = 2 * k + 1
      if (c >= size) break
      if (c + 1 < size && p0[heap[c + 1]] > p0[heap[c]]) c++
      if (p0[heap[c]] <= v) break
      heap[k] = heap[c]
      k = c
    }
    heap[k] = last
    return top
  }
  const YX = Y * X
  const visit = (i: number) => {
    const x = i % X
    const y = ((i - x) / X) % Y
    const z = (i - x - y * X) / YX
    if (x > 0 && !queued[i - 1] && labels[i - 1]) push(i - 1)
    if (x < X - 1 && !queued[i + 1] && labels[i + 1]) push(i + 1)
    if (y > 0 && !queued[i - X] && labels[i - X]) push(i - X)
    if (y < Y - 1 && !queued[i + X] && labels[i + X]) push(i + X)
    if (z > 0 && !queued[i - YX] && labels[i - YX]) push(i - YX)
    if (z < Z - 1 && !queued[i + YX] && labels[i + YX]) push(i + YX)
  }
  for (let i = 0; i < n; i++) if (labels[i] === 0) visit(i)
  let have = seeds
  while (have < count && size > 0) {
    const i = pop()
    labels[i] = 0
    have++
    visit(i)
  }
  if (have < count) {
    // The seeds' regions are closed: take the remaining voxels of highest p0 anywhere.
    const rest = new Float32Array(n)
    for (let i = 0; i < n; i++) rest[i] = labels[i] === 1 ? p0[i] : -Infinity
    const more = quantileLabels(rest, count - have)
    for (let i = 0; i < n; i++) if (more[i] === 0) labels[i] = 0
  }
  return labels
}

/** Phase 0 for the `count` voxels with the highest p0 (ties in voxel order), phase 1 elsewhere. */
function quantileLabels(p0: Float32Array, count: number): Uint8Array {
  const n = p0.length
  const labels = new Uint8Array(n).fill(1)
  if (count <= 0) return labels
  if (count >= n) return labels.fill(0)
  const sorted = Float32Array.from(p0).sort()
  const threshold = sorted[n - count] // the count-th largest value
  let above = 0
  for (let i = 0; i < n; i++) if (p0[i] > threshold) above++
  let ties = count - above
  for (let i = 0; i < n; i++) {
    if (p0[i] > threshold || (p0[i] === threshold && ties-- > 0)) labels[i] = 0
  }
  return labels
}

/** Fraction of voxels of each phase in a label array. */
export function labelFractions(labels: Uint8Array, phases: number): number[] {
  const counts = new Array<number>(phases).fill(0)
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++
  return counts.map((c) => c / labels.length)
}
