/**
 * Preconditioned conjugate gradients for A x = b with A a `GridOperator` (symmetric positive definite on
 * its active cells).
 *
 * Mixed precision: the iterate x and the residual r are Float64 (they carry the answer), the search
 * direction, A·p and the preconditioned residual are Float32 (they only steer the iteration; halving
 * their bytes speeds up the memory-bound loops). The recursive residual can drift from b − A x by about
 * the Float32 rounding of A·p, so callers report the true residual computed afterwards in Float64.
 */
import { CancelledError } from '../errors'
import { applyOperator, type GridOperator } from './grid-operator'

export interface SolveProgress {
  iteration: number
  /** ‖r‖ / ‖b‖ of the recursive residual. */
  residual: number
}

export interface PcgOptions {
  tol: number
  maxIter: number
  onProgress?: (progress: SolveProgress) => void
  signal?: AbortSignal
}

export interface PcgResult {
  iterations: number
  /** Final recursive relative residual ‖r‖ / ‖b‖. */
  residual: number
  converged: boolean
}

export type Preconditioner = (r: Float32Array, z: Float32Array) => void

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError()
}

/** Solves in place: `x` holds the initial guess on entry and the solution on return. */
export function preconditionedConjugateGradient(
  op: GridOperator,
  b: Float64Array,
  x: Float64Array,
  precondition: Preconditioner,
  options: PcgOptions,
): PcgResult {
  const n = b.length
  const r = new Float64Array(n)
  const rf = new Float32Array(n)
  const z = new Float32Array(n)
  const p = new Float32Array(n)
  const q = new Float32Array(n)
  // Round the initial guess to Float32 so that r = b − A x holds exactly for the x we iterate on.
  for (let i = 0; i < n; i++) p[i] = x[i]
  for (let i = 0; i < n; i++) x[i] = p[i]
  applyOperator(op, p, q)
  let bNorm = 0
  let rr = 0
  for (let i = 0; i < n; i++) {
    r[i] = b[i] - q[i]
    bNorm += b[i] * b[i]
    rr += r[i] * r[i]
  }
  bNorm = Math.sqrt(bNorm)
  if (bNorm === 0) return { iterations: 0, residual: 0, converged: true }
  let residual = Math.sqrt(rr) / bNorm
  let iterations = 0
  let rz = 0
  while (residual > options.tol && iterations < options.maxIter) {
    throwIfAborted(options.signal)
    for (let i = 0; i < n; i++) rf[i] = r[i]
    precondition(rf, z)
    let rzNext = 0
    for (let i = 0; i < n; i++) rzNext += r[i] * z[i]
    const beta = iterations === 0 ? 0 : rzNext / rz
    rz = rzNext
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i]
    applyOperator(op, p, q)
    let pq = 0
    for (let i = 0; i < n; i++) pq += p[i] * q[i]
    if (!(pq > 0)) break
    const alpha = rz / pq
    rr = 0
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i]
      const ri = r[i] - alpha * q[i]
      r[i] = ri
      rr += ri * ri
    }
    iterations++
    residual = Math.sqrt(rr) / bNorm
    options.onProgress?.({ iteration: iterations, residual })
  }
  return { iterations, residual, converged: residual <= options.tol }
}
