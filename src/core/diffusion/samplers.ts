/**
 * Reverse-process samplers (schedulers in diffusers' words): given x_t and the denoiser's noise prediction
 * ε̂ they produce x_prev for the next, less noisy timestep. They are pure functions of the schedule and do
 * not know about planes, axes or networks, so the multi-plane sampler can swap them freely.
 *
 * Shared definitions (ᾱ(−1) = 1):
 * - predicted clean sample x̂0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t;
 * - DDPM ancestral step from t to prev (α = ᾱ_t / ᾱ_prev, β = 1 − α):
 *   x_prev = √ᾱ_prev β / (1 − ᾱ_t) · x̂0 + √α (1 − ᾱ_prev) / (1 − ᾱ_t) · x_t + σ z,
 *   σ² = β (1 − ᾱ_prev) / (1 − ᾱ_t) (the posterior variance β̃), no noise on the last step;
 * - DDIM step (Song et al. 2021): σ = η √((1 − ᾱ_prev) / (1 − ᾱ_t)) √(1 − ᾱ_t / ᾱ_prev),
 *   x_prev = √ᾱ_prev x̂0 + √(1 − ᾱ_prev − σ²) ε̂ + σ z; η = 0 is deterministic, η = 1 matches DDPM.
 */
import type { SeededRandom } from './random'
import type { NoiseSchedule } from './schedule'

export type SamplerKind = 'ddpm' | 'ddim'

/** One reverse step: from timestep `t` to `prev` (−1 means the clean sample). */
export interface ReverseStep {
  t: number
  prev: number
}

export interface DiffusionSampler {
  readonly kind: SamplerKind
  readonly schedule: NoiseSchedule
  /** The reverse steps in the order they run (t descending, the last one ending at prev = −1). */
  readonly steps: readonly ReverseStep[]
  /** Write x_prev into `out` (which may alias `xt`). Draws noise from `rng` only when the step is stochastic. */
  step(xt: Float32Array, eps: Float32Array, step: ReverseStep, rng: SeededRandom, out: Float32Array): void
}

/**
 * `count` timesteps spread evenly over 0 … T−1 with the first at T−1 ("trailing" spacing, so the sampler
 * starts from pure noise even with few steps); `count` = T gives T−1, T−2, …, 0.
 */
export function spacedSteps(T: number, count: number): ReverseStep[] {
  if (!Number.isInteger(count) || count < 1 || count > T) {
    throw new Error(`number of sampling steps must be an integer in 1..${T}, got ${count}`)
  }
  const ts: number[] = []
  for (let i = 0; i < count; i++) ts.push(Math.round(T - (i * T) / count) - 1)
  return ts.map((t, i) => ({ t, prev: i + 1 < ts.length ? ts[i + 1] : -1 }))
}

/** x̂0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t, written into `out`. */
export function predictX0(
  xt: Float32Array,
  eps: Float32Array,
  alphaBarT: number,
  out: Float32Array = new Float32Array(xt.length),
): Float32Array {
  const a = 1 / Math.sqrt(alphaBarT)
  const b = Math.sqrt(1 - alphaBarT) / Math.sqrt(alphaBarT)
  for (let i = 0; i < xt.length; i++) out[i] = a * xt[i] - b * eps[i]
  return out
}

/**
 * The noise prediction that corresponds to a given clean estimate at x_t: ε = (x_t − √ᾱ_t x̂0) / √(1 − ᾱ_t).
 * Guidance that edits x̂0 goes back to the samplers through this.
 */
export function epsFromX0(
  xt: Float32Array,
  x0: Float32Array,
  alphaBarT: number,
  out: Float32Array,
): Float32Array {
  const a = Math.sqrt(alphaBarT)
  const b = 1 / Math.sqrt(1 - alphaBarT)
  for (let i = 0; i < xt.length; i++) out[i] = (xt[i] - a * x0[i]) * b
  return out
}

