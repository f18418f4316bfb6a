import { describe, expect, it } from 'vitest'
import { definedOnly } from '../../src/core/options'
import { DEFAULT_SDS_PARAMS, type SdsParams } from '../../src/core/design/sds'

describe('definedOnly', () => {
  it('drops undefined entries and keeps every other value, falsy ones included', () => {
    const out = definedOnly({ a: undefined, b: 0, c: null, d: '', e: false, f: 'x' })
    expect(out).toEqual({ b: 0, c: null, d: '', e: false, f: 'x' })
    expect('a' in out).toBe(false)
  })

  it('spread over defaults, unset options keep their defaults (a CLI flag not given)', () => {
    // What `microlad design --steps 20` hands over: --batch was not given, so batch is undefined.
    const given: Partial<SdsParams> = { steps: 20, batch: undefined, seed: undefined }
    const merged = { ...DEFAULT_SDS_PARAMS, ...definedOnly(given) }
    expect(merged.steps).toBe(20)
    expect(merged.batch).toBe(DEFAULT_SDS_PARAMS.batch)
    expect(merged.seed).toBe(DEFAULT_SDS_PARAMS.seed)
    // the plain spread is what went wrong before: undefined overwrote the default
    expect({ ...DEFAULT_SDS_PARAMS, ...given }.batch).toBeUndefined()
  })

  it('does not change its argument', () => {
    const given = { a: 1, b: undefined }
    definedOnly(given)
    expect(Object.keys(given)).toEqual(['a', 'b'])
  })
})
