import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { setApiClient } from '../../src/renderer/src/api/client'
import ModelValidation from '../../src/renderer/src/components/ModelValidation.vue'
import ValidationReportView from '../../src/renderer/src/components/ValidationReportView.vue'
import type { ModelInfo } from '../../src/shared/dto'
import type { ValidationReport, ValidationRow } from '../../src/shared/validation'
import { job, mockClient } from './mock-client'

function row(over: Partial<ValidationRow> & Pick<ValidationRow, 'key' | 'phase'>): ValidationRow {
  return {
    phaseName: over.phase === 0 ? 'pore' : 'solid',
    label: over.key,
    kind: 'scalar',
    generated: 0.2,
    generatedSd: 0.03,
    realMean: 0.2,
    realSd: 0.035,
    realMin: 0.18,
    realMax: 0.22,
    checks: [{ name: 'mean in real range', value: 0.2, low: 0.18, high: 0.22, pass: true }],
    verdict: 'within',
    rule: 'rule',
    ...over,
  }
}

const report: ValidationReport = {
  version: 1,
  mode: '3d',
  notes: [],
  reference: { name: 'volume.raw', shape: [256, 256, 256], region: [128, 256], regionShape: [128, 256, 256] },
  model: { id: 'berea-sandstone', name: 'Berea', manifestSha256: 'ab'.repeat(32) },
  settings: {
    size: 64,
    count: 8,
    draws: 25,
    seed: 0,
    generatedShape: [64, 64, 64],
    sampleShape: [64, 64, 64],
    transportAxes: ['z', 'y', 'x'],
    solverTolerance: 1e-4,
    generatedSeeds: [0, 1, 2, 3, 4, 5, 6, 7],
  },
  phases: [
    { id: 0, name: 'pore' },
    { id: 1, name: 'solid' },
  ],
  rows: [
    row({ phase: 0, key: 'vf', label: 'volume fraction' }),
    row({
      phase: 0,
      key: 'drel',
      label: 'D_rel, mean over z, y, x',
      generated: 0.01,
      checks: [{ name: 'mean', value: 0.01, low: 0.03, high: 0.05, pass: false }],
      verdict: 'outside',
    }),
    row({
      phase: 0,
      key: 's2',
      label: 'S2',
      kind: 'curve',
      generated: 6.5,
      generatedSd: null,
      realMax: 44.7,
    }),
    row({ phase: 1, key: 'vf', label: 'volume fraction' }),
  ],
  samples: [
    { phase: 0, key: 'vf', label: 'volume fraction', generated: [0.19, 0.21], real: [0.15, 0.2, 0.25] },
  ],
  curves: [
    {
      phase: 0,
      key: 's2',
      label: 'S2 (two-point correlation)',
      xLabel: 'r (voxels)',
      reference: [0.2, 0.1, 0.05],
      generated: [0.2, 0.11, 0.05],
      realMean: [0.2, 0.1, 0.05],
      realMin: [0.15, 0.07, 0.03],
      realMax: [0.25, 0.13, 0.07],
    },
  ],
  summary: { within: 3, outside: 1, notApplicable: 0, total: 4 },
  pending: [],
  timings: { generate: 60, real: 180, reference: 2, total: 242 },
  createdAt: '2026-12-04T12:00:00.000Z',
}

const berea: ModelInfo = {
  id: 'berea-sandstone',
  source: 'shipped',
  dir: '/app/resources/models/berea-sandstone',
  ok: true,
  error: null,
  name: 'berea-sandstone',
  description: null,
  material: null,
  phases: [
    { id: 0, name: 'pore', color: '#1f2937' },
    { id: 1, name: 'solid', color: '#e5c07b' },
  ],
  imageSize: 64,
  conditioning: 'none',
  licence: 'MIT',
  training: {},
}

