/**
 * Two-point correlation S2 of one phase.
 *
 * Definition: S2(r) is the probability that two points a distance r apart are both in the phase. Along an
 * axis a, r counts voxels:
 *   non-periodic (default): S2_a(r) = Σ_lines Σ_{i=0}^{n-1-r} f_i f_{i+r} / (lines × (n − r)),
 *     i.e. zero padding, each lag divided by its number of overlapping pairs (an unbiased estimator);
 *   periodic: S2_a(r) = Σ_lines Σ_{i=0}^{n-1} f_i f_{(i+r) mod n} / (lines × n).
 * f is the phase indicator (0/1) or a soft probability field. S2(0) is the volume fraction and curves run
 * r = 0 .. maxR, maxR = ⌊n/2⌋ by default.
 *
 * Only correlations along one axis are needed, so each line is transformed on its own with a real 1D FFT
 * (fft.js, size the next power of two >= 2n so the circular correlation holds the linear one); the power
 * spectra of all lines are summed and transformed back once. The periodic estimator comes from the same
 * linear correlations: circ(r) = lin(r) + lin(n − r).
 *
 * For 2D images the in-plane radial average is also given: the 2D autocorrelation (2D FFT, same overlap
 * normalisation) averaged over all lags (dy, dx) with round(√(dy² + dx²)) = r.
 */
import { axisLines, activeAxes } from './lines'
import { fftOfSize, inverseOfHalfSpectrum, nextPowerOfTwo } from './fft'
import { phaseIndicator, checkPhase } from './indicator'
import type { Axis, Shape3, Volume } from '../volume/volume'

export interface CorrelationOptions {
  periodic?: boolean
  /** Largest lag; defaults to ⌊n/2⌋ along each axis, clamped to n − 1. */
  maxR?: number
}

export interface AxisCurves {
  z: number[]
  y: number[]
  x: number[]
}

export interface TwoPointCorrelation extends AxisCurves {
  /** In-plane radial average, for 2D images only. */
  radial?: number[]
}

function curveLength(n: number, maxR: number | undefined): number {
  const r = maxR === undefined ? Math.floor(n / 2) : Math.min(Math.max(0, Math.floor(maxR)), n - 1)
  return r + 1
}

/**
 * Sum over all lines along `axis` of the linear autocorrelation Σ_i f_i f_{i+r}, for r = 0..n−1.
 */
export function summedLineAutocorrelation(field: ArrayLike<number>, shape: Shape3, axis: Axis): Float64Array {
  const lines = axisLines(shape, axis)
  const n = lines.length
  const size = nextPowerOfTwo(2 * n)
  const f = fftOfSize(size)
  const input = new Float64Array(size)
  const spectrum = f.createComplexArray() as number[]
  const power = new Float64Array(size / 2 + 1)
  const { starts, stride } = lines
  for (let l = 0; l < lines.count; l++) {
    const s = starts[l]
    let any = false
    for (let i = 0; i < n; i++) {
      const v = field[s + i * stride]
      input[i] = v
      if (v !== 0) any = true
    }
    if (!any) continue
    f.realTransform(spectrum, input)
    for (let k = 0; k <= size / 2; k++) {
      const re = spectrum[2 * k]
      const im = spectrum[2 * k + 1]
      power[k] += re * re + im * im
    }
  }
  return inverseOfHalfSpectrum(power, size).subarray(0, n)
}

/** S2 along one axis of a field (indicator or probabilities), by the estimator in the module comment. */
export function axisTwoPointCorrelation(
  field: ArrayLike<number>,
  shape: Shape3,
  axis: Axis,
  opts: CorrelationOptions = {},
): number[] {
  const lines = axisLines(shape, axis)
  const n = lines.length
  const lin = summedLineAutocorrelation(field, shape, axis)
  const len = curveLength(n, opts.maxR)
  const out = new Array<number>(len)
  for (let r = 0; r < len; r++) {
    out[r] = opts.periodic
      ? (lin[r] + (r > 0 ? lin[n - r] : 0)) / (lines.count * n)
      : lin[r] / (lines.count * (n - r))
  }
  return out
}

