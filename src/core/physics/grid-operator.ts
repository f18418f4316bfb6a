/**
 * The finite-volume conduction operator on a structured voxel grid: a symmetric 7-point stencil
 *
 *   (A c)_i = h_i c_i + Σ_{faces f = (i, j)} g_f (c_i − c_j)
 *
 * where g_f is the conductance of the face between two face-adjacent cells and h_i the conductance to a
 * held boundary value (Dirichlet). Each face is stored once, at the cell on its lower side along the axis
 * (`gx[i]` joins i to its +x neighbour; with periodic sides the last cell of a line joins the first).
 * The products are evaluated in this flux form, so rows sum exactly to h_i: a diagonal stored apart in
 * Float32 would leave a rounding leak in every cell that biases the flux by ~1e-6. Inactive cells have no
 * faces and no h; they are skipped.
 * The same type holds every multigrid level: the Galerkin coarsening of 2×2×2 blocks of a 7-point
 * operator is again a 7-point operator on the coarse grid.
 */
import type { Shape3 } from '../volume/volume'

export interface GridOperator {
  shape: Shape3
  /** Face conductances towards the +x, +y, +z neighbour (0 where there is no face). */
  gx: Float32Array
  gy: Float32Array
  gz: Float32Array
  /** h_i, the conductance to a held boundary value. */
  dirichlet: Float32Array
  /** 1 / (h_i + Σ_f g_f), 0 for inactive cells. */
  invDiag: Float32Array
  /** Periodic wrap along z, y, x (never along the transport axis). */
  periodic: [boolean, boolean, boolean]
}

export function emptyOperator(shape: Shape3, periodic: [boolean, boolean, boolean]): GridOperator {
  const n = shape[0] * shape[1] * shape[2]
  return {
    shape,
    gx: new Float32Array(n),
    gy: new Float32Array(n),
    gz: new Float32Array(n),
    dirichlet: new Float32Array(n),
    invDiag: new Float32Array(n),
    periodic,
  }
}

/** Computes invDiag from the faces and h; cells with neither become inactive. */
export function updateInverseDiagonal(op: GridOperator): void {
  const [nz, ny, nx] = op.shape
  const [pz, py, px] = op.periodic
  const { gx, gy, gz, invDiag } = op
  const plane = nx * ny
  invDiag.set(op.dirichlet)
  for (let iz = 0; iz < nz; iz++) {
    for (let iy = 0; iy < ny; iy++) {
      const base = (iz * ny + iy) * nx
      for (let ix = 0; ix < nx; ix++) {
        const i = base + ix
        invDiag[i] += gx[i] + gy[i] + gz[i]
        if (gx[i] !== 0) invDiag[ix < nx - 1 ? i + 1 : px ? base : i] += gx[i]
        if (gy[i] !== 0) invDiag[iy < ny - 1 ? i + nx : py ? i - iy * nx : i] += gy[i]
        if (gz[i] !== 0) invDiag[iz < nz - 1 ? i + plane : pz ? i - iz * plane : i] += gz[i]
      }
    }
  }
  for (let i = 0; i < invDiag.length; i++) invDiag[i] = invDiag[i] > 0 ? 1 / invDiag[i] : 0
}

/**
 * Index offsets to the y and z neighbours of the cells of one grid line (fixed z, y), and whether the
 * −y / −z faces exist. The +y / +z faces need no flag: their conductance is 0 where they do not exist.
 */
class LineNeighbours {
  yMinus = 0
  yPlus = 0
  zMinus = 0
  zPlus = 0
  hasYMinus = 0
  hasZMinus = 0

  constructor(private readonly op: GridOperator) {}

  set(iz: number, iy: number): void {
    const [nz, ny, nx] = this.op.shape
    const [pz, py] = this.op.periodic
    const plane = nx * ny
    this.hasYMinus = iy > 0 || (py && ny > 1) ? 1 : 0
    this.yMinus = iy > 0 ? -nx : this.hasYMinus ? (ny - 1) * nx : 0
    this.yPlus = iy < ny - 1 ? nx : py && ny > 1 ? -(ny - 1) * nx : 0
    this.hasZMinus = iz > 0 || (pz && nz > 1) ? 1 : 0
    this.zMinus = iz > 0 ? -plane : this.hasZMinus ? (nz - 1) * plane : 0
    this.zPlus = iz < nz - 1 ? plane : pz && nz > 1 ? -(nz - 1) * plane : 0
  }
}

/**
 * For a cell at either end of its x line (the interior cells are handled by the unrolled loops below):
 * Σ_f g_f (c_i − c_j) when `xi` is c_i, or −Σ_f g_f c_j when `xi` is 0.
 */
function lineEndFaceSum(
  op: GridOperator,
  x: Float32Array,
  i: number,
  ix: number,
  xi: number,
  ln: LineNeighbours,
): number {
  const nx = op.shape[2]
  const px = op.periodic[2] && nx > 1
  const { gx, gy, gz } = op
  let s = gy[i + ln.yMinus] * ln.hasYMinus * (xi - x[i + ln.yMinus]) + gy[i] * (xi - x[i + ln.yPlus])
  s += gz[i + ln.zMinus] * ln.hasZMinus * (xi - x[i + ln.zMinus]) + gz[i] * (xi - x[i + ln.zPlus])
  if (ix > 0) s += gx[i - 1] * (xi - x[i - 1])
  else if (px) s += gx[i + nx - 1] * (xi - x[i + nx - 1])
  if (ix < nx - 1) s += gx[i] * (xi - x[i + 1])
  else if (px) s += gx[i] * (xi - x[i - nx + 1])
  return s
}

