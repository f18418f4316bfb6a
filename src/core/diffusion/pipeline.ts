/**
 * The reconstruction pipeline of DESIGN §5.2 on any LatentDiffusionModel: multi-plane sampling of a latent
 * grid, three-axis decode, K refinement rounds, argmax. Model loading (ONNX bundles) is in core/models;
 * this module only needs the networks, the schedule and what the bundle says about conditioning and its
 * training statistics.
 *
 * Sizes: a volume Z×Y×X needs every side divisible by the latent factor f; its latent grid is
 * [C, Z/f, Y/f, X/f] and the denoiser sees planes of (Y/f × X/f), (Z/f × X/f) and (Z/f × Y/f) latent cells,
 * so volumes larger than the training images are made by denoising larger latent planes (the networks are
 * fully convolutional). Memory: the latent grid, one [P, Z, Y, X] probability volume (two during
 * refinement) and at most `maxBatch` planes or `maxBatchPixels` voxels inside a network at a time.
 */
import { UserError } from '../errors'
import type { Shape3 } from '../volume/volume'
import {
  argmaxPhases,
  batchesPerRound,
  decodeThreeAxes,
  fractionMatchedLabels,
  hysteresisLabels,
  labelFractions,
  refineRound,
} from './decode'
import {
  DecodedLatentGuidance,
  TwoPointLoss,
  VolumeFractionLoss,
  type GuidanceRecord,
  type PlaneS2Target,
  type WeightedLoss,
} from './guidance'
import { MultiPlaneSampler, type AxisMode } from './multi-plane-sampler'
import { tiledDenoiser } from './tiled-denoiser'
import { batchSizeFor, type LatentDiffusionModel } from './networks'
import { planeSize, type GridDims } from './planes'
import { SeededRandom } from './random'
import { makeSampler, type SamplerKind } from './samplers'
import { makeNoiseSchedule, type NoiseScheduleSpec } from './schedule'
import { drawTargetFractions } from './target-fractions'
import { refineTransport } from './transport-refinement'
import type { TransportFit } from '../models/stats'
import { ProgressTracker, type RunControl } from './progress'

export interface ReconstructionParams {
  shape: Shape3
  seed: number
  sampler: SamplerKind
  /** Reverse steps (DDPM defaults to T, DDIM to 50). */
  steps?: number
  /** DDIM η. */
  eta: number
  /** Harmonizing passes per step n_h. */
  harmonize: number
  /** Blend of harmonized and unharmonized inputs γ (plane-conditioned models). */
  gamma: number
  /** Refinement rounds K. */
  refine: number
  /** Classifier-free guidance weight ω (conditioned bundles). */
  guidanceWeight: number
  /** Class id for class-conditioned bundles. */
  classLabel?: number
  axisMode: AxisMode
  /**
   * Strength κ of the guidance of x̂0 toward the training statistics (0 = off; needs decoder_vjp and
   * stats.json): the fraction of the Polyak step taken on the volume-fraction (+ S2) loss at every step.
   */
  statsGuidance: number
  /** Weight of the S2 term in that guidance (0 = volume fraction only). */
  s2Weight: number
  /** Guide only at timesteps t ≥ this (0 = every step). */
  guidanceMinT: number
  /** Guide at every n-th reverse step only (1 = every step). */
  guidanceEvery: number
  /** Guide the argmax ('hard', straight-through) or the mean-probability ('soft') fraction of the decode. */
  guidanceFraction: 'soft' | 'hard'
  /** Cap on the RMS per latent element of one guidance step (the Polyak step explodes where the decoder saturates). */
  guidanceMaxStep: number
  /**
   * The volume's own target phase fractions, aimed at by the fraction guidance and by 'match-fractions':
   * 'sampled' (default) draws them from the spread of real subvolumes of this size around the training
   * fractions (`ModelDescription.fractionCovariance`, seeded by `seed`), so an ensemble varies as real
   * subvolumes do; 'training' pins every volume to the training fractions; or explicit fractions per phase.
   */
  fractions: FractionTarget
  /**
   * Quantisation of the phase probabilities: 'argmax', or 'match-fractions' (biased argmax whose phase
   * fractions equal the volume's target fractions, see `fractions`).
   */
  quantise: Quantiser
  /**
   * 'match-fractions' with two phases: the fraction of the minority phase's voxels that seed its
   * fraction-matched hysteresis growth (`hysteresisLabels`; 1 = the plain quantile threshold; −1 = auto:
   * the plain threshold when the transport refinement runs, which supplies the connectivity, else 0.05).
   */
  hysteresisSeeds: number
  /**
   * Refine the connectivity of two-phase volumes toward the D_rel that real subvolumes of the same phase
   * fraction have (transport-refinement.ts), for the phases the bundle has a transport fit for.
   */
  transportRefinement: boolean
  /**
   * Denoise latent planes larger than this many cells as overlapping tiles of this size, with `tileOverlap`
   * cells of overlap: 0 = whole planes, −1 (default) = tiles of the training size (`trainingLatentSize`;
   * whole planes when it is unknown). Measured at 128³ in docs/reconstruction.md.
   */
  tile: number
  tileOverlap: number
}

