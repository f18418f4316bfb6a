/**
 * `npm run bench -- reconstruct [--model ID|PATH] [--size N] [--volumes N] [--sweep-volumes N]
 *  [--configs a,b,…] [--threads T] [--no-ddpm]`
 *
 * Speed and quality of reconstruction with a bundle trained on the Berea sandstone's training half (z < 128
 * of ../shared/data/3d-berea-sandstone), against real 64³ subvolumes of that half:
 * - per configuration (sampler × steps × n_h × remedy) and per refinement round K ∈ {0, 1, 2, 5}: wall time
 *   per stage, pore volume fraction (labels) and each axis's decoded fraction (the multi-plane drift),
 *   Micro3Diff S2 error per axis against the training half and the unseen half (z ≥ 128), lineal-path
 *   error against the training half;
 * - for the default configuration, an ensemble of `--volumes` volumes with pore relative diffusivity along
 *   z, y, x, beside the same numbers for `--volumes` real subvolumes drawn from the training half.
 * All curves are of the pore phase (0), non-periodic, r = 0 … N/2.
 */
import { existsSync, readFileSync } from 'node:fs'
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
import { makeVolume, type Axis, type Shape3, type Volume } from '../src/core/volume/volume'
import type { BenchContext } from './index'

const BEREA = path.resolve(__dirname, '..', '..', 'shared', 'data', '3d-berea-sandstone')
const PORE = 0
const ROUNDS = [0, 1, 2, 5]

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

function loadBerea(): Volume {
  const meta = JSON.parse(readFileSync(path.join(BEREA, 'meta.json'), 'utf8')) as { shape: Shape3 }
  return makeVolume(meta.shape, new Uint8Array(readFileSync(path.join(BEREA, 'volume.raw'))))
}

function crop(vol: Volume, z0: number, y0: number, x0: number, shape: Shape3): Volume {
  const [, ny, nx] = vol.shape
  const out = new Uint8Array(shape[0] * shape[1] * shape[2])
  let o = 0
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) {
      const start = ((z0 + z) * ny + y0 + y) * nx + x0
      out.set(vol.data.subarray(start, start + shape[2]), o)
      o += shape[2]
    }
  return makeVolume(shape, out)
}

interface References {
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

interface Quality {
  poreFraction: number
  s2ErrorVsTrain: PerAxis
  s2ErrorVsUnseen: PerAxis
  linealPathErrorVsTrain: PerAxis
  poreRelativeDiffusivity?: PerAxis
}

function quality(vol: Volume, ref: References, maxR: number, diffusivity: boolean): Quality {
  const s2 = twoPointCorrelation(vol, PORE, { maxR })
  const lp = linealPath(vol, PORE, { maxR })
  const q: Quality = {
    poreFraction: volumeFractions(vol)[PORE] ?? 0,
    s2ErrorVsTrain: perAxis((a) => micro3diffError(s2[a], ref.trainS2[a])),
    s2ErrorVsUnseen: perAxis((a) => micro3diffError(s2[a], ref.unseenS2[a])),
    linealPathErrorVsTrain: perAxis((a) => micro3diffError(lp[a], ref.trainLp[a])),
  }
  if (diffusivity)
    q.poreRelativeDiffusivity = perAxis(
      (a) => computeTransport(vol, { phase: PORE, axis: a }).relativeDiffusivity,
    )
  return q
}

/** min / median / max / mean of each numeric leaf over an ensemble of Quality records. */
function spread(items: Quality[]) {
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b)
    return {
      min: s[0],
      median: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2,
      max: s[s.length - 1],
      mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    }
  }
  const keys = [
    's2ErrorVsTrain',
    's2ErrorVsUnseen',
    'linealPathErrorVsTrain',
    'poreRelativeDiffusivity',
  ] as const
  const out: Record<string, unknown> = { poreFraction: stats(items.map((q) => q.poreFraction)) }
  for (const k of keys) {
    if (!items.every((q) => q[k])) continue
    out[k] = Object.fromEntries(
      (['z', 'y', 'x', 'mean'] as const).map((a) => [a, stats(items.map((q) => q[k]![a]))]),
    )
  }
  return out
}

interface RunRecord {
  seed: number
  /** CPU seconds (user + system) of this process for the run: what an idle machine would need in total. */
  cpuSeconds: number
  timings: { sample: number; decode: number; refine: number; total: number }
  axisDecodePoreFraction: number[]
  refinePoreFraction: number[]
  guidedSteps: number
  rounds: { round: number; refineSeconds: number; quality: Quality }[]
}

