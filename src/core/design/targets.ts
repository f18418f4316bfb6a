/**
 * Targets of inverse design, as the CLI and the app write them (DESIGN §5.3):
 *
 *   vf:P=V                 volume fraction of phase P (id or name) = V ∈ (0, 1);
 *   s2=training            S2 curves of every phase toward the bundle's training statistics;
 *   s2=FILE                … toward the S2 curves of a volume or image file (read by the caller);
 *   ssa:P=V                specific surface area of phase P = V per voxel length (smoothed estimate);
 *   diffusivity:P:AXIS=V   relative diffusivity D_rel of phase P along z, y or x = V (3D solve).
 *
 * A weight `KEY=W` (KEY = vf, s2, ssa or diffusivity) multiplies that term's normalised loss (default 1).
 *
 * Volume-fraction targets without an s2 target imply `s2=training` (the training texture moved to the
 * target fractions), so that a new fraction does not come with coarser pores; `--weight s2=0` turns that off.
 */
import { UserError } from '../errors'
import { AXES, type Axis } from '../volume/volume'

export type DesignTarget =
  | { kind: 'vf'; phase: number; value: number }
  /** `implied`: added by the design itself to keep the training texture (see impliedTextureTarget). */
  | { kind: 's2'; source: 'training' | { file: string }; implied?: boolean }
  | { kind: 'ssa'; phase: number; value: number }
  | { kind: 'diffusivity'; phase: number; axis: Axis; value: number }

export type TermKind = DesignTarget['kind']
export const TERM_KINDS: readonly TermKind[] = ['vf', 's2', 'ssa', 'diffusivity']

/** A stable name of a target, used as the key of its loss history (e.g. "vf:0", "diffusivity:0:z"). */
export function targetKey(t: DesignTarget): string {
  if (t.kind === 's2') return 's2'
  if (t.kind === 'diffusivity') return `diffusivity:${t.phase}:${t.axis}`
  return `${t.kind}:${t.phase}`
}

function parsePhase(text: string, phaseNames: readonly string[], spec: string): number {
  const byName = phaseNames.findIndex((n) => n.toLowerCase() === text.toLowerCase())
  if (byName >= 0) return byName
  const id = Number(text)
  if (!Number.isInteger(id) || id < 0 || id >= phaseNames.length) {
    throw new UserError(
      `target '${spec}': phase '${text}' is not one of 0..${phaseNames.length - 1} (${phaseNames.join(', ')})`,
    )
  }
  return id
}

function parseValue(text: string, spec: string, max = Infinity): number {
  const v = Number(text)
  if (text.trim() === '' || !Number.isFinite(v) || v < 0 || v > max) {
    throw new UserError(`target '${spec}': value '${text}' must be a number in [0, ${max}]`)
  }
  return v
}

/** Parse one `--target` string against the bundle's phase names. */
export function parseTarget(spec: string, phaseNames: readonly string[]): DesignTarget {
  const eq = spec.indexOf('=')
  if (eq < 0) throw new UserError(`target '${spec}' must be KEY=VALUE (vf:P=V, s2=training|FILE, ...)`)
  const key = spec.slice(0, eq).trim().split(':')
  const value = spec.slice(eq + 1).trim()
  const kind = key[0]
  if (kind === 's2' && key.length === 1) {
    if (!value) throw new UserError(`target '${spec}': s2 needs 'training' or a file`)
    return { kind: 's2', source: value === 'training' ? 'training' : { file: value } }
  }
  if ((kind === 'vf' || kind === 'ssa') && key.length === 2) {
    return {
      kind,
      phase: parsePhase(key[1], phaseNames, spec),
      value: parseValue(value, spec, kind === 'vf' ? 1 : Infinity),
    }
  }
  if (kind === 'diffusivity' && key.length === 3) {
    const axis = key[2] as Axis
    if (!AXES.includes(axis)) throw new UserError(`target '${spec}': axis must be z, y or x`)
    return { kind, phase: parsePhase(key[1], phaseNames, spec), axis, value: parseValue(value, spec, 1) }
  }
  throw new UserError(
    `target '${spec}' is not one of vf:P=V, s2=training|FILE, ssa:P=V, diffusivity:P:AXIS=V`,
  )
}

/** Parse `--weight KEY=W` strings into a weight per term kind (missing kinds weigh 1). */
export function parseWeights(specs: readonly string[]): Record<TermKind, number> {
  const weights: Record<TermKind, number> = { vf: 1, s2: 1, ssa: 1, diffusivity: 1 }
  for (const spec of specs) {
    const [key, value] = spec.split('=')
    const w = Number(value)
    if (!(TERM_KINDS as readonly string[]).includes(key) || value === undefined || !(w >= 0)) {
      throw new UserError(
        `weight '${spec}' must be KEY=W with KEY one of ${TERM_KINDS.join(', ')} and W >= 0`,
      )
    }
    weights[key as TermKind] = w
  }
  return weights
}

/**
 * The s2 target that volume-fraction targets imply when none is given: the bundle's training S2 curves moved
 * to the target fractions with their shape kept. Without it the score term alone does not hold the texture
 * while the fraction moves (Berea, vf 0.20 → 0.28: the normalised autocovariance leaves the spread of real
 * subvolumes on every seed; docs/design.md). None when there is an s2 target already, no vf target, no
 * training statistics, or the s2 weight is 0.
 */
export function impliedTextureTarget(
  targets: readonly DesignTarget[],
  hasTrainingS2: boolean,
  s2Weight: number,
): DesignTarget | undefined {
  if (!hasTrainingS2 || !(s2Weight > 0)) return undefined
  if (targets.some((t) => t.kind === 's2') || !targets.some((t) => t.kind === 'vf')) return undefined
  return { kind: 's2', source: 'training', implied: true }
}
