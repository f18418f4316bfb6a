/**
 * Otsu's method (Otsu 1979, "A threshold selection method from gray-level histograms"), two-phase and
 * multi-level, on a histogram of L bins (the bins' indices 0..L−1 stand for their grey levels).
 *
 * Definition: k − 1 thresholds split the bins into k classes C_0 = [0, t_1), C_1 = [t_1, t_2), …,
 * C_{k−1} = [t_{k−1}, L). With p_i the fraction of samples in bin i, class weight ω_c = Σ_{i∈C_c} p_i and
 * class mean μ_c = Σ_{i∈C_c} i·p_i / ω_c, the thresholds maximise the between-class variance
 *   σ_B² = Σ_c ω_c (μ_c − μ_T)² = Σ_c S_c² / ω_c − μ_T²     (S_c = Σ_{i∈C_c} i·p_i),
 * over 0 < t_1 < t_2 < … < t_{k−1} < L. A class of zero weight adds nothing. Among equal maxima the first
 * in lexicographic order of (t_1, …, t_{k−1}) wins, as in scikit-image.
 *
 * A threshold t here is the first bin of the upper class (value ≥ t), the convention of core/io's readers.
 * scikit-image's threshold_otsu returns the last bin of the lower class (foreground = image > t), so for
 * an 8-bit image its threshold is ours minus one (checked in test/python/test_segmentation.py).
 *
 * multiOtsu searches exactly by dynamic programming over class boundaries: best[c][j] is the largest
 * Σ S²/ω of c classes covering bins [0, j); best[c][j] = max_{i<j} best[c−1][i] + S(i,j)²/ω(i,j). That is
 * O(k·L²) — 0.3 M steps for L = 256, k = 4 — instead of the O(L^(k−1)) exhaustive search, and gives the
 * same maximum.
 */
import { BINS } from './histogram'

/** Relative tolerance under which two criterion values count as equal (ties go to the earlier threshold). */
const TIE = 1e-12

/** Is v larger than best by more than rounding? */
function better(v: number, best: number): boolean {
  return best === -Infinity ? v > best : v > best + TIE * Math.abs(best)
}

function prefixSums(counts: ArrayLike<number>): { w: Float64Array; s: Float64Array; total: number } {
  const L = counts.length
  const w = new Float64Array(L + 1)
  const s = new Float64Array(L + 1)
  for (let i = 0; i < L; i++) {
    const c = counts[i] > 0 ? counts[i] : 0
    w[i + 1] = w[i] + c
    s[i + 1] = s[i] + i * c
  }
  return { w, s, total: w[L] }
}

/** Σ_{c} S_c²/ω_c contribution of bins [a, b) (normalised by the total). */
function term(w: Float64Array, s: Float64Array, a: number, b: number, total: number): number {
  const wc = (w[b] - w[a]) / total
  if (wc <= 0) return 0
  const sc = (s[b] - s[a]) / total
  return (sc * sc) / wc
}

/** Between-class variance σ_B² of the classes the thresholds make (bins' indices as grey levels). */
export function betweenClassVariance(counts: ArrayLike<number>, thresholds: readonly number[]): number {
  const { w, s, total } = prefixSums(counts)
  if (total <= 0) return 0
  const edges = [0, ...thresholds, counts.length]
  let sum = 0
  for (let c = 0; c + 1 < edges.length; c++) sum += term(w, s, edges[c], edges[c + 1], total)
  const mu = s[counts.length] / total
  return sum - mu * mu
}

/**
 * Two-phase Otsu threshold of a histogram: the first bin t of the upper class (1 ≤ t ≤ L − 1). A histogram
 * with a single occupied bin has no split; its threshold is the bin above it (everything in class 0).
 */
