/**
 * Validation of a generator at equal sample size (DESIGN §10): K generated samples of size n are compared
 * with D real ensembles of K subvolumes of the same size, drawn at uniformly random positions (seeded) from
 * the reference (optionally restricted to z slices [z0, z1)), and every descriptor is reported as generated
 * vs the real spread with a verdict per row (rules in verdicts.ts, definitions in docs/validation.md).
 *
 * Independent of how the generated volumes are made: `generate(i, report)` returns the i-th volume (the CLI
 * and the job reconstruct with seed + i). With a 2D reference (an image, nz = 1) the samples are 2D: one
 * slice of each generated volume (plane cycling xy, xz, yz, position drawn with the seed) against n×n
 * patches of the image; transport is not computed, and the report says that 3D transport needs a 3D
 * reference.
 */
import { activeAxes } from '../analysis/lines'
import { chordLengthDistribution, linealPath } from '../analysis/chords'
import { twoPointCorrelation } from '../analysis/two-point'
import { volumeFractions } from '../analysis/volume-fraction'
import { CancelledError, UserError } from '../errors'
import { createRandom } from '../synth/random'
import {
  AXES,
  cropVolume,
  makeVolume,
  phaseCount,
  type Axis,
  type Shape3,
  type Volume,
} from '../volume/volume'
import type {
  CurveBand,
  CurveKey,
  ScalarKey,
  ScalarSamples,
  ValidationReport,
  ValidationRow,
} from '../../shared/validation'
import { chordPdf, describeSample, type CurveSet, type PhaseSample } from './descriptors'
import { TOPOLOGY_PENDING } from './topology'
import { curveRowAndBand, meanCurves, scalarRow, scalarSamples, type ScalarRule } from './verdicts'

export type { ValidationReport, ValidationRow } from '../../shared/validation'
export { mean, sd, scalarRow, curveRowAndBand, SCALAR_RULES, CURVE_RULE } from './verdicts'

export interface ValidationProgress {
  stage: 'reference' | 'generate' | 'real'
  step: number
  steps: number
  /** Fraction of the whole validation done, 0 … 1. */
  fraction: number
  message: string
}

/** The i-th generated volume (size n³); `report(f)` tells how far its generation is (0 … 1). */
export type GenerateSample = (index: number, report: (fraction: number) => void) => Promise<Volume>

export interface ValidateOptions {
  /** Sample side n. */
  size: number
  /** Ensemble size K (≥ 2). */
  count: number
  /** Real ensembles drawn (default 25). */
  draws?: number
  /** Seed of the positions of the real subvolumes and of the 2D slices (default 0). */
  seed?: number
  /** Restrict a 3D reference to z slices [z0, z1). */
  region?: [number, number] | null
  referenceName?: string
  /** Phase names (default: the reference's, or 'phase i'). */
  phaseNames?: string[]
  /** Axes of the D_rel solves (default z, y, x for a 3D reference; none for 2D). */
  transportAxes?: Axis[]
  /** Relative residual of the D_rel solves (default 1e-4). */
  solverTolerance?: number
  model?: ValidationReport['model']
  /** Seeds the generator used, for the record. */
  generatedSeeds?: number[]
  /** Cost of generating one sample relative to measuring one (progress weights; default 4). */
  generateWeight?: number
  signal?: AbortSignal
  onProgress?: (p: ValidationProgress) => void
}

export const DEFAULT_DRAWS = 25
export const DEFAULT_SOLVER_TOLERANCE = 1e-4
export const TRANSPORT_NOTE =
  '3D transport (D_rel) and 3D topology need a 3D reference: this reference is a 2D image, so generated slices are compared with real 2D patches on 2D statistics only.'

/** The z slices [z0, z1) of a 3D volume. */
export function referenceRegion(vol: Volume, region: [number, number] | null | undefined): Volume {
  if (!region) return vol
  const [z0, z1] = region
  const nz = vol.shape[0]
  if (nz === 1)
    throw new UserError('--region selects z slices of a 3D reference; this reference is a 2D image')
  if (!(Number.isInteger(z0) && Number.isInteger(z1) && z0 >= 0 && z1 > z0 && z1 <= nz))
    throw new UserError(`region ${z0}:${z1} is not inside z 0:${nz} of the reference`)
  return cropVolume(vol, [z0, 0, 0], [z1 - z0, vol.shape[1], vol.shape[2]])
}

/** One plane of a volume as a 2D image [1, a, b]: z-planes (y, x), y-planes (z, x), x-planes (z, y). */
export function planeOf(vol: Volume, axis: Axis, index: number): Volume {
  const [nz, ny, nx] = vol.shape
  if (axis === 'z') return cropVolume(vol, [index, 0, 0], [1, ny, nx])
  const [a, b] = axis === 'y' ? [nz, nx] : [nz, ny]
  const out = new Uint8Array(a * b)
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++)
      out[i * b + j] =
        axis === 'y' ? vol.data[(i * ny + index) * nx + j] : vol.data[(i * ny + j) * nx + index]
  const img = makeVolume([1, a, b], out, vol.spacing, vol.unit)
  if (vol.phases) img.phases = vol.phases.map((p) => ({ ...p }))
  return img
}

