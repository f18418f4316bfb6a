/**
 * `npm run bench -- reconstruct [--model ID|PATH] [--data DIR] [--size N] [--volumes N] [--sweep-volumes N]
 *  [--configs a,b,…] [--ensemble-only] [--params JSON] [--tag T] [--save DIR] [--first-seed S] [--threads T]
 *  [--no-ddpm]`
 *
 * Speed and quality of reconstruction with a shipped bundle against the real volume it was trained on. The
 * bundle's manifest names the training region (`training.region[0].region.z`: z < 128 of
 * ../shared/data/3d-berea-sandstone, z < 125 of ../shared/data/3d-nmc-cathode-nrel); the rest of the volume
 * along z is the unseen half. For every phase:
 * - per configuration (sampler × steps × n_h × remedy) and per refinement round K ∈ {0, 1, 2, 5}: wall time
 *   per stage, volume fraction (labels) and each axis's decoded fraction (the multi-plane drift),
 *   Micro3Diff S2 error per axis against the training half and the unseen half, lineal-path error against
 *   the training half;
 * - for the default configuration (`--ensemble-only`: only it), an ensemble of `--volumes` volumes (seeds
 *   100, 101, …) with the relative diffusivity of the transport phases along z, y, x, beside the same numbers
 *   for `--volumes` real subvolumes drawn at random from the training half.
 * All curves are non-periodic, r = 0 … N/2. `--params` overrides parameters of the ensemble's configuration
 * (same seeds, for before/after comparisons), `--tag` names the run, `--save DIR` writes each generated
 * volume's labels (uint8) and phase probabilities (float32 [P, Z, Y, X]) there. Besides bench/results/reconstruct.json
 * (written by bench/index.ts), the result goes to bench/results/reconstruct-<bundle>[-<tag>].json, and a
 * partial result is rewritten after every ensemble volume (…partial.json) so a killed run is not lost.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { linealPath, micro3diffError, twoPointCorrelation, volumeFractions } from '../src/core/analysis'
import type { AxisCurves } from '../src/core/analysis'
import { computeTransport } from '../src/core/physics'
import {
  DEFAULT_PARAMS,
  reconstructWithModel,
  type ModelDescription,
  type ReconstructionParams,
} from '../src/core/diffusion/pipeline'
import { resolveBundle } from '../src/core/models/bundle'
import { openBundleModel, type OpenedModel } from '../src/core/models/onnx-model'
import { resolveParams } from '../src/core/models/reconstruct'
import { trainingFractions, trainingS2 } from '../src/core/models/stats'
import { SeededRandom } from '../src/core/diffusion/random'
import { type Axis, cropVolume, makeVolume, type Shape3, type Volume } from '../src/core/volume/volume'
import type { BenchContext } from './index'

const DATA = path.resolve(__dirname, '..', '..', 'shared', 'data')
const RESULTS = path.join(__dirname, 'results')
const ROUNDS = [0, 1, 2, 5]

/** Real volume of each shipped bundle and the phases whose relative diffusivity is measured. */
const DATASETS: Record<string, { dir: string; transportPhases: number[] }> = {
  'berea-sandstone': { dir: '3d-berea-sandstone', transportPhases: [0] },
  'nmc-cathode': { dir: '3d-nmc-cathode-nrel', transportPhases: [0, 1, 2] },
}

interface Config {
  name: string
  params: Partial<ReconstructionParams>
}

