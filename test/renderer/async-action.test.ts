import { describe, expect, it } from 'vitest'
import { useAsyncAction } from '../../src/renderer/src/composables/useAsyncAction'

describe('useAsyncAction', () => {
  it('returns the value, keeps the error of a failed action until one succeeds, and tracks busy', async () => {
    const { error, busy, run } = useAsyncAction()
    let release!: () => void
    const pending = run(() => new Promise<number>((r) => (release = () => r(4))))
    expect(busy.value).toBe(true)
    release()
    expect(await pending).toBe(4)
    expect(busy.value).toBe(false)

    let cleaned = false
    expect(
      await run(
        () => Promise.reject(new Error('no project is open')),
        () => (cleaned = true),
      ),
    ).toBeNull()
    expect(error.value).toBe('no project is open')
    expect(cleaned).toBe(true)
    expect(busy.value).toBe(false)
    expect(await run(() => Promise.reject('plain text'))).toBeNull()
    expect(error.value).toBe('plain text')
    await run(async () => 1)
    expect(error.value).toBeNull()
  })
})
