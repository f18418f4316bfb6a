import { describe, expect, it } from 'vitest'
import { inAppWords } from '../../src/renderer/src/lib/app-words'
import { jobOutcome } from '../../src/renderer/src/lib/job-outcome'
import { job } from './mock-client'

describe('command-line advice in the app’s words', () => {
  it('rewrites the flags the core’s messages and design notes name', () => {
    expect(
      inAppWords("0.31 → 0.35; the model's prior (score term) holds it back: try --steps or --weight vf"),
    ).toBe(
      "0.31 → 0.35; the model's prior (score term) holds it back: try more steps or a larger weight on the vf target",
    )
    expect(inAppWords('S2 error 4 → 3 %; try --steps')).toBe('S2 error 4 → 3 %; try more steps')
    expect(inAppWords('implied by the vf target: --weight s2=0 turns it off')).toBe(
      'implied by the vf target: a weight of 0 on the S2 target turns it off',
    )
    expect(
      inAppWords('/d/x.npy: values are not phase labels (integers 0..255); give --threshold to segment them'),
    ).toBe('/d/x.npy: values are not phase labels (integers 0..255); segment them first (Preview & segment)')
    expect(inAppWords('x.stl: an STL holds the surface of one phase; choose it with --phase P')).toBe(
      'x.stl: an STL holds the surface of one phase; choose the phase to export',
    )
    for (const t of ['give --threshold to segment it', 'try --steps', 'give at least one --target'])
      expect(inAppWords(t)).not.toMatch(/--[a-z]/)
  })

  it('a failed job’s outcome is said in the app’s words', () => {
    const o = jobOutcome(job({ id: 1, status: 'failed', error: 'a.npy: give --threshold to segment it' }), {
      busy: 'importing',
      done: 'imported',
      failed: 'a.npy was not imported',
    })
    expect(o).toEqual({
      state: 'failed',
      text: 'a.npy was not imported: a.npy: segment it first (Preview & segment)',
    })
  })
})
