/**
 * Job handlers over the science in core: synthetic volumes, descriptors, transport properties and
 * reconstruction. They run inside the job process; results go back as an outcome the runner records.
 */
import { describeVolume } from '../../core/analysis'
import { UserError } from '../../core/errors'
import { readVolume } from '../../core/io'
import { resolveBundle } from '../../core/models/bundle'
import { reconstructVolume } from '../../core/models/reconstruct'
import { designVolume, referenceS2 } from '../../core/design/design-volume'
import type { HistoryEntry, SdsControl } from '../../core/design/sds'
import { trainingS2 } from '../../core/models/stats'
import { parseTarget, parseWeights } from '../../core/design/targets'
import { computeTransport } from '../../core/physics'
import { SYNTH_KINDS, synthesize, type SynthKind } from '../../core/synth'
import { AXES, type Axis, type Shape3 } from '../../core/volume/volume'
import { saveProjectVolume, type JobHandler } from './job-context'

function num(params: Record<string, unknown>, key: string, fallback?: number): number {
  const v = params[key] ?? fallback
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new UserError(`job parameter '${key}' must be a number`)
  return v
}

function optionalNum(params: Record<string, unknown>, key: string): number | undefined {
  return params[key] === undefined || params[key] === null ? undefined : num(params, key)
}

function shapeParam(params: Record<string, unknown>): Shape3 {
  const s = params.shape
  if (Array.isArray(s) && s.length === 3 && s.every((n) => Number.isInteger(n) && n > 0)) return s as Shape3
  const size = num(params, 'size')
  return [size, size, size]
}

/** Read the project volume a measurement job refers to (params.volumeId, resolved by the runner's path). */
async function projectVolume(params: Record<string, unknown>) {
  if (typeof params.volumePath !== 'string') throw new UserError(`job parameter 'volumePath' is missing`)
  return readVolume(params.volumePath)
}

export const synthJob: JobHandler = async (params, ctx) => {
  const kind = params.kind
  if (typeof kind !== 'string' || !(SYNTH_KINDS as readonly string[]).includes(kind)) {
    throw new UserError(`synthetic kind must be one of ${SYNTH_KINDS.join(', ')}`)
  }
  ctx.progress(0.05, `generating ${kind}`)
  const vf = params.vf as number | number[] | undefined
  const vol = synthesize(kind as SynthKind, {
    shape: shapeParam(params),
    vf,
    seed: optionalNum(params, 'seed'),
    radius: optionalNum(params, 'radius'),
  })
  ctx.progress(0.8, 'saving')
  const produced = await saveProjectVolume(ctx, vol, `${kind}`, 'synth')
  return {
    result: { kind, shape: vol.shape },
    volumes: [produced],
    run: { model: null, modelSha256: null, params, seed: optionalNum(params, 'seed') ?? null },
  }
}

export const describeJob: JobHandler = async (params, ctx) => {
  const vol = await projectVolume(params)
  ctx.progress(0.1, 'computing descriptors')
  const description = describeVolume(vol, { periodic: params.periodic === true })
  return {
    result: { phases: description.phases.length },
    measurements: [
      {
        volumeId: num(params, 'volumeId'),
        kind: 'describe',
        params: { periodic: params.periodic === true },
        result: description,
      },
    ],
  }
}

export const propertyJob: JobHandler = async (params, ctx) => {
  const vol = await projectVolume(params)
  const phase = num(params, 'phase')
  const axis = params.axis as Axis
  if (!AXES.includes(axis)) throw new UserError(`job parameter 'axis' must be z, y or x`)
  ctx.progress(0.05, `solving diffusion in phase ${phase} along ${axis}`)
  const result = computeTransport(vol, {
    phase,
    axis,
    periodic: params.periodic === true,
    signal: ctx.signal,
    // Progress by orders of magnitude of the residual gained toward the default tolerance 1e-6.
    onProgress: (p) =>
      ctx.progress(
        Math.min(0.95, 0.05 + (0.9 * Math.log10(1 / Math.max(p.residual, 1e-12))) / 6),
        `iteration ${p.iteration}`,
      ),
  })
  return {
    result,
    measurements: [
      {
        volumeId: num(params, 'volumeId'),
        kind: 'property',
        params: { phase, axis, periodic: params.periodic === true },
        result,
      },
    ],
  }
}

