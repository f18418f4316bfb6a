/**
 * Latent multi-plane denoising (L-MPDD, DESIGN §5.2): a 2D latent denoiser drives a 3D latent grid
 * [C, Lz, Ly, Lx] from noise to data by treating it, at every denoising pass, as a batch of 2D latent
 * planes along one axis. Passes cycle the axis z → y → x → z … so the three plane families share the
 * same cells and are all pulled toward the 2D data distribution.
 *
 * Options beyond the plain cycle:
 * - harmonizing steps n_h (Micro3Diff): after a reverse step t → prev, re-noise x_prev back to t with the
 *   forward kernel and denoise again, n_h times; each of these passes also moves to the next axis. For
 *   plane-conditioned models the re-denoised input is γ·x_t^h + (1 − γ)·x_t (Lee & Yun, anisotropic
 *   Micro3Diff, Eq. 17), where x_t is the grid before any harmonizing at this step.
 * - axis mode 'average': instead of one axis per pass, average the ε̂ of all three plane families (three
 *   times the denoiser cost per pass).
 * - classifier-free guidance: ε̂ = ε̂(∅) + ω (ε̂(c) − ε̂(∅)) with c the plane label of the axis (plane
 *   conditioning) or the requested class; ω = 1 is the conditional model alone.
 * - a clean-latent guidance hook (e.g. volume-fraction guidance) applied to x̂0 of the current planes before
 *   the sampler step: x̂0 → x̂0′ becomes ε̂′ = (x_t − √ᾱ_t x̂0′) / √(1 − ᾱ_t).
 */
import type { CleanLatentGuidance } from './guidance'
import { mapBatches, type LatentDenoiser, type PlaneBatch } from './networks'
import { extractPlanes, insertPlanes, planeCount, planeSize, type AxisIndex, type GridDims } from './planes'
import type { SeededRandom } from './random'
import { epsFromX0, predictX0, renoise, type DiffusionSampler, type ReverseStep } from './samplers'

/**
 * How passes choose their plane family: 'cycle' z → y → x; 'average' the mean ε̂ of all three; 'z-only'
 * always z — independent 2D samples stacked along z, the 2D baseline for measuring multi-plane drift.
 */
export type AxisMode = 'cycle' | 'average' | 'z-only'

export interface PlaneConditioning {
  /** Condition id fed with the planes of axis z, y, x (all equal for class or no conditioning). */
  labelsByAxis: [number, number, number]
  /** The id meaning "no condition" (used for the unconditional half of classifier-free guidance). */
  nullId: number
  /** Guidance weight ω; ignored when the labels are the null id. */
  weight: number
}

export interface MultiPlaneOptions {
  sampler: DiffusionSampler
  rng: SeededRandom
  /** Harmonizing passes per reverse step (n_h ≥ 0). */
  harmonize?: number
  /** Blend γ ∈ [0, 1] of harmonized and unharmonized inputs (1 = pure harmonized, the isotropic case). */
  gamma?: number
  axisMode?: AxisMode
  conditioning: PlaneConditioning
  guidance?: CleanLatentGuidance
  maxBatch: number
  /** Called after every denoising pass with (pass, passes); may throw to cancel. */
  onPass?: (pass: number, passes: number) => void
}

export class MultiPlaneSampler {
  private pass = 0

  constructor(
    private readonly denoiser: LatentDenoiser,
    private readonly opts: MultiPlaneOptions,
  ) {
    const h = opts.harmonize ?? 0
    if (!Number.isInteger(h) || h < 0) throw new Error(`harmonizing steps must be an integer >= 0, got ${h}`)
    const g = opts.gamma ?? 1
    if (!(g >= 0 && g <= 1)) throw new Error(`gamma must be in [0, 1], got ${g}`)
  }

  /** Number of denoising passes a run makes: steps × (1 + n_h). */
  get passes(): number {
    return this.opts.sampler.steps.length * (1 + (this.opts.harmonize ?? 0))
  }

  /** Which axis the pass with this index denoises along (cycle mode). */
  static axisOfPass(pass: number): AxisIndex {
    return (pass % 3) as AxisIndex
  }