export function otsu(counts: ArrayLike<number>): number {
  const L = counts.length
  const { w, s, total } = prefixSums(counts)
  if (total <= 0) return Math.floor(L / 2)
  const muT = s[L] / total
  let best = -Infinity
  let bestT = -1
  for (let t = 1; t < L; t++) {
    const w0 = w[t] / total
    const w1 = 1 - w0
    if (w0 <= 0 || w1 <= 0) continue
    const mu0 = s[t] / total / w0
    const mu1 = (s[L] / total - s[t] / total) / w1
    const v = w0 * (mu0 - muT) ** 2 + w1 * (mu1 - muT) ** 2
    if (better(v, best)) {
      best = v
      bestT = t
    }
  }
  if (bestT < 0) {
    // One occupied bin: put it in class 0.
    let last = 0
    for (let i = 0; i < L; i++) if (counts[i] > 0) last = i
    return Math.min(L - 1, last + 1)
  }
  return bestT
}

/**
 * Multi-level Otsu: the classes − 1 thresholds (increasing bin indices, each the first bin of its upper
 * class) that maximise the between-class variance. classes = 2 gives otsu().
 */
export function multiOtsu(counts: ArrayLike<number>, classes: number): number[] {
  const L = counts.length
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError('multiOtsu needs at least 2 classes')
  if (classes > L) throw new RangeError(`multiOtsu: ${classes} classes need at least as many bins`)
  const { w, s, total } = prefixSums(counts)
  if (total <= 0) return Array.from({ length: classes - 1 }, (_, i) => Math.round(((i + 1) * L) / classes))
  // best[c][j]: max Σ S²/ω over c + 1 non-empty bin ranges covering [0, j); arg[c][j]: start of the last range.
  const best: Float64Array[] = []
  const arg: Int32Array[] = []
  best.push(new Float64Array(L + 1))
  arg.push(new Int32Array(L + 1))
  for (let j = 1; j <= L; j++) best[0][j] = term(w, s, 0, j, total)
  for (let c = 1; c < classes; c++) {
    const b = new Float64Array(L + 1).fill(-Infinity)
    const a = new Int32Array(L + 1).fill(-1)
    const prev = best[c - 1]
    for (let j = c + 1; j <= L; j++) {
      let bv = -Infinity
      let bi = -1
      for (let i = c; i < j; i++) {
        if (prev[i] === -Infinity) continue
        const v = prev[i] + term(w, s, i, j, total)
        if (better(v, bv)) {
          bv = v
          bi = i
        }
      }
      b[j] = bv
      a[j] = bi
    }
    best.push(b)
    arg.push(a)
  }
  const out: number[] = []
  let j = L
  for (let c = classes - 1; c >= 1; c--) {
    const i = arg[c][j]
    out.push(i)
    j = i
  }
  return out.reverse()
}

/**
 * Exhaustive multi-level Otsu for up to 4 classes (3 thresholds): every t_1 < t_2 < t_3 is tried, in
 * lexicographic order. O(L^(k−1)); kept as the reference the tests compare multiOtsu (the DP) with.
 */
export function multiOtsuExhaustive(counts: ArrayLike<number>, classes: number): number[] {
  const L = counts.length
  if (classes < 2 || classes > 4) throw new RangeError('multiOtsuExhaustive handles 2 to 4 classes')
  const { w, s, total } = prefixSums(counts)
  const T = (a: number, b: number) => term(w, s, a, b, total)
  let best = -Infinity
  let bestT: number[] = []
  const consider = (v: number, t: number[]) => {
    if (better(v, best)) {
      best = v
      bestT = t
    }
  }
  if (classes === 2) for (let a = 1; a < L; a++) consider(T(0, a) + T(a, L), [a])
  else if (classes === 3)
    for (let a = 1; a < L - 1; a++)
      for (let b = a + 1; b < L; b++) consider(T(0, a) + T(a, b) + T(b, L), [a, b])
  else
    for (let a = 1; a < L - 2; a++)
      for (let b = a + 1; b < L - 1; b++) {
        const head = T(0, a) + T(a, b)
        for (let c = b + 1; c < L; c++) consider(head + T(b, c) + T(c, L), [a, b, c])
      }
  return bestT
}

export { BINS }
