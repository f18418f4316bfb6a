/**
 * The Generate view's inputs as the backend takes them: volume shapes, reconstruction parameters and the
 * design job's targets, written as the CLI's strings (`vf:pore=0.28`, `s2=training`, `ssa:P=V`,
 * `diffusivity:P:AXIS=V`; core/design/targets.ts), each checked with a message a user can act on.
 */

export type Axis = 'z' | 'y' | 'x'
export type TermKind = 'vf' | 's2' | 'ssa' | 'diffusivity'
export const TERM_KINDS: readonly TermKind[] = ['vf', 's2', 'ssa', 'diffusivity']

export type TargetDraft =
  | { kind: 'vf'; phase: number; value: number }
  /** S2 toward the bundle's training curves, or toward a project volume or dataset image (its id). */
  | { kind: 's2'; source: 'training' | number }
  | { kind: 'ssa'; phase: number; value: number }
  | { kind: 'diffusivity'; phase: number; axis: Axis; value: number }

export interface DesignDraft {
  start: 'fresh' | 'volume'
  /** Fresh start: shape (z, y, x) and seed of the reconstruction. */
  shape: [number, number, number]
  seed: number
  /** Existing project volume to start from. */
  volumeId: number | null
  targets: TargetDraft[]
  weights: Record<TermKind, number>
  steps: number
}

export interface DesignContext {
  phaseNames: readonly string[]
  latentFactor: number
  /** Mean training volume fraction per phase (the bundle's statistics), when known. */
  trainingFractions?: readonly number[] | null
  /** Phase count of each project volume by id (a start or S2 volume must match the model's phases). */
  volumePhases?: ReadonlyMap<number, number>
}

export interface Checked {
  errors: string[]
  warnings: string[]
  /** What the backend adds to the targets as asked (information, not a problem). */
  notes: string[]
}

/** A phase as a target string names it: its name when that is unambiguous, else its id. */
export function phaseRef(phase: number, names: readonly string[]): string {
  const name = names[phase]
  if (!name || !/^[A-Za-z_][\w-]*$/.test(name)) return String(phase)
  const same = names.filter((n) => n.toLowerCase() === name.toLowerCase())
  return same.length === 1 ? name : String(phase)
}

/** The CLI's target string of a draft target. */
export function targetString(t: TargetDraft, names: readonly string[]): string {
  switch (t.kind) {
    case 'vf':
    case 'ssa':
      return `${t.kind}:${phaseRef(t.phase, names)}=${t.value}`
    case 's2':
      return t.source === 'training' ? 's2=training' : `s2=volume:${t.source}`
    case 'diffusivity':
      return `diffusivity:${phaseRef(t.phase, names)}:${t.axis}=${t.value}`
  }
}

/** The key of a target's term (one term per key): "vf:0", "s2", "diffusivity:0:z". */
export function targetKey(t: TargetDraft): string {
  if (t.kind === 's2') return 's2'
  if (t.kind === 'diffusivity') return `diffusivity:${t.phase}:${t.axis}`
  return `${t.kind}:${t.phase}`
}

/** Weights that differ from the default 1, as `KEY=W` strings. */
export function weightStrings(weights: Record<TermKind, number>): string[] {
  return TERM_KINDS.filter((k) => weights[k] !== 1).map((k) => `${k}=${weights[k]}`)
}

/** Problems of a volume shape for a bundle with latent factor f (`what` names the side: "size", "each side"). */
export function shapeProblems(shape: readonly number[], factor: number, what = 'each side'): string[] {
  const min = Math.max(16, factor)
  const bad = shape.filter((n) => !Number.isInteger(n) || n < min || n % factor !== 0)
  if (bad.length === 0) return []
  return [`${what} must be a multiple of ${factor}, at least ${min} (got ${shape.join('×')})`]
}

function isInt(n: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isInteger(n) && n >= min && n <= max
}

function phaseLabel(phase: number, names: readonly string[]): string {
  return names[phase] ?? `phase ${phase}`
}