/** The configurations compared; `default` is the one the ensemble uses. */
const CONFIGS: Config[] = [
  { name: 'ddpm1000', params: { sampler: 'ddpm', steps: 1000, statsGuidance: 0 } },
  { name: 'ddim250', params: { sampler: 'ddim', steps: 250, statsGuidance: 0 } },
  { name: 'ddim100', params: { sampler: 'ddim', steps: 100, statsGuidance: 0 } },
  { name: 'ddim50', params: { sampler: 'ddim', steps: 50, statsGuidance: 0 } },
  {
    name: 'ddim50-2d-baseline',
    params: { sampler: 'ddim', steps: 50, axisMode: 'z-only', statsGuidance: 0 },
  },
  { name: 'ddim50-nh1', params: { sampler: 'ddim', steps: 50, harmonize: 1, statsGuidance: 0 } },
  { name: 'ddim50-nh2', params: { sampler: 'ddim', steps: 50, harmonize: 2, statsGuidance: 0 } },
  {
    name: 'ddim50-eps-average',
    params: { sampler: 'ddim', steps: 50, axisMode: 'average', statsGuidance: 0 },
  },
  { name: 'ddim50-vf-guided', params: { sampler: 'ddim', steps: 50, statsGuidance: 1 } },
  {
    name: 'ddim50-vf-guided-cap2',
    params: { sampler: 'ddim', steps: 50, statsGuidance: 1, guidanceMaxStep: 2 },
  },
  {
    name: 'ddim50-vf-hard-guided',
    params: { sampler: 'ddim', steps: 50, statsGuidance: 1, guidanceFraction: 'hard' },
  },
  {
    name: 'ddim50-vf-hard-guided-match-fractions',
    params: {
      sampler: 'ddim',
      steps: 50,
      statsGuidance: 1,
      guidanceFraction: 'hard',
      quantise: 'match-fractions',
    },
  },
  { name: 'ddim50-vf-s2-guided', params: { sampler: 'ddim', steps: 50, statsGuidance: 1, s2Weight: 1 } },
  {
    name: 'ddim50-vf-s2-guided-match-fractions',
    params: { sampler: 'ddim', steps: 50, statsGuidance: 1, s2Weight: 1, quantise: 'match-fractions' },
  },
  {
    name: 'ddim50-vf-s2-guided-every2-match-fractions',
    params: {
      sampler: 'ddim',
      steps: 50,
      statsGuidance: 1,
      s2Weight: 1,
      guidanceEvery: 2,
      quantise: 'match-fractions',
    },
  },
  {
    name: 'ddim50-match-fractions',
    params: { sampler: 'ddim', steps: 50, statsGuidance: 0, quantise: 'match-fractions' },
  },
  {
    name: 'ddim50-vf-guided-every2-match-fractions',
    params: { sampler: 'ddim', steps: 50, statsGuidance: 1, guidanceEvery: 2, quantise: 'match-fractions' },
  },
  {
    name: 'ddim50-vf-guided-match-fractions',
    params: { sampler: 'ddim', steps: 50, statsGuidance: 1, quantise: 'match-fractions' },
  },
]

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}

function loadVolume(dir: string): Volume {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { shape: Shape3 }
  return makeVolume(meta.shape, new Uint8Array(readFileSync(path.join(dir, 'volume.raw'))))
}

/** The training half along z named by the bundle's manifest (first region), else the first half. */
function trainingZ(training: unknown, nz: number): [number, number] {
  const z = (training as { region?: { region?: { z?: [number, number] } }[] } | undefined)?.region?.[0]
    ?.region?.z
  return z && z.length === 2 ? [z[0], Math.min(z[1], nz)] : [0, Math.floor(nz / 2)]
}

interface PhaseReference {
  trainS2: AxisCurves
  unseenS2: AxisCurves
  trainLp: AxisCurves
  trainFraction: number
  unseenFraction: number
}

type PerAxis = Record<Axis, number> & { mean: number }

function perAxis(f: (a: Axis) => number): PerAxis {
  const out = { z: f('z'), y: f('y'), x: f('x') } as PerAxis
  out.mean = (out.z + out.y + out.x) / 3
  return out
}

interface PhaseQuality {
  phase: number
  fraction: number
  s2ErrorVsTrain: PerAxis
  s2ErrorVsUnseen: PerAxis
  linealPathErrorVsTrain: PerAxis
  relativeDiffusivity?: PerAxis
  /** Fraction of the phase's voxels in clusters joining both faces (dead ends included). */
  connectedFraction?: PerAxis
}