interface CurveDef {
  key: CurveKey
  label: string
  xLabel: string
}
const CURVES: CurveDef[] = [
  { key: 's2', label: 'S2 (two-point correlation)', xLabel: 'r (voxels)' },
  { key: 'lineal', label: 'lineal path', xLabel: 'r (voxels)' },
  { key: 'chord', label: 'chord-length distribution', xLabel: 'chord length (voxels)' },
  { key: 'poreSize', label: 'size distribution (local thickness)', xLabel: 'diameter (voxels)' },
]

export async function validateEnsemble(
  reference: Volume,
  generate: GenerateSample,
  options: ValidateOptions,
): Promise<ValidationReport> {
  const started = performance.now()
  const n = options.size
  const K = options.count
  const D = options.draws ?? DEFAULT_DRAWS
  const seed = options.seed ?? 0
  if (!Number.isInteger(n) || n < 4) throw new UserError(`size must be an integer >= 4, got ${n}`)
  if (!Number.isInteger(K) || K < 2) throw new UserError(`count must be an integer >= 2, got ${K}`)
  if (!Number.isInteger(D) || D < 2) throw new UserError(`draws must be an integer >= 2, got ${D}`)
  const region = referenceRegion(reference, options.region)
  const mode: '2d' | '3d' = region.shape[0] === 1 ? '2d' : '3d'
  const sampleShape: Shape3 = mode === '3d' ? [n, n, n] : [1, n, n]
  if (sampleShape.some((s, i) => s > region.shape[i]))
    throw new UserError(
      `samples of ${sampleShape.join('x')} do not fit in the reference${options.region ? ' region' : ''} ` +
        `(${region.shape.join('x')}); choose a smaller size`,
    )
  const P = phaseCount(region)
  const phases = Array.from({ length: P }, (_, id) => ({
    id,
    name: options.phaseNames?.[id] ?? reference.phases?.[id]?.name ?? `phase ${id}`,
  }))
  const transportAxes = mode === '3d' ? (options.transportAxes ?? [...AXES]) : []
  const solverTolerance = options.solverTolerance ?? DEFAULT_SOLVER_TOLERANCE
  const maxR = Math.floor(n / 2)
  // Local thickness of every phase but the majority one (the matrix: its "size" is the space between the
  // other phases, slow to compute at 64³ and rarely what is asked).
  const regionFractions = volumeFractions(region)
  const fractions = phases.map((p) => regionFractions[p.id] ?? 0)
  const majority = fractions.indexOf(Math.max(...fractions))
  const sizePhases = phases.map((p) => p.id).filter((id) => id !== majority)
  const sampleOpts = {
    sizePhases,
    phases: phases.map((p) => p.id),
    transportAxes,
    solverTolerance,
    maxR,
    maxLength: n,
    signal: options.signal,
  }
  const rng = createRandom(seed)

  // Progress: reference curves 2 units, each generated sample `gw` + 1 units, each real sample 1 unit.
  const gw = options.generateWeight ?? 4
  const totalUnits = 2 + K * (gw + 1) + D * K
  let done = 0
  const progress = (stage: ValidationProgress['stage'], step: number, steps: number, message: string) => {
    if (options.signal?.aborted) throw new CancelledError()
    options.onProgress?.({ stage, step, steps, fraction: Math.min(1, done / totalUnits), message })
  }

  // 1. Reference curves of the whole region (pore size: pooled real samples, below).
  progress('reference', 0, 1, 'measuring the reference region')
  const t0 = performance.now()
  const refAxes = activeAxes(region.shape)
  const referenceCurves: Record<number, Partial<Record<CurveKey, CurveSet>>> = {}
  for (const p of phases) {
    const s2 = twoPointCorrelation(region, p.id, { maxR })
    const lp = linealPath(region, p.id, { maxR })
    const ch = chordLengthDistribution(region, p.id)
    referenceCurves[p.id] = {
      s2: Object.fromEntries(refAxes.map((a) => [a, s2[a]])),
      lineal: Object.fromEntries(refAxes.map((a) => [a, lp[a]])),
      chord: Object.fromEntries(refAxes.map((a) => [a, chordPdf(ch[a].counts, ch[a].count, n)])),
    }
  }
  done += 2
  const tReference = (performance.now() - t0) / 1000

  // 2. Generated samples.
  const t1 = performance.now()
  const generated: PhaseSample[][] = []
  for (let i = 0; i < K; i++) {
    const base = done
    progress('generate', i + 1, K, `generating volume ${i + 1}/${K}`)
    const vol = await generate(i, (f) => {
      done = base + gw * Math.max(0, Math.min(1, f))
      progress('generate', i + 1, K, `generating volume ${i + 1}/${K}`)
    })
    if (vol.shape.join() !== [n, n, n].join())
      throw new Error(`generated volume ${i} is ${vol.shape.join('x')}, expected ${n}x${n}x${n}`)
    done = base + gw
    progress('generate', i + 1, K, `measuring volume ${i + 1}/${K}`)
    const sample = mode === '3d' ? vol : planeOf(vol, AXES[i % 3], rng.integer(n))
    generated.push(describeSample(sample, sampleOpts))
    done += 1
  }
  const tGenerate = (performance.now() - t1) / 1000

  // 3. Real ensembles: D draws of K subvolumes at uniformly random positions in the region.
  const t2 = performance.now()
  const real: PhaseSample[][][] = []
  for (let d = 0; d < D; d++) {
    const ensemble: PhaseSample[][] = []
    for (let k = 0; k < K; k++) {
      progress('real', d * K + k + 1, D * K, `real ensemble ${d + 1}/${D}, subvolume ${k + 1}/${K}`)
      const origin = sampleShape.map((s, a) => rng.integer(region.shape[a] - s + 1)) as [
        number,
        number,
        number,
      ]
      ensemble.push(describeSample(cropVolume(region, origin, sampleShape), sampleOpts))
      done += 1
    }
    real.push(ensemble)
  }
  const tReal = (performance.now() - t2) / 1000

  // 4. Rows, samples and curves.
  const rows: ValidationRow[] = []
  const samples: ScalarSamples[] = []
  const curves: CurveBand[] = []
  const pending = new Set<string>()
  for (const p of phases) {
    const g = generated.map((s) => s[p.id])
    const r = real.map((e) => e.map((s) => s[p.id]))
    const scalar = (
      key: ScalarKey,
      label: string,
      rule: ScalarRule,
      pick: (s: PhaseSample) => number | null,
      histogram: boolean,
    ) => {
      const gv = g.map(pick)
      const rv = r.map((e) => e.map(pick))
      if (gv.some((v) => v === null) || rv.some((e) => e.some((v) => v === null))) return false
      const gn = gv as number[]
      const rn = rv as number[][]
      rows.push(scalarRow(p.id, p.name, key, label, rule, gn, rn))
      if (histogram) samples.push(scalarSamples(p.id, key, label, gn, rn))
      return true
    }
    scalar('vf', 'volume fraction', 'vf', (s) => s.vf, true)
    if (transportAxes.length) {
      scalar('drel', `D_rel, mean over ${transportAxes.join(', ')}`, 'drel', (s) => s.drelMean, true)
      for (const axis of transportAxes)
        scalar(`drel-${axis}` as ScalarKey, `D_rel along ${axis}`, 'drel', (s) => s.drel[axis] ?? null, false)
    }
    const eulerLabel =
      mode === '3d' ? 'Euler characteristic per voxel' : 'Euler characteristic per pixel (2D)'
    if (!scalar('euler', eulerLabel, 'sd1', (s) => s.euler, true)) pending.add(TOPOLOGY_PENDING.euler)
    scalar('percolating', 'percolating fraction (mean over axes)', 'sd1', (s) => s.percolating, false)
    for (const c of CURVES) {
      const pickCurve = (s: PhaseSample): CurveSet | null => (c.key === 'poreSize' ? s.poreSize : s[c.key])
      const gc = g.map(pickCurve)
      const rc = r.map((e) => e.map(pickCurve))
      if (c.key === 'poreSize' && !sizePhases.includes(p.id)) continue
      if (gc.some((v) => !v) || rc.some((e) => e.some((v) => !v))) {
        if (c.key === 'poreSize') pending.add(TOPOLOGY_PENDING.poreSize)
        continue
      }
      const rcs = rc as CurveSet[][]
      const ref = referenceCurves[p.id][c.key] ?? meanCurves(rcs.flat())
      const { row, band } = curveRowAndBand(
        p.id,
        p.name,
        c.key,
        c.label,
        c.xLabel,
        gc as CurveSet[],
        rcs,
        ref,
      )
      rows.push(row)
      curves.push(band)
    }
  }
  done = totalUnits
  options.onProgress?.({ stage: 'real', step: D * K, steps: D * K, fraction: 1, message: 'done' })

  const count = (v: string) => rows.filter((r) => r.verdict === v).length
  return {
    version: 1,
    mode,
    notes: mode === '2d' ? [TRANSPORT_NOTE] : [],
    reference: {
      name: options.referenceName ?? 'reference',
      shape: [...reference.shape],
      region: options.region ? [...options.region] : null,
      regionShape: [...region.shape],
    },
    model: options.model ?? null,
    settings: {
      size: n,
      count: K,
      draws: D,
      seed,
      generatedShape: [n, n, n],
      sampleShape,
      transportAxes,
      solverTolerance,
      generatedSeeds: options.generatedSeeds ?? [],
    },
    phases,
    rows,
    samples,
    curves,
    summary: {
      within: count('within'),
      outside: count('outside'),
      notApplicable: count('n/a'),
      total: rows.length,
    },
    pending: [...pending],
    timings: {
      generate: tGenerate,
      real: tReal,
      reference: tReference,
      total: (performance.now() - started) / 1000,
    },
    createdAt: new Date().toISOString(),
  }
}
