/**
 * `reconstructVolume(bundle, params, control)`: the one entry point the CLI, the app's job process and the
 * benchmarks call. It opens the bundle's ONNX sessions on the chosen execution provider, checks that the
 * denoiser takes the latent plane sizes of the requested shape, runs the pipeline of core/diffusion and
 * returns the labelled volume with everything a run record needs (provider, timings, resolved parameters).
 */
import { UserError } from '../errors'
import { definedOnly } from '../options'
import {
  DEFAULT_PARAMS,
  reconstructWithModel,
  type ReconstructionParams,
  type StageTimings,
  type TransportRefinementRecord,
} from '../diffusion/pipeline'
import type { RunControl } from '../diffusion/progress'
import type { GuidanceRecord } from '../diffusion/guidance'
import { makeVolume, type Shape3, type Volume } from '../volume/volume'
import type { ModelBundle } from './bundle'
import type { OpenedModel } from './onnx-model'
import { acquireBundleModel } from './session-cache'
import type { ProviderChoice, ProviderName } from './providers'
import { trainingFractions, trainingS2, trainingTransportFits } from './stats'
import { fractionCovariance } from './fraction-spread'
import { planeSize, type AxisIndex } from '../diffusion/planes'
import { latentDimsFor } from '../diffusion/pipeline'

export interface ReconstructVolumeParams extends Partial<Omit<ReconstructionParams, 'shape'>> {
  shape: Shape3
  provider?: ProviderChoice
  /** ORT intra-op threads; 0 = one per core. */
  threads?: number
  maxBatch?: number
  maxBatchPixels?: number
}

export type ResolvedParams = ReconstructionParams & {
  provider: ProviderChoice
  threads: number
  maxBatch: number
  maxBatchPixels: number
}

export interface ReconstructVolumeResult {
  volume: Volume
  provider: ProviderName
  /** Providers tried before it and why they were skipped. */
  providerFallbacks: string[]
  timings: StageTimings & { load: number }
  /** True when the ONNX sessions were kept open from an earlier call (then `timings.load` is 0). */
  sessionsReused: boolean
  parameters: ResolvedParams
  model: { id: string; name: string; manifestSha256: string }
  volumeFractions: number[]
  /** The fractions this volume aimed at (drawn from the real spread by default; see `fractions`). */
  targetFractions?: number[]
  /** The transport refinement's record per refined phase (empty when it did not run). */
  transport: TransportRefinementRecord[]
  axisFractions: number[][]
  refineFractions: number[][]
  guidance: GuidanceRecord[]
}

export const DEFAULT_RUN_SETTINGS = {
  provider: 'auto' as ProviderChoice,
  threads: 0,
  maxBatch: 64,
  maxBatchPixels: 64 * 64 * 64,
}

export function resolveParams(params: ReconstructVolumeParams): ResolvedParams {
  const resolved = { ...DEFAULT_PARAMS, ...DEFAULT_RUN_SETTINGS, ...definedOnly(params) } as ResolvedParams
  if (resolved.sampler === 'ddpm' && params.steps === undefined) delete resolved.steps
  return resolved
}

/** A denoiser that cannot take a plane size (e.g. a U-Net whose pooling needs multiples of 4) fails here, clearly. */
async function probePlaneSizes(
  model: OpenedModel,
  params: ResolvedParams,
  probed: Set<string>,
): Promise<void> {
  const dims = latentDimsFor(params.shape, model)
  const sizes = new Set(([0, 1, 2] as AxisIndex[]).map((a) => planeSize(dims, a).join('x')))
  for (const size of sizes) {
    if (probed.has(size)) continue
    const [h, w] = size.split('x').map(Number)
    try {
      await model.denoiser.predictNoise(
        { data: new Float32Array(dims[0] * h * w), dims: [1, dims[0], h, w] },
        0,
        new Int32Array([model.bundle.manifest.conditioning.nullId]),
      )
    } catch {
      throw new UserError(
        `model ${model.bundle.id} cannot denoise latent planes of ${h}×${w} cells (shape ${params.shape.join('x')}); ` +
          `try sides that are multiples of ${model.factor * 4}`,
      )
    }
    probed.add(size)
  }
}

export async function reconstructVolume(
  bundle: ModelBundle,
  params: ReconstructVolumeParams,
  control: RunControl = {},
): Promise<ReconstructVolumeResult> {
  const resolved = resolveParams(params)
  const m = bundle.manifest
  latentDimsFor(resolved.shape, { factor: m.latent.factor, latentChannels: m.latent.channels })
  // Sessions are kept open between calls (session-cache.ts): a job making many volumes opens them once.
  const lent = await acquireBundleModel(bundle, {
    provider: resolved.provider,
    intraOpNumThreads: resolved.threads,
    maxBatch: resolved.maxBatch,
    maxBatchPixels: resolved.maxBatchPixels,
  })
  const model = lent.model
  try {
    await probePlaneSizes(model, resolved, lent.probed)
    const out = await reconstructWithModel(
      model,
      {
        schedule: m.schedule,
        conditioning: m.conditioning,
        trainingFractions: trainingFractions(bundle.stats),
        fractionCovariance: fractionCovariance(bundle.stats, resolved.shape),
        transportFits: trainingTransportFits(bundle.stats),
        trainingS2: trainingS2(bundle.stats),
        trainingLatentSize: bundle.manifest.latent.size,
      },
      resolved,
      control,
    )
    const volume = makeVolume(out.shape, out.labels)
    volume.phases = m.phases.map((p) => ({ id: p.id, name: p.name, color: p.color }))
    return {
      volume,
      provider: model.provider,
      providerFallbacks: model.fallbacks,
      timings: { ...out.timings, load: model.loadSeconds },
      sessionsReused: lent.reused,
      parameters: resolved,
      model: { id: bundle.id, name: m.name, manifestSha256: bundle.manifestSha256 },
      volumeFractions: out.volumeFractions,
      ...(out.targetFractions ? { targetFractions: out.targetFractions } : {}),
      transport: out.transport,
      axisFractions: out.axisFractions,
      refineFractions: out.refineFractions,
      guidance: out.guidance,
    }
  } finally {
    await lent.release()
  }
}
