/**
 * Denoising latent planes larger than the training size as overlapping tiles of the training size
 * (MultiDiffusion, Bar-Tal et al. 2023): ε̂ of a plane is the average of the tiles' ε̂ where they overlap.
 * The alternative to tiles is to give the fully convolutional U-Net the whole plane, whose global attention
 * then sees a larger field than in training; docs/reconstruction.md compares the two at 128³.
 *
 * Tiles are `tile` × `tile` cells at stride `tile − overlap`, the last one flush with the plane's end; a
 * side no longer than `tile` is not split. Each tile position is one network call over all planes of the
 * batch (the same number of planes as the untiled call, each smaller).
 */
import type { LatentDenoiser, PlaneBatch } from './networks'

/** Start offsets of tiles of length `tile` covering [0, n) at the given stride, the last flush with n. */
export function tileStarts(n: number, tile: number, stride: number): number[] {
  if (n <= tile) return [0]
  const starts: number[] = []
  for (let s = 0; s + tile < n; s += stride) starts.push(s)
  starts.push(n - tile)
  return starts
}

export function tiledDenoiser(inner: LatentDenoiser, tile: number, overlap: number): LatentDenoiser {
  if (!(tile > 0)) return inner
  const stride = Math.max(1, tile - Math.max(0, overlap))
  return {
    async predictNoise(zt: PlaneBatch, t: number, cond: Int32Array): Promise<PlaneBatch> {
      const [B, C, H, W] = zt.dims
      if (H <= tile && W <= tile) return inner.predictNoise(zt, t, cond)
      const th = Math.min(tile, H)
      const tw = Math.min(tile, W)
      const sum = new Float32Array(zt.data.length)
      const count = new Float32Array(H * W)
      for (const y0 of tileStarts(H, th, stride)) {
        for (const x0 of tileStarts(W, tw, stride)) {
          const part = new Float32Array(B * C * th * tw)
          for (let bc = 0; bc < B * C; bc++)
            for (let y = 0; y < th; y++) {
              const src = (bc * H + y0 + y) * W + x0
              part.set(zt.data.subarray(src, src + tw), (bc * th + y) * tw)
            }
          const eps = await inner.predictNoise({ data: part, dims: [B, C, th, tw] }, t, cond)
          for (let bc = 0; bc < B * C; bc++)
            for (let y = 0; y < th; y++) {
              const dst = (bc * H + y0 + y) * W + x0
              const off = (bc * th + y) * tw
              for (let x = 0; x < tw; x++) sum[dst + x] += eps.data[off + x]
            }
          for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) count[(y0 + y) * W + x0 + x]++
        }
      }
      const plane = H * W
      for (let i = 0; i < sum.length; i++) sum[i] /= count[i % plane]
      return { data: sum, dims: [B, C, H, W] }
    },
  }
}
