/** Curve comparison as the CLI's `microlad compare` reports it, for numbers the renderer shows. */

/** Error in percent between a curve and its reference: 100 · Σ|a − ref| / Σ ref over the common length. */
export function curveErrorPercent(curve: readonly number[], reference: readonly number[]): number {
  const n = Math.min(curve.length, reference.length)
  let diff = 0
  let sum = 0
  for (let r = 0; r < n; r++) {
    diff += Math.abs(curve[r] - reference[r])
    sum += reference[r]
  }
  if (sum === 0) return diff === 0 ? 0 : Infinity
  return (100 * diff) / sum
}
