import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import SegmentationPanel from '../../src/renderer/src/components/SegmentationPanel.vue'
import {
  evenThresholds,
  setThreshold,
  toImportParams,
  initialState,
} from '../../src/renderer/src/lib/segmentation'
import type { GreyPreviewInfo } from '../../src/shared/datasets'

/** Preview of a w×h 8-bit image given per pixel. */
function preview(w: number, h: number, value: (x: number, y: number) => number): GreyPreviewInfo {
  const bins = new Uint8Array(w * h)
  const counts = new Array<number>(256).fill(0)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      bins[y * w + x] = value(x, y)
      counts[value(x, y)]++
    }
  return {
    path: '/data/grey.png',
    shape: [1, h, w],
    slice: 0,
    width: w,
    height: h,
    scale: 1,
    bins: btoa(String.fromCharCode(...bins)),
    histogram: { counts, lo: 0, width: 1, integer8: true },
    distinct: new Set(bins).size,
  }
}

type Params = {
  thresholds?: number[]
  labelMap?: { classToPhase: number[]; phases: { id: number; name: string }[] }
}
const last = (w: ReturnType<typeof mount>) => (w.emitted('update:params') ?? []).at(-1)?.[0] as Params

describe('SegmentationPanel', () => {
  // Left quarter 30, the rest 200: Otsu splits between them, 25 % / 75 %.
  const grey = preview(8, 8, (x) => (x < 2 ? 30 : 200))

  it('starts a grey image with Otsu and shows the phase fractions of the preview', () => {
    const w = mount(SegmentationPanel, { props: { preview: grey } })
    expect((w.get('[data-testid="seg-method"]').element as HTMLSelectElement).value).toBe('otsu')
    expect(last(w).thresholds).toEqual([31])
    expect(last(w).labelMap?.classToPhase).toEqual([0, 1])
    const text = w.get('[data-testid="seg-fractions"]').text()
    expect(text).toContain('phase 0 25.0%')
    expect(text).toContain('phase 1 75.0%')
    expect(w.get('[data-testid="seg-threshold-value-0"]').text()).toContain('31')
  })

  it('updates the preview at once when a threshold moves, and switches to manual', async () => {
    const w = mount(SegmentationPanel, { props: { preview: grey } })
    await w.get('[data-testid="seg-threshold-0"]').setValue('250')
    expect((w.get('[data-testid="seg-method"]').element as HTMLSelectElement).value).toBe('manual')
    expect(last(w).thresholds).toEqual([250])
    expect(w.get('[data-testid="seg-fractions"]').text()).toContain('phase 0 100.0%')
    // Back to Otsu restores its threshold.
    await w.get('[data-testid="seg-method"]').setValue('otsu')
    expect(last(w).thresholds).toEqual([31])
    expect(w.get('[data-testid="seg-fractions"]').text()).toContain('phase 1 75.0%')
  })

  it('maps grey classes to phases with names (two bands into one phase)', async () => {
    // Three bands: 20 | 120 | 220 (columns 0-1, 2-4, 5-7).
    const three = preview(8, 4, (x) => (x < 2 ? 20 : x < 5 ? 120 : 220))
    const w = mount(SegmentationPanel, { props: { preview: three } })
    await w.get('[data-testid="seg-method"]').setValue('multi')
    await w.get('[data-testid="seg-classes"]').setValue('3')
    expect(last(w).thresholds).toEqual([21, 121])
    await w.get('[data-testid="seg-class-phase-2"]').setValue('0')
    await w.get('[data-testid="seg-phase-name-0"]').setValue('solid')
    expect(last(w).labelMap?.classToPhase).toEqual([0, 1, 0])
    expect(last(w).labelMap?.phases[0]).toEqual({ id: 0, name: 'solid' })
    const text = w.get('[data-testid="seg-fractions"]').text()
    expect(text).toContain('solid 62.5%')
    expect(text).toContain('phase 1 37.5%')
    expect(w.get('[data-testid="seg-labelmap"]').text()).toContain('[21, 121)')
  })

  it('imports a label image as it is, and refuses "as labels" for a grey image', async () => {
    const labels = preview(4, 4, (x) => x % 2)
    const w = mount(SegmentationPanel, { props: { preview: labels } })
    expect((w.get('[data-testid="seg-method"]').element as HTMLSelectElement).value).toBe('none')
    expect(last(w)).toEqual({})
    const g = mount(SegmentationPanel, { props: { preview: grey } })
    await g.get('[data-testid="seg-method"]').setValue('none')
    expect(g.get('[data-testid="seg-problem"]').text()).toMatch(/not a label image/)
  })
})

describe('segmentation state helpers', () => {
  it('keeps thresholds increasing and converts bins to grey values for the import', () => {
    expect(setThreshold([10, 20, 30], 1, 5)).toEqual([10, 11, 30])
    expect(setThreshold([10, 20, 30], 1, 99)).toEqual([10, 29, 30])
    const counts = new Array<number>(256).fill(0)
    counts[0] = counts[99] = 1
    expect(evenThresholds(counts, 2)).toEqual([50])
    const p = { ...preview(2, 1, (x) => x), histogram: { counts, lo: -5, width: 0.5, integer8: false } }
    const s = { ...initialState(p), method: 'manual' as const, thresholds: [10] }
    expect(toImportParams(p, s).thresholds).toEqual([0])
  })
})
