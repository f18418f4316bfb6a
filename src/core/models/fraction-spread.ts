/**
 * How much the phase fractions of a real subvolume vary with its size, and each reconstruction's own target
 * fractions drawn from that variation (DESIGN §10, "Phase fractions without pinning").
 *
 * Real material is heterogeneous: the pore fraction of a 64³ cube of Berea sandstone has a standard
 * deviation of about 0.035 around the sample's mean. An ensemble whose every volume has the training mean
 * fraction understates the spread of every property computed from it. So every volume gets its own target
 * fractions f ~ N(f̄, Σ(n)), with f̄ the training fractions and Σ(n) the covariance over phases of the
 * fractions of real n³ subvolumes; the sampler's fraction guidance and the quantiser then aim at f.
 *
 * Σ(n) comes from stats.json "fractionSpread" (written by the trainer: measured on random cubes of 3D
 * training volumes, or estimated from the cross-covariance of 2D training images; see
 * training/microlad_train/statistics.py), tabulated at a few sides n. Between tabulated sides the variance
 * is interpolated linearly in log(variance) over log(n); beyond the largest it falls as n⁻³ (the law for
 * sides well beyond the correlation length: the mean over V of a field with short-range covariance has
 * variance ∫C / V); below the smallest it is held. Non-cubic shapes use the side of the cube of equal
 * volume. Bundles without the table: Σ is estimated from the training S2 curves (diagonal only; the
 * covariance is truncated at half the patch side, which understates the variance of large cubes).
 */
import type { TrainingStats } from './stats'
import type { Shape3 } from '../volume/volume'

export interface FractionSpreadTable {
  method: string
  sizes: number[]
  /** Covariance matrices [P][P] of the phase fractions of n³ subvolumes, one per size. */
  covariance: number[][][]
}

/**
 * The phase-fraction covariance Σ(n) [P][P] of real subvolumes with the voxel count of `shape`; undefined
 * when the bundle gives no way to know it (no table and S2 curves too short for the smallest cube).
 */
export function fractionCovariance(stats: TrainingStats, shape: Shape3): number[][] | undefined {
  const n = Math.cbrt(shape[0] * shape[1] * shape[2])
  const table = (stats as { fractionSpread?: FractionSpreadTable }).fractionSpread ?? spreadFromS2(stats)
  return table.sizes.length > 0 ? interpolateCovariance(table, n) : undefined
}

/** Σ(n) from a table: log-log interpolation between sides, n⁻³ beyond the largest, held below the smallest. */
export function interpolateCovariance(table: FractionSpreadTable, n: number): number[][] {
  const { sizes, covariance } = table
  if (sizes.length === 0) throw new Error('fraction spread table is empty')
  const last = sizes.length - 1
  const scaleOf = (from: number[][], factor: number) => from.map((row) => row.map((v) => v * factor))
  if (n <= sizes[0]) return scaleOf(covariance[0], 1)
  if (n >= sizes[last]) return scaleOf(covariance[last], (sizes[last] / n) ** 3)
  let i = 0
  while (sizes[i + 1] < n) i++
  const t = Math.log(n / sizes[i]) / Math.log(sizes[i + 1] / sizes[i])
  const a = covariance[i]
  const b = covariance[i + 1]
  return a.map((row, p) =>
    row.map((va, q) => {
      const vb = b[p][q]
      // log-interpolate the magnitude where both ends share a sign (always on the diagonal), else linear
      if (va * vb > 0)
        return Math.sign(va) * Math.exp((1 - t) * Math.log(Math.abs(va)) + t * Math.log(Math.abs(vb)))
      return (1 - t) * va + t * vb
    }),
  )
}

/**
 * A diagonal Σ(n) from the training S2 curves: C(r) = S2(r) − f² (mean of the x and y curves, taken as
 * isotropic, zero beyond the curve's end), Var f(n) = n⁻⁶ Σ_{x,y ∈ cube} C(|x − y|).
 */
export function spreadFromS2(stats: TrainingStats): FractionSpreadTable {
  const phases = stats.planes.all.phases
  const rmax = stats.r.length - 1
  const sizes = [8, 12, 16, 24, 32].filter((n) => n <= 2 * rmax)
  const covariance = sizes.map((n) => {
    const w = cubePairDistanceWeights(n, rmax)
    const diag = phases.map((ph) => {
      const f = ph.volumeFraction.mean
      let v = 0
      for (let r = 0; r <= rmax; r++) v += w[r] * ((ph.s2.x.mean[r] + ph.s2.y.mean[r]) / 2 - f * f)
      return Math.max(v, 0)
    })
    return diag.map((d, p) => diag.map((_, q) => (p === q ? d : 0)))
  })
  return { method: 's2-estimate', sizes, covariance }
}

/** w[r] = n⁻⁶ × the number of ordered voxel pairs of an n³ cube whose distance rounds to r (r ≤ rmax). */
export function cubePairDistanceWeights(n: number, rmax: number): Float64Array {
  const w = new Float64Array(rmax + 1)
  for (let dz = -(n - 1); dz < n; dz++) {
    for (let dy = -(n - 1); dy < n; dy++) {
      for (let dx = -(n - 1); dx < n; dx++) {
        const r = Math.round(Math.sqrt(dz * dz + dy * dy + dx * dx))
        if (r <= rmax) w[r] += (n - Math.abs(dz)) * (n - Math.abs(dy)) * (n - Math.abs(dx))
      }
    }
  }
  const n6 = n ** 6
  for (let r = 0; r <= rmax; r++) w[r] /= n6
  return w
}
