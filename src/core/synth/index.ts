/**
 * Seeded synthetic microstructures: `synthesize(kind, options)` returns a label volume. Phase 0 is the
 * matrix and phase 1 the objects (spheres, the excursion of the Gaussian field, fibres, grain boundaries);
 * `vf` is the target fraction of phase 1. The three-phase variants add phase 2 with fraction vf[1]: an
 * independent realisation of the same kind covering a fraction vf[1] / (1 − vf[0]) of space is laid into
 * the matrix only (for Voronoi: whole grains, in random order, become phase 2 while that brings it nearer vf[1]). The
 * same options and seed give the same volume.
 */
import { UserError } from '../errors'
import { defaultPhases, makeVolume, type Shape3, type Volume } from '../volume/volume'
import { overlappingSpheres } from './spheres'
import { gaussianField, upperQuantileThreshold } from './gaussian-field'
import { FIBRE_ORIENTATIONS, orientedFibres, type FibreOrientation } from './fibres'
import { grainBoundaries, grainCountForFraction, voronoiGrains } from './voronoi'
import { createRandom, type Random } from './random'

export const SYNTH_KINDS = [
  'spheres',
  'polydisperse-spheres',
  'grf',
  'fibres',
  'voronoi',
  'spheres-3phase',
  'polydisperse-spheres-3phase',
  'grf-3phase',
  'fibres-3phase',
  'voronoi-3phase',
] as const
export type SynthKind = (typeof SYNTH_KINDS)[number]
type BaseKind = 'spheres' | 'polydisperse-spheres' | 'grf' | 'fibres' | 'voronoi'

export interface SynthOptions {
  /** Cube side; ignored when `shape` is given. */
  size?: number
  shape?: Shape3
  /** Target fraction of phase 1, or [phase 1, phase 2] for the three-phase kinds. */
  vf?: number | number[]
  seed?: number
  /** Sphere radius (mean radius for polydisperse spheres) or fibre radius, in voxels. */
  radius?: number
  /** Coefficient of variation of the log-normal sphere radius (polydisperse spheres; default 0.3). */
  radiusSpread?: number
  /** Gaussian filter width ℓ in voxels, one number or per axis [z, y, x] (default 3). */
  correlationLength?: number | [number, number, number]
  orientation?: FibreOrientation
  /** Fibre tilt standard deviation in radians (default 0.15). */
  spread?: number
  /** Fibre length in voxels (default: the largest extent). */
  fibreLength?: number
  /** Number of Voronoi grains (default: from vf). */
  grains?: number
}

export const MAX_SYNTH_VOXELS = 1024 ** 3

function resolveShape(opts: SynthOptions): Shape3 {
  const shape =
    opts.shape ?? (opts.size !== undefined ? ([opts.size, opts.size, opts.size] as Shape3) : undefined)
  if (!shape) throw new UserError('give a size or a shape z,y,x')
  if (!shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new UserError(`shape must be positive integers, got ${shape.join(',')}`)
  }
  if (shape[0] * shape[1] * shape[2] > MAX_SYNTH_VOXELS) {
    throw new UserError(`shape ${shape.join('x')} is larger than the ${MAX_SYNTH_VOXELS} voxels allowed`)
  }
  return shape
}

function resolveFractions(kind: SynthKind, vf: number | number[] | undefined): number[] {
  const three = kind.endsWith('-3phase')
  const list = vf === undefined ? (three ? [0.3, 0.2] : [0.3]) : typeof vf === 'number' ? [vf] : vf
  if (list.length !== (three ? 2 : 1)) {
    throw new UserError(
      three
        ? `${kind} needs two fractions (phases 1 and 2), e.g. 0.3,0.2`
        : `${kind} takes one volume fraction`,
    )
  }
  if (!list.every((f) => Number.isFinite(f) && f > 0 && f < 1)) {
    throw new UserError(`volume fractions must lie strictly between 0 and 1, got ${list.join(',')}`)
  }
  if (three && list[0] + list[1] >= 1)
    throw new UserError(`phase fractions ${list.join(' + ')} must sum to less than 1`)
  return list
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback
  if (!Number.isFinite(v) || v <= 0) throw new UserError(`${name} must be a positive number, got ${v}`)
  return v
}

/** One realisation of a base kind: 1 where the objects are, 0 elsewhere. */
function baseField(kind: BaseKind, shape: Shape3, vf: number, opts: SynthOptions, rng: Random): Uint8Array {
  switch (kind) {
    case 'spheres':
      return overlappingSpheres(
        shape,
        { vf, radius: positive('radius', opts.radius, 5), radiusSpread: 0 },
        rng,
      )
    case 'polydisperse-spheres': {
      const radiusSpread = positive('radius spread', opts.radiusSpread, 0.3)
      return overlappingSpheres(shape, { vf, radius: positive('radius', opts.radius, 5), radiusSpread }, rng)
    }
    case 'grf': {
      const field = gaussianField(shape, correlationLengths(opts), rng)
      const t = upperQuantileThreshold(field, vf)
      return Uint8Array.from(field, (v) => (v > t ? 1 : 0))
    }
    case 'fibres':
      return orientedFibres(
        shape,
        {
          vf,
          radius: positive('radius', opts.radius, 2),
          length: positive('fibre length', opts.fibreLength, Math.max(...shape)),
          orientation: opts.orientation ?? 'z',
          spread: opts.spread ?? 0.15,
        },
        rng,
      )
    case 'voronoi': {
      const grains = opts.grains ?? grainCountForFraction(shape, vf)
      return grainBoundaries(shape, voronoiGrains(shape, grains, rng))
    }
  }
}

