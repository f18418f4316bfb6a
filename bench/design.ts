/**
 * `npm run bench -- design [--steps N] [--seeds a,b,c] [--scenarios a,b] [--real N] [--no-compare]`: the
 * inverse-design bars on the shipped Berea bundle at 64³ (docs/design.md, "Measured"). When the bundle is
 * not installed, the untrained toy test bundle at 16³ runs the same scenarios (timings only).
 *
 * Per seed, the start is the plain reconstruction of that seed (the defaults: volume-fraction + S2
 * guidance, fraction-matched quantisation) and the design runs with the same seed:
 * 1. `vf:pore=0.28` as users run it ('vf+s2': the vf target implies `s2=training`, the training texture
 *    moved to the target fraction, design-volume.ts rescaleS2) and with that turned off ('vf': `--weight
 *    s2=0`): pore fraction after, and whether the normalised S2 shape stays inside
 *    the spread of real 64³ subvolumes of the training half (z < 128 of ../shared/data/3d-berea-sandstone);
 * 2. `s2=training`: Micro3Diff S2 error (pore, the worst phase) of the start and of the design against the
 *    bundle's training statistics, and their ratio; with `--compare` (default) also the previous algorithm
 *    (batch-level residuals, κ = 0.5) on the same seeds;
 * 3. `diffusivity:pore:z=0.10`: D_rel along z on the final labels (3D solve), pore fraction, S2 shape;
 * 4. for every run: steps, wall and process CPU seconds of SDS and of the whole design, and the load
 *    average before and after.
 *
 * Normalised S2 shape: the autocovariance normalised to 1 at r = 0, c(r) = (S2(r) − φ²) / (φ − φ²), which
 * removes both the level S2(0) = φ and the tail S2(∞) = φ² (S2(r)/S2(0) alone tends to φ, so it differs
 * between volumes of different fractions even when their texture is the same). Per volume the mean over
 * the three axes, r = 0 … 32. The envelope is the min and max over the real subvolumes (32 by default) at
 * each r; a volume is inside when every lag is within it (the largest excursion outside is reported too).
 * With only 10 subvolumes the envelope is too narrow at r = 16–18: the training statistics' own curve lies
 * outside it there.
 */
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { BenchContext } from './index'
import { loadBundle } from '../src/core/models/bundle'
import { reconstructVolume } from '../src/core/models/reconstruct'
import { trainingS2 } from '../src/core/models/stats'
import { designVolume, type DesignVolumeResult } from '../src/core/design/design-volume'
import { phaseS2ErrorPercent, type TargetOutcome } from '../src/core/design/measure'
import { parseTarget } from '../src/core/design/targets'
import type { SdsParams } from '../src/core/design/sds'
import type { TermKind } from '../src/core/design/targets'
import { axisTwoPointCorrelation } from '../src/core/analysis/two-point'
import { phaseIndicator } from '../src/core/analysis/indicator'
import { labelFractions } from '../src/core/diffusion/decode'
import { SeededRandom } from '../src/core/diffusion/random'
import { AXES, cropVolume, makeVolume, type Shape3, type Volume } from '../src/core/volume/volume'

const BEREA_DATA = path.resolve(__dirname, '..', '..', 'shared', 'data', '3d-berea-sandstone')
const PORE = 0

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}

/** c(r) = (S2(r) − φ²)/(φ − φ²) of a phase, mean over the three axes, r = 0 … maxR. */
export function normalisedCovariance(vol: Volume, phase: number, maxR: number): number[] {
  const field = phaseIndicator(vol, phase)
  const phi = labelFractions(vol.data, Math.max(phase + 1, 2))[phase]
  const mean = new Array<number>(maxR + 1).fill(0)
  for (const axis of AXES) {
    const s2 = axisTwoPointCorrelation(field, vol.shape, axis, { maxR })
    s2.forEach((v, r) => (mean[r] += (v - phi * phi) / Math.max(phi - phi * phi, 1e-12) / 3))
  }
  return mean
}

interface Envelope {
  min: number[]
  max: number[]
}

function shapeCheck(curve: number[], env: Envelope) {
  let outside = 0
  let worst = 0
  curve.forEach((v, r) => {
    const excess = Math.max(env.min[r] - v, v - env.max[r], 0)
    if (excess > 1e-9) outside++ // r = 0 is 1 for every volume, but for rounding
    worst = Math.max(worst, excess)
  })
  return { inside: outside === 0, lagsOutside: outside, maxExcursion: worst }
}

const round = (v: number, d = 4) => Number(v.toFixed(d))

interface Described {
  poreFraction: number
  s2ErrorPore: number
  s2ErrorSolid: number | null
  shape: ReturnType<typeof shapeCheck> | null
  covariance: number[]
}