/** 2D autocorrelation of an ny × nx image padded to py × px: returns the circular result (length py*px). */
function imageAutocorrelation(
  field: ArrayLike<number>,
  ny: number,
  nx: number,
  py: number,
  px: number,
): Float64Array {
  const fr = fftOfSize(px)
  const fc = fftOfSize(py)
  // Row transforms (real), then column transforms (complex) of the full spectrum.
  const spec = new Float64Array(py * px * 2)
  const row = new Float64Array(px)
  const rowOut = fr.createComplexArray() as number[]
  for (let y = 0; y < ny; y++) {
    row.fill(0)
    for (let x = 0; x < nx; x++) row[x] = field[y * nx + x]
    fr.realTransform(rowOut, row)
    fr.completeSpectrum(rowOut)
    spec.set(rowOut, y * px * 2)
  }
  const col = fc.createComplexArray() as number[]
  const colOut = fc.createComplexArray() as number[]
  for (let x = 0; x < px; x++) {
    for (let y = 0; y < py; y++) {
      col[2 * y] = spec[(y * px + x) * 2]
      col[2 * y + 1] = spec[(y * px + x) * 2 + 1]
    }
    fc.transform(colOut, col)
    // |F|² then the inverse along the column.
    for (let y = 0; y < py; y++) {
      const re = colOut[2 * y]
      const im = colOut[2 * y + 1]
      col[2 * y] = re * re + im * im
      col[2 * y + 1] = 0
    }
    fc.inverseTransform(colOut, col)
    for (let y = 0; y < py; y++) {
      spec[(y * px + x) * 2] = colOut[2 * y]
      spec[(y * px + x) * 2 + 1] = colOut[2 * y + 1]
    }
  }
  const out = new Float64Array(py * px)
  const rowC = fr.createComplexArray() as number[]
  for (let y = 0; y < py; y++) {
    for (let i = 0; i < 2 * px; i++) rowC[i] = spec[y * px * 2 + i]
    fr.inverseTransform(rowOut, rowC)
    for (let x = 0; x < px; x++) out[y * px + x] = rowOut[2 * x]
  }
  return out
}

/** In-plane radially averaged S2 of a 2D field (ny × nx), estimator as in the module comment. */
export function radialTwoPointCorrelation(
  field: ArrayLike<number>,
  ny: number,
  nx: number,
  opts: CorrelationOptions = {},
): number[] {
  const py = nextPowerOfTwo(2 * ny)
  const px = nextPowerOfTwo(2 * nx)
  const lin = imageAutocorrelation(field, ny, nx, py, px)
  const at = (dy: number, dx: number) => lin[((dy + py) % py) * px + ((dx + px) % px)]
  const len = curveLength(Math.min(ny, nx), opts.maxR)
  const sum = new Float64Array(len)
  const count = new Float64Array(len)
  const rMax = len - 1
  for (let dy = -Math.min(rMax, ny - 1); dy <= Math.min(rMax, ny - 1); dy++) {
    for (let dx = -Math.min(rMax, nx - 1); dx <= Math.min(rMax, nx - 1); dx++) {
      const r = Math.round(Math.sqrt(dy * dy + dx * dx))
      if (r > rMax) continue
      let s2: number
      if (opts.periodic) {
        // Circular lag (dy mod ny, dx mod nx) gathers the linear lags that wrap onto it.
        const cy = (dy + ny) % ny
        const cx = (dx + nx) % nx
        s2 = (at(cy, cx) + at(cy - ny, cx) + at(cy, cx - nx) + at(cy - ny, cx - nx)) / (ny * nx)
      } else {
        s2 = at(dy, dx) / ((ny - Math.abs(dy)) * (nx - Math.abs(dx)))
      }
      sum[r] += s2
      count[r] += 1
    }
  }
  return Array.from(sum, (s, r) => s / count[r])
}

/** S2 of a field along every axis (a length-1 axis gives [S2(0)]) and, for a 2D field, the radial average. */
export function fieldTwoPointCorrelation(
  field: ArrayLike<number>,
  shape: Shape3,
  opts: CorrelationOptions = {},
): TwoPointCorrelation {
  const result: TwoPointCorrelation = {
    z: axisTwoPointCorrelation(field, shape, 'z', opts),
    y: axisTwoPointCorrelation(field, shape, 'y', opts),
    x: axisTwoPointCorrelation(field, shape, 'x', opts),
  }
  if (shape[0] === 1 && activeAxes(shape).length === 2) {
    result.radial = radialTwoPointCorrelation(field, shape[1], shape[2], opts)
  }
  return result
}

/** S2 of one phase of a label volume along z, y and x (and radially in-plane for a 2D image). */
export function twoPointCorrelation(
  vol: Volume,
  phase: number,
  opts: CorrelationOptions = {},
): TwoPointCorrelation {
  checkPhase(phase)
  return fieldTwoPointCorrelation(phaseIndicator(vol, phase), vol.shape, opts)
}
