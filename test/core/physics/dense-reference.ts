/**
 * An independent, deliberately plain implementation of the transport convention for tiny grids: every
 * conducting voxel is an unknown (no percolation filter: floating clusters are pinned by a tiny leak that
 * does not change the flux), the matrix is dense and solved by Gaussian elimination with partial
 * pivoting. Used to cross-check the multigrid-CG solver.
 */
import { createRandom } from '../../../src/core/synth/random'
import type { Axis, Shape3 } from '../../../src/core/volume/volume'

/** Deterministic uniform generator (the project's mulberry32) so fixtures are the same on every run. */
export function mulberry32(seed: number): () => number {
  return createRandom(seed).uniform
}

export function denseEffectiveConductivity(
  shape: Shape3,
  sigma: ArrayLike<number>,
  axis: Axis,
  periodic = false,
) {
  const [nz, ny, nx] = shape
  const a = axis === 'z' ? 0 : axis === 'y' ? 1 : 2
  const n = nz * ny * nx
  const m = n + 1
  const A = Array.from({ length: n }, () => new Float64Array(m))
  const at = (z: number, y: number, x: number) => (z * ny + y) * nx + x
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = at(z, y, x)
        A[i][i] += 1e-12
        if (!(sigma[i] > 0)) continue
        const coords = [z, y, x]
        for (let d = 0; d < 3; d++) {
          const next = [...coords]
          next[d] += 1
          if (next[d] === shape[d]) {
            if (!periodic || d === a || shape[d] === 1) continue
            next[d] = 0
          }
          const j = at(next[0], next[1], next[2])
          if (!(sigma[j] > 0)) continue
          const g = (2 * sigma[i] * sigma[j]) / (sigma[i] + sigma[j])
          A[i][i] += g
          A[j][j] += g
          A[i][j] -= g
          A[j][i] -= g
        }
        if (coords[a] === 0) {
          A[i][i] += 2 * sigma[i]
          A[i][n] += 2 * sigma[i]
        }
        if (coords[a] === shape[a] - 1) A[i][i] += 2 * sigma[i]
      }
    }
  }
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r][col]) > Math.abs(A[pivot][col])) pivot = r
    ;[A[col], A[pivot]] = [A[pivot], A[col]]
    for (let r = col + 1; r < n; r++) {
      const f = A[r][col] / A[col][col]
      if (f === 0) continue
      for (let k = col; k < m; k++) A[r][k] -= f * A[col][k]
    }
  }
  const c = new Float64Array(n)
  for (let r = n - 1; r >= 0; r--) {
    let s = A[r][n]
    for (let k = r + 1; k < n; k++) s -= A[r][k] * c[k]
    c[r] = s / A[r][r]
  }
  const extent = shape[a]
  let flux = 0
  for (let i = 0; i < n; i++) {
    const coord = [Math.floor(i / (nx * ny)), Math.floor(i / nx) % ny, i % nx][a]
    if (coord === extent - 1 && sigma[i] > 0) flux += 2 * sigma[i] * c[i]
  }
  return (flux * extent) / (n / extent)
}

/**
 * The same convention solved by successive over-relaxation in Float64, for grids too large for the dense
 * solve but small enough to converge in a few thousand sweeps (a few thousand cells).
 */
export function sorEffectiveConductivity(
  shape: Shape3,
  sigma: ArrayLike<number>,
  axis: Axis,
  periodic = false,
  sweeps = 6000,
) {
  const [nz, ny, nx] = shape
  const a = axis === 'z' ? 0 : axis === 'y' ? 1 : 2
  const n = nz * ny * nx
  const at = (c: number[]) => (c[0] * ny + c[1]) * nx + c[2]
  const nbs: number[][] = []
  const gs: number[][] = []
  const diag = new Float64Array(n)
  const rhs = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const c = [Math.floor(i / (nx * ny)), Math.floor(i / nx) % ny, i % nx]
    nbs.push([])
    gs.push([])
    if (!(sigma[i] > 0)) continue
    for (let d = 0; d < 3; d++) {
      for (const step of [-1, 1]) {
        const next = [...c]
        next[d] += step
        if (next[d] < 0 || next[d] >= shape[d]) {
          if (!periodic || d === a || shape[d] === 1) continue
          next[d] = (next[d] + shape[d]) % shape[d]
        }
        const j = at(next)
        if (!(sigma[j] > 0)) continue
        const g = (2 * sigma[i] * sigma[j]) / (sigma[i] + sigma[j])
        nbs[i].push(j)
        gs[i].push(g)
        diag[i] += g
      }
    }
    if (c[a] === 0) {
      diag[i] += 2 * sigma[i]
      rhs[i] += 2 * sigma[i]
    }
    if (c[a] === shape[a] - 1) diag[i] += 2 * sigma[i]
  }
  const x = new Float64Array(n)
  const omega = 1.9
  for (let s = 0; s < sweeps; s++) {
    for (let i = 0; i < n; i++) {
      if (diag[i] === 0) continue
      let sum = rhs[i]
      for (let k = 0; k < nbs[i].length; k++) sum += gs[i][k] * x[nbs[i][k]]
      x[i] += omega * (sum / diag[i] - x[i])
    }
  }
  const extent = shape[a]
  let flux = 0
  for (let i = 0; i < n; i++) {
    const coord = [Math.floor(i / (nx * ny)), Math.floor(i / nx) % ny, i % nx][a]
    if (coord === extent - 1 && sigma[i] > 0) flux += 2 * sigma[i] * x[i]
  }
  return (flux * extent) / (n / extent)
}