interface Run {
  scenario: string
  targets: string[]
  sds: Partial<SdsParams>
  seed: number
  steps: number
  outcomes: TargetOutcome[]
  start: Described
  result: Described
  solves: number
  seconds: { sds: number; design: number }
  cpuSeconds: number
  loadAverage: { before: number[]; after: number[] }
  history: Record<string, number>[]
}

export default async function bench(ctx: BenchContext) {
  const args = ctx.args
  const steps = Number(arg(args, 'steps') ?? 500)
  const seeds = (arg(args, 'seeds') ?? '0,1,2').split(',').map(Number)
  const realCount = Number(arg(args, 'real') ?? 32)
  const compare = !args.includes('--no-compare')
  // Only these scenarios (names as below: vf, vf+s2, s2, s2-previous, diffusivity); all by default.
  const only = arg(args, 'scenarios')?.split(',')
  const berea = path.join(__dirname, '..', 'resources', 'models', 'berea-sandstone')
  const shipped = existsSync(path.join(berea, 'manifest.json'))
  const dir = shipped ? berea : path.join(__dirname, '..', 'test', 'core', 'models', 'fixtures', 'toy-bundle')
  const size = shipped ? 64 : 16
  const shape: Shape3 = [size, size, size]
  const maxR = size / 2
  if (!shipped) ctx.log('resources/models/berea-sandstone is not installed: using the untrained toy bundle')
  const bundle = await loadBundle(dir)
  const names = bundle.manifest.phases.map((p) => p.name)
  const pore = names.includes('pore') ? 'pore' : '0'
  const curves = trainingS2(bundle.stats).map((c, phase) => ({ phase, y: c.y, x: c.x }))

  // The spread of real subvolumes (the same draw as bench/reconstruct.ts: seed 2024, training half).
  let envelope: Envelope | null = null
  let real: { poreFraction: number; s2ErrorPore: number }[] = []
  let trainingShape: ReturnType<typeof shapeCheck> | null = null
  if (shipped && existsSync(path.join(BEREA_DATA, 'volume.raw'))) {
    const meta = JSON.parse(readFileSync(path.join(BEREA_DATA, 'meta.json'), 'utf8')) as { shape: Shape3 }
    const full = makeVolume(meta.shape, new Uint8Array(readFileSync(path.join(BEREA_DATA, 'volume.raw'))))
    const [nz, ny, nx] = full.shape
    const half = nz / 2
    const rng = new SeededRandom(2024)
    const subs = Array.from({ length: realCount }, () =>
      cropVolume(
        full,
        [rng.integer(half - size + 1), rng.integer(ny - size + 1), rng.integer(nx - size + 1)],
        shape,
      ),
    )
    const covs = subs.map((v) => normalisedCovariance(v, PORE, maxR))
    envelope = {
      min: covs[0].map((_, r) => Math.min(...covs.map((c) => c[r]))),
      max: covs[0].map((_, r) => Math.max(...covs.map((c) => c[r]))),
    }
    real = subs.map((v) => ({
      poreFraction: round(labelFractions(v.data, 2)[PORE]),
      s2ErrorPore: round(phaseS2ErrorPercent(v, curves[PORE]), 2),
    }))
    ctx.log(`real ${size}³ subvolumes: pore ${real.map((q) => q.poreFraction.toFixed(3)).join(' ')}`)
    // The training statistics' own curve (pore, mean of rows and columns) against that spread.
    const t = curves[PORE]
    const mean = t.y.slice(0, maxR + 1).map((v, r) => 0.5 * (v + t.x[r]))
    const phi = mean[0]
    trainingShape = shapeCheck(
      mean.map((v) => (v - phi * phi) / (phi - phi * phi)),
      envelope,
    )
    ctx.log(`training statistics' shape: ${JSON.stringify(trainingShape)}`)
  }

  const starts = new Map<number, { volume: Volume; seconds: number }>()
  for (const seed of seeds) {
    const t0 = performance.now()
    const volume = (await reconstructVolume(bundle, { shape, seed })).volume
    starts.set(seed, { volume, seconds: (performance.now() - t0) / 1000 })
  }

  const describe = (vol: Volume): Described => {
    const cov = normalisedCovariance(vol, PORE, maxR)
    return {
      poreFraction: round(labelFractions(vol.data, names.length)[PORE]),
      s2ErrorPore: round(phaseS2ErrorPercent(vol, curves[PORE]), 3),
      s2ErrorSolid: curves[1] ? round(phaseS2ErrorPercent(vol, curves[1]), 3) : null,
      shape: envelope ? shapeCheck(cov, envelope) : null,
      covariance: cov.map((v) => round(v, 4)),
    }
  }

  const scenarios: {
    name: string
    targets: string[]
    sds?: Partial<SdsParams>
    weights?: Partial<Record<TermKind, number>>
  }[] = [
    // A vf target implies s2=training (the texture kept); 'vf' is the vf term alone, with that turned off.
    { name: 'vf', targets: [`vf:${pore}=0.28`], weights: { s2: 0 } },
    { name: 'vf+s2', targets: [`vf:${pore}=0.28`] },
    { name: 's2', targets: ['s2=training'] },
    ...(compare
      ? [
          {
            name: 's2-previous',
            targets: ['s2=training'],
            sds: { residual: 'batch' as const, strength: 0.5 },
          },
        ]
      : []),
    { name: 'diffusivity', targets: [`diffusivity:${pore}:z=0.10`] },
  ]
  if (only) {
    const unknown = only.filter((name) => !scenarios.some((sc) => sc.name === name))
    if (unknown.length > 0) throw new Error(`unknown scenarios: ${unknown.join(', ')}`)
    scenarios.splice(0, scenarios.length, ...scenarios.filter((sc) => only.includes(sc.name)))
  }
  const runs: Run[] = []
  for (const sc of scenarios) {
    for (const seed of seeds) {
      const start = starts.get(seed)!
      const loadBefore = os.loadavg()
      const c0 = process.cpuUsage()
      const r: DesignVolumeResult = await designVolume(bundle, {
        start: { volume: start.volume },
        targets: sc.targets.map((t) => parseTarget(t, names)),
        weights: sc.weights,
        sds: { steps, seed, ...sc.sds },
      })
      const cpu = process.cpuUsage(c0)
      const run: Run = {
        scenario: sc.name,
        targets: sc.targets,
        sds: sc.sds ?? {},
        seed,
        steps: r.sds.steps,
        outcomes: r.outcomes,
        start: describe(start.volume),
        result: describe(r.volume),
        solves: Object.values(r.solves)[0]?.length ?? 0,
        seconds: { sds: round(r.timings.sds, 2), design: round(r.timings.total, 2) },
        cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
        loadAverage: {
          before: loadBefore.map((v) => round(v, 2)),
          after: os.loadavg().map((v) => round(v, 2)),
        },
        history: r.history.map((h) => ({ step: h.step, seconds: round(h.seconds, 2), ...h.measures })),
      }
      ctx.log(
        `${sc.name} seed ${seed}: ` +
          r.outcomes
            .map(
              (o) =>
                `${o.key} ${o.before.toPrecision(4)} -> ${o.after.toPrecision(4)} ` +
                `(${o.reached ? 'reached' : 'not reached'})`,
            )
            .join(', ') +
          `, pore ${run.result.poreFraction}, ` +
          `S2 pore ${run.start.s2ErrorPore} -> ${run.result.s2ErrorPore} %, ` +
          `shape ${run.result.shape ? (run.result.shape.inside ? 'inside' : `outside at ${run.result.shape.lagsOutside} lags`) : '-'}, ` +
          `SDS ${run.seconds.sds} s wall, ${run.cpuSeconds} s CPU, load ${run.loadAverage.before[0]}`,
      )
      runs.push(run)
    }
  }

  const summary = scenarios.map((sc) => {
    const rs = runs.filter((r) => r.scenario === sc.name)
    const mean = (xs: number[]) => round(xs.reduce((a, v) => a + v, 0) / xs.length, 3)
    return {
      scenario: sc.name,
      targets: sc.targets,
      seeds: rs.map((r) => r.seed),
      outcomes: Object.fromEntries(
        rs[0].outcomes.map((o, i) => [
          o.key,
          {
            reached: rs.map((r) => r.outcomes[i].reached),
            before: rs.map((r) => round(r.outcomes[i].before)),
            after: rs.map((r) => round(r.outcomes[i].after)),
            error: rs.map((r) => round(r.outcomes[i].error)),
          },
        ]),
      ),
      s2ErrorPore: rs.map((r) => [r.start.s2ErrorPore, r.result.s2ErrorPore]),
      s2Reduction: rs.map((r) => round(r.start.s2ErrorPore / Math.max(r.result.s2ErrorPore, 1e-9), 2)),
      shapeInside: rs.map((r) => r.result.shape?.inside ?? null),
      sdsWallSeconds: rs.map((r) => r.seconds.sds),
      meanSdsWallSeconds: mean(rs.map((r) => r.seconds.sds)),
      cpuSeconds: rs.map((r) => r.cpuSeconds),
      loadAverage1m: rs.map((r) => r.loadAverage.before[0]),
    }
  })
  return {
    bundle: bundle.id,
    manifestSha256: bundle.manifestSha256,
    shipped,
    size,
    steps,
    seeds,
    startSeconds: [...starts.values()].map((s) => round(s.seconds, 2)),
    realSubvolumes: envelope
      ? {
          count: real.length,
          items: real,
          covarianceEnvelope: {
            min: envelope.min.map((v) => round(v, 4)),
            max: envelope.max.map((v) => round(v, 4)),
          },
          trainingStatisticsShape: trainingShape,
        }
      : null,
    summary,
    runs,
  }
}