  /** Sample a latent grid of the given dims starting from N(0, I) noise drawn from the rng. */
  async sample(dims: GridDims): Promise<Float32Array> {
    const { sampler, rng } = this.opts
    const size = dims[0] * dims[1] * dims[2] * dims[3]
    const grid = rng.fillNormal(new Float32Array(size))
    const nh = this.opts.harmonize ?? 0
    const gamma = this.opts.gamma ?? 1
    this.pass = 0
    const next = new Float32Array(size)
    const harmonized = new Float32Array(size)
    for (const step of sampler.steps) {
      await this.denoisePass(grid, dims, step, next)
      for (let h = 0; h < nh; h++) {
        renoise(sampler.schedule, next, step, rng, harmonized)
        if (gamma < 1)
          for (let i = 0; i < size; i++) harmonized[i] = gamma * harmonized[i] + (1 - gamma) * grid[i]
        await this.denoisePass(harmonized, dims, step, next)
      }
      grid.set(next)
    }
    return grid
  }

  /** One denoising pass over the whole grid at `step`, writing x_prev into `out`. */
  private async denoisePass(
    xt: Float32Array,
    dims: GridDims,
    step: ReverseStep,
    out: Float32Array,
  ): Promise<void> {
    const { sampler, rng } = this.opts
    const mode = this.opts.axisMode ?? 'cycle'
    const axes: AxisIndex[] =
      mode === 'average' ? [0, 1, 2] : mode === 'z-only' ? [0] : [MultiPlaneSampler.axisOfPass(this.pass)]
    const eps = new Float32Array(xt.length)
    for (const axis of axes) {
      const planes = await this.noiseOfPlanes(xt, dims, axis, step.t)
      addPlanes(eps, dims, axis, planes, 1 / axes.length)
    }
    if (this.opts.guidance)
      await this.guide(xt, eps, dims, mode === 'z-only' ? 0 : MultiPlaneSampler.axisOfPass(this.pass), step)
    sampler.step(xt, eps, step, rng, out)
    this.pass++
    this.opts.onPass?.(this.pass, this.passes)
  }

  /** ε̂ of every plane along `axis`, with classifier-free guidance when a condition is set. */
  private async noiseOfPlanes(
    xt: Float32Array,
    dims: GridDims,
    axis: AxisIndex,
    t: number,
  ): Promise<Float32Array> {
    const { labelsByAxis, nullId, weight } = this.opts.conditioning
    const [h, w] = planeSize(dims, axis)
    const n = planeCount(dims, axis)
    const batch: PlaneBatch = { data: extractPlanes(xt, dims, axis), dims: [n, dims[0], h, w] }
    const label = labelsByAxis[axis]
    const run = (id: number) =>
      mapBatches(batch, this.opts.maxBatch, (chunk) =>
        this.denoiser.predictNoise(chunk, t, new Int32Array(chunk.dims[0]).fill(id)),
      )
    const cond = await run(label)
    if (label === nullId || weight === 1) return cond.data
    const uncond = await run(nullId)
    const out = cond.data
    for (let i = 0; i < out.length; i++) out[i] = uncond.data[i] + weight * (out[i] - uncond.data[i])
    return out
  }

  /** Apply the clean-latent guidance to the planes along `axis`, rewriting ε̂ accordingly. */
  private async guide(
    xt: Float32Array,
    eps: Float32Array,
    dims: GridDims,
    axis: AxisIndex,
    step: ReverseStep,
  ) {
    const abT = this.opts.sampler.schedule.alphaBar(step.t)
    const [h, w] = planeSize(dims, axis)
    const n = planeCount(dims, axis)
    const C = dims[0]
    const xPlanes = extractPlanes(xt, dims, axis)
    const ePlanes = extractPlanes(eps, dims, axis)
    const x0 = predictX0(xPlanes, ePlanes, abT)
    const item = C * h * w
    for (let start = 0; start < n; start += this.opts.maxBatch) {
      const count = Math.min(this.opts.maxBatch, n - start)
      const chunk: PlaneBatch = {
        data: x0.subarray(start * item, (start + count) * item),
        dims: [count, C, h, w],
      }
      await this.opts.guidance!.apply(chunk, axis, step)
    }
    epsFromX0(xPlanes, x0, abT, ePlanes)
    insertPlanes(eps, dims, axis, ePlanes)
  }
}

/** eps += weight × planes (the planes of `axis` laid back into the grid). */
function addPlanes(eps: Float32Array, dims: GridDims, axis: AxisIndex, planes: Float32Array, weight: number) {
  if (weight === 1) {
    insertPlanes(eps, dims, axis, planes)
    return
  }
  const tmp = new Float32Array(eps.length)
  insertPlanes(tmp, dims, axis, planes)
  for (let i = 0; i < eps.length; i++) eps[i] += weight * tmp[i]
}
