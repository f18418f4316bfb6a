/**
 * Noise schedules of a DDPM forward process q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I), t = 0 … T−1.
 *
 * Definitions (the trainer uses the same ones; indices are 0-based as in the exported denoiser's `t` input):
 * - linear: β_t = β_start + (β_end − β_start) · t / (T − 1);
 * - cosine (Nichol & Dhariwal 2021): f(u) = cos²(((u / T) + s) / (1 + s) · π/2) with s = 0.008,
 *   β_t = min(1 − f(t + 1) / f(t), 0.999);
 * - α_t = 1 − β_t and ᾱ_t = ∏_{s ≤ t} α_s.
 */
export type ScheduleKind = 'linear' | 'cosine'

export interface NoiseScheduleSpec {
  kind: ScheduleKind
  /** Number of training timesteps T. */
  T: number
  betaStart: number
  betaEnd: number
}

export interface NoiseSchedule {
  readonly spec: NoiseScheduleSpec
  readonly T: number
  readonly betas: Float64Array
  readonly alphas: Float64Array
  readonly alphaBars: Float64Array
  /** ᾱ at timestep t; ᾱ(−1) = 1 (the clean data), used by the last step of a sampler. */
  alphaBar(t: number): number
}

export const COSINE_OFFSET = 0.008
export const MAX_COSINE_BETA = 0.999

function cosineF(u: number, T: number): number {
  const c = Math.cos(((u / T + COSINE_OFFSET) / (1 + COSINE_OFFSET)) * (Math.PI / 2))
  return c * c
}

export function betasFor(spec: NoiseScheduleSpec): Float64Array {
  const { kind, T, betaStart, betaEnd } = spec
  if (!Number.isInteger(T) || T < 2) throw new Error(`schedule needs T >= 2 timesteps, got ${T}`)
  const betas = new Float64Array(T)
  for (let t = 0; t < T; t++) {
    betas[t] =
      kind === 'linear'
        ? betaStart + ((betaEnd - betaStart) * t) / (T - 1)
        : Math.min(1 - cosineF(t + 1, T) / cosineF(t, T), MAX_COSINE_BETA)
  }
  return betas
}

export function makeNoiseSchedule(spec: NoiseScheduleSpec): NoiseSchedule {
  const betas = betasFor(spec)
  const alphas = betas.map((b) => 1 - b)
  const alphaBars = new Float64Array(spec.T)
  let prod = 1
  for (let t = 0; t < spec.T; t++) {
    prod *= alphas[t]
    alphaBars[t] = prod
  }
  return {
    spec,
    T: spec.T,
    betas,
    alphas,
    alphaBars,
    alphaBar: (t: number) => {
      if (t < 0) return 1
      if (!Number.isInteger(t) || t >= spec.T) throw new Error(`timestep ${t} outside 0..${spec.T - 1}`)
      return alphaBars[t]
    },
  }
}
