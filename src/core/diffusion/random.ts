/**
 * Seeded pseudo-random numbers, so that a reconstruction is reproducible from its seed on every platform.
 *
 * Uniforms come from xoshiro128** (Blackman & Vigna), whose 128-bit state is filled from the seed by
 * splitmix32; normals come from the Box–Muller transform, which turns two uniforms u1 ∈ (0, 1], u2 ∈ [0, 1)
 * into two independent standard normals √(−2 ln u1)·cos(2πu2) and √(−2 ln u1)·sin(2πu2).
 */

/** splitmix32: a 32-bit mixing function used to spread a seed over the generator state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0
  let z = state.s
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

export class SeededRandom {
  private readonly s = new Uint32Array(4)
  private spareNormal: number | null = null

  /** `seed` is any finite number; its integer part (mod 2^53) and its fraction both matter. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`)
    const hi = Math.floor(seed / 2 ** 32)
    const mix = { s: (seed >>> 0) ^ Math.imul(hi | 0, 0x27d4eb2f) }
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(mix)
    if (this.s[0] === 0 && this.s[1] === 0 && this.s[2] === 0 && this.s[3] === 0) this.s[0] = 1
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0
    const t = s[1] << 9
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 11)
    return result
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296
  }

  /** Standard normal N(0, 1) by Box–Muller; the second value of each pair is kept for the next call. */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal
      this.spareNormal = null
      return z
    }
    const u1 = 1 - this.uniform() // (0, 1], so the logarithm is finite
    const u2 = this.uniform()
    const r = Math.sqrt(-2 * Math.log(u1))
    this.spareNormal = r * Math.sin(2 * Math.PI * u2)
    return r * Math.cos(2 * Math.PI * u2)
  }

  /** Fill `out` with independent standard normals and return it. */
  fillNormal(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal()
    return out
  }

  /** An integer uniform in [0, n). */
  integer(n: number): number {
    return Math.floor(this.uniform() * n)
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}