export type Quantiser = 'argmax' | 'match-fractions'
export type FractionTarget = 'sampled' | 'training' | number[]

/** What the pipeline needs to know about the model beyond its networks (from the bundle manifest/stats). */
export interface ModelDescription {
  schedule: NoiseScheduleSpec
  conditioning: { kind: 'none' | 'plane' | 'class'; labels: string[]; nullId: number }
  /** Training volume fraction per phase, when the bundle's statistics have it. */
  trainingFractions?: number[]
  /**
   * Covariance [P][P] of the phase fractions of real subvolumes of the requested shape (core/models/
   * fraction-spread.ts), for `fractions: 'sampled'`; without it every volume aims at the training fractions.
   */
  fractionCovariance?: number[][]
  /** Training S2 curves along a plane's rows (y) and columns (x), per phase. */
  trainingS2?: { y: number[]; x: number[] }[]
  /** D_rel-versus-fraction fits from the bundle's 3D training data (core/models/stats.ts). */
  transportFits?: TransportFit[]
  /** Side of the latent planes the denoiser was trained on (the bundle's latent.size), for `tile: -1`. */
  trainingLatentSize?: number
}

export interface StageTimings {
  sample: number
  decode: number
  refine: number
  quantise: number
  total: number
}

export interface ReconstructionOutput {
  shape: Shape3
  labels: Uint8Array
  /** Seconds per stage. */
  timings: StageTimings
  /** Fraction of voxels per phase in the labels. */
  volumeFractions: number[]
  /** The volume's target fractions (see `ReconstructionParams.fractions`), when the run had one. */
  targetFractions?: number[]
  /** What the transport refinement did, per refined phase. */
  transport: TransportRefinementRecord[]
  /** Mean phase probabilities of each axis's decode (z, y, x): how far each plane family drifted. */
  axisFractions: number[][]
  /** Mean phase probabilities after each refinement round. */
  refineFractions: number[][]
  /** Decoded x̂0 fractions and loss values seen by the statistics guidance, one entry per guided batch. */
  guidance: GuidanceRecord[]
  /** Labels after the refinement rounds listed in `keepRefineRounds` (0 = before refinement). */
  roundLabels: { round: number; labels: Uint8Array; seconds: number }[]
  /** The phase probabilities [P, Z, Y, X] that were quantised (only with `keepProbs`). */
  probs?: Float32Array
}

export interface TransportRefinementRecord {
  phase: number
  /** D_rel (mean over axes) aimed at: the bundle's fit at this volume's phase fraction. */
  target: number
  /** D_rel before (the first three solves) and as last measured. */
  before: number
  after: number
  swappedVoxels: number
  solves: number
}

export interface PipelineOptions {
  /** Also return the argmax labels after these refinement rounds (0 = straight after decoding). */
  keepRefineRounds?: number[]
  /** Also return the final phase probabilities (benchmarks, quantisation studies). */
  keepProbs?: boolean
}

/**
 * Defaults, chosen from the Berea measurements (docs/reconstruction.md): DDIM 50 with the axes cycling,
 * guidance toward the training volume fraction and S2 at every step, one refinement round (more rounds
 * erode the pores), fraction-matched quantisation, for two phases as hysteresis grown from the top 5 % of
 * the minority voxels (better connected pores: S2, lineal-path error and pore D_rel all improve).
 */