async function runConfig(
  model: OpenedModel,
  desc: ModelDescription,
  config: Config,
  shape: Shape3,
  seeds: number[],
  ref: References,
  diffusivity: boolean,
  log: (m: string) => void,
) {
  const runs: RunRecord[] = []
  for (const seed of seeds) {
    const params = resolveParams({
      shape,
      seed,
      refine: Math.max(...ROUNDS),
      statsGuidance: 0,
      guidanceEvery: 1,
      quantise: 'argmax',
      ...config.params,
    })
    const cpu0 = process.cpuUsage()
    const out = await reconstructWithModel(model, desc, params, {}, { keepRefineRounds: ROUNDS })
    const cpu = process.cpuUsage(cpu0)
    const rounds = out.roundLabels.map((r) => ({
      round: r.round,
      refineSeconds: r.seconds,
      quality: quality(
        makeVolume(shape, r.labels),
        ref,
        shape[0] / 2,
        diffusivity && r.round === DEFAULT_PARAMS.refine,
      ),
    }))
    const last = rounds[rounds.length - 1].quality
    log(
      `${config.name} seed ${seed}: sample ${out.timings.sample.toFixed(2)} s, decode ${out.timings.decode.toFixed(2)} s, ` +
        `pore ${last.poreFraction.toFixed(3)} (axis decodes ${out.axisFractions.map((f) => f[PORE].toFixed(3)).join('/')}), ` +
        `S2 err ${last.s2ErrorVsTrain.mean.toFixed(1)} %`,
    )
    runs.push({
      seed,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      timings: out.timings,
      axisDecodePoreFraction: out.axisFractions.map((f) => f[PORE]),
      refinePoreFraction: out.refineFractions.map((f) => f[PORE]),
      guidedSteps: out.guidance.length,
      rounds,
    })
  }
  const byRound = ROUNDS.map((round) => ({
    round,
    refineSeconds:
      runs.reduce((a, r) => a + r.rounds.find((x) => x.round === round)!.refineSeconds, 0) / runs.length,
    ...spread(runs.map((r) => r.rounds.find((x) => x.round === round)!.quality)),
  }))
  const mean = (f: (r: RunRecord) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length
  return {
    name: config.name,
    params: config.params,
    volumes: runs.length,
    secondsPerVolume: {
      sample: mean((r) => r.timings.sample),
      decode: mean((r) => r.timings.decode),
      refinePerRound: mean((r) => r.timings.refine) / Math.max(...ROUNDS),
      cpuTotal: mean((r) => r.cpuSeconds),
    },
    axisDecodePoreFraction: [0, 1, 2].map((a) => mean((r) => r.axisDecodePoreFraction[a])),
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
  if (!existsSync(path.join(BEREA, 'volume.raw'))) {
    return { skipped: `real data not found at ${BEREA}` }
  }
  const modelRef = arg(args, 'model') ?? 'berea-sandstone'
  const size = Number(arg(args, 'size') ?? 64)
  const ensemble = Number(arg(args, 'volumes') ?? 8)
  const sweepVolumes = Number(arg(args, 'sweep-volumes') ?? 2)
  const threads = Number(arg(args, 'threads') ?? 2)
  const only = arg(args, 'configs')?.split(',')
  const defaultName = arg(args, 'default') ?? 'ddim50-vf-s2-guided-match-fractions'
  const shape: Shape3 = [size, size, size]

  // Real references: the training half z < 128 and the unseen half z ≥ 128.
  const berea = loadBerea()
  const [nz, ny, nx] = berea.shape
  const half = nz / 2
  const train = crop(berea, 0, 0, 0, [half, ny, nx])
  const unseen = crop(berea, half, 0, 0, [nz - half, ny, nx])
  const maxR = size / 2
  const ref: References = {
    trainS2: twoPointCorrelation(train, PORE, { maxR }),
    unseenS2: twoPointCorrelation(unseen, PORE, { maxR }),
    trainLp: linealPath(train, PORE, { maxR }),
    trainFraction: volumeFractions(train)[PORE],
    unseenFraction: volumeFractions(unseen)[PORE],
  }
  const rng = new SeededRandom(2024)
  const real = Array.from({ length: ensemble }, () =>
    quality(
      crop(
        train,
        rng.integer(half - size + 1),
        rng.integer(ny - size + 1),
        rng.integer(nx - size + 1),
        shape,
      ),
      ref,
      maxR,
      true,
    ),
  )
  ctx.log(`real ${size}³ subvolumes: pore ${real.map((q) => q.poreFraction.toFixed(3)).join(' ')}`)

  const bundle = await resolveBundle(modelRef)
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
  }
  const timings = await networkTimings(model, size)
  ctx.log(`network calls: ${JSON.stringify(timings)}`)
  const configs = CONFIGS.filter((c) => (only ? only.includes(c.name) : true)).filter(
    (c) => !(args.includes('--no-ddpm') && c.params.sampler === 'ddpm'),
  )
  const results = []
  for (const config of configs) {
    const seeds =
      config.name === defaultName
        ? Array.from({ length: ensemble }, (_, i) => 100 + i)
        : Array.from({ length: sweepVolumes }, (_, i) => 100 + i)
    results.push(
      await runConfig(model, desc, config, shape, seeds, ref, config.name === defaultName, ctx.log),
    )
  }
  await model.release()
  return {
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
    trainingStatsPoreFraction: desc.trainingFractions![PORE],
    references: { trainHalfPoreFraction: ref.trainFraction, unseenHalfPoreFraction: ref.unseenFraction },
    realSubvolumes: { count: real.length, ...spread(real), items: real },
    defaultConfig: defaultName,
    configs: results,
  }
}
