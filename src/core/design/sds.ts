/**
 * Score distillation (SDS) on latent slices of a phase-probability volume (DESIGN §5.3).
 *
 * State: probabilities [P, Z, Y, X]. One step:
 * 1. pick an axis uniformly and `batch` distinct voxel slices along it; encode them, z = E(x);
 * 2. draw t uniformly in [tMin, tMax) and ε ~ N(0, I); z_t = √ᾱ_t z + √(1 − ᾱ_t) ε; ε̂ = denoiser(z_t, t);
 *    score gradient g_s = w(t)(ε̂ − ε), the U-Net Jacobian dropped (DreamFusion). The sign is the paper's
 *    (ε̂ − ε ∝ z − x̂0, so descent moves z toward the denoiser's clean estimate); the release code's
 *    opposite sign is not reproduced. w(t) = 1 − ᾱ_t (release code) or κ(t) = (1 − ᾱ_t)/ᾱ_t (paper);
 * 3. score step: Adam on g_s with moments kept per slice (axis, index), so a slice's gradient history
 *    survives between its visits (the release code makes a fresh Adam per step, i.e. a sign step). The
 *    step is lr × RMS(z), relative to the latents' own scale, so one lr suits bundles of any latent scale;
 * 4. target step, linearised where the score step left the latents, z' = z + score step: y = D(z'); the
 *    terms' pixel gradients v = Σ_k w_k ∂ℓ_k/∂y are pulled back through decoder_vjp, g_d = J_D(z')ᵀ v, and
 *    a Polyak step is taken, δ = −κ · 2L / ‖g_d‖² · g_d with L = Σ_k w_k ℓ_k: for a decoder linear along
 *    g_d it removes the fraction κ of L (κ = 1 by default), so the step shrinks with the error, needs no
 *    learning rate, and does not depend on the units of the terms. Its RMS is capped at `maxTargetStep` ×
 *    RMS(z) where the linear model is poor. Taken after the score step, it corrects what the score step
 *    and the encode→decode round trip moved; vf and S2 terms carry the volume's residual
 *    (volume-terms.ts), so each step moves the volume by the batch's share of its error;
 * 5. write back: the slices become D(z' + δ) (overwritten, as the reference), and volume-tracking terms
 *    are told (`written`).
 * Every `refineEvery` steps, one refinement round (encode→decode of every slice of the three axes,
 * averaged) pulls the slices of different axes onto one volume; volume terms (diffusivity solves, the
 * running sums of vf and S2) are computed again every `resolveEvery` steps and after a refinement.
 */
import { CancelledError } from '../errors'
import { refineRound } from '../diffusion/decode'
import type { LatentDiffusionModel, PlaneBatch } from '../diffusion/networks'
import {
  extractPlanes,
  insertPlanes,
  planeCount,
  planeSize,
  type AxisIndex,
  type GridDims,
} from '../diffusion/planes'
import { SeededRandom } from '../diffusion/random'
import type { NoiseSchedule } from '../diffusion/schedule'
import type { DesignTerm, SliceBatch } from './terms'

export type ScoreWeighting = 'one-minus-alpha-bar' | 'kappa'

export interface SdsParams {
  steps: number
  /** Slices per step. */
  batch: number
  tMin: number
  tMax: number
  weighting: ScoreWeighting
  /** Multiplier of the score gradient (0 = targets only). */
  scoreWeight: number
  /** Adam step of the score term, relative to the RMS of the batch's latents. */
  learningRate: number
  /** Residuals of vf and S2: the whole volume's ('volume', volume-terms.ts) or the batch's ('batch'). */
  residual: 'volume' | 'batch'
  /** κ: fraction of the (linearised) target loss a Polyak step removes. */
  strength: number
  /** Cap of the target step's RMS, relative to the RMS of the batch's latents. */
  maxTargetStep: number
  /** Steps between refinement rounds (0 = none during the loop). */
  refineEvery: number
  /** Steps between 3D solves of volume terms. */
  resolveEvery: number
  /** Steps between entries of the loss history. */
  logEvery: number
  seed: number
}

export const DEFAULT_SDS_PARAMS: SdsParams = {
  steps: 500,
  batch: 8,
  tMin: 200,
  tMax: 500,
  weighting: 'one-minus-alpha-bar',
  scoreWeight: 1,
  learningRate: 0.02,
  residual: 'volume',
  strength: 1,
  maxTargetStep: 0.25,
  refineEvery: 200,
  resolveEvery: 10,
  logEvery: 10,
  seed: 0,
}