type Quality = PhaseQuality[]

function quality(vol: Volume, refs: PhaseReference[], maxR: number, transportPhases: number[]): Quality {
  const fractions = volumeFractions(vol)
  return refs.map((ref, phase) => {
    const s2 = twoPointCorrelation(vol, phase, { maxR })
    const lp = linealPath(vol, phase, { maxR })
    const q: PhaseQuality = {
      phase,
      fraction: fractions[phase] ?? 0,
      s2ErrorVsTrain: perAxis((a) => micro3diffError(s2[a], ref.trainS2[a])),
      s2ErrorVsUnseen: perAxis((a) => micro3diffError(s2[a], ref.unseenS2[a])),
      linealPathErrorVsTrain: perAxis((a) => micro3diffError(lp[a], ref.trainLp[a])),
    }
    if (transportPhases.includes(phase)) {
      const t = {
        z: computeTransport(vol, { phase, axis: 'z' }),
        y: computeTransport(vol, { phase, axis: 'y' }),
        x: computeTransport(vol, { phase, axis: 'x' }),
      }
      q.relativeDiffusivity = perAxis((a) => t[a].relativeDiffusivity)
      q.connectedFraction = perAxis((a) => t[a].connectedFraction / Math.max(1e-12, q.fraction))
    }
    return q
  })
}

interface Spread {
  min: number
  median: number
  max: number
  mean: number
}

function stats(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b)
  return {
    min: s[0],
    median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2,
    max: s[s.length - 1],
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
  }
}

const AXIS_KEYS = [
  's2ErrorVsTrain',
  's2ErrorVsUnseen',
  'linealPathErrorVsTrain',
  'relativeDiffusivity',
  'connectedFraction',
] as const

/** min / median / max / mean of each number, per phase, over an ensemble of Quality records. */
function spread(items: Quality[]) {
  if (items.length === 0) return []
  return items[0].map((_, phase) => {
    const ph = items.map((q) => q[phase])
    const out: Record<string, unknown> = { phase, fraction: stats(ph.map((q) => q.fraction)) }
    for (const k of AXIS_KEYS) {
      if (!ph.every((q) => q[k])) continue
      out[k] = Object.fromEntries(
        (['z', 'y', 'x', 'mean'] as const).map((a) => [a, stats(ph.map((q) => q[k]![a]))]),
      )
    }
    // The S2 error averaged over phases and axes (the single number Micro3Diff/MicroLad report).
    return out
  })
}

/** S2 error of a volume averaged over the given phases and the three axes. */
function meanS2Error(q: Quality, phases: number[], key: 's2ErrorVsTrain' | 's2ErrorVsUnseen'): number {
  return phases.reduce((a, p) => a + q[p][key].mean, 0) / phases.length
}

interface RunRecord {
  seed: number
  /** CPU seconds (user + system) of this process for the run: what an idle machine would need in total. */
  cpuSeconds: number
  wallSeconds: number
  timings: { sample: number; decode: number; refine: number; total: number }
  axisDecodeFractions: number[][]
  refineFractions: number[][]
  guidedSteps: number
  rounds: { round: number; refineSeconds: number; quality: Quality }[]
}