export const DEFAULT_PARAMS: Omit<ReconstructionParams, 'shape'> = {
  seed: 0,
  sampler: 'ddim',
  steps: 50,
  eta: 0,
  harmonize: 0,
  gamma: 1,
  refine: 1,
  guidanceWeight: 1,
  axisMode: 'cycle',
  statsGuidance: 1,
  s2Weight: 1,
  guidanceMinT: 0,
  guidanceEvery: 1,
  guidanceMaxStep: 0.5,
  guidanceFraction: 'soft',
  fractions: 'sampled',
  quantise: 'match-fractions',
  hysteresisSeeds: -1,
  transportRefinement: true,
  tile: -1,
  tileOverlap: 8,
}

/** The latent grid dims [C, Z/f, Y/f, X/f] of a volume shape, or a UserError saying which side does not fit. */
export function latentDimsFor(
  shape: Shape3,
  model: Pick<LatentDiffusionModel, 'factor' | 'latentChannels'>,
): GridDims {
  const f = model.factor
  shape.forEach((n, i) => {
    if (!Number.isInteger(n) || n < f || n % f !== 0) {
      throw new UserError(
        `volume side ${'zyx'[i]} = ${n} must be a positive multiple of the model's latent factor ${f}`,
      )
    }
  })
  return [model.latentChannels, shape[0] / f, shape[1] / f, shape[2] / f]
}

/** Condition ids per axis (z, y, x): plane labels xy, xz, yz; the class label; or the null id. */
export function conditionLabels(
  desc: ModelDescription,
  params: ReconstructionParams,
): [number, number, number] {
  const { kind, labels, nullId } = desc.conditioning
  if (kind === 'plane') {
    const ids = ['xy', 'xz', 'yz'].map((name) => labels.indexOf(name))
    if (ids.some((i) => i < 0))
      throw new UserError(
        `plane-conditioned bundle must label the planes xy, xz and yz (has ${labels.join(', ')})`,
      )
    return ids as [number, number, number]
  }
  if (kind === 'class') {
    const c = params.classLabel
    if (c === undefined) return [nullId, nullId, nullId]
    if (!Number.isInteger(c) || c < 0 || c >= labels.length) {
      throw new UserError(`class label must be 0..${labels.length - 1} (${labels.join(', ')}), got ${c}`)
    }
    return [c, c, c]
  }
  return [nullId, nullId, nullId]
}

/**
 * The statistics guidance a run asks for: the volume-fraction loss, plus (s2Weight > 0) the S2 loss of
 * every phase but the most abundant one (for two phases the two S2 curves carry the same information).
 */
export function statsGuidanceFor(
  model: LatentDiffusionModel,
  desc: ModelDescription,
  params: ReconstructionParams,
  targets = targetFractions(desc, params, model.phases),
): DecodedLatentGuidance | undefined {
  if (!(params.statsGuidance > 0)) return undefined
  if (!model.decoderVjp)
    throw new UserError("statistics guidance needs the bundle's decoder_vjp graph; set it to 0")
  const fractions = desc.trainingFractions
  if (!fractions || !targets)
    throw new UserError('statistics guidance needs training fractions in stats.json; set it to 0')
  const losses: WeightedLoss[] = [
    { loss: new VolumeFractionLoss(targets, params.guidanceFraction === 'hard'), weight: 1 },
  ]
  if (params.s2Weight > 0) {
    if (!desc.trainingS2)
      throw new UserError('S2 guidance needs S2 curves in stats.json; set its weight to 0')
    const majority = fractions.indexOf(Math.max(...fractions))
    const targets: PlaneS2Target[] = desc.trainingS2
      .map((c, phase) => ({ phase, y: c.y, x: c.x }))
      .filter((t) => t.phase !== majority)
    losses.push({ loss: new TwoPointLoss(targets), weight: params.s2Weight })
  }
  return new DecodedLatentGuidance(
    model.decoder,
    model.decoderVjp,
    losses,
    params.statsGuidance,
    params.guidanceMinT,
    params.guidanceMaxStep,
    params.guidanceEvery,
  )
}