/**
 * Forward kernel between two timesteps, used by harmonizing steps to re-noise x_prev back to x_t:
 * q(x_t | x_prev) = N(√(ᾱ_t / ᾱ_prev) x_prev, (1 − ᾱ_t / ᾱ_prev) I).
 */
export function renoise(
  schedule: NoiseSchedule,
  xPrev: Float32Array,
  step: ReverseStep,
  rng: SeededRandom,
  out: Float32Array,
): Float32Array {
  const ratio = schedule.alphaBar(step.t) / schedule.alphaBar(step.prev)
  const a = Math.sqrt(ratio)
  const s = Math.sqrt(1 - ratio)
  for (let i = 0; i < xPrev.length; i++) out[i] = a * xPrev[i] + s * rng.normal()
  return out
}

export class DdpmSampler implements DiffusionSampler {
  readonly kind = 'ddpm'
  readonly steps: readonly ReverseStep[]
  /** `count` defaults to T (the full ancestral chain); fewer steps stride the chain evenly. */
  constructor(
    readonly schedule: NoiseSchedule,
    count = schedule.T,
  ) {
    this.steps = spacedSteps(schedule.T, count)
  }

  step(xt: Float32Array, eps: Float32Array, step: ReverseStep, rng: SeededRandom, out: Float32Array): void {
    const abT = this.schedule.alphaBar(step.t)
    const abPrev = this.schedule.alphaBar(step.prev)
    const alpha = abT / abPrev
    const beta = 1 - alpha
    const c0 = (Math.sqrt(abPrev) * beta) / (1 - abT)
    const ct = (Math.sqrt(alpha) * (1 - abPrev)) / (1 - abT)
    const sigma = step.prev < 0 ? 0 : Math.sqrt((beta * (1 - abPrev)) / (1 - abT))
    const inv = 1 / Math.sqrt(abT)
    const k = Math.sqrt(1 - abT) * inv
    for (let i = 0; i < xt.length; i++) {
      const x = xt[i]
      const x0 = inv * x - k * eps[i]
      out[i] = c0 * x0 + ct * x + (sigma > 0 ? sigma * rng.normal() : 0)
    }
  }
}

export class DdimSampler implements DiffusionSampler {
  readonly kind = 'ddim'
  readonly steps: readonly ReverseStep[]
  constructor(
    readonly schedule: NoiseSchedule,
    count: number,
    readonly eta = 0,
  ) {
    if (!(eta >= 0 && eta <= 1)) throw new Error(`DDIM eta must be in [0, 1], got ${eta}`)
    this.steps = spacedSteps(schedule.T, count)
  }

  step(xt: Float32Array, eps: Float32Array, step: ReverseStep, rng: SeededRandom, out: Float32Array): void {
    const abT = this.schedule.alphaBar(step.t)
    const abPrev = this.schedule.alphaBar(step.prev)
    const sigma = this.eta * Math.sqrt((1 - abPrev) / (1 - abT)) * Math.sqrt(1 - abT / abPrev)
    const dirCoef = Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma))
    const sqrtPrev = Math.sqrt(abPrev)
    const inv = 1 / Math.sqrt(abT)
    const k = Math.sqrt(1 - abT) * inv
    for (let i = 0; i < xt.length; i++) {
      const e = eps[i]
      const x0 = inv * xt[i] - k * e
      out[i] = sqrtPrev * x0 + dirCoef * e + (sigma > 0 ? sigma * rng.normal() : 0)
    }
  }
}

export interface SamplerOptions {
  kind: SamplerKind
  /** Number of reverse steps; DDPM defaults to T. */
  steps?: number
  /** DDIM stochasticity η ∈ [0, 1]. */
  eta?: number
}

export function makeSampler(schedule: NoiseSchedule, opts: SamplerOptions): DiffusionSampler {
  if (opts.kind === 'ddpm') return new DdpmSampler(schedule, opts.steps ?? schedule.T)
  return new DdimSampler(schedule, opts.steps ?? 50, opts.eta ?? 0)
}
