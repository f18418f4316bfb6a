/**
 * `designVolume(bundle, params, control)`: inverse design of a volume toward descriptor and property targets
 * (DESIGN §5.3), the one entry point of the CLI, the app's job and the benchmark. `designWithModel` is the
 * same on any LatentDiffusionModel (tests use small hand-written networks).
 *
 * Start: a labelled volume as one-hot probabilities (from a file, or a fresh reconstruction of the given
 * shape and seed). Then SDS (sds.ts) with one term per target, the terms' losses normalised by their target
 * scale (terms.ts) and weighted by the user's weights (default 1), and argmax quantisation. The report has
 * every term's loss over the steps, the targets' quantities before and after on the labels, and timings.
 */
import { UserError } from '../errors'
import { argmaxPhases, labelFractions } from '../diffusion/decode'
import type { LatentDiffusionModel } from '../diffusion/networks'
import { conditionLabels, DEFAULT_PARAMS, latentDimsFor, type ModelDescription } from '../diffusion/pipeline'
import type { GridDims } from '../diffusion/planes'
import { makeNoiseSchedule } from '../diffusion/schedule'
import type { ModelBundle } from '../models/bundle'
import { openBundleModel } from '../models/onnx-model'
import { definedOnly } from '../options'
import type { ProviderChoice, ProviderName } from '../models/providers'
import { DEFAULT_RUN_SETTINGS, reconstructVolume } from '../models/reconstruct'
import { trainingS2 } from '../models/stats'
import { makeVolume, type Shape3, type Volume } from '../volume/volume'
import { axisTwoPointCorrelation } from '../analysis/two-point'
import { phaseIndicator } from '../analysis/indicator'
import { DiffusivityTerm, type DiffusivitySolve } from './diffusivity-term'
import { measureTargets, targetOutcomes, type Measured, type TargetOutcome } from './measure'
import {
  DEFAULT_SDS_PARAMS,
  runSds,
  type HistoryEntry,
  type SdsControl,
  type SdsParams,
  type VolumeSolver,
  type WeightedTerm,
} from './sds'
import { impliedTextureTarget, type DesignTarget, type TermKind } from './targets'
import { TwoPointVolumeTerm, VolumeFractionVolumeTerm, type VolumeTrackingTerm } from './volume-terms'
import { SurfaceAreaTerm, TwoPointTerm, VolumeFractionTerm, type PhaseS2Curves } from './terms'

export type DesignStart = { volume: Volume } | { shape: Shape3; seed: number }

export interface DesignParams {
  start: DesignStart
  targets: DesignTarget[]
  weights?: Partial<Record<TermKind, number>>
  /** The volume whose S2 an `s2={file}` target aims at (read by the caller). */
  s2Reference?: Volume
  sds?: Partial<SdsParams>
  provider?: ProviderChoice
  threads?: number
}

export interface DesignTimings {
  start: number
  sds: number
  measure: number
  total: number
}

export interface DesignOutput {
  labels: Uint8Array
  shape: Shape3
  history: HistoryEntry[]
  solves: Record<string, DiffusivitySolve[]>
  before: Measured[]
  after: Measured[]
  outcomes: TargetOutcome[]
  fractionsBefore: number[]
  fractionsAfter: number[]
  sds: SdsParams
  timings: Omit<DesignTimings, 'start'>
}

/** One-hot phase probabilities [P, Z, Y, X] of a labelled volume. */
export function oneHot(vol: Volume, phases: number): Float32Array {
  const n = vol.data.length
  const probs = new Float32Array(phases * n)
  for (let i = 0; i < n; i++) {
    const l = vol.data[i]
    if (l >= phases)
      throw new UserError(
        `the start volume has label ${l}, the model has ${phases} phases (0..${phases - 1})`,
      )
    probs[l * n + i] = 1
  }
  return probs
}

/** S2 target curves of every phase of a reference volume: the mean over its axes, used for rows and columns. */
export function referenceS2(vol: Volume, phases: number, maxR: number): PhaseS2Curves[] {
  const axes = (['z', 'y', 'x'] as const).filter((_, i) => vol.shape[i] > 1)
  return Array.from({ length: phases }, (_, phase) => {
    const field = phaseIndicator(vol, phase)
    const R = Math.min(maxR, ...axes.map((a) => vol.shape[['z', 'y', 'x'].indexOf(a)] - 1))
    const mean = new Array<number>(R + 1).fill(0)
    for (const a of axes) {
      axisTwoPointCorrelation(field, vol.shape, a, { maxR: R }).forEach(
        (v, r) => (mean[r] += v / axes.length),
      )
    }
    return { phase, y: mean, x: mean.slice() }
  })
}