export interface WeightedTerm {
  term: DesignTerm
  weight: number
}

/** A volume term solved in 3D now and then (diffusivity). */
export interface VolumeSolver {
  resolve(): unknown
}

export interface HistoryEntry {
  step: number
  seconds: number
  t: number
  axis: AxisIndex
  /** ℓ_k (before weights) and the term's measure on the step's batch. */
  losses: Record<string, number>
  measures: Record<string, number>
}

export interface SdsProgress {
  stage: 'sds' | 'refine'
  step: number
  steps: number
  fraction: number
  etaSeconds: number | null
}

export interface SdsControl {
  onProgress?: (p: SdsProgress) => void
  /** Each loss-history entry as it is logged (the app's live loss curves). */
  onHistory?: (entry: HistoryEntry) => void
  signal?: AbortSignal
}

export interface SdsContext {
  model: LatentDiffusionModel
  schedule: NoiseSchedule
  /** Condition id per axis (z, y, x) fed to the denoiser. */
  labelsByAxis: [number, number, number]
}

/** Weight w(t) of the score gradient. */
export function scoreWeight(schedule: NoiseSchedule, t: number, weighting: ScoreWeighting): number {
  const ab = schedule.alphaBar(t)
  return weighting === 'kappa' ? (1 - ab) / ab : 1 - ab
}

/** `count` distinct integers of 0 … n−1, sorted (partial Fisher–Yates). */
export function pickDistinct(rng: SeededRandom, n: number, count: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i)
  const k = Math.min(count, n)
  for (let i = 0; i < k; i++) {
    const j = i + rng.integer(n - i)
    ;[pool[i], pool[j]] = [pool[j], pool[i]]
  }
  return pool.slice(0, k).sort((a, b) => a - b)
}

function rms(a: Float32Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * a[i]
  return Math.sqrt(s / Math.max(a.length, 1))
}

/** Adam moments of one slice's latent, kept between visits. */
interface AdamState {
  m: Float32Array
  v: Float32Array
  steps: number
}

const ADAM_BETA1 = 0.9
const ADAM_BETA2 = 0.999
const ADAM_EPS = 1e-8

function gatherSlices(probs: Float32Array, dims: GridDims, batch: SliceBatch): PlaneBatch {
  const [h, w] = planeSize(dims, batch.axis)
  const item = dims[0] * h * w
  const data = new Float32Array(batch.indices.length * item)
  batch.indices.forEach((index, b) => data.set(extractPlanes(probs, dims, batch.axis, index, 1), b * item))
  return { data, dims: [batch.indices.length, dims[0], h, w] }
}

function scatterSlices(probs: Float32Array, dims: GridDims, batch: SliceBatch, y: PlaneBatch): void {
  const item = y.dims[1] * y.dims[2] * y.dims[3]
  batch.indices.forEach((index, b) =>
    insertPlanes(probs, dims, batch.axis, y.data.subarray(b * item, (b + 1) * item), index, 1),
  )
}

