/**
 * The minority-phase drift of multi-plane denoising (DESIGN §5.2, "Measured risk"), reproduced with an
 * exact 2D denoiser of a Gaussian random field (gaussian-field.ts), and the remedies that do and do not
 * remove it. Slices of the isotropic 3D field have exactly the 2D distribution the denoiser knows, so the
 * 3D answer is known: phase fraction 0.2 and S2 of the thresholded field.
 */
import { describe, expect, it } from 'vitest'
import { micro3diffError, twoPointCorrelation } from '../../../src/core/analysis'
import {
  DEFAULT_PARAMS,
  reconstructWithModel,
  type ModelDescription,
  type ReconstructionParams,
} from '../../../src/core/diffusion/pipeline'
import { makeNoiseSchedule } from '../../../src/core/diffusion/schedule'
import { makeVolume } from '../../../src/core/volume/volume'
import { gaussianFieldModel, thresholdedFieldS2 } from './gaussian-field'

const spec = { kind: 'linear' as const, T: 1000, betaStart: 1e-4, betaEnd: 2e-2 }
const ELL = 2
const FRACTION = 0.2
const N = 32
const truth = Array.from({ length: 7 }, (_, r) => thresholdedFieldS2(r, ELL, FRACTION))
const desc: ModelDescription = {
  schedule: spec,
  conditioning: { kind: 'none', labels: [], nullId: 0 },
  trainingFractions: [FRACTION, 1 - FRACTION],
  trainingS2: [
    { y: truth, x: truth },
    { y: truth, x: truth },
  ],
}

async function run(params: Partial<ReconstructionParams>) {
  const model = gaussianFieldModel(makeNoiseSchedule(spec), ELL, FRACTION)
  const out = await reconstructWithModel(model, desc, {
    ...DEFAULT_PARAMS,
    shape: [N, N, N],
    seed: 1,
    steps: 25,
    refine: 0,
    statsGuidance: 0,
    guidanceEvery: 1,
    s2Weight: 0,
    quantise: 'argmax',
    ...params,
  })
  const s2 = twoPointCorrelation(makeVolume([N, N, N], out.labels), 0, { maxR: truth.length - 1 })
  const s2Error = (['z', 'y', 'x'] as const).map((a) => micro3diffError(s2[a], truth))
  return { fraction: out.volumeFractions[0], soft: out.axisFractions[0][0], s2Error }
}

describe('multi-plane drift on an exactly known model', () => {
  it('the analytic S2 starts at the phase fraction and decays to its square', () => {
    expect(truth[0]).toBeCloseTo(FRACTION, 4)
    expect(thresholdedFieldS2(40, ELL, FRACTION)).toBeCloseTo(FRACTION ** 2, 4)
  })

  it('independent 2D samples have the right fraction; cycling the axes erodes the minority phase', async () => {
    const flat = await run({ axisMode: 'z-only' })
    expect(Math.abs(flat.soft - FRACTION)).toBeLessThan(0.03)
    for (const params of [{}, { harmonize: 2 }, { axisMode: 'average' as const }]) {
      const cycled = await run(params)
      expect(cycled.soft).toBeLessThan(0.14)
    }
  })

  it('guidance toward the training fraction and fraction-matched quantisation remove the drift', async () => {
    const guided = await run({ statsGuidance: 1 })
    expect(Math.abs(guided.soft - FRACTION)).toBeLessThan(0.01)
    expect(Math.max(...guided.s2Error)).toBeLessThan(30)
    const matched = await run({ quantise: 'match-fractions' })
    expect(Math.abs(matched.fraction - FRACTION)).toBeLessThan(0.005)
    expect(Math.max(...matched.s2Error)).toBeLessThan(20)
    const plain = await run({})
    expect(Math.min(...plain.s2Error)).toBeGreaterThan(40)
  })
})