async function runConfig(
  model: OpenedModel,
  desc: ModelDescription,
  config: Config,
  shape: Shape3,
  seeds: number[],
  refs: PhaseReference[],
  ensemble: { transportPhases: number[]; checkpoint: (runs: RunRecord[]) => void; save?: string } | undefined,
  log: (m: string) => void,
) {
  const runs: RunRecord[] = []
  // The sweep keeps several refinement rounds of one run; the ensemble runs the configuration as it is.
  const rounds = ensemble ? [config.params.refine ?? DEFAULT_PARAMS.refine] : ROUNDS
  for (const seed of seeds) {
    const params = resolveParams({
      shape,
      seed,
      ...(ensemble ? {} : { refine: Math.max(...ROUNDS), statsGuidance: 0, quantise: 'argmax' as const }),
      ...config.params,
    })
    const cpu0 = process.cpuUsage()
    const w0 = performance.now()
    const out = await reconstructWithModel(
      model,
      desc,
      params,
      {},
      {
        keepRefineRounds: rounds,
        keepProbs: ensemble?.save !== undefined,
      },
    )
    const wall = (performance.now() - w0) / 1000
    const cpu = process.cpuUsage(cpu0)
    if (ensemble?.save) {
      mkdirSync(ensemble.save, { recursive: true })
      writeFileSync(path.join(ensemble.save, `seed${seed}.raw`), out.labels)
      if (out.probs) writeFileSync(path.join(ensemble.save, `seed${seed}.probs.f32`), out.probs)
    }
    const kept = out.roundLabels.map((r) => ({
      round: r.round,
      refineSeconds: r.seconds,
      quality: quality(
        makeVolume(shape, r.labels),
        refs,
        shape[0] / 2,
        ensemble ? ensemble.transportPhases : [],
      ),
    }))
    const last = kept[kept.length - 1].quality
    const minority = last.length > 2 ? last.map((_, p) => p) : [0]
    log(
      `${config.name} seed ${seed}: ${wall.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; ` +
        `fractions ${last.map((q) => q.fraction.toFixed(3)).join('/')}, ` +
        `S2 err ${meanS2Error(last, minority, 's2ErrorVsTrain').toFixed(1)} %` +
        (last.some((q) => q.relativeDiffusivity)
          ? `, D_rel ${last
              .filter((q) => q.relativeDiffusivity)
              .map((q) => `${q.phase}: ${q.relativeDiffusivity!.mean.toFixed(3)}`)
              .join(' ')}`
          : ''),
    )
    runs.push({
      seed,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      wallSeconds: wall,
      timings: out.timings,
      axisDecodeFractions: out.axisFractions,
      refineFractions: out.refineFractions,
      guidedSteps: out.guidance.length,
      rounds: kept,
    })
    ensemble?.checkpoint(runs)
  }
  return summarise(config, runs, rounds)
}

