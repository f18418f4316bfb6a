/**
 * Ensemble statistics and verdicts of a validation (DESIGN §10, docs/validation.md).
 *
 * Notation: K generated samples g_1 … g_K; D real ensembles (draws), ensemble d holding K real samples
 * r_d1 … r_dK of the same size. SD is the sample standard deviation (denominator K − 1).
 *
 * Scalars (per phase):
 * - generated mean  ḡ = mean_k g_k;  generated SD  s_g = SD_k g_k
 * - real ensemble means m_d = mean_k r_dk;  real range [min_d m_d, max_d m_d]
 * - real mean  μ = mean over all D·K real samples (= mean_d m_d)
 * - real per-volume SD  s_r = mean_d SD_k r_dk  (the spread one ensemble of K shows, averaged over draws)
 *
 * Rules ('within' when every check passes):
 * - volume fraction:  ḡ ∈ [min_d m_d, max_d m_d]  and  s_g / s_r ∈ [0.5, 2]
 * - D_rel (per axis and mean over axes):  |ḡ − μ| ≤ 0.75 s_r  and  s_g ≥ 0.5 s_r
 * - Euler characteristic per voxel, percolating fraction:  |ḡ − μ| ≤ 1 s_r
 *
 * Curves (per phase; S2, lineal path, chord length, pore size): the ensemble-mean curve of each ensemble
 * (pointwise mean of its K samples' curves, per axis) is compared with the reference curve by Micro3Diff's
 * error % = 100 Σ_r |f − f_ref| / Σ_r f_ref (core/analysis/compare.ts), averaged over the axes. e_d is the
 * error of real ensemble d, e_g that of the generated ensemble. Rule: e_g ≤ max_d e_d.
 *
 * A row whose real samples are all absent (e.g. D_rel of a 2D reference) is not produced; a check with a
 * non-finite value fails.
 */
import { micro3diffError } from '../analysis/compare'
import type {
  CurveBand,
  CurveKey,
  ScalarKey,
  ScalarSamples,
  ValidationRow,
  Verdict,
  VerdictCheck,
} from '../../shared/validation'
import type { CurveSet } from './descriptors'

/** Absolute slack of the interval tests (so that a real SD of exactly 0 still admits an identical value). */
const SLACK = 1e-12

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : Number.NaN
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0
  const m = mean(xs)
  return Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1))
}

function check(name: string, value: number, low: number | null, high: number | null): VerdictCheck {
  const pass =
    Number.isFinite(value) &&
    (low === null || value >= low - SLACK) &&
    (high === null || value <= high + SLACK)
  return { name, value, low, high, pass }
}

function verdictOf(checks: VerdictCheck[]): Verdict {
  return checks.length === 0 ? 'n/a' : checks.every((c) => c.pass) ? 'within' : 'outside'
}

export type ScalarRule = 'vf' | 'drel' | 'sd1'

export const SCALAR_RULES: Record<ScalarRule, string> = {
  vf: 'generated mean within [min, max] of the real ensemble means, and generated SD within 0.5–2× the real per-volume SD',
  drel: 'generated mean within real mean ± 0.75 real per-volume SD, and generated SD ≥ 0.5× real per-volume SD',
  sd1: 'generated mean within real mean ± 1 real per-volume SD',
}

export const CURVE_RULE =
  "error % of the generated ensemble's mean curve vs the reference ≤ the largest error % of the real ensembles' mean curves"

