import { describe, expect, it } from 'vitest'
import { cropPatches, patchCount, windowStarts } from '../../../src/core/segmentation'
import { cropVolume, makeVolume } from '../../../src/core/volume/volume'

describe('cropPatches', () => {
  it('cuts N×N patches of a 2D image with a stride, left to right then top to bottom', () => {
    const img = makeVolume(
      [1, 4, 5],
      Uint8Array.from({ length: 20 }, (_, i) => i),
    )
    const patches = cropPatches(img, 2, 2)
    expect(patches.map((p) => p.origin)).toEqual([
      [0, 0, 0],
      [0, 0, 2],
      [0, 2, 0],
      [0, 2, 2],
    ])
    expect(patches[3].volume.shape).toEqual([1, 2, 2])
    expect([...patches[3].volume.data]).toEqual([12, 13, 17, 18])
    expect(patchCount(img.shape, 2, 1)).toBe(3 * 4)
  })

  it('cuts N³ patches of a volume and keeps spacing and phases', () => {
    const vol = makeVolume(
      [4, 4, 4],
      Uint8Array.from({ length: 64 }, (_, i) => i),
      [2, 2, 2],
      'um',
    )
    vol.phases = [{ id: 0, name: 'a', color: '#000000' }]
    const patches = cropPatches(vol, 3, 1)
    expect(patches).toHaveLength(8)
    const last = patches[7]
    expect(last.origin).toEqual([1, 1, 1])
    expect(last.volume.shape).toEqual([3, 3, 3])
    expect(last.volume.data[0]).toBe(16 + 4 + 1)
    expect(last.volume.data[26]).toBe(63)
    expect(last.volume.spacing).toEqual([2, 2, 2])
    expect(last.volume.phases?.[0].name).toBe('a')
  })

  it('refuses a patch larger than the source, a bad stride, or too many patches', () => {
    const img = makeVolume([1, 8, 8])
    expect(() => cropPatches(img, 9)).toThrow(/larger/)
    expect(() => cropPatches(img, 2, 0)).toThrow(/stride/)
    expect(() => cropPatches(img, 1, 1, 10)).toThrow(/more than 10/)
    expect(windowStarts(10, 4, 3)).toEqual([0, 3, 6])
  })
})

describe('cropVolume', () => {
  it('copies a non-cubic box out of a volume and refuses a box that does not fit', () => {
    // Voxel value = its flat index in the 3×4×5 source, so the copied indices can be read back.
    const vol = makeVolume(
      [3, 4, 5],
      Uint8Array.from({ length: 60 }, (_, i) => i),
    )
    const box = cropVolume(vol, [1, 2, 3], [2, 2, 2])
    expect(box.shape).toEqual([2, 2, 2])
    expect([...box.data]).toEqual([33, 34, 38, 39, 53, 54, 58, 59])
    expect(() => cropVolume(vol, [2, 0, 0], [2, 1, 1])).toThrow(/outside the 3x4x5 volume/)
  })
})