function summarise(config: Config, runs: RunRecord[], rounds: number[]) {
  const byRound = rounds.map((round) => ({
    round,
    refineSeconds:
      runs.reduce((a, r) => a + r.rounds.find((x) => x.round === round)!.refineSeconds, 0) / runs.length,
    phases: spread(runs.map((r) => r.rounds.find((x) => x.round === round)!.quality)),
  }))
  const mean = (f: (r: RunRecord) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length
  const P = runs[0]?.axisDecodeFractions[0]?.length ?? 0
  return {
    name: config.name,
    params: config.params,
    resolved: resolveParams({ shape: [0, 0, 0], ...config.params }),
    volumes: runs.length,
    secondsPerVolume: {
      sample: mean((r) => r.timings.sample),
      decode: mean((r) => r.timings.decode),
      refine: mean((r) => r.timings.refine),
      wall: mean((r) => r.wallSeconds),
      cpuTotal: mean((r) => r.cpuSeconds),
    },
    axisDecodeFractions: [0, 1, 2].map((a) =>
      Array.from({ length: P }, (_, p) => mean((r) => r.axisDecodeFractions[a][p])),
    ),
    byRound,
    runs,
  }
}

/** Wall and CPU milliseconds per call of each network at the batch sizes a 64³ run uses (median of 5). */
async function networkTimings(model: OpenedModel, size: number) {
  const f = model.factor
  const L = size / f
  const C = model.latentChannels
  const P = model.phases
  const rng = new SeededRandom(1)
  const batch = (b: number, c: number, n: number) => ({
    data: rng.fillNormal(new Float32Array(b * c * n * n)),
    dims: [b, c, n, n] as [number, number, number, number],
  })
  const zPlanes = batch(L, C, L)
  const zSlices = batch(size, C, L)
  const ySlices = {
    data: new Float32Array(L * P * size * size).fill(1 / P),
    dims: [L, P, size, size] as [number, number, number, number],
  }
  const xSlices = {
    data: new Float32Array(size * P * size * size).fill(1 / P),
    dims: [size, P, size, size] as [number, number, number, number],
  }
  const cases: [string, () => Promise<unknown>][] = [
    [`denoiser B${L}`, () => model.denoiser.predictNoise(zPlanes, 500, new Int32Array(L))],
    [`decoder B${L}`, () => model.decoder.decode(zPlanes)],
    [`decoder_vjp B${L}`, () => model.decoderVjp!.vjp(zPlanes, ySlices)],
    [`encoder B${size}`, () => model.encoder.encode(xSlices)],
    [`decoder B${size}`, () => model.decoder.decode(zSlices)],
  ]
  const out: Record<string, { wallMs: number; cpuMs: number }> = {}
  for (const [name, call] of cases) {
    await call()
    const wall: number[] = []
    const cpu: number[] = []
    for (let i = 0; i < 5; i++) {
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      await call()
      wall.push(performance.now() - t0)
      const c = process.cpuUsage(c0)
      cpu.push((c.user + c.system) / 1000)
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]
    out[name] = { wallMs: median(wall), cpuMs: median(cpu) }
  }
  return out
}

export default async function reconstructBench(ctx: BenchContext) {
  const args = ctx.args
  const modelRef = arg(args, 'model') ?? 'berea-sandstone'
  const bundle = await resolveBundle(modelRef)
  const known = DATASETS[bundle.id]
  const dataDir = arg(args, 'data') ?? (known ? path.join(DATA, known.dir) : undefined)
  if (!dataDir || !existsSync(path.join(dataDir, 'volume.raw'))) {
    return {
      skipped: `real data for ${bundle.id} not found${dataDir ? ` at ${dataDir}` : ' (use --data DIR)'}`,
    }
  }
  const P = bundle.manifest.phases.length
  const transportPhases = arg(args, 'transport-phases')?.split(',').map(Number) ??
    known?.transportPhases ?? [0]
  const size = Number(arg(args, 'size') ?? 64)
  const ensembleSize = Number(arg(args, 'volumes') ?? 8)
  const sweepVolumes = Number(arg(args, 'sweep-volumes') ?? 2)
  const threads = Number(arg(args, 'threads') ?? 2)
  const ensembleOnly = args.includes('--ensemble-only')
  const only = arg(args, 'configs')?.split(',')
  const defaultName = arg(args, 'default') ?? 'default'
  const overrides = JSON.parse(arg(args, 'params') ?? '{}') as Partial<ReconstructionParams>
  const tag = arg(args, 'tag')
  const save = arg(args, 'save')
  const firstSeed = Number(arg(args, 'first-seed') ?? 100)
  const shape: Shape3 = [size, size, size]
  const name = `reconstruct-${bundle.id}${tag ? `-${tag}` : ''}${size !== 64 ? `-${size}` : ''}`

  // Real references: the training half and the unseen rest along z.
  const real = loadVolume(dataDir)
  const [nz, ny, nx] = real.shape
  const [z0, z1] = trainingZ(bundle.manifest.training, nz)
  const train = cropVolume(real, [z0, 0, 0], [z1 - z0, ny, nx])
  const unseen =
    z1 < nz ? cropVolume(real, [z1, 0, 0], [nz - z1, ny, nx]) : cropVolume(real, [0, 0, 0], [z0, ny, nx])
  const maxR = size / 2
  const trainFractions = volumeFractions(train)
  const unseenFractions = volumeFractions(unseen)
  const refs: PhaseReference[] = Array.from({ length: P }, (_, p) => ({
    trainS2: twoPointCorrelation(train, p, { maxR }),
    unseenS2: twoPointCorrelation(unseen, p, { maxR }),
    trainLp: linealPath(train, p, { maxR }),
    trainFraction: trainFractions[p] ?? 0,
    unseenFraction: unseenFractions[p] ?? 0,
  }))
  const fits = shape.every((n, i) => n <= train.shape[i])
  const rng = new SeededRandom(2024)
  const realItems = fits
    ? Array.from({ length: ensembleSize }, () =>
        quality(
          cropVolume(
            train,
            [rng.integer(train.shape[0] - size + 1), rng.integer(ny - size + 1), rng.integer(nx - size + 1)],
            shape,
          ),
          refs,
          maxR,
          transportPhases,
        ),
      )
    : []
  ctx.log(
    `${bundle.id}: training z ${z0}–${z1}, unseen ${z1}–${nz}; real ${size}³ subvolumes: fractions ` +
      realItems.map((q) => q.map((p) => p.fraction.toFixed(3)).join('/')).join(' '),
  )

  const model = await openBundleModel(bundle, {
    provider: 'cpu',
    intraOpNumThreads: threads,
    maxBatch: 64,
    maxBatchPixels: 64 ** 3,
  })
  const desc: ModelDescription = {
    schedule: bundle.manifest.schedule,
    conditioning: bundle.manifest.conditioning,
    trainingFractions: trainingFractions(bundle.stats),
    trainingS2: trainingS2(bundle.stats),
    trainingLatentSize: bundle.manifest.latent.size,
  }
  const timings = ensembleOnly ? undefined : await networkTimings(model, size)
  if (timings) ctx.log(`network calls: ${JSON.stringify(timings)}`)
  const configs = [{ name: 'default', params: {} }, ...CONFIGS]
    .map((c) => (c.name === defaultName ? { ...c, params: { ...c.params, ...overrides } } : c))
    .filter((c) => (ensembleOnly ? c.name === defaultName : only ? only.includes(c.name) : true))
    .filter((c) => !(args.includes('--no-ddpm') && c.params.sampler === 'ddpm'))
  const header = () => ({
    model: {
      id: bundle.id,
      name: bundle.manifest.name,
      manifestSha256: bundle.manifestSha256,
      training: bundle.manifest.training,
    },
    provider: model.provider,
    threads,
    loadAverage: os.loadavg(),
    networkTimings: timings,
    shape,
    transportPhases,
    trainingStatsFractions: desc.trainingFractions,
    references: {
      trainingZ: [z0, z1],
      unseenZ: [z1, nz],
      trainHalfFractions: trainFractions,
      unseenHalfFractions: unseenFractions,
    },
    realSubvolumes: { count: realItems.length, phases: spread(realItems), items: realItems },
    defaultConfig: defaultName,
    overrides,
  })
  const write = (file: string, result: unknown) => {
    mkdirSync(RESULTS, { recursive: true })
    const machine = {
      hostname: os.hostname(),
      platform: `${os.platform()} ${os.release()}`,
      arch: os.arch(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      date: new Date().toISOString(),
    }
    writeFileSync(
      path.join(RESULTS, file),
      JSON.stringify({ benchmark: 'reconstruct', machine, args, result }, null, 2) + '\n',
    )
  }
  const partial = `${name}.partial.json`
  const results: ReturnType<typeof summarise>[] = []
  for (const config of configs) {
    const isEnsemble = config.name === defaultName
    const count = isEnsemble ? ensembleSize : sweepVolumes
    const seeds = Array.from({ length: count }, (_, i) => firstSeed + i)
    const ensemble = isEnsemble
      ? {
          transportPhases,
          save,
          checkpoint: (runs: RunRecord[]) =>
            write(partial, {
              ...header(),
              configs: [...results, summarise(config, runs, [config.params.refine ?? DEFAULT_PARAMS.refine])],
            }),
        }
      : undefined
    results.push(await runConfig(model, desc, config, shape, seeds, refs, ensemble, ctx.log))
    write(partial, { ...header(), configs: results })
  }
  await model.release()
  const result = { ...header(), configs: results }
  write(`${name}.json`, result)
  rmSync(path.join(RESULTS, partial), { force: true })
  return result
}