function correlationLengths(opts: SynthOptions): [number, number, number] {
  const l = opts.correlationLength ?? 3
  const triple: [number, number, number] = typeof l === 'number' ? [l, l, l] : l
  triple.forEach((v) => positive('correlation length', v, 1))
  return triple
}

function checkOptions(opts: SynthOptions): void {
  if (opts.orientation !== undefined && !FIBRE_ORIENTATIONS.includes(opts.orientation)) {
    throw new UserError(
      `orientation must be one of ${FIBRE_ORIENTATIONS.join(', ')}, got '${opts.orientation}'`,
    )
  }
  if (opts.spread !== undefined && !(opts.spread >= 0 && opts.spread <= Math.PI)) {
    throw new UserError(`spread must be an angle in [0, π] radians, got ${opts.spread}`)
  }
  if (opts.grains !== undefined && !(Number.isInteger(opts.grains) && opts.grains >= 2)) {
    throw new UserError(`grains must be an integer >= 2, got ${opts.grains}`)
  }
  if (opts.seed !== undefined && !Number.isInteger(opts.seed))
    throw new UserError(`seed must be an integer, got ${opts.seed}`)
}

/** Seed of the independent second stream used by the three-phase kinds. */
function secondSeed(seed: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0x27d4eb2f) >>> 0
}

export function synthesize(kind: SynthKind, opts: SynthOptions): Volume {
  if (!SYNTH_KINDS.includes(kind))
    throw new UserError(`unknown kind '${kind}'; kinds: ${SYNTH_KINDS.join(', ')}`)
  checkOptions(opts)
  const shape = resolveShape(opts)
  const fractions = resolveFractions(kind, opts.vf)
  const seed = opts.seed ?? 0
  const base = kind.replace(/-3phase$/, '') as BaseKind
  const rng = createRandom(seed)
  if (fractions.length === 1) {
    const vol = makeVolume(shape, baseField(base, shape, fractions[0], opts, rng))
    vol.phases = defaultPhases(2)
    return vol
  }
  const [vf1, vf2] = fractions
  const rng2 = createRandom(secondSeed(seed))
  const q = vf2 / (1 - vf1)
  let labels: Uint8Array
  if (base === 'voronoi') {
    const grains = voronoiGrains(shape, opts.grains ?? grainCountForFraction(shape, vf1), rng)
    labels = grainBoundaries(shape, grains)
    // Whole grains, in random order, become phase 2 whenever that brings their matrix voxels nearer vf2.
    let count = 0
    for (let i = 0; i < grains.length; i++) count = Math.max(count, grains[i] + 1)
    const matrixVoxels = new Float64Array(count)
    for (let i = 0; i < labels.length; i++) if (labels[i] === 0) matrixVoxels[grains[i]]++
    const order = Array.from({ length: count }, (_, g) => g)
    for (let g = count - 1; g > 0; g--) {
      const j = rng2.integer(g + 1)
      ;[order[g], order[j]] = [order[j], order[g]]
    }
    const second = new Uint8Array(count)
    const target = vf2 * labels.length
    let taken = 0
    for (const g of order) {
      if (taken + matrixVoxels[g] / 2 > target) continue
      second[g] = 1
      taken += matrixVoxels[g]
    }
    for (let i = 0; i < labels.length; i++) if (labels[i] === 0 && second[grains[i]]) labels[i] = 2
  } else if (base === 'grf') {
    labels = baseField('grf', shape, vf1, opts, rng)
    const field = gaussianField(shape, correlationLengths(opts), rng2)
    const matrix = Uint8Array.from(labels, (v) => (v === 0 ? 1 : 0))
    const t = upperQuantileThreshold(field, q, matrix)
    for (let i = 0; i < labels.length; i++) if (labels[i] === 0 && field[i] > t) labels[i] = 2
  } else {
    labels = baseField(base, shape, vf1, opts, rng)
    const second = baseField(base, shape, q, opts, rng2)
    for (let i = 0; i < labels.length; i++) if (labels[i] === 0 && second[i] === 1) labels[i] = 2
  }
  const vol = makeVolume(shape, labels)
  vol.phases = defaultPhases(3)
  return vol
}

export { createRandom, type Random } from './random'
export { sphereOverlapRatio } from './spheres'
export type { FibreOrientation } from './fibres'