/**
 * The volume's target fractions (`ReconstructionParams.fractions`): explicit ones checked, 'training' the
 * bundle's, 'sampled' drawn from `desc.fractionCovariance` with a seed derived from the run's seed (the
 * training fractions when the bundle has no spread). Undefined when the bundle has no training fractions.
 */
export function targetFractions(
  desc: ModelDescription,
  params: Pick<ReconstructionParams, 'fractions' | 'seed'>,
  phases: number,
): number[] | undefined {
  const f = params.fractions
  if (Array.isArray(f)) {
    const sum = f.reduce((a, b) => a + b, 0)
    if (f.length !== phases || f.some((v) => !(v > 0 && v < 1)) || Math.abs(sum - 1) > 1e-3) {
      throw new UserError(
        `target fractions must be ${phases} numbers in (0, 1) that sum to 1, got ${f.join(', ')}`,
      )
    }
    return f.map((v) => v / sum)
  }
  const mean = desc.trainingFractions
  if (!mean || f === 'training' || !desc.fractionCovariance) return mean
  return drawTargetFractions(mean, desc.fractionCovariance, FRACTION_SEED_OFFSET + params.seed)
}

/** Offsets the target-fraction draw from the sampler's noise stream (both are seeded by the run's seed). */
const FRACTION_SEED_OFFSET = 0x5f3759df

/** The transport fits the refinement will use: two-phase volumes, when asked for and the bundle has them. */
function transportFitsFor(
  desc: ModelDescription,
  params: ReconstructionParams,
  phases: number,
): TransportFit[] {
  if (!params.transportRefinement || phases !== 2) return []
  return (desc.transportFits ?? []).filter((f) => f.phase < phases)
}

function quantiser(
  params: ReconstructionParams,
  targets: number[] | undefined,
  phases: number,
  refining: boolean,
): (p: Float32Array) => Uint8Array {
  if (params.quantise === 'argmax') return (p) => argmaxPhases(p, phases)
  if (!targets) throw new UserError("'match-fractions' quantisation needs training fractions in stats.json")
  const minority = targets.indexOf(Math.min(...targets))
  const seeds = params.hysteresisSeeds >= 0 ? params.hysteresisSeeds : refining ? 1 : 0.05
  if (phases === 2 && seeds < 1) {
    const dims: [number, number, number] = [params.shape[0], params.shape[1], params.shape[2]]
    return (p) => {
      // hysteresisLabels grows phase 0: give it the minority phase's probabilities first.
      const ordered = minority === 0 ? p : p.slice(p.length / 2)
      const labels = hysteresisLabels(ordered, dims, targets[minority], seeds)
      if (minority !== 0) for (let i = 0; i < labels.length; i++) labels[i] = 1 - labels[i]
      return labels
    }
  }
  return (p) => fractionMatchedLabels(p, targets)
}

/** The tile side for the denoiser (0 = whole planes). */
export function tileSize(params: Pick<ReconstructionParams, 'tile'>, desc: ModelDescription): number {
  return params.tile < 0 ? (desc.trainingLatentSize ?? 0) : params.tile
}