describe('validation report view', () => {
  it('shows the rows of a phase with verdict chips, the curves with the real band and histograms', async () => {
    const w = mount(ValidationReportView, { props: { report } })
    const rows = w.get('[data-testid="validation-rows"]')
    expect(rows.findAll('tbody tr')).toHaveLength(3)
    expect(w.get('[data-testid="validation-row-vf"] .chip').attributes('data-verdict')).toBe('within')
    const drel = w.get('[data-testid="validation-row-drel"]')
    expect(drel.get('.chip').attributes('data-verdict')).toBe('outside')
    expect(drel.text()).toContain('mean: 0.0100 in [0.0300, 0.0500]')
    expect(w.get('[data-testid="validation-row-s2"]').text()).toContain('6.50 %')
    const curve = w.get('[data-testid="validation-curve-s2"]')
    for (const s of ['generated', 'real min', 'real max', 'reference'])
      expect(curve.find(`[data-series="${s}"]`).exists(), s).toBe(true)
    const hist = w.get('[data-testid="validation-hist-vf"]')
    expect(hist.findAll('rect.generated').length).toBeGreaterThan(0)
    expect(hist.text()).toContain('generated (2)')
    expect(hist.text()).toContain('real (3)')
    // another phase
    await w.get('[data-testid="validation-phase"]').setValue(1)
    expect(w.get('[data-testid="validation-rows"]').findAll('tbody tr')).toHaveLength(1)
  })

  it('says plainly that 3D transport needs a 3D reference for a 2D reference', () => {
    const note = '3D transport (D_rel) and 3D topology need a 3D reference: …'
    const w = mount(ValidationReportView, { props: { report: { ...report, mode: '2d', notes: [note] } } })
    expect(w.get('[data-testid="validation-note"]').text()).toContain('3D transport')
  })

  it('"Validate model" starts a validate job with the form and shows the stored report when it is done', async () => {
    let stored: unknown[] = []
    const client = mockClient({
      'volumes.list': () => [
        {
          id: 4,
          name: 'berea-half',
          shape: [128, 256, 256],
          spacing: [1, 1, 1],
          unit: 'voxel',
          phases: berea.phases,
          source: 'import',
          jobId: null,
          datasetId: null,
          createdAt: '2026-01-01',
          url: '/vox/volumes/4',
        },
      ],
      'validations.list': () => stored,
      'jobs.start': (input) =>
        job({
          id: 12,
          kind: 'validate',
          status: 'queued',
          progress: 0,
          params: (input as { params: never }).params,
        }),
    })
    setApiClient(client)
    const w = mount(ModelValidation, { props: { model: berea, hasProject: true } })
    await flushPromises()
    expect(w.find('[data-testid="validate-none"]').exists()).toBe(true)
    await w.get('[data-testid="validate-z0"]').setValue(128)
    await w.get('[data-testid="validate-z1"]').setValue(256)
    await w.get('[data-testid="validate-count"]').setValue(4)
    await w.get('[data-testid="validate-start"]').trigger('click')
    await flushPromises()
    const start = client.calls.find((c) => c.method === 'jobs.start')!.input as {
      kind: string
      params: Record<string, unknown>
    }
    expect(start.kind).toBe('validate')
    expect(start.params).toEqual({
      model: 'berea-sandstone',
      modelSource: 'shipped',
      referenceVolumeId: 4,
      region: [128, 256],
      size: 64,
      count: 4,
      draws: 25,
      seed: 0,
    })
    expect(w.get('[data-testid="validate-progress"]').text()).toContain('#12')
    stored = [
      {
        id: 1,
        modelId: 'berea-sandstone',
        modelSource: 'shipped',
        modelSha256: null,
        jobId: 12,
        params: {},
        report,
        createdAt: report.createdAt,
      },
    ]
    client.emit('job', job({ id: 12, kind: 'validate', status: 'succeeded' }))
    await flushPromises()
    expect(w.find('[data-testid="validation-report"]').exists()).toBe(true)
    expect(client.calls.filter((c) => c.method === 'validations.list').map((c) => c.input)).toContainEqual({
      modelId: 'berea-sandstone',
      source: 'shipped',
    })
  })
})
