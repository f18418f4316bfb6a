import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeVolume, twoPointCorrelation } from '../../../src/core/analysis'
import { makeVolume } from '../../../src/core/volume/volume'
import { SHARED_DATA, hasSharedData, sharedDataSkipReason } from '../../helpers'

const CROP = 64

function bereaCrop() {
  const raw = readFileSync(path.join(SHARED_DATA, '3d-berea-sandstone', 'volume.raw'))
  const vol = makeVolume([CROP, CROP, CROP])
  for (let z = 0; z < CROP; z++)
    for (let y = 0; y < CROP; y++) {
      const from = (z * 256 + y) * 256
      vol.data.set(raw.subarray(from, from + CROP), (z * CROP + y) * CROP)
    }
  vol.spacing = [5.345, 5.345, 5.345]
  vol.unit = 'um'
  return vol
}

describe.skipIf(!hasSharedData)(
  `Berea sandstone 64³ crop (${hasSharedData ? 'real data' : sharedDataSkipReason})`,
  () => {
    it('has sane descriptors: porosity near 0.2058, decaying isotropic S2, connected solid', () => {
      const vol = bereaCrop()
      const d = describeVolume(vol)
      const pore = d.phases[0]
      expect(Math.abs(pore.volumeFraction - 0.2058)).toBeLessThan(0.03)
      for (const axis of ['z', 'y', 'x'] as const) {
        const s2 = pore.s2[axis]
        expect(s2[0]).toBeCloseTo(pore.volumeFraction, 12)
        // Decays towards φ² within the crop (correlation length about 6 voxels).
        expect(s2[1]).toBeLessThan(s2[0])
        expect(Math.abs(s2[30] - pore.volumeFraction ** 2)).toBeLessThan(0.02)
        expect(pore.linealPath[axis][10]).toBeLessThan(s2[10])
        expect(pore.chordLength[axis].mean).toBeGreaterThan(3)
        expect(pore.chordLength[axis].mean).toBeLessThan(20)
        expect(d.phases[1].percolatingFraction[axis]).toBeGreaterThan(0.99)
      }
      expect(pore.specificSurfaceArea.unit).toBe('um^-1')
      expect(pore.specificSurfaceArea.smoothed).toBeLessThan(pore.specificSurfaceArea.faceCount)
      expect(pore.specificSurfaceArea.perVoxel.faceCount).toBeCloseTo(
        pore.specificSurfaceArea.faceCount * 5.345,
        9,
      )
      const periodic = twoPointCorrelation(vol, 0, { periodic: true })
      expect(Math.abs(periodic.x[5] - pore.s2.x[5])).toBeLessThan(0.01)
    })
  },
)