export async function reconstructWithModel(
  model: LatentDiffusionModel,
  desc: ModelDescription,
  params: ReconstructionParams,
  control: RunControl = {},
  options: PipelineOptions = {},
): Promise<ReconstructionOutput> {
  const t0 = performance.now()
  const latentDims = latentDimsFor(params.shape, model)
  const schedule = makeNoiseSchedule(desc.schedule)
  const sampler = makeSampler(schedule, { kind: params.sampler, steps: params.steps, eta: params.eta })
  const labelsByAxis = conditionLabels(desc, params)
  const targets = targetFractions(desc, params, model.phases)
  const fits = transportFitsFor(desc, params, model.phases)
  const quantise = quantiser(params, targets, model.phases, fits.length > 0)
  const rng = new SeededRandom(params.seed)

  const guidance = statsGuidanceFor(model, desc, params, targets)

  // One batch size for the latent planes of every axis: the one that fits the largest plane.
  const f = model.factor
  const largest = Math.max(
    ...([0, 1, 2] as const).map((a) => planeSize(latentDims, a).reduce((x, y) => x * y)),
  )
  const latentBatch = batchSizeFor(model, largest * f * f, 1)
  // Progress units: network batches, weighted by how many networks each runs through.
  const decodeBatches = batchesPerRound(model, latentDims, f)
  const meanBatches = decodeBatches / 3
  const cfg = labelsByAxis.some((l) => l !== desc.conditioning.nullId) && params.guidanceWeight !== 1 ? 2 : 1
  const guided = guidance ? 2 / params.guidanceEvery : 0
  const perPass = meanBatches * (cfg * (params.axisMode === 'average' ? 3 : 1) + guided)
  const mp = new MultiPlaneSampler(
    tiledDenoiser(model.denoiser, tileSize(params, desc), params.tileOverlap),
    {
      sampler,
      rng,
      harmonize: params.harmonize,
      gamma: params.gamma,
      axisMode: params.axisMode,
      conditioning: { labelsByAxis, nullId: desc.conditioning.nullId, weight: params.guidanceWeight },
      guidance,
      maxBatch: latentBatch,
      onPass: (pass, passes) => tracker.advance('sample', pass, passes, perPass),
    },
  )
  const voxelDims: GridDims = [model.phases, params.shape[0], params.shape[1], params.shape[2]]
  const refineBatches = batchesPerRound(model, voxelDims)
  const totalUnits = mp.passes * perPass + decodeBatches + params.refine * refineBatches * 2
  const tracker = new ProgressTracker(totalUnits, control)
  tracker.check()

  const latent = await mp.sample(latentDims)
  const t1 = performance.now()

  let decodeStep = 0
  const decoded = await decodeThreeAxes(model, latent, latentDims, () =>
    tracker.advance('decode', ++decodeStep, decodeBatches, 1),
  )
  const t2 = performance.now()

  let probs = decoded.probs
  const keep = new Set(options.keepRefineRounds ?? [])
  const roundLabels: ReconstructionOutput['roundLabels'] = []
  if (keep.has(0)) roundLabels.push({ round: 0, labels: quantise(probs), seconds: 0 })
  const refineFractions: number[][] = []
  const voxels = params.shape[0] * params.shape[1] * params.shape[2]
  for (let k = 0; k < params.refine; k++) {
    probs = await refineRound(model, probs, voxelDims, () =>
      tracker.advance('refine', k + 1, params.refine, 2),
    )
    const fr: number[] = []
    for (let p = 0; p < model.phases; p++) {
      let s = 0
      for (let i = p * voxels; i < (p + 1) * voxels; i++) s += probs[i]
      fr.push(s / voxels)
    }
    refineFractions.push(fr)
    if (keep.has(k + 1)) {
      roundLabels.push({
        round: k + 1,
        labels: quantise(probs),
        seconds: (performance.now() - t2) / 1000,
      })
    }
  }
  const t3 = performance.now()

  let labels = quantise(probs)
  const transport: TransportRefinementRecord[] = []
  for (const fit of fits) {
    const fraction = labelFractions(labels, model.phases)[fit.phase]
    if (!(fraction > 0 && fraction < 1)) continue
    const target = Math.exp(fit.intercept + fit.slope * Math.log(fraction))
    const refined = refineTransport(
      labels,
      params.shape,
      probs.subarray(fit.phase * voxels, (fit.phase + 1) * voxels),
      { phase: fit.phase, relativeDiffusivity: target },
    )
    labels = refined.labels
    transport.push({
      phase: fit.phase,
      target,
      before: refined.before,
      after: refined.relativeDiffusivity,
      swappedVoxels: refined.swapped,
      solves: refined.history.length,
    })
  }
  const t4 = performance.now()
  tracker.advance('quantise', 1, 1, 0)
  const s = (a: number, b: number) => (b - a) / 1000
  return {
    shape: params.shape,
    labels,
    timings: {
      sample: s(t0, t1),
      decode: s(t1, t2),
      refine: s(t2, t3),
      quantise: s(t3, t4),
      total: s(t0, t4),
    },
    volumeFractions: labelFractions(labels, model.phases),
    ...(targets ? { targetFractions: targets } : {}),
    transport,
    axisFractions: decoded.axisFractions,
    refineFractions,
    guidance: guidance?.records ?? [],
    roundLabels,
    ...(options.keepProbs ? { probs } : {}),
  }
}