export const reconstructJob: JobHandler = async (params, ctx) => {
  if (typeof params.model !== 'string')
    throw new UserError(`job parameter 'model' must be a bundle id or folder`)
  const bundle = await resolveBundle(params.model, { projectDir: ctx.projectDir })
  const r = await reconstructVolume(
    bundle,
    {
      shape: shapeParam(params),
      seed: optionalNum(params, 'seed'),
      sampler: params.sampler === 'ddpm' || params.sampler === 'ddim' ? params.sampler : undefined,
      steps: optionalNum(params, 'steps'),
      eta: optionalNum(params, 'eta'),
      harmonize: optionalNum(params, 'harmonize'),
      gamma: optionalNum(params, 'gamma'),
      refine: optionalNum(params, 'refine'),
      guidanceWeight: optionalNum(params, 'guidanceWeight'),
      classLabel: optionalNum(params, 'classLabel'),
      threads: ctx.settings.threads,
      provider: (ctx.settings.provider as never) ?? undefined,
    },
    {
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(p.fraction, `${p.stage} ${p.step}/${p.steps}`),
    },
  )
  const produced = await saveProjectVolume(
    ctx,
    r.volume,
    `${r.model.id}-${r.volume.shape.join('x')}`,
    'reconstruct',
    {
      phases: bundle.manifest.phases,
    },
  )
  const summary = {
    provider: r.provider,
    timings: r.timings,
    volumeFractions: r.volumeFractions,
    targetFractions: r.targetFractions,
    transport: r.transport,
    parameters: r.parameters,
  }
  return {
    result: summary,
    volumes: [produced],
    run: {
      model: r.model.id,
      modelSha256: r.model.manifestSha256,
      params: r.parameters,
      seed: r.parameters.seed,
      timings: r.timings,
    },
  }
}

/**
 * Inverse design: params.model, params.targets (the CLI's target strings), optional params.weights
 * (KEY=W strings), params.volumePath (start volume) or params.size/shape + seed, params.steps.
 */
export const designJob: JobHandler = async (params, ctx) => {
  if (typeof params.model !== 'string')
    throw new UserError(`job parameter 'model' must be a bundle id or folder`)
  const strings = (key: string): string[] => {
    const v = params[key] ?? []
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
      throw new UserError(`job parameter '${key}' must be a list of strings`)
    return v
  }
  const bundle = await resolveBundle(params.model, { projectDir: ctx.projectDir })
  const targets = strings('targets').map((t) =>
    parseTarget(
      t,
      bundle.manifest.phases.map((p) => p.name),
    ),
  )
  const s2 = targets.find((t) => t.kind === 's2')
  const seed = optionalNum(params, 'seed') ?? 0
  const s2Reference =
    s2?.kind === 's2' && s2.source !== 'training' ? await readVolume(s2.source.file) : undefined
  // Live loss curves: each history entry goes to the app as it is logged (the `job.history` event).
  const control: SdsControl & { onHistory?: (entry: HistoryEntry) => void } = {
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p.fraction, `${p.stage} ${p.step}/${p.steps}`),
    onHistory: (e) =>
      ctx.history([{ step: e.step, seconds: e.seconds, losses: e.losses, measures: e.measures }]),
  }
  const r = await designVolume(
    bundle,
    {
      start:
        typeof params.volumePath === 'string'
          ? { volume: await readVolume(params.volumePath) }
          : { shape: shapeParam(params), seed },
      targets,
      weights: parseWeights(strings('weights')),
      s2Reference,
      sds: { steps: optionalNum(params, 'steps'), batch: optionalNum(params, 'batch'), seed },
      threads: ctx.settings.threads,
      provider: (ctx.settings.provider as never) ?? undefined,
    },
    control,
  )
  const produced = await saveProjectVolume(ctx, r.volume, `${r.model.id}-design`, 'design', {
    phases: bundle.manifest.phases,
  })
  const summary = { provider: r.provider, timings: r.timings, targets: r.outcomes, history: r.history }
  // What Results shows beside the volume: the targets, before/after and why a target was not reached, and
  // the S2 curves aimed at (and the bundle's training curves) per phase along rows (y) and columns (x).
  const training = trainingS2(bundle.stats)
  const design = {
    targets: strings('targets'),
    weights: strings('weights'),
    outcomes: r.outcomes,
    before: r.before,
    after: r.after,
    fractionsBefore: r.fractionsBefore,
    fractionsAfter: r.fractionsAfter,
    s2Target: s2
      ? s2Reference
        ? referenceS2(
            s2Reference,
            bundle.manifest.phases.length,
            Math.floor(Math.min(r.volume.shape[1], r.volume.shape[2]) / 2),
          ).map(({ phase, y, x }) => ({ phase, y, x }))
        : training.map((c, phase) => ({ phase, ...c }))
      : null,
    trainingS2: training.map((c, phase) => ({ phase, ...c })),
    sds: r.sds,
  }
  return {
    result: summary,
    volumes: [produced],
    measurements: [{ volumeIndex: 0, kind: 'design', params: { targets: design.targets }, result: design }],
    run: {
      model: r.model.id,
      modelSha256: r.model.manifestSha256,
      params: r.sds,
      seed,
      targets: design.targets,
      timings: r.timings,
    },
  }
}
