import { describe, expect, it } from 'vitest'
import { compareCells } from '../../src/renderer/src/lib/compare'
import { curveErrorPercent } from '../../src/renderer/src/lib/curves'
import {
  curveAxes,
  latestDescription,
  latestProperties,
  thicknessCurve,
  type VolumeDescription,
} from '../../src/renderer/src/lib/measurements'
import type { MeasurementInfo } from '../../src/shared/dto'

function measurement(
  id: number,
  kind: string,
  result: unknown,
  createdAt = `2026-01-0${id}T00:00:00Z`,
): MeasurementInfo {
  return { id, volumeId: 1, kind, params: {}, result, createdAt }
}

function description(vf: number, s2: number[]): VolumeDescription {
  return {
    shape: [8, 8, 8],
    periodic: false,
    phases: [
      { id: 1, volumeFraction: vf, s2: { z: s2, y: s2, x: [vf] }, linealPath: { z: s2, y: s2, x: s2 } },
    ],
  }
}

describe('measurement results', () => {
  it('takes the newest describe result and the newest property per phase and axis', () => {
    const list = [
      measurement(1, 'describe', description(0.2, [0.2, 0.1])),
      measurement(2, 'property', { phase: 0, axis: 'z', relativeDiffusivity: 0.1, volumeFraction: 0.5 }),
      measurement(3, 'describe', description(0.3, [0.3, 0.1])),
      measurement(4, 'property', { phase: 0, axis: 'z', relativeDiffusivity: 0.2, volumeFraction: 0.5 }),
      measurement(5, 'property', { phase: 0, axis: 'x', relativeDiffusivity: 0.3, volumeFraction: 0.5 }),
      measurement(6, 'describe', { something: 'else' }),
    ]
    expect(latestDescription(list)?.phases[0].volumeFraction).toBe(0.3)
    expect(latestProperties(list).map((p) => [p.axis, p.relativeDiffusivity])).toEqual([
      ['x', 0.3],
      ['z', 0.2],
    ])
    expect(latestDescription([])).toBeNull()
  })

  it('turns a local-thickness histogram into a curve at the bin centres', () => {
    const p = description(0.2, [0.2, 0.1]).phases[0]
    expect(thicknessCurve(p)).toBeNull()
    p.localThickness = {
      histogram: { edges: [0, 1, 2, 3], fraction: [0, 0.25, 0.75] },
      mean: 2.4,
      median: 2.8,
      max: 2.9,
      meanLength: null,
      medianLength: null,
      unit: 'voxel',
    }
    expect(thicknessCurve(p)).toEqual({ xs: [0.5, 1.5, 2.5], values: [0, 0.25, 0.75] })
  })

  it('skips axes whose curve is only the r = 0 point (a 2D image)', () => {
    expect(curveAxes({ z: [0.2], y: [0.2, 0.1], x: [0.2, 0.1] })).toEqual(['y', 'x'])
  })

  it('measures curve error in percent of the reference', () => {
    expect(curveErrorPercent([0.3, 0.1], [0.2, 0.2])).toBeCloseTo(50)
    expect(curveErrorPercent([0, 0], [0, 0])).toBe(0)
    expect(curveErrorPercent([1], [0])).toBe(Infinity)
  })

  it('compares volume fractions and mean S2 error over the shared axes against the reference', () => {
    const ref = description(0.2, [0.2, 0.2])
    const other = description(0.3, [0.3, 0.1])
    const [cell] = compareCells([1], other, ref, false)
    expect(cell.volumeFraction).toBe(0.3)
    expect(cell.s2ErrorPercent).toBeCloseTo(50) // z and y: 50 % each; x has no curve
    expect(compareCells([1], ref, ref, true)[0]).toEqual({ volumeFraction: 0.2, s2ErrorPercent: null })
    expect(compareCells([1, 2], null, ref, false)).toEqual([
      { volumeFraction: null, s2ErrorPercent: null },
      { volumeFraction: null, s2ErrorPercent: null },
    ])
  })
})
