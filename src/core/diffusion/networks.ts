/**
 * The three (four) 2D networks a latent diffusion model is made of, as the samplers see them. The ONNX
 * implementations live in core/models; tests use small hand-written ones. Every tensor is a batch of
 * planes in [B, C, H, W] layout (Float32Array, row-major), with H and W free for fully convolutional nets.
 */
export interface PlaneBatch {
  data: Float32Array
  /** [B, C, H, W] */
  dims: [number, number, number, number]
}

/** Sum of each channel of a batch [B, P, H, W] over the batch and the plane. */
export function phaseSums(batch: PlaneBatch): number[] {
  const [B, P, H, W] = batch.dims
  const plane = H * W
  const sums = new Array<number>(P).fill(0)
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      const off = (b * P + p) * plane
      let s = 0
      for (let i = 0; i < plane; i++) s += batch.data[off + i]
      sums[p] += s
    }
  }
  return sums
}

export interface LatentDenoiser {
  /** ε̂(z_t, t, cond): the noise in a batch of noisy latent planes, all at timestep t. */
  predictNoise(zt: PlaneBatch, t: number, cond: Int32Array): Promise<PlaneBatch>
}

export interface LatentEncoder {
  /** Phase probabilities [B, P, S, S] → latent means [B, C, S/f, S/f]. */
  encode(x: PlaneBatch): Promise<PlaneBatch>
}

export interface LatentDecoder {
  /** Latents [B, C, L, L] → phase probabilities [B, P, fL, fL] (softmax over P). */
  decode(z: PlaneBatch): Promise<PlaneBatch>
}

export interface DecoderVjp {
  /** J_dec(z)ᵀ v for z [B, C, L, L] and v [B, P, fL, fL] (the gradient of ⟨v, decode(z)⟩ with respect to z). */
  vjp(z: PlaneBatch, v: PlaneBatch): Promise<PlaneBatch>
}

/** What the reconstruction engine needs of a model: its networks and the sizes that tie them together. */
export interface LatentDiffusionModel {
  phases: number
  latentChannels: number
  /** Spatial downsampling factor f = S / L of the VAE. */
  factor: number
  denoiser: LatentDenoiser
  encoder: LatentEncoder
  decoder: LatentDecoder
  decoderVjp?: DecoderVjp
  /** Largest number of planes sent to a network in one call. */
  maxBatch: number
  /**
   * Largest number of image pixels (planes × H × W at voxel resolution) in one call: bounds the networks'
   * activation memory for large volumes (a 256² slice batch is 16× smaller than a 64² one).
   */
  maxBatchPixels: number
}

/** Planes per network call for planes that cover H × W voxels. */
export function batchSizeFor(
  model: Pick<LatentDiffusionModel, 'maxBatch' | 'maxBatchPixels'>,
  H: number,
  W: number,
): number {
  return Math.max(1, Math.min(model.maxBatch, Math.floor(model.maxBatchPixels / (H * W))))
}

/**
 * Run `fn` over a batch [B, …] in chunks of at most `maxBatch` items and concatenate the results, so that
 * no network call sees more than `maxBatch` planes.
 */
export async function mapBatches(
  input: PlaneBatch,
  maxBatch: number,
  fn: (chunk: PlaneBatch, start: number) => Promise<PlaneBatch>,
): Promise<PlaneBatch> {
  const [B, C, H, W] = input.dims
  if (B <= maxBatch) return fn(input, 0)
  const item = C * H * W
  let out: Float32Array | null = null
  let outDims: [number, number, number, number] | null = null
  for (let start = 0; start < B; start += maxBatch) {
    const n = Math.min(maxBatch, B - start)
    const chunk = {
      data: input.data.subarray(start * item, (start + n) * item),
      dims: [n, C, H, W],
    } as PlaneBatch
    const res = await fn(chunk, start)
    const resItem = res.data.length / n
    if (!out) {
      out = new Float32Array(B * resItem)
      outDims = [B, res.dims[1], res.dims[2], res.dims[3]]
    }
    out.set(res.data, start * resItem)
  }
  return { data: out!, dims: outDims! }
}