/** y = A x. */
export function applyOperator(op: GridOperator, x: Float32Array, y: Float32Array): void {
  const [nz, ny, nx] = op.shape
  const { gx, gy, gz, dirichlet, invDiag } = op
  const ln = new LineNeighbours(op)
  for (let iz = 0; iz < nz; iz++) {
    for (let iy = 0; iy < ny; iy++) {
      ln.set(iz, iy)
      const { yMinus, yPlus, zMinus, zPlus, hasYMinus, hasZMinus } = ln
      const base = (iz * ny + iy) * nx
      for (let i = base + 1, end = base + nx - 1; i < end; i++) {
        if (invDiag[i] === 0) {
          y[i] = 0
          continue
        }
        const xi = x[i]
        y[i] =
          dirichlet[i] * xi +
          gx[i - 1] * (xi - x[i - 1]) +
          gx[i] * (xi - x[i + 1]) +
          gy[i + yMinus] * hasYMinus * (xi - x[i + yMinus]) +
          gy[i] * (xi - x[i + yPlus]) +
          gz[i + zMinus] * hasZMinus * (xi - x[i + zMinus]) +
          gz[i] * (xi - x[i + zPlus])
      }
      for (let ix = 0; ix < nx; ix += Math.max(nx - 1, 1)) {
        const i = base + ix
        y[i] = invDiag[i] === 0 ? 0 : dirichlet[i] * x[i] + lineEndFaceSum(op, x, i, ix, x[i], ln)
      }
    }
  }
}

/** r = b − A x. */
export function computeResidual(op: GridOperator, x: Float32Array, b: Float32Array, r: Float32Array): void {
  applyOperator(op, x, r)
  for (let i = 0; i < r.length; i++) r[i] = op.invDiag[i] === 0 ? 0 : b[i] - r[i]
}

/**
 * One Gauss–Seidel sweep for A x = b in lexicographic order (`forward`) or its reverse. A forward sweep
 * before and a backward sweep after the coarse correction keep the V-cycle symmetric, as CG requires.
 */
export function gaussSeidelSweep(op: GridOperator, x: Float32Array, b: Float32Array, forward: boolean): void {
  const [nz, ny, nx] = op.shape
  const { gx, gy, gz, invDiag } = op
  const ln = new LineNeighbours(op)
  const lines = nz * ny
  for (let k = 0; k < lines; k++) {
    const line = forward ? k : lines - 1 - k
    const iz = Math.floor(line / ny)
    const iy = line - iz * ny
    ln.set(iz, iy)
    const { yMinus, yPlus, zMinus, zPlus, hasYMinus, hasZMinus } = ln
    const base = line * nx
    const last = base + nx - 1
    const first = forward ? base : last
    if (invDiag[first] !== 0) {
      x[first] = (b[first] - lineEndFaceSum(op, x, first, first - base, 0, ln)) * invDiag[first]
    }
    const start = forward ? base + 1 : last - 1
    const step = forward ? 1 : -1
    for (let j = 1, i = start; j < nx - 1; j++, i += step) {
      const inv = invDiag[i]
      if (inv === 0) continue
      x[i] =
        (b[i] +
          gx[i - 1] * x[i - 1] +
          gx[i] * x[i + 1] +
          gy[i + yMinus] * hasYMinus * x[i + yMinus] +
          gy[i] * x[i + yPlus] +
          gz[i + zMinus] * hasZMinus * x[i + zMinus] +
          gz[i] * x[i + zPlus]) *
        inv
    }
    const final = forward ? last : base
    if (nx > 1 && invDiag[final] !== 0) {
      x[final] = (b[final] - lineEndFaceSum(op, x, final, final - base, 0, ln)) * invDiag[final]
    }
  }
}

/**
 * ‖b − A x‖ in Float64 (the true residual of a Float64 iterate; the solver loops above run on Float32
 * vectors). Used once per solve, so it favours plain code over speed.
 */
export function residualNorm64(op: GridOperator, x: Float64Array, b: Float64Array): number {
  const [nz, ny, nx] = op.shape
  const px = op.periodic[2] && nx > 1
  const { gx, gy, gz, dirichlet, invDiag } = op
  const ln = new LineNeighbours(op)
  let sum = 0
  for (let iz = 0; iz < nz; iz++) {
    for (let iy = 0; iy < ny; iy++) {
      ln.set(iz, iy)
      const base = (iz * ny + iy) * nx
      for (let ix = 0; ix < nx; ix++) {
        const i = base + ix
        if (invDiag[i] === 0) continue
        const xi = x[i]
        let s = gy[i + ln.yMinus] * ln.hasYMinus * (xi - x[i + ln.yMinus]) + gy[i] * (xi - x[i + ln.yPlus])
        s += gz[i + ln.zMinus] * ln.hasZMinus * (xi - x[i + ln.zMinus]) + gz[i] * (xi - x[i + ln.zPlus])
        if (ix > 0) s += gx[i - 1] * (xi - x[i - 1])
        else if (px) s += gx[i + nx - 1] * (xi - x[i + nx - 1])
        if (ix < nx - 1) s += gx[i] * (xi - x[i + 1])
        else if (px) s += gx[i] * (xi - x[i - nx + 1])
        const ri = b[i] - (dirichlet[i] * xi + s)
        sum += ri * ri
      }
    }
  }
  return Math.sqrt(sum)
}
