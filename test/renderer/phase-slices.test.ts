import { describe, expect, it } from 'vitest'
import {
  colorizeSlice,
  extractSlice,
  hexToRgb,
  phasePalette,
  sliceSize,
  subsampleForDisplay,
  UNKNOWN_PHASE_RGB,
} from '../../src/renderer/src/lib/phases'

// A [z=2, y=3, x=4] volume whose label is its own flat index (C order z, y, x).
const shape: [number, number, number] = [2, 3, 4]
const labels = Uint8Array.from({ length: 24 }, (_, i) => i)
const at = (z: number, y: number, x: number) => (z * 3 + y) * 4 + x

describe('label slices', () => {
  it('cuts each axis with rows and columns as drawn', () => {
    expect(sliceSize(shape, 'z')).toEqual([4, 3])
    expect(Array.from(extractSlice(labels, shape, 'z', 1))).toEqual(
      Array.from({ length: 12 }, (_, i) => at(1, Math.floor(i / 4), i % 4)),
    )
    expect(sliceSize(shape, 'y')).toEqual([4, 2])
    expect(Array.from(extractSlice(labels, shape, 'y', 2))).toEqual([
      at(0, 2, 0),
      at(0, 2, 1),
      at(0, 2, 2),
      at(0, 2, 3),
      at(1, 2, 0),
      at(1, 2, 1),
      at(1, 2, 2),
      at(1, 2, 3),
    ])
    expect(sliceSize(shape, 'x')).toEqual([3, 2])
    expect(Array.from(extractSlice(labels, shape, 'x', 3))).toEqual([
      at(0, 0, 3),
      at(0, 1, 3),
      at(0, 2, 3),
      at(1, 0, 3),
      at(1, 1, 3),
      at(1, 2, 3),
    ])
  })

  it('clamps an index beyond the volume to its last slice', () => {
    expect(Array.from(extractSlice(labels, shape, 'x', 99))).toEqual(
      Array.from(extractSlice(labels, shape, 'x', 3)),
    )
  })

  it('colours labels by phase and flags unnamed labels', () => {
    expect(hexToRgb('#ff8000')).toEqual([255, 128, 0])
    expect(hexToRgb('#0f0')).toEqual([0, 255, 0])
    const palette = phasePalette([
      { id: 0, name: 'pore', color: '#000000' },
      { id: 1, name: 'solid', color: '#ffffff' },
    ])
    const rgba = colorizeSlice(Uint8Array.from([0, 1, 7]), palette)
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 255, 255, 255, 255, ...UNKNOWN_PHASE_RGB, 255])
  })
})

describe('display subsampling', () => {
  it('keeps a volume that fits as it is', () => {
    const r = subsampleForDisplay(labels, shape, [1, 1, 1], 4)
    expect(r.labels).toBe(labels)
    expect(r.stride).toBe(1)
  })

  it('takes every n-th voxel so no axis exceeds the limit, and scales the spacing', () => {
    const r = subsampleForDisplay(labels, shape, [1, 2, 3], 2)
    expect(r.stride).toBe(2)
    expect(r.shape).toEqual([1, 2, 2])
    expect(r.spacing).toEqual([2, 4, 6])
    expect(Array.from(r.labels)).toEqual([at(0, 0, 0), at(0, 0, 2), at(0, 2, 0), at(0, 2, 2)])
  })
})
