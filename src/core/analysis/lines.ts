/**
 * Iteration over the 1D lines of a [z, y, x] volume along one axis: every line parallel to the axis, given
 * by its first index and the stride between its elements.
 */
import { axisIndex, type Axis, type Shape3 } from '../volume/volume'

export interface AxisLines {
  /** Number of elements in one line (the extent along the axis). */
  length: number
  /** Distance in the flat C-order array between consecutive elements of a line. */
  stride: number
  /** Number of lines (the product of the two other extents). */
  count: number
  /** Flat index of the first element of every line. */
  starts: Int32Array
}

export function axisLines(shape: Shape3, axis: Axis): AxisLines {
  const [nz, ny, nx] = shape
  const a = axisIndex(axis)
  const length = shape[a]
  const stride = a === 0 ? ny * nx : a === 1 ? nx : 1
  const count = (nz * ny * nx) / length
  const starts = new Int32Array(count)
  let k = 0
  for (let z = 0; z < (a === 0 ? 1 : nz); z++) {
    for (let y = 0; y < (a === 1 ? 1 : ny); y++) {
      for (let x = 0; x < (a === 2 ? 1 : nx); x++) starts[k++] = (z * ny + y) * nx + x
    }
  }
  return { length, stride, count, starts }
}

/** Axes along which a volume of this shape has more than one voxel (y and x for a 2D image). */
export function activeAxes(shape: Shape3): Axis[] {
  const axes: Axis[] = []
  if (shape[0] > 1) axes.push('z')
  if (shape[1] > 1) axes.push('y')
  if (shape[2] > 1) axes.push('x')
  return axes
}
