/**
 * A small seeded pseudo-random generator (mulberry32: 32-bit state, period 2³², good equidistribution for
 * simulation use, not cryptographic) with uniform, normal (Box–Muller) and Poisson variates. The same seed
 * gives the same sequence on every platform.
 */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number
  /** Standard normal. */
  normal(): number
  /** Integer in [0, n). */
  integer(n: number): number
  /** Poisson variate with the given mean. */
  poisson(mean: number): number
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0
  let spare: number | null = null
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const normal = () => {
    if (spare !== null) {
      const s = spare
      spare = null
      return s
    }
    let u = 0
    while (u === 0) u = uniform()
    const v = uniform()
    const radius = Math.sqrt(-2 * Math.log(u))
    spare = radius * Math.sin(2 * Math.PI * v)
    return radius * Math.cos(2 * Math.PI * v)
  }
  const poisson = (mean: number) => {
    if (mean <= 0) return 0
    if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()))
    // Knuth's multiplication method for small means.
    const limit = Math.exp(-mean)
    let k = 0
    let p = uniform()
    while (p > limit) {
      k++
      p *= uniform()
    }
    return k
  }
  return { uniform, normal, integer: (n) => Math.floor(uniform() * n), poisson }
}
