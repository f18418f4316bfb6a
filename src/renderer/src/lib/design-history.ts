/** A design job's per-term loss history (live `job.history` entries or its result) as plot series. */
import type { DesignHistoryEntry } from '../../../shared/dto'

const TERM_COLORS: Record<string, string> = {
  vf: '#5aa9ff',
  s2: '#4cd08a',
  ssa: '#f5a524',
  diffusivity: '#e0607e',
}
const SPARE_COLORS = ['#b48cf2', '#6fd6d6', '#d6c36f', '#f28cb4']

/** Entries of `more` appended to `known` by step, without duplicates (a reload may replay entries). */
export function mergeHistory(
  known: readonly DesignHistoryEntry[],
  more: readonly DesignHistoryEntry[],
): DesignHistoryEntry[] {
  const byStep = new Map(known.map((e) => [e.step, e]))
  for (const e of more) byStep.set(e.step, e)
  return [...byStep.values()].sort((a, b) => a.step - b.step)
}

/** The history a finished design job keeps in its result, or null when it has none. */
export function resultHistory(result: unknown): DesignHistoryEntry[] | null {
  const h = (result as { history?: unknown } | null)?.history
  if (!Array.isArray(h) || h.length === 0) return null
  return h.filter(
    (e): e is DesignHistoryEntry =>
      typeof e === 'object' && e !== null && typeof e.step === 'number' && typeof e.losses === 'object',
  )
}

/** "vf:0" → "vf pore", "diffusivity:0:z" → "D_rel pore z", with the bundle's phase names when known. */
export function termLabel(key: string, phaseNames: readonly string[] = []): string {
  const [kind, phase, axis] = key.split(':')
  const name = phase === undefined ? '' : ` ${phaseNames[Number(phase)] ?? `phase ${phase}`}`
  const kindLabel = kind === 'diffusivity' ? 'D_rel' : kind
  return `${kindLabel}${name}${axis ? ` ${axis}` : ''}`
}

export interface LossSeries {
  key: string
  label: string
  color: string
  values: number[]
}

/** One series per term (its loss ℓ_k at each entry), and the steps of the entries (the x axis). */
export function lossSeries(
  entries: readonly DesignHistoryEntry[],
  phaseNames: readonly string[] = [],
): { steps: number[]; series: LossSeries[] } {
  const keys = [...new Set(entries.flatMap((e) => Object.keys(e.losses)))]
  let spare = 0
  const series = keys.map((key) => ({
    key,
    label: termLabel(key, phaseNames),
    color: TERM_COLORS[key.split(':')[0]] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length],
    values: entries.map((e) => e.losses[key] ?? Number.NaN),
  }))
  return { steps: entries.map((e) => e.step), series }
}