export function scalarRow(
  phase: number,
  phaseName: string,
  key: ScalarKey,
  label: string,
  rule: ScalarRule,
  generated: readonly number[],
  realDraws: readonly (readonly number[])[],
): ValidationRow {
  const g = mean(generated)
  const sg = sd(generated)
  const means = realDraws.map((d) => mean(d))
  const mu = mean(realDraws.flat())
  const sr = mean(realDraws.map((d) => sd(d)))
  const lo = Math.min(...means)
  const hi = Math.max(...means)
  const checks: VerdictCheck[] = []
  if (rule === 'vf') {
    checks.push(check('mean in real range', g, lo, hi))
    checks.push(check('SD ratio', sr > 0 ? sg / sr : sg === 0 ? 1 : Number.MAX_VALUE, 0.5, 2))
  } else if (rule === 'drel') {
    checks.push(check('mean', g, mu - 0.75 * sr, mu + 0.75 * sr))
    checks.push(check('SD ratio', sr > 0 ? sg / sr : sg === 0 ? 1 : Number.MAX_VALUE, 0.5, null))
  } else {
    checks.push(check('mean', g, mu - sr, mu + sr))
  }
  return {
    phase,
    phaseName,
    key,
    label,
    kind: 'scalar',
    generated: g,
    generatedSd: sg,
    realMean: mu,
    realSd: sr,
    realMin: lo,
    realMax: hi,
    checks,
    verdict: verdictOf(checks),
    rule: SCALAR_RULES[rule],
  }
}

export function scalarSamples(
  phase: number,
  key: ScalarKey,
  label: string,
  generated: readonly number[],
  realDraws: readonly (readonly number[])[],
): ScalarSamples {
  return { phase, key, label, generated: [...generated], real: realDraws.flat() }
}

/** Pointwise mean, per axis key, of curve sets (curves of one key have equal lengths). */
export function meanCurves(sets: readonly CurveSet[]): CurveSet {
  const out: CurveSet = {}
  if (!sets.length) return out
  for (const key of Object.keys(sets[0]) as (keyof CurveSet)[]) {
    const curves = sets.map((s) => s[key]).filter((c): c is number[] => !!c)
    const len = Math.min(...curves.map((c) => c.length))
    out[key] = Array.from({ length: len }, (_, r) => mean(curves.map((c) => c[r])))
  }
  return out
}

/** Mean over the shared axis keys of the micro3diff error % of `curves` against `reference`. */
export function curveSetError(curves: CurveSet, reference: CurveSet): number {
  const keys = (Object.keys(curves) as (keyof CurveSet)[]).filter((k) => reference[k])
  if (!keys.length) return Number.NaN
  return mean(keys.map((k) => micro3diffError(curves[k] as number[], reference[k] as number[])))
}

/** The mean over axis keys of a curve set (one curve to plot), truncated to the shortest. */
export function axisMean(set: CurveSet): number[] {
  const curves = Object.values(set).filter((c): c is number[] => !!c)
  if (!curves.length) return []
  const len = Math.min(...curves.map((c) => c.length))
  return Array.from({ length: len }, (_, r) => mean(curves.map((c) => c[r])))
}

export function curveRowAndBand(
  phase: number,
  phaseName: string,
  key: CurveKey,
  label: string,
  xLabel: string,
  generated: readonly CurveSet[],
  realDraws: readonly (readonly CurveSet[])[],
  reference: CurveSet,
): { row: ValidationRow; band: CurveBand } {
  const genMean = meanCurves(generated)
  const drawMeans = realDraws.map((d) => meanCurves(d))
  const eg = curveSetError(genMean, reference)
  const errors = drawMeans.map((m) => curveSetError(m, reference))
  const hi = Math.max(...errors)
  const checks = [check('error %', eg, 0, hi)]
  const drawPlots = drawMeans.map(axisMean)
  const len = Math.min(...drawPlots.map((c) => c.length))
  const pointwise = (f: (xs: number[]) => number) =>
    Array.from({ length: len }, (_, r) => f(drawPlots.map((c) => c[r])))
  return {
    row: {
      phase,
      phaseName,
      key,
      label,
      kind: 'curve',
      generated: eg,
      generatedSd: null,
      realMean: mean(errors),
      realSd: null,
      realMin: Math.min(...errors),
      realMax: hi,
      checks,
      verdict: verdictOf(checks),
      rule: CURVE_RULE,
    },
    band: {
      phase,
      key,
      label,
      xLabel,
      reference: axisMean(reference),
      generated: axisMean(genMean),
      realMean: pointwise(mean),
      realMin: pointwise((xs) => Math.min(...xs)),
      realMax: pointwise((xs) => Math.max(...xs)),
    },
  }
}