/** Run SDS in place on `probs` [P, Z, Y, X]; returns the loss history. */
export async function runSds(
  ctx: SdsContext,
  probs: Float32Array,
  dims: GridDims,
  terms: readonly WeightedTerm[],
  solvers: readonly VolumeSolver[],
  params: SdsParams,
  control: SdsControl = {},
): Promise<HistoryEntry[]> {
  const { model, schedule } = ctx
  if (params.tMin < 0 || params.tMax > schedule.T || params.tMin >= params.tMax)
    throw new Error(`SDS needs 0 <= tMin < tMax <= ${schedule.T}, got [${params.tMin}, ${params.tMax})`)
  const rng = new SeededRandom(params.seed)
  const adam = new Map<string, AdamState>()
  const history: HistoryEntry[] = []
  const started = performance.now()
  const check = () => {
    if (control.signal?.aborted) throw new CancelledError()
  }
  const progress = (stage: SdsProgress['stage'], step: number) => {
    const elapsed = (performance.now() - started) / 1000
    const fraction = step / params.steps
    control.onProgress?.({
      stage,
      step,
      steps: params.steps,
      fraction,
      etaSeconds: step > 0 ? (elapsed * (params.steps - step)) / step : null,
    })
  }
  for (const s of solvers) s.resolve()
  for (let step = 1; step <= params.steps; step++) {
    check()
    const axis = rng.integer(3) as AxisIndex
    const batch: SliceBatch = { axis, indices: pickDistinct(rng, planeCount(dims, axis), params.batch) }
    const x = gatherSlices(probs, dims, batch)
    const z = await model.encoder.encode(x)
    const B = z.dims[0]
    const zRms = Math.max(rms(z.data), 1e-6)

    // score step: Adam on the score gradient, moments per slice
    const t = params.tMin + rng.integer(params.tMax - params.tMin)
    const ws = params.scoreWeight * scoreWeight(schedule, t, params.weighting)
    const moved = Float32Array.from(z.data)
    if (ws !== 0) {
      const ab = schedule.alphaBar(t)
      const eps = rng.fillNormal(new Float32Array(z.data.length))
      const zt = new Float32Array(z.data.length)
      for (let i = 0; i < zt.length; i++) zt[i] = Math.sqrt(ab) * z.data[i] + Math.sqrt(1 - ab) * eps[i]
      const cond = new Int32Array(B).fill(ctx.labelsByAxis[axis])
      const epsHat = await model.denoiser.predictNoise({ data: zt, dims: z.dims }, t, cond)
      const item = z.data.length / B
      const lr = params.learningRate * zRms
      batch.indices.forEach((index, b) => {
        const key = `${axis}:${index}`
        let st = adam.get(key)
        if (!st) adam.set(key, (st = { m: new Float32Array(item), v: new Float32Array(item), steps: 0 }))
        st.steps++
        const c1 = 1 - ADAM_BETA1 ** st.steps
        const c2 = 1 - ADAM_BETA2 ** st.steps
        for (let i = 0; i < item; i++) {
          const j = b * item + i
          const g = ws * (epsHat.data[j] - eps[j])
          st.m[i] = ADAM_BETA1 * st.m[i] + (1 - ADAM_BETA1) * g
          st.v[i] = ADAM_BETA2 * st.v[i] + (1 - ADAM_BETA2) * g * g
          moved[j] -= (lr * (st.m[i] / c1)) / (Math.sqrt(st.v[i] / c2) + ADAM_EPS)
        }
      })
    }

    // target step, linearised where the score step left the latents: the terms see D(z + score step),
    // so the correction includes what the score step and the encode→decode round trip moved
    const zMoved: PlaneBatch = { data: moved, dims: z.dims }
    const y = await model.decoder.decode(zMoved)
    const v = new Float32Array(y.data.length)
    let total = 0
    const losses: Record<string, number> = {}
    const measures: Record<string, number> = {}
    for (const { term, weight } of terms) {
      const r = term.evaluate(y, batch)
      losses[term.key] = r.loss
      measures[term.key] = r.measure
      total += weight * r.loss
      if (weight !== 0) for (let i = 0; i < v.length; i++) v[i] += weight * r.gradient[i]
    }
    const next = Float32Array.from(moved)
    if (total > 0 && params.strength > 0 && model.decoderVjp) {
      const g = await model.decoderVjp.vjp(zMoved, { data: v, dims: y.dims })
      let g2 = 0
      for (let i = 0; i < g.data.length; i++) g2 += g.data[i] * g.data[i]
      if (g2 > 0) {
        let lambda = (params.strength * 2 * total) / g2
        const stepRms = lambda * Math.sqrt(g2 / g.data.length)
        if (stepRms > params.maxTargetStep * zRms) lambda *= (params.maxTargetStep * zRms) / stepRms
        for (let i = 0; i < next.length; i++) next[i] -= lambda * g.data[i]
      }
    }

    const yNew = await model.decoder.decode({ data: next, dims: z.dims })
    scatterSlices(probs, dims, batch, yNew)
    for (const { term } of terms) term.written?.(batch, yNew)

    if (step === 1 || step % params.logEvery === 0 || step === params.steps) {
      const entry = { step, seconds: (performance.now() - started) / 1000, t, axis, losses, measures }
      history.push(entry)
      control.onHistory?.(entry)
    }
    const refine = params.refineEvery > 0 && step % params.refineEvery === 0 && step < params.steps
    if (refine) {
      check()
      progress('refine', step)
      probs.set(await refineRound(model, probs, dims))
    }
    if (refine || step % params.resolveEvery === 0) for (const s of solvers) s.resolve()
    progress('sds', step)
  }
  return history
}