/** Check a design draft; errors stop the job, warnings say a target cannot be reached as asked. */
export function checkDesign(d: DesignDraft, ctx: DesignContext): Checked {
  const errors: string[] = []
  const warnings: string[] = []
  const names = ctx.phaseNames
  const P = names.length
  const expectPhases = (id: number, what: string) => {
    const n = ctx.volumePhases?.get(id)
    if (n !== undefined && n !== P)
      errors.push(`${what} has ${n} phases, the model has ${P}: pick a volume of this material`)
  }
  if (d.start === 'fresh') errors.push(...shapeProblems(d.shape, ctx.latentFactor))
  else if (d.volumeId === null) errors.push('choose the volume to start from')
  else expectPhases(d.volumeId, 'the start volume')
  if (!isInt(d.seed, 0)) errors.push('seed must be a whole number ≥ 0')
  if (!isInt(d.steps, 1, 100_000)) errors.push('steps must be a whole number from 1 to 100000')
  if (d.targets.length === 0) errors.push('add at least one target')

  const seen = new Set<string>()
  const vfTargets = new Map<number, number>()
  for (const t of d.targets) {
    const key = targetKey(t)
    if (seen.has(key)) errors.push(`two targets on ${key}: keep one`)
    seen.add(key)
    if ('phase' in t && !isInt(t.phase, 0, P - 1)) {
      errors.push(`${key}: phase ${t.phase} is not one of the model's phases 0..${P - 1}`)
      continue
    }
    if (t.kind === 'vf') {
      if (!(t.value > 0 && t.value < 1))
        errors.push(`volume fraction of ${phaseLabel(t.phase, names)} must be between 0 and 1 (exclusive)`)
      else vfTargets.set(t.phase, t.value)
    } else if (t.kind === 'ssa') {
      if (!(t.value > 0 && Number.isFinite(t.value)))
        errors.push(`specific surface area of ${phaseLabel(t.phase, names)} must be a positive number`)
    } else if (t.kind === 'diffusivity') {
      if (!(t.value > 0 && t.value <= 1))
        errors.push(`D_rel of ${phaseLabel(t.phase, names)} along ${t.axis} must be in (0, 1]`)
    } else if (t.source !== 'training') {
      expectPhases(t.source, 'the S2 reference volume')
    }
  }
  const vfSum = [...vfTargets.values()].reduce((a, b) => a + b, 0)
  if (vfSum > 1 + 1e-9) errors.push(`the volume-fraction targets add up to ${vfSum.toFixed(3)}, more than 1`)
  else if (P > 0 && vfTargets.size === P && Math.abs(vfSum - 1) > 0.01)
    warnings.push(`the volume-fraction targets of all phases add up to ${vfSum.toFixed(3)}, not 1`)

  // D_rel = ε/τ with τ ≥ 1: a target above the phase's volume fraction cannot be reached.
  for (const t of d.targets) {
    if (t.kind !== 'diffusivity' || !(t.value > 0 && t.value <= 1)) continue
    const target = vfTargets.get(t.phase)
    const training = ctx.trainingFractions?.[t.phase]
    const eps = target ?? training
    if (eps !== undefined && t.value > eps) {
      const from = target !== undefined ? 'its volume-fraction target' : "the model's training fraction"
      warnings.push(
        `D_rel ${t.value} of ${phaseLabel(t.phase, names)} along ${t.axis} is above ${from} ${eps.toFixed(3)}: ` +
          `impossible, since D_rel = ε/τ with τ ≥ 1 — raise vf:${phaseRef(t.phase, names)} or lower the target`,
      )
    }
  }
  for (const k of TERM_KINDS) {
    const w = d.weights[k]
    if (!(w >= 0 && Number.isFinite(w))) errors.push(`weight of ${k} must be a number ≥ 0`)
    else if (w === 0 && d.targets.some((t) => t.kind === k))
      warnings.push(`weight of ${k} is 0: its targets are reported but not pursued`)
  }
  // The backend adds s2=training to vf targets without an s2 target (core/design/targets.ts impliedTextureTarget).
  const notes: string[] = []
  if (vfTargets.size > 0 && !d.targets.some((t) => t.kind === 's2') && d.weights.s2 > 0)
    notes.push(
      'volume-fraction targets keep the training texture (an implied S2 target moved to the new fraction); ' +
        'set the s2 weight to 0 to let the texture change',
    )
  return { errors, warnings, notes }
}

/** The design job's parameters (science-jobs.ts designJob) for a model and a checked draft. */
export function designJobParams(
  model: string,
  d: DesignDraft,
  names: readonly string[],
): Record<string, unknown> {
  const params: Record<string, unknown> = {
    model,
    targets: d.targets.map((t) => targetString(t, names)),
    weights: weightStrings(d.weights),
    steps: d.steps,
    seed: d.seed,
  }
  if (d.start === 'volume') params.volumeId = d.volumeId
  else if (d.shape.every((n) => n === d.shape[0])) params.size = d.shape[0]
  else params.shape = [...d.shape]
  return params
}
