/**
 * Small hand-written networks with known behaviour, for testing the samplers and the pipeline without a
 * trained model. Phase 1's probability is channel 0 of the latent (clamped to [0, 1]), upsampled by
 * nearest neighbour; the encoder averages phase 1 over f×f blocks into channel 0.
 */
import type {
  DecoderVjp,
  LatentDecoder,
  LatentDenoiser,
  LatentDiffusionModel,
  LatentEncoder,
  PlaneBatch,
} from '../../../src/core/diffusion/networks'
import type { NoiseSchedule } from '../../../src/core/diffusion/schedule'

export class ToyDecoder implements LatentDecoder {
  calls: PlaneBatch['dims'][] = []
  constructor(readonly factor: number) {}
  async decode(z: PlaneBatch): Promise<PlaneBatch> {
    this.calls.push(z.dims)
    const [B, C, h, w] = z.dims
    const f = this.factor
    const H = h * f
    const W = w * f
    const out = new Float32Array(B * 2 * H * W)
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < H; r++) {
        for (let q = 0; q < W; q++) {
          const v = Math.min(
            1,
            Math.max(0, z.data[b * C * h * w + Math.floor(r / f) * w + Math.floor(q / f)]),
          )
          out[(b * 2 + 1) * H * W + r * W + q] = v
          out[b * 2 * H * W + r * W + q] = 1 - v
        }
      }
    }
    return { data: out, dims: [B, 2, H, W] }
  }
}

export class ToyEncoder implements LatentEncoder {
  constructor(
    readonly factor: number,
    readonly channels: number,
  ) {}
  async encode(x: PlaneBatch): Promise<PlaneBatch> {
    const [B, P, H, W] = x.dims
    const f = this.factor
    const h = H / f
    const w = W / f
    const C = this.channels
    const out = new Float32Array(B * C * h * w)
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < H; r++) {
        for (let q = 0; q < W; q++) {
          out[b * C * h * w + Math.floor(r / f) * w + Math.floor(q / f)] +=
            x.data[(b * P + 1) * H * W + r * W + q] / (f * f)
        }
      }
    }
    return { data: out, dims: [B, C, h, w] }
  }
}

/** The vector–Jacobian product of ToyDecoder (exact where 0 < z < 1). */
export class ToyDecoderVjp implements DecoderVjp {
  constructor(readonly factor: number) {}
  async vjp(z: PlaneBatch, v: PlaneBatch): Promise<PlaneBatch> {
    const [B, C, h, w] = z.dims
    const f = this.factor
    const H = h * f
    const W = w * f
    const g = new Float32Array(z.data.length)
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < H; r++) {
        for (let q = 0; q < W; q++) {
          const zi = b * C * h * w + Math.floor(r / f) * w + Math.floor(q / f)
          if (z.data[zi] <= 0 || z.data[zi] >= 1) continue
          g[zi] += v.data[(b * 2 + 1) * H * W + r * W + q] - v.data[b * 2 * H * W + r * W + q]
        }
      }
    }
    return { data: g, dims: z.dims }
  }
}

/**
 * The ideal denoiser for data whose elements are independent N(mean, spread²):
 * ε̂ = E[ε | z_t] = √(1 − ᾱ_t)(z_t − √ᾱ_t·mean) / (ᾱ_t·spread² + 1 − ᾱ_t). With spread 0 the data is the
 * constant `mean`. It records the plane sizes, timesteps and conditions it saw.
 */
export class GaussianDataDenoiser implements LatentDenoiser {
  seen: { h: number; w: number; t: number; cond: number }[] = []
  constructor(
    readonly schedule: NoiseSchedule,
    readonly mean: number,
    readonly spread = 0,
  ) {}
  async predictNoise(zt: PlaneBatch, t: number, cond: Int32Array): Promise<PlaneBatch> {
    this.seen.push({ h: zt.dims[2], w: zt.dims[3], t, cond: cond[0] })
    const ab = this.schedule.alphaBar(t)
    const k = Math.sqrt(1 - ab) / (ab * this.spread ** 2 + 1 - ab)
    const out = zt.data.map((v) => k * (v - Math.sqrt(ab) * this.mean))
    return { data: out, dims: zt.dims }
  }
}

export function toyModel(
  schedule: NoiseSchedule,
  mean: number,
  factor = 4,
  maxBatch = 8,
  spread = 0,
): LatentDiffusionModel & {
  denoiser: GaussianDataDenoiser
  decoder: ToyDecoder
} {
  return {
    phases: 2,
    latentChannels: 2,
    factor,
    denoiser: new GaussianDataDenoiser(schedule, mean, spread),
    encoder: new ToyEncoder(factor, 2),
    decoder: new ToyDecoder(factor),
    decoderVjp: new ToyDecoderVjp(factor),
    maxBatch,
    maxBatchPixels: 1 << 20,
  }
}