/**
 * S2 curves of a phase moved to volume fraction V with their shape kept: the normalised autocovariance
 * c(r) = (S2(r) − φ²) / (φ − φ²), φ = S2(0), is kept and S2'(r) = V² + (V − V²) c(r).
 */
export function rescaleS2(curve: readonly number[], fraction: number): number[] {
  const phi = curve[0]
  const variance = phi - phi * phi
  if (!(variance > 1e-12)) return curve.map(() => fraction * fraction)
  return curve.map(
    (v) => fraction * fraction + (fraction - fraction * fraction) * ((v - phi * phi) / variance),
  )
}

/**
 * The S2 target curves of an s2 target. With volume-fraction targets as well, the curves of those phases
 * (and, with two phases, of the other phase at 1 − V) are moved to the target fractions with their shape
 * kept (rescaleS2): S2(0) is the volume fraction, so the curves as given would contradict the vf target,
 * and `vf:pore=0.28 s2=training` means "training texture at 0.28".
 */
function s2CurvesFor(
  desc: ModelDescription,
  params: DesignParams,
  phases: number,
  imageSize: number,
): PhaseS2Curves[] {
  const t = params.targets.find((x) => x.kind === 's2')
  if (!t || t.kind !== 's2') return []
  let curves: PhaseS2Curves[]
  if (t.source === 'training') {
    if (!desc.trainingS2) throw new UserError("s2=training needs the bundle's training statistics")
    curves = desc.trainingS2.map((c, phase) => ({ phase, y: c.y, x: c.x }))
  } else {
    if (!params.s2Reference) throw new UserError(`s2=${t.source.file}: the reference volume was not read`)
    curves = referenceS2(params.s2Reference, phases, Math.floor(imageSize / 2))
  }
  const fractions = new Map<number, number>()
  for (const v of params.targets) if (v.kind === 'vf') fractions.set(v.phase, v.value)
  if (phases === 2 && fractions.size === 1) {
    const [[phase, value]] = [...fractions]
    fractions.set(1 - phase, 1 - value)
  }
  return curves.map((c) => {
    const v = fractions.get(c.phase)
    return v === undefined ? c : { phase: c.phase, y: rescaleS2(c.y, v), x: rescaleS2(c.x, v) }
  })
}

