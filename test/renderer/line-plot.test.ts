import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import LinePlot from '../../src/renderer/src/components/LinePlot.vue'

// Layout constants of the plot: 40 px left pad, 8 right, 20 top, 28 bottom.
const size = { width: 248, height: 148 } // 200 × 100 plotting area

describe('LinePlot', () => {
  it('maps lag to x and value to y over the shared range, y up', () => {
    const w = mount(LinePlot, {
      props: { ...size, series: [{ label: 'z', color: '#f00', values: [1, 0.5, 0] }] },
    })
    const d = w.get('path[data-series="z"]').attributes('d')
    // x: 40 + i/2·200; y: 20 + (1 − v)·100
    expect(d).toBe('M40.0,20.0L140.0,70.0L240.0,120.0')
  })

  it('breaks the line at a non-finite value and dashes a reference series', () => {
    const w = mount(LinePlot, {
      props: {
        ...size,
        series: [
          { label: 'a', color: '#f00', values: [0, 1, Number.NaN, 1, 0] },
          { label: 'ref', color: '#0f0', values: [0, 0.5, 1, 0.5, 0], dashed: true },
        ],
      },
    })
    const d = w.get('path[data-series="a"]').attributes('d')
    expect(d?.match(/M/g)).toHaveLength(2)
    expect(w.get('path[data-series="ref"]').attributes('stroke-dasharray')).toBe('4 3')
    expect(w.get('path[data-series="a"]').attributes('stroke-dasharray')).toBeUndefined()
    expect(w.text()).toContain('ref')
  })

  it('says so when there is nothing to draw', () => {
    const w = mount(LinePlot, { props: { series: [{ label: 'x', color: '#fff', values: [Number.NaN] }] } })
    expect(w.findAll('path')).toHaveLength(0)
    expect(w.text()).toContain('no data')
  })
})
