/**
 * A bundle's four ONNX graphs as a LatentDiffusionModel: one InferenceSession per graph, all on the same
 * execution provider when possible, each checked against its I/O contract when opened. Inputs are wrapped
 * without copying (ORT reads the Float32Array in place); int64 inputs (t, cond) are BigInt64Arrays.
 */
import * as ort from 'onnxruntime-node'
import { UserError, errorMessage } from '../errors'
import type { PlaneBatch, LatentDiffusionModel } from '../diffusion/networks'
import type { ModelBundle } from './bundle'
import { checkGraphContract, GRAPH_CONTRACTS, type GraphName } from './graph-contract'
import { openSession, type ProviderName, type SessionSettings } from './providers'
import path from 'node:path'

export interface OpenedModel extends LatentDiffusionModel {
  bundle: ModelBundle
  /** The execution provider the sessions run on. */
  provider: ProviderName
  /** Providers tried and skipped before it, with ORT's reason. */
  fallbacks: string[]
  /** Seconds spent opening the sessions. */
  loadSeconds: number
  release(): Promise<void>
}

export interface ModelSettings extends SessionSettings {
  /** Largest batch of planes per network call. */
  maxBatch: number
  /** Largest number of voxel-resolution pixels per network call (memory bound). */
  maxBatchPixels: number
}

/** A Float32Array that starts at offset 0 of its own buffer (ORT wraps the whole buffer). */
function own(data: Float32Array): Float32Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice()
}

function tensor4(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', own(data), dims)
}

function toBatch(t: ort.Tensor): PlaneBatch {
  const dims = t.dims
  if (dims.length !== 4) throw new Error(`expected a rank-4 output, got [${dims.join(',')}]`)
  return { data: t.data as Float32Array, dims: [dims[0], dims[1], dims[2], dims[3]] }
}

async function run(
  session: ort.InferenceSession,
  bundleId: string,
  graph: string,
  feeds: Record<string, ort.Tensor>,
  output: string,
): Promise<PlaneBatch> {
  try {
    const result = await session.run(feeds)
    return toBatch(result[output])
  } catch (err) {
    const shapes = Object.entries(feeds)
      .map(([k, v]) => `${k}[${v.dims.join(',')}]`)
      .join(' ')
    throw new UserError(
      `bundle ${bundleId}: ${graph} failed on ${shapes}: ${errorMessage(err).split('\n')[0]}`,
    )
  }
}

/** Open and check the sessions of a bundle. */
export async function openBundleModel(bundle: ModelBundle, settings: ModelSettings): Promise<OpenedModel> {
  const started = performance.now()
  const sessions = {} as Record<GraphName, ort.InferenceSession>
  let provider: ProviderName | undefined
  const fallbacks: string[] = []
  for (const name of Object.keys(GRAPH_CONTRACTS) as GraphName[]) {
    const contract = GRAPH_CONTRACTS[name]
    const opened = await openSession(path.join(bundle.dir, contract.file), settings, provider)
    provider ??= opened.provider
    fallbacks.push(...opened.fallbacks.map((f) => `${contract.file} ${f}`))
    checkGraphContract(opened.session, contract, bundle.id)
    sessions[name] = opened.session
  }
  const m = bundle.manifest
  const id = bundle.id
  return {
    bundle,
    provider: provider!,
    fallbacks,
    loadSeconds: (performance.now() - started) / 1000,
    phases: m.phases.length,
    latentChannels: m.latent.channels,
    factor: m.latent.factor,
    maxBatch: settings.maxBatch,
    maxBatchPixels: settings.maxBatchPixels,
    denoiser: {
      predictNoise: (zt, t, cond) => {
        const B = zt.dims[0]
        const tt = new BigInt64Array(B).fill(BigInt(t))
        const cc = BigInt64Array.from(cond, (c) => BigInt(c))
        return run(
          sessions.denoiser,
          id,
          'denoiser.onnx',
          {
            z_t: tensor4(zt.data, zt.dims),
            t: new ort.Tensor('int64', tt, [B]),
            cond: new ort.Tensor('int64', cc, [B]),
          },
          'eps',
        )
      },
    },
    encoder: {
      encode: (x) => run(sessions.encoder, id, 'encoder.onnx', { x: tensor4(x.data, x.dims) }, 'mu'),
    },
    decoder: {
      decode: (z) => run(sessions.decoder, id, 'decoder.onnx', { z: tensor4(z.data, z.dims) }, 'y'),
    },
    decoderVjp: {
      vjp: (z, v) =>
        run(
          sessions.decoderVjp,
          id,
          'decoder_vjp.onnx',
          { z: tensor4(z.data, z.dims), v: tensor4(v.data, v.dims) },
          'g',
        ),
    },
    release: async () => {
      for (const s of Object.values(sessions)) await s.release()
    },
  }
}