/** Inverse design of a labelled start volume with a model (see the module comment). */
export async function designWithModel(
  model: LatentDiffusionModel,
  desc: ModelDescription,
  start: Volume,
  params: DesignParams,
  control: SdsControl = {},
): Promise<DesignOutput> {
  const began = performance.now()
  const P = model.phases
  const shape = start.shape
  latentDimsFor(shape, model)
  if (params.targets.length === 0)
    throw new UserError('give at least one --target', { app: 'add at least one target' })
  if (!model.decoderVjp) throw new UserError("inverse design needs the bundle's decoder_vjp graph")
  // Options left undefined by a caller (e.g. a CLI flag not given) keep their defaults.
  const sds: SdsParams = { ...DEFAULT_SDS_PARAMS, ...definedOnly(params.sds ?? {}) }
  const dims: GridDims = [P, shape[0], shape[1], shape[2]]
  const probs = oneHot(start, P)
  const weights = { vf: 1, s2: 1, ssa: 1, diffusivity: 1, ...definedOnly(params.weights ?? {}) }
  const implied = impliedTextureTarget(params.targets, desc.trainingS2 !== undefined, weights.s2)
  const targets = implied ? [...params.targets, implied] : params.targets
  const s2Curves = s2CurvesFor(desc, { ...params, targets }, P, Math.min(shape[1], shape[2]))
  const terms: WeightedTerm[] = []
  const diffusivity: DiffusivityTerm[] = []
  const tracking: VolumeTrackingTerm[] = []
  for (const t of targets) {
    if ('phase' in t && t.phase >= P)
      throw new UserError(`target phase ${t.phase}: the model has ${P} phases`)
    if (t.kind === 'vf') {
      if (sds.residual === 'volume') {
        const term = new VolumeFractionVolumeTerm(t.phase, t.value, probs, dims)
        tracking.push(term)
        terms.push({ term, weight: weights.vf })
      } else terms.push({ term: new VolumeFractionTerm(t.phase, t.value), weight: weights.vf })
    } else if (t.kind === 'ssa')
      terms.push({ term: new SurfaceAreaTerm(t.phase, t.value), weight: weights.ssa })
    else if (t.kind === 's2') {
      if (sds.residual === 'volume') {
        const term = new TwoPointVolumeTerm(s2Curves, probs, dims)
        tracking.push(term)
        terms.push({ term, weight: weights.s2 })
      } else terms.push({ term: new TwoPointTerm(s2Curves), weight: weights.s2 })
    } else {
      const term = new DiffusivityTerm(t.phase, t.axis, t.value, probs, dims, control.signal)
      diffusivity.push(term)
      terms.push({ term, weight: weights.diffusivity })
    }
  }
  const before = measureTargets(start, P, targets, s2Curves)
  const fractionsBefore = labelFractions(start.data, P)
  const schedule = makeNoiseSchedule(desc.schedule)
  const labelsByAxis = conditionLabels(desc, { ...DEFAULT_PARAMS, shape })
  const solvers: VolumeSolver[] = [...tracking, ...diffusivity]
  const t0 = performance.now()
  const history = await runSds({ model, schedule, labelsByAxis }, probs, dims, terms, solvers, sds, control)
  const t1 = performance.now()
  const labels = argmaxPhases(probs, P)
  const result = makeVolume(shape, labels, start.spacing, start.unit)
  const after = measureTargets(result, P, targets, s2Curves)
  const fractionsAfter = labelFractions(labels, P)
  const outcomes = targetOutcomes(targets, before, after, fractionsAfter)
  const t2 = performance.now()
  return {
    labels,
    shape,
    history,
    solves: Object.fromEntries(diffusivity.map((d) => [d.key, d.solves])),
    before,
    after,
    outcomes,
    fractionsBefore,
    fractionsAfter,
    sds,
    timings: { sds: (t1 - t0) / 1000, measure: (t2 - t1 + t0 - began) / 1000, total: (t2 - began) / 1000 },
  }
}

export interface DesignVolumeResult extends Omit<DesignOutput, 'labels' | 'timings'> {
  volume: Volume
  provider: ProviderName
  model: { id: string; name: string; manifestSha256: string }
  timings: DesignTimings & { load: number }
}

/** Inverse design with a bundle: start volume (read or reconstructed), SDS, quantise, report. */
export async function designVolume(
  bundle: ModelBundle,
  params: DesignParams,
  control: SdsControl = {},
): Promise<DesignVolumeResult> {
  const began = performance.now()
  const m = bundle.manifest
  const settings = {
    ...DEFAULT_RUN_SETTINGS,
    ...(params.threads !== undefined ? { threads: params.threads } : {}),
  }
  const provider = params.provider ?? settings.provider
  const start =
    'volume' in params.start
      ? params.start.volume
      : (
          await reconstructVolume(
            bundle,
            { shape: params.start.shape, seed: params.start.seed, provider, threads: settings.threads },
            { signal: control.signal },
          )
        ).volume
  const startSeconds = (performance.now() - began) / 1000
  const model = await openBundleModel(bundle, {
    provider,
    intraOpNumThreads: settings.threads,
    maxBatch: settings.maxBatch,
    maxBatchPixels: settings.maxBatchPixels,
  })
  try {
    const desc: ModelDescription = {
      schedule: m.schedule,
      conditioning: m.conditioning,
      trainingS2: trainingS2(bundle.stats),
    }
    const out = await designWithModel(model, desc, start, params, control)
    const volume = makeVolume(out.shape, out.labels, start.spacing, start.unit)
    volume.phases = m.phases.map((p) => ({ id: p.id, name: p.name, color: p.color }))
    const { labels: _labels, timings, ...rest } = out
    void _labels
    return {
      ...rest,
      volume,
      provider: model.provider,
      model: { id: bundle.id, name: m.name, manifestSha256: bundle.manifestSha256 },
      timings: {
        ...timings,
        start: startSeconds,
        load: model.loadSeconds,
        total: (performance.now() - began) / 1000,
      },
    }
  } finally {
    await model.release()
  }
}
