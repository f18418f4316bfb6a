import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { setApiClient } from '../../src/renderer/src/api/client'
import CurvesPanel from '../../src/renderer/src/components/CurvesPanel.vue'
import LinePlot from '../../src/renderer/src/components/LinePlot.vue'
import { latestDesign } from '../../src/renderer/src/lib/design-record'
import { lossSeries, mergeHistory, termLabel } from '../../src/renderer/src/lib/design-history'
import type { VolumeDescription } from '../../src/renderer/src/lib/measurements'
import JobsView from '../../src/renderer/src/views/JobsView.vue'
import type { DesignHistoryEntry, MeasurementInfo } from '../../src/shared/dto'
import { job, mockClient, type MockClient } from './mock-client'

function entry(step: number, vf: number, s2: number): DesignHistoryEntry {
  return { step, seconds: step / 10, losses: { 'vf:0': vf, s2 }, measures: { 'vf:0': 0.3, s2: 0.01 } }
}

describe('loss history', () => {
  it('merges live entries by step and labels terms with phase names', () => {
    const merged = mergeHistory(
      [entry(1, 1, 1), entry(10, 0.5, 0.5)],
      [entry(10, 0.4, 0.4), entry(20, 0.1, 0.2)],
    )
    expect(merged.map((e) => [e.step, e.losses['vf:0']])).toEqual([
      [1, 1],
      [10, 0.4],
      [20, 0.1],
    ])
    expect(termLabel('vf:0', ['pore'])).toBe('vf pore')
    expect(termLabel('diffusivity:1:z', ['pore'])).toBe('D_rel phase 1 z')
    const { steps, series } = lossSeries(merged, ['pore'])
    expect(steps).toEqual([1, 10, 20])
    expect(series.map((s) => [s.label, s.values])).toEqual([
      ['vf pore', [1, 0.4, 0.1]],
      ['s2', [1, 0.4, 0.2]],
    ])
  })

  it('LinePlot places samples at their steps on a log scale', () => {
    const w = mount(LinePlot, {
      props: {
        width: 248,
        height: 148,
        xs: [0, 50, 100],
        logY: true,
        series: [{ label: 'l', color: '#f00', values: [100, 10, 1] }],
      },
    })
    // x: 40 + step/100·200; y: log10 from 2 (top, 20) to 0 (bottom, 120)
    expect(w.get('path[data-series="l"]').attributes('d')).toBe('M40.0,20.0L140.0,70.0L240.0,120.0')
  })
})

describe('live loss curves in the Jobs view', () => {
  let client: MockClient
  beforeEach(() => {
    sessionStorage.clear()
    setActivePinia(createPinia())
    client = mockClient({
      'jobs.list': () => [
        job({ id: 3, kind: 'design', status: 'running', progress: 0.1, params: { model: 'toy' } }),
      ],
      'models.list': () => [
        {
          id: 'toy',
          ok: true,
          phases: [
            { id: 0, name: 'pore', color: '#000' },
            { id: 1, name: 'solid', color: '#fff' },
          ],
        },
      ],
    } as never)
    setApiClient(client)
  })

  it('draws each term as history entries arrive, then the full history of the finished job', async () => {
    const w = mount(JobsView)
    await flushPromises()
    await w.get('[data-testid="job-3"]').trigger('click')
    expect(w.get('[data-testid="loss-plot"]').text()).toContain('Waiting for the first loss entry')
    expect(w.find('path[data-series="vf pore"]').exists()).toBe(false)

    client.emit('job.history', { jobId: 3, entries: [entry(1, 1, 0.5)] })
    client.emit('job.history', { jobId: 4, entries: [entry(1, 9, 9)] }) // another job's
    client.emit('job.history', { jobId: 3, entries: [entry(10, 0.25, 0.2)] })
    await flushPromises()
    const d = w.get('path[data-series="vf pore"]').attributes('d')!
    expect(d.match(/[ML]/g)).toHaveLength(2)
    expect(w.find('path[data-series="s2"]').exists()).toBe(true)
    expect(w.get('[data-testid="loss-latest"]').text()).toContain('Loss at step 10')
    expect(w.get('[data-testid="loss-latest"]').text()).toContain('0.25')

    client.emit('job', {
      ...job({ id: 3, kind: 'design', status: 'succeeded', params: { model: 'toy' } }),
      result: {
        history: [entry(1, 1, 0.5), entry(10, 0.25, 0.2), entry(20, 0.05, 0.1)],
        targets: [
          {
            key: 'vf:0',
            target: 0.3,
            before: 0.4,
            after: 0.37,
            error: 0.07,
            reached: false,
            note: 'held back',
          },
        ],
      },
    })
    await flushPromises()
    expect(w.get('path[data-series="vf pore"]').attributes('d')!.match(/[ML]/g)).toHaveLength(3)
    const outcome = w.get('[data-testid="outcome-vf:0"]').text()
    expect(outcome).toContain('0.37')
    expect(outcome).toContain('held back')
  })
})

describe('design targets in Results', () => {
  const record: MeasurementInfo = {
    id: 5,
    volumeId: 2,
    kind: 'design',
    params: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    result: {
      targets: ['vf:pore=0.3', 's2=training'],
      weights: [],
      outcomes: [],
      fractionsBefore: [],
      fractionsAfter: [],
      s2Target: [{ phase: 1, y: [0.7, 0.5, 0.4], x: [0.7, 0.6, 0.4] }],
      trainingS2: [{ phase: 1, y: [0.7, 0.5, 0.4], x: [0.7, 0.6, 0.4] }],
    },
  }

  it('reads the design record and draws the target S2 curve with the volume’s own', () => {
    const design = latestDesign([record])!
    expect(design.targets).toEqual(['vf:pore=0.3', 's2=training'])
    expect(latestDesign([{ ...record, kind: 'describe' }])).toBeNull()
    const curves = { z: [0.6, 0.45, 0.3], y: [0.6, 0.5, 0.3], x: [0.6, 0.5, 0.35] }
    const description: VolumeDescription = {
      shape: [8, 8, 8],
      periodic: false,
      phases: [{ id: 1, volumeFraction: 0.6, s2: curves, linealPath: curves }],
    }
    const w = mount(CurvesPanel, {
      props: {
        phases: [
          { id: 0, name: 'pore', color: '#000' },
          { id: 1, name: 'solid', color: '#fff' },
        ],
        description,
        reference: null,
        s2Extra: [{ label: 'target', color: '#f0f', curves: design.s2Target! }],
      },
    })
    const target = w.get('path[data-series="target"]')
    expect(target.attributes('stroke-dasharray')).toBe('4 3')
    // Three lags: the mean of the row and column curves, 0.7, 0.55, 0.4.
    expect(target.attributes('d')!.match(/[ML]/g)).toHaveLength(3)
    expect(w.findAll('path[data-series="target"]')).toHaveLength(1)
  })
})
